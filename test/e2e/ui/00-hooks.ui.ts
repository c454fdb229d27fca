/** Root hooks of the UI suite: a screenshot of every failing test, named after it, beside the others. */
import { ui } from './context';

teardown(async function () {
  const test = this.currentTest;
  if (test?.state !== 'failed') return;
  const name = `failed-${test.fullTitle().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80)}`;
  try { await ui().wb.screenshot(name); } catch { /* the page may be gone; the error says why */ }
});
