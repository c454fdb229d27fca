/** The editor: a broken definition's problems in the status bar and the Problems panel; completion in dependsOn. */
import * as assert from 'node:assert';
import { ui } from './context';

suite('UI: editor', () => {
  test('a broken definition shows its problems', async () => {
    const { wb, page } = ui();
    await wb.openFile('broken.orch.json');
    // Squiggles are drawn once the server published its diagnostics.
    await page.locator('.editor-instance .squiggly-error').first().waitFor();
    await page.waitForFunction(() => {
      const item = (globalThis as unknown as { document: { getElementById(id: string): { textContent: string | null } | null } }).document.getElementById('status.problems');
      const numbers = (item?.textContent ?? '').match(/\d+/g) ?? [];
      return Number(numbers[0] ?? 0) >= 3;
    });
    const counts = await wb.problemCounts();
    assert.ok(counts.errors >= 3, `${counts.errors} errors in the status bar`);
    await page.locator('[id="status.problems"]').click();
    const problems = page.locator('.markers-panel .monaco-list-row');
    await problems.filter({ hasText: 'compile' }).first().waitFor();
    await wb.screenshot('editor-diagnostics');
    await wb.runCommand('View: Hide Panel');
  });

  test('completion in dependsOn offers the other activities', async () => {
    const { wb, page } = ui();
    await wb.openFile('edit.orch.json');
    await wb.placeCursorAfter('"dependsOn": [');
    await page.keyboard.press('Control+Space');
    const suggest = page.locator('.editor-widget.suggest-widget .monaco-list-row');
    await suggest.filter({ hasText: 'checkout' }).first().waitFor();
    assert.ok(await suggest.filter({ hasText: 'compile' }).count() >= 1, 'compile is offered');
    await wb.screenshot('editor-completion');
    await page.keyboard.press('Escape');
  });
});
