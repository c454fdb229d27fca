/**
 * What a command acts on, from however it was invoked: a tree row, a URI (explorer, editor title), a
 * URI string (the language server's code lenses), a run id (the command API), or nothing (the palette:
 * the active editor, else a picker).
 */
import * as vscode from 'vscode';
import type { DefinitionsNode } from '../definitions/definitionsTree';
import type { WorkspaceDefinitions } from '../definitions/workspaceDefinitions';
import type { RunsNode } from '../runs/runsTree';
import type { RunRecord, RunStore } from '../runs/runStore';
import { formatStart } from '../runs/runPresentation';

function isRunsNode(value: unknown): value is RunsNode {
  return !!value && typeof value === 'object' && typeof (value as { kind?: unknown }).kind === 'string' && typeof (value as { id?: unknown }).id === 'string'
    && ['folder', 'run', 'activity', 'instance', 'attempt'].includes((value as { kind: string }).kind);
}

function isDefinitionsNode(value: unknown): value is Extract<DefinitionsNode, { uri: vscode.Uri }> {
  return !!value && typeof value === 'object' && ['orchestration', 'type'].includes((value as { kind?: string }).kind ?? '') && (value as { uri?: unknown }).uri instanceof vscode.Uri;
}

export function asRunsNode(value: unknown): RunsNode | undefined {
  return isRunsNode(value) ? value : undefined;
}

/** A definition URI from an argument, without asking. */
export function uriArgument(value: unknown): vscode.Uri | undefined {
  if (value instanceof vscode.Uri) return value;
  if (typeof value === 'string' && value) {
    try { return /^[a-z][a-z0-9+.-]*:/i.test(value) && !/^[a-z]:[\\/]/i.test(value) ? vscode.Uri.parse(value, true) : vscode.Uri.file(value); } catch { return undefined; }
  }
  if (isDefinitionsNode(value)) return value.uri;
  return undefined;
}

/** The orchestration to act on: the argument, the active editor, or a pick from the workspace's. */
export async function orchestrationTarget(arg: unknown, definitions: WorkspaceDefinitions, purpose: string): Promise<vscode.Uri | undefined> {
  const explicit = uriArgument(arg);
  if (explicit) return explicit;
  const active = vscode.window.activeTextEditor?.document;
  if (active && active.uri.path.endsWith('.orch.json')) return active.uri;
  await definitions.ready();
  const files = definitions.documents().filter((d) => d.kind === 'orchestration').map((d) => vscode.Uri.file(d.uri));
  if (!files.length) {
    void vscode.window.showInformationMessage('No orchestration definitions (*.orch.json) in this workspace. Create one with "Orchestration: New Orchestration...".');
    return undefined;
  }
  if (files.length === 1) return files[0];
  const picked = await vscode.window.showQuickPick(
    files.map((uri) => {
      const model = definitions.get(uri.fsPath)?.model;
      return { label: model?.kind === 'orchestration' && model.type ? model.type.value : uri.path.split('/').pop()!, description: vscode.workspace.asRelativePath(uri), uri };
    }).sort((a, b) => a.description.localeCompare(b.description)),
    { placeHolder: `The orchestration to ${purpose}`, matchOnDescription: true },
  );
  return picked?.uri;
}

/** The run to act on: a tree row's run, a run id, or a pick among the runs `filter` accepts. */
export async function runTarget(arg: unknown, store: RunStore, filter: (run: RunRecord) => boolean, purpose: string): Promise<RunRecord | undefined> {
  await store.ensureLoaded();
  const node = asRunsNode(arg);
  if (node && node.kind !== 'folder') return store.get(node.runId);
  if (typeof arg === 'string' && store.get(arg)) return store.get(arg);
  const uri = uriArgument(arg);
  const candidates = store.all().filter(filter).filter((r) => !uri || r.view.definition.path === uri.fsPath)
    .sort((a, b) => b.view.startedAt - a.view.startedAt);
  if (!candidates.length) {
    void vscode.window.showInformationMessage(`No run to ${purpose}${uri ? ` for ${vscode.workspace.asRelativePath(uri)}` : ''}.`);
    return undefined;
  }
  if (candidates.length === 1 && (typeof arg === 'string' || uri)) return candidates[0];
  const picked = await vscode.window.showQuickPick(candidates.map((record) => ({
    label: record.view.definition.type,
    description: `${record.view.state} · ${formatStart(record.view.startedAt)}`,
    detail: record.view.runId,
    record,
  })), { placeHolder: `The run to ${purpose}` });
  return picked?.record;
}
