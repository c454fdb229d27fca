/**
 * Runs the in-host mocha suite the way @vscode/test-electron's runTests() does, in code-server: the
 * workbench's `payload` names the extension (extensionDevelopmentPath) and the tests module
 * (extensionTestsPath); the extension host requires the module and calls its run(); the workbench then
 * calls window.codeAutomationExit(code). Both URIs must be vscode-remote://<host:port as in the page URL>.
 */
import type { Browser } from 'playwright-core';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { closePage, newPage, workbenchUrl } from './browser';
import type { CodeServer } from './server';

export interface InHostTestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}

export interface InHostResults {
  passed: number;
  failed: number;
  pending: number;
  tests: InHostTestResult[];
  /** Set by the suite when it could not even start (e.g. the extension did not activate). */
  fatal?: string;
}

export interface InHostRun {
  exitCode: number;
  results?: InHostResults;
  console: string[];
  durationMs: number;
}

export async function runInHostSuite(options: {
  browser: Browser;
  server: CodeServer;
  workspace: string;
  extensionPath: string;
  testsModule: string;
  resultsFile: string;
  timeoutMs: number;
}): Promise<InHostRun> {
  const { browser, server } = options;
  rmSync(options.resultsFile, { force: true });
  const consoleLines: string[] = [];
  const page = await newPage(browser, consoleLines);
  const started = Date.now();
  let exit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (exit = resolve));
  await page.exposeFunction('codeAutomationExit', (code: number) => exit(code)); // before goto, or the call is lost
  const remote = (path: string) => `vscode-remote://${server.host}${path}`;
  const payload: [string, string][] = [
    ['extensionDevelopmentPath', remote(options.extensionPath)],
    ['extensionTestsPath', remote(options.testsModule)],
  ];
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<number>((resolve) => { timer = setTimeout(() => resolve(-1), options.timeoutMs); });
  try {
    await page.goto(workbenchUrl(server.url, options.workspace, payload));
    const exitCode = await Promise.race([exited, timedOut]);
    if (exitCode === -1) consoleLines.push(`harness: no codeAutomationExit within ${options.timeoutMs} ms`);
    const results = existsSync(options.resultsFile) ? (JSON.parse(readFileSync(options.resultsFile, 'utf8')) as InHostResults) : undefined;
    return { exitCode, results, console: consoleLines, durationMs: Date.now() - started };
  } finally {
    clearTimeout(timer);
    await closePage(page);
  }
}
