/** Debian's Chromium driven by playwright-core, headless; pages are sent to about:blank before closing. */
import { chromium, type Browser, type Page } from 'playwright-core';
import { existsSync } from 'node:fs';
import { chromiumPath } from './paths';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}; run scripts/e2e-setup.sh (or set E2E_CHROMIUM)`);
  return chromium.launch({
    executablePath: chromiumPath,
    headless: process.env.E2E_HEADED !== '1',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

export async function newPage(browser: Browser, consoleLines?: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  if (consoleLines) page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
  return page;
}

/**
 * A closed page keeps its extension host alive on the server for minutes to hours; navigating away first
 * makes the server log "disconnected gracefully" and end the host at once.
 */
export async function closePage(page: Page): Promise<void> {
  if (page.isClosed()) return;
  try { await page.goto('about:blank', { timeout: 15_000 }); } catch { /* closing anyway */ }
  await page.close();
}

export function workbenchUrl(baseUrl: string, folder: string, payload?: [string, string][]): string {
  let url = `${baseUrl}/?folder=${encodeURIComponent(folder)}`;
  if (payload) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}
