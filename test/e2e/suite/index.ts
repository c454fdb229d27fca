/**
 * The in-host suite's entry point, the same contract as @vscode/test-electron: the extension host
 * requires this module and calls run(). Mocha runs the compiled *.test.js files beside it; the results
 * also go to E2E_RESULTS_FILE (the host inherits the server's environment) because the page console
 * only shows the spec reporter with raw placeholders.
 * E2E_MODE=restricted runs only the restricted-workspace tests; anything else runs the rest.
 */
import Mocha from 'mocha';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface TestResult { title: string; state: 'passed' | 'failed' | 'pending'; durationMs?: number; error?: string }

export function run(): Promise<void> {
  const mode = process.env.E2E_MODE === 'restricted' ? 'restricted' : 'trusted';
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 120_000, reporter: 'spec' });
  if (process.env.E2E_GREP) mocha.grep(process.env.E2E_GREP);
  const files = readdirSync(__dirname)
    .filter((name) => name.endsWith('.test.js'))
    .filter((name) => (mode === 'restricted') === name.startsWith('restricted'))
    .sort();
  for (const name of files) mocha.addFile(join(__dirname, name));
  const tests: TestResult[] = [];
  const write = (fatal?: string) => {
    const file = process.env.E2E_RESULTS_FILE;
    if (!file) return;
    const count = (state: TestResult['state']) => tests.filter((t) => t.state === state).length;
    writeFileSync(file, JSON.stringify({ mode, passed: count('passed'), failed: count('failed'), pending: count('pending'), tests, fatal }, null, 2));
  };
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        write();
        if (failures > 0) reject(new Error(`${failures} in-host test(s) failed`));
        else resolve();
      });
      runner.on('pass', (test) => tests.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration }));
      runner.on('fail', (test, error: Error) => tests.push({ title: test.fullTitle(), state: 'failed', durationMs: test.duration, error: error?.stack ?? String(error) }));
      runner.on('pending', (test) => tests.push({ title: test.fullTitle(), state: 'pending' }));
    } catch (error) {
      write(error instanceof Error ? error.stack ?? error.message : String(error));
      reject(error);
    }
  });
}
