/** Shared by the in-host tests: the extension's API, the workspace, and waiting on events (never on time). */
import * as assert from 'node:assert';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { OrchestrationStudioApi } from '../../../client/extension';
import type { RunView } from '../../../client/runs/runModel';

export const EXTENSION_ID = 'orchestration-studio.orchestration-studio';

let api: OrchestrationStudioApi | undefined;

export async function getApi(): Promise<OrchestrationStudioApi> {
  if (api) return api;
  const extension = vscode.extensions.getExtension<OrchestrationStudioApi>(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is not installed`);
  api = extension.isActive ? extension.exports : await extension.activate();
  assert.ok(api && typeof api.activationMs === 'number', 'activate() returned the API');
  return api;
}

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests run in a workspace folder');
  return folder.uri.fsPath;
}

export function fixture(name: string): vscode.Uri {
  return vscode.Uri.file(join(workspaceRoot(), name));
}

/** Resolves with the first event `predicate` accepts; rejects after `timeoutMs` naming what was awaited. */
export function waitForEvent<T>(event: vscode.Event<T>, predicate: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { subscription.dispose(); reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)); }, timeoutMs);
    const subscription = event((value) => {
      let ok = false;
      try { ok = predicate(value); } catch (error) { clearTimeout(timer); subscription.dispose(); reject(error); return; }
      if (!ok) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve(value);
    });
  });
}

/** Waits until `check()` holds, re-checking on each event of `event` (checked once at once). */
export async function waitUntil<T>(event: vscode.Event<T>, check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  if (check()) return;
  await waitForEvent(event, () => check(), timeoutMs, what);
}

export async function diagnosticsOf(uri: vscode.Uri, accept: (diagnostics: readonly vscode.Diagnostic[]) => boolean, timeoutMs = 60_000): Promise<readonly vscode.Diagnostic[]> {
  await waitUntil(vscode.languages.onDidChangeDiagnostics, () => accept(vscode.languages.getDiagnostics(uri)), timeoutMs, `diagnostics of ${uri.path}`);
  return vscode.languages.getDiagnostics(uri);
}

export function codeOf(diagnostic: vscode.Diagnostic): string {
  const code = diagnostic.code;
  return typeof code === 'object' && code !== null ? String(code.value) : String(code ?? '');
}

/** Waits until a run's view satisfies `check` (live from the store's change events). */
export async function waitForRun(runId: string, check: (run: RunView) => boolean, timeoutMs: number, what: string): Promise<RunView> {
  const { store } = await getApi();
  await waitUntil(store.onDidChange, () => { const run = store.get(runId)?.view; return !!run && check(run); }, timeoutMs, `${what} (run ${runId})`);
  return store.get(runId)!.view;
}

export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
