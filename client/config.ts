/** The extension's own `orch.*` settings (the language server reads its settings itself). */
import * as vscode from 'vscode';
import { isAbsolute, join } from 'node:path';

export const DEFAULT_RUNS_FOLDER = '.orch/runs';

/** The runs folder of a workspace folder: `orch.runsFolder`, relative to the folder unless absolute. */
export function runsFolderOf(folder: vscode.WorkspaceFolder): string {
  const configured = vscode.workspace.getConfiguration('orch', folder.uri).get<string>('runsFolder', DEFAULT_RUNS_FOLDER).trim() || DEFAULT_RUNS_FOLDER;
  const expanded = configured.replace(/^~(?=$|[\\/])/, process.env.HOME ?? process.env.USERPROFILE ?? '~');
  return isAbsolute(expanded) ? expanded : join(folder.uri.fsPath, expanded);
}

export interface RunSettings {
  /** Show a progress notification (with a Cancel button) while a run started from the editor runs. */
  showProgress: boolean;
  /** Reveal the Runs view when a run starts. */
  revealRunsView: boolean;
  /** Most finished runs listed per workspace folder (the newest first); older ones stay on disk. */
  historyLimit: number;
}

export function runSettings(scope?: vscode.Uri): RunSettings {
  const config = vscode.workspace.getConfiguration('orch.runs', scope);
  const limit = config.get<number>('historyLimit', 50);
  return {
    showProgress: config.get<boolean>('showProgress', true),
    revealRunsView: config.get<boolean>('revealView', true),
    historyLimit: Number.isFinite(limit) && limit > 0 ? Math.floor(limit) : 50,
  };
}
