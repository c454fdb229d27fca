/**
 * Distributed mode in the workbench: a window whose workspace sets `orch.nats.url` runs the definition on an
 * `orch agent` (a real nats-server), and the Runs view says on which agent each attempt ran. A window of its
 * own, with the setting written before it loads: a setting changed under a running window gives no signal a
 * test could wait on before clicking, and the shared window must stay in embedded mode.
 */
import * as assert from 'node:assert';
import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { closePage, newPage, workbenchUrl } from '../harness/browser';
import { OrchAgent } from '../harness/orchAgent';
import { workspaceFixture } from '../harness/paths';
import { RUNS_VIEW, Workbench } from '../harness/workbench';
import { startNatsServer, type NatsServer } from '../../support/natsServer';
import { ui } from './context';

const AGENT = 'e2e-agent';

/** The CLI of the extension the server runs (the installed VSIX, or the linked source folder with --dev). */
function installedCli(extensionsDir: string): string {
  const folder = readdirSync(extensionsDir).find((name) => name.startsWith('orchestration-studio.orchestration-studio-'));
  assert.ok(folder, `the extension is installed in ${extensionsDir}`);
  return join(extensionsDir, folder, 'dist', 'cli.js');
}

suite('UI: distributed mode', () => {
  let nats: NatsServer | undefined;
  let agent: OrchAgent | undefined;
  let page: Page | undefined;

  suiteTeardown(async () => {
    if (page) await closePage(page);
    await agent?.stop();
    await nats?.stop();
  });

  test('the Runs view shows the agent each attempt ran on', async () => {
    const { server, browser, workspace, consoleLines } = ui();
    const folder = join(dirname(workspace), 'ws-ui-distributed');
    cpSync(workspaceFixture, folder, { recursive: true });
    nats = await startNatsServer();
    agent = await OrchAgent.start({ cli: installedCli(server.extensionsDir), natsUrl: nats.url, name: AGENT, types: ['e2e.echo', 'e2e.noop'], defs: [folder], cwd: folder });
    mkdirSync(join(folder, '.vscode'), { recursive: true });
    writeFileSync(join(folder, '.vscode', 'settings.json'), JSON.stringify({ 'orch.nats.url': nats.url }, null, 2));

    page = await newPage(browser, consoleLines);
    const wb = new Workbench(page);
    try {
      await page.goto(workbenchUrl(server.url, folder));
      await wb.waitReady('distributed.orch.json');
      await wb.waitExtensionRegistered();
      await wb.openFile('distributed.orch.json');
      await wb.codeLens('Run orchestration').first().click();
      await wb.openContainer();
      await wb.expandRow(await wb.waitTreeRowLabel(RUNS_VIEW, /Run e2e\.distributed, succeeded/));
      for (const [id, type] of [['greet', 'e2e.echo'], ['settle', 'e2e.noop']]) {
        await wb.expandRow(await wb.waitTreeRowLabel(RUNS_VIEW, new RegExp(`Activity ${id}, ${type.replace('.', '\\.')} · succeeded`)));
      }
      const onAgent = new RegExp(`^Attempt 1, succeeded · on ${AGENT}\\b`);
      // Both attempt rows (one per activity), each rendered once its activity row is open.
      await wb.treeRows(RUNS_VIEW).and(page.getByLabel(onAgent)).nth(1).waitFor();
      const attempts = await wb.treeRows(RUNS_VIEW).evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? '').filter((l) => l.startsWith('Attempt ')));
      assert.strictEqual(attempts.filter((l) => onAgent.test(l)).length, 2, `both attempts ran on ${AGENT}: ${attempts.join(' | ')}`);
      // A wider side bar, so the descriptions are not cut short in the screenshot (drag its sash).
      const sidebar = await page.locator('.part.sidebar').boundingBox();
      if (sidebar) {
        await page.mouse.move(sidebar.x + sidebar.width - 1, sidebar.y + sidebar.height / 2);
        await page.mouse.down();
        await page.mouse.move(sidebar.x + 620, sidebar.y + sidebar.height / 2, { steps: 5 });
        await page.mouse.up();
      }
      await wb.clearNotifications();
      // The tooltip of an attempt row names the agent too; it is in the screenshot.
      await wb.treeRowByLabel(RUNS_VIEW, onAgent).hover();
      await page.locator('.workbench-hover, .monaco-hover', { hasText: `Agent: ${AGENT}` }).first().waitFor();
      await wb.screenshot('runs-view-distributed');
      await page.mouse.move(0, 0);
      for (const id of ['greet', 'settle']) {
        const finished = await agent.waitFor((l) => l.event === 'finished' && l.unitKey === id, 30_000, `the agent's finished line for ${id}`);
        assert.strictEqual(finished.outcome, 'complete', JSON.stringify(finished));
      }
    } catch (error) {
      // The suite's failure hook photographs the shared window; this test's window is this one.
      try { await wb.screenshot('failed-ui-distributed-mode'); } catch { /* the page may be gone */ }
      throw error;
    }
  });
});
