/**
 * What the harness hands the Playwright UI suite: the running server, the browser, the workspace copy and
 * one workbench page shared by the suite's files (a workbench load costs 5-15 s; tests run in file order
 * and each leaves the page usable for the next).
 */
import type { Browser, Page } from 'playwright-core';
import type { CodeServer } from '../harness/server';
import { Workbench } from '../harness/workbench';

export interface UiContext {
  server: CodeServer;
  browser: Browser;
  /** A private copy of test/e2e/workspace for this run. */
  workspace: string;
  page: Page;
  wb: Workbench;
  consoleLines: string[];
  /** Measurements the suite reports (graph render times, ...), written to the summary. */
  metrics: Record<string, number>;
}

let current: UiContext | undefined;

export function setUiContext(context: UiContext | undefined): void {
  current = context;
}

export function ui(): UiContext {
  if (!current) throw new Error('the UI suite runs from the e2e harness (npm run test:e2e), which sets up the server and page');
  return current;
}
