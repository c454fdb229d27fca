/**
 * Playwright helpers for the VS Code 1.100 web workbench. Selectors were checked on 1.100.3 (see
 * ../shared/notes/vscode-e2e.md, section 6). Every helper waits on the DOM state it needs, never a fixed delay.
 */
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { artifactsDir } from './paths';

export const CONTAINER_TITLE = 'Orchestrations';
export const RUNS_VIEW = 'Runs';
export const DEFINITIONS_VIEW = 'Definitions';

export class Workbench {
  constructor(readonly page: Page, readonly defaultTimeout = 60_000) {
    page.setDefaultTimeout(defaultTimeout);
  }

  async waitReady(fileInWorkspace: string): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor();
    await this.page.locator('.explorer-folders-view .monaco-list-row', { hasText: fileInWorkspace }).first().waitFor();
  }

  activityBarItem(title = CONTAINER_TITLE): Locator {
    return this.page.locator(`.activitybar .action-item a[aria-label^="${title}"]`);
  }

  /** Our container's icon exists once the extension is registered; the palette lists our commands only then. */
  async waitExtensionRegistered(): Promise<void> {
    await this.activityBarItem().waitFor();
  }

  async openFile(name: string): Promise<void> {
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget input.input');
    await input.waitFor();
    await input.fill(name);
    await this.page.locator('.quick-input-list .monaco-list-row.focused', { hasText: name }).waitFor();
    await this.page.keyboard.press('Enter');
    await this.page.locator('.tabs-container .tab.active', { hasText: name }).waitFor();
    await this.page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor();
  }

  /** Runs a command from the palette by its "Category: Title". */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input.input');
    await input.waitFor();
    await input.fill(`>${title}`);
    await this.page.locator('.quick-input-list .monaco-list-row.focused', { hasText: title }).waitFor();
    await this.page.keyboard.press('Enter');
  }

  quickInput(): Locator {
    return this.page.locator('.quick-input-widget input.input');
  }

  async answerQuickInput(value: string): Promise<void> {
    const input = this.quickInput();
    await input.waitFor({ state: 'visible' });
    await input.fill(value);
    await this.page.keyboard.press('Enter');
  }

  async pickQuickItem(label: string): Promise<void> {
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first().click();
  }

  async openContainer(): Promise<void> {
    const item = this.activityBarItem();
    const checked = await item.getAttribute('aria-expanded').catch(() => null);
    const selected = await this.page.locator('.activitybar .action-item.checked a[aria-label^="' + CONTAINER_TITLE + '"]').count();
    if (!selected && checked !== 'true') await item.click();
    await this.viewPane(RUNS_VIEW).waitFor();
  }

  viewPane(viewName: string): Locator {
    return this.page.locator(`.pane:has(.pane-header[aria-label^="${viewName}"])`);
  }

  treeRows(viewName: string): Locator {
    return this.viewPane(viewName).locator('.monaco-list-row');
  }

  treeRow(viewName: string, text: string | RegExp): Locator {
    return this.treeRows(viewName).filter({ hasText: text });
  }

  /** Waits for a tree row whose accessible label (the item's tooltip or label) matches. */
  async waitTreeRowLabel(viewName: string, pattern: RegExp, timeout = this.defaultTimeout): Promise<Locator> {
    await this.page.waitForFunction(
      ({ selector, source, flags }) => {
        const re = new RegExp(source, flags);
        // Runs in the page; the harness is compiled without the DOM library.
        const page = globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<{ getAttribute(n: string): string | null; textContent: string | null }> } };
        return [...page.document.querySelectorAll(selector)].some((row) => re.test(row.getAttribute('aria-label') ?? '') || re.test(row.textContent ?? ''));
      },
      { selector: `.pane:has(.pane-header[aria-label^="${viewName}"]) .monaco-list-row`, source: pattern.source, flags: pattern.flags },
      { timeout },
    );
    return this.treeRowByLabel(viewName, pattern);
  }

  /** A row by its accessible label (the extension sets `accessibilityInformation` on every row). */
  treeRowByLabel(viewName: string, pattern: RegExp): Locator {
    return this.treeRows(viewName).and(this.page.getByLabel(pattern)).first();
  }

  /** Opens a collapsed tree row (its children are rendered only then). */
  async expandRow(row: Locator): Promise<void> {
    if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
  }

  codeLens(title: string): Locator {
    return this.page.locator('.codelens-decoration a', { hasText: title });
  }

  /** The number shown on the Problems badge of the status bar (errors + warnings). */
  async problemCounts(): Promise<{ errors: number; warnings: number }> {
    const item = this.page.locator('.statusbar-item[id="status.problems"]');
    await item.waitFor();
    const label = (await item.getAttribute('aria-label')) ?? (await item.textContent()) ?? '';
    // 1.100 labels it "Errors: 3, Warnings: 2" (zero counts left out); the text is "3 2".
    const errors = /Errors?:\s*(\d+)/i.exec(label);
    const warnings = /Warnings?:\s*(\d+)/i.exec(label);
    if (errors || warnings) return { errors: Number(errors?.[1] ?? 0), warnings: Number(warnings?.[1] ?? 0) };
    const numbers = ((await item.textContent()) ?? '').match(/\d+/g) ?? ['0', '0'];
    return { errors: Number(numbers[0] ?? 0), warnings: Number(numbers[1] ?? 0) };
  }

  notifications(): Locator {
    return this.page.locator('.notifications-toasts .notification-list-item-message');
  }

  /** The graph webview's document: two nested iframes, both served by code-server. */
  webview(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
  }

  /** Closes notification toasts, so screenshots show the workbench rather than old messages. */
  async clearNotifications(): Promise<void> {
    if (await this.notifications().count()) await this.runCommand('Notifications: Clear All Notifications');
    await this.notifications().first().waitFor({ state: 'detached' });
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(artifactsDir, { recursive: true });
    const path = join(artifactsDir, `${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  /** Moves the editor cursor to the first occurrence of `text` (through Go to Line is too coarse). */
  async placeCursorAfter(text: string): Promise<void> {
    await this.page.keyboard.press('Control+F');
    const find = this.page.locator('.find-widget textarea, .find-widget input').first();
    await find.waitFor();
    await find.fill(text);
    await this.page.keyboard.press('Enter');
    await this.page.keyboard.press('Escape');
    // The match stays selected: End of the selection puts the cursor right after it.
    await this.page.keyboard.press('ArrowRight');
  }
}
