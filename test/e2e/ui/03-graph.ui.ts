/**
 * The graph webview: opened from the code lens, nodes drawn with their run states. The webview marks each
 * node group with data-id and data-state (media/graph/scene.ts).
 */
import * as assert from 'node:assert';
import { ui } from './context';

suite('UI: graph', () => {
  test('Show graph draws the definition with the last run\'s states', async () => {
    const { wb, page, metrics } = ui();
    await wb.openFile('pipeline.orch.json');
    const started = Date.now();
    await wb.codeLens('Show graph').first().click();
    const frame = wb.webview();
    const fetch = frame.locator('g[data-id="fetch"]');
    await fetch.waitFor();
    metrics.graphOpenMs = Date.now() - started;
    for (const id of ['fetch', 'build', 'test', 'lint', 'publish']) {
      await frame.locator(`g[data-id="${id}"][data-state="succeeded"]`).waitFor();
    }
    assert.strictEqual(await frame.locator('g[data-id]').count(), 5);
    await wb.clearNotifications();
    await wb.screenshot('graph');
    // A click on a node reveals its activity in the editor (lint is on line 8).
    await frame.locator('g[data-id="lint"]').click();
    await page.locator('.statusbar-item[id="status.editor.selection"]', { hasText: /Ln 8,/ }).waitFor();
    await page.keyboard.press('Escape');
  });

  test('a 100-activity graph opens (time recorded in the summary)', async () => {
    const { wb, metrics } = ui();
    await wb.openFile('graph100.orch.json');
    const started = Date.now();
    await wb.runCommand('Orchestration: Show Graph');
    await wb.webview().locator('g[data-id="a0099"]').waitFor();
    metrics.graph100OpenMs = Date.now() - started;
    await wb.screenshot('graph-100');
  });
});
