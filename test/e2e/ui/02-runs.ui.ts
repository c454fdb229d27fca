/** Running from the editor: the "Run orchestration" code lens, the Runs view going from running to succeeded. */
import * as assert from 'node:assert';
import { ui } from './context';
import { RUNS_VIEW } from '../harness/workbench';

suite('UI: runs', () => {
  test('the code lens runs the definition and the Runs view follows it', async () => {
    const { wb, page } = ui();
    await wb.openFile('pipeline.orch.json');
    const lens = wb.codeLens('Run orchestration');
    await lens.first().waitFor();
    await lens.first().click();
    await wb.openContainer();
    const row = await wb.waitTreeRowLabel(RUNS_VIEW, /Run e2e\.pipeline, (running|succeeded)/);
    await wb.waitTreeRowLabel(RUNS_VIEW, /Run e2e\.pipeline, succeeded/);
    await row.waitFor();
    // The run row is expanded while it runs: its activities are listed in dependency order.
    for (const id of ['fetch', 'build', 'test', 'lint', 'publish']) await wb.waitTreeRowLabel(RUNS_VIEW, new RegExp(`Activity ${id}, e2e\\.echo · succeeded`));
    const labels = await wb.treeRows(RUNS_VIEW).evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
    const order = labels.filter((l) => l.startsWith('Activity ')).map((l) => l.split(',')[0].replace('Activity ', ''));
    assert.deepStrictEqual(order.slice(0, 5), ['fetch', 'build', 'test', 'lint', 'publish']);
    await wb.clearNotifications();
    await wb.screenshot('runs-view');
    await page.keyboard.press('Escape');
  });

  test('a long run can be cancelled from the Runs view', async () => {
    const { wb, page } = ui();
    await wb.openFile('slow.orch.json');
    await wb.codeLens('Run orchestration').first().click();
    await wb.openContainer();
    const running = await wb.waitTreeRowLabel(RUNS_VIEW, /Activity wait, e2e\.sleep · running/);
    await running.waitFor();
    // The status bar counts the runs going on.
    await page.locator('.statusbar-item[id$="orch.runs.status"]', { hasText: '1 run' }).waitFor();
    const runRow = wb.treeRowByLabel(RUNS_VIEW, /^Run e2e\.slow, /);
    await runRow.hover();
    await runRow.locator('.action-label[aria-label^="Cancel Run"]').click();
    await wb.waitTreeRowLabel(RUNS_VIEW, /Run e2e\.slow, cancelled/);
    await wb.waitTreeRowLabel(RUNS_VIEW, /Activity wait, e2e\.sleep · cancelled/);
    await page.mouse.move(0, 0);
  });

  test('a failed run is re-run from the Runs view and succeeds', async () => {
    const { wb } = ui();
    await wb.openFile('flaky.orch.json');
    await wb.codeLens('Run orchestration').first().click();
    await wb.openContainer();
    await wb.expandRow(await wb.waitTreeRowLabel(RUNS_VIEW, /Run e2e\.flaky, failed/));
    await wb.waitTreeRowLabel(RUNS_VIEW, /Activity flaky, e2e\.flaky · failed/);
    await wb.clearNotifications();
    await wb.screenshot('runs-view-failed');
    const runRow = wb.treeRowByLabel(RUNS_VIEW, /^Run e2e\.flaky, /);
    await runRow.hover();
    await runRow.locator('.action-label[aria-label^="Re-run Failed Activities"]').click();
    await wb.waitTreeRowLabel(RUNS_VIEW, /Run e2e\.flaky, succeeded · .* · resumed 1×/);
    await wb.waitTreeRowLabel(RUNS_VIEW, /Activity flaky, e2e\.flaky · succeeded · attempt 2/);
  });

  test('Run with Input asks for each property of the schema', async () => {
    const { wb, page } = ui();
    await wb.openFile('release.orch.json');
    await wb.runCommand('Orchestration: Run with Input...');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Run e2e.release with input (1/3)' }).waitFor();
    await wb.pickQuickItem('staging');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: '(2/3)' }).waitFor();
    assert.strictEqual(await wb.quickInput().inputValue(), '2', 'the default from the definition\'s input');
    await wb.answerQuickInput('0');
    await page.locator('.quick-input-widget .quick-input-message', { hasText: 'at least 1' }).waitFor();
    await wb.answerQuickInput('3');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: '(3/3)' }).waitFor();
    await wb.pickQuickItem('false');
    await wb.openContainer();
    await wb.waitTreeRowLabel(RUNS_VIEW, /Run e2e\.release, succeeded/);
    await wb.waitTreeRowLabel(RUNS_VIEW, /Activity deploy, e2e\.echo · succeeded/);
  });

  test('a waiting activity is completed from the Runs view', async () => {
    const { wb, page } = ui();
    await wb.openFile('approval.orch.json');
    await wb.codeLens('Run orchestration').first().click();
    await wb.openContainer();
    const waiting = await wb.waitTreeRowLabel(RUNS_VIEW, /Activity approve, e2e\.approval · waiting for completion/);
    await waiting.hover();
    await waiting.locator('.action-label[aria-label^="Complete Waiting Activity"]').click();
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Complete approve' }).waitFor();
    await wb.answerQuickInput('{"approvedBy": "grace"}');
    await wb.waitTreeRowLabel(RUNS_VIEW, /Run e2e\.approval, succeeded/);
    await wb.waitTreeRowLabel(RUNS_VIEW, /Activity release, e2e\.echo · succeeded/);
  });
});
