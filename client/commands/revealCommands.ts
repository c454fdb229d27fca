/**
 * Reveal an activity in its definition: from a Runs view row (the run's definition file), from the graph
 * (a node click) or from a code lens ("N upstream · M downstream": a picker of those activities).
 */
import * as vscode from 'vscode';
import { ParsedDocument } from '../../runtime/analysis/document';
import type { RunStore } from '../runs/runStore';
import { asRunsNode, uriArgument } from './targets';

/** Selects the activity's id in the editor (opening the file if needed). Returns whether it was found. */
export async function revealActivity(uri: vscode.Uri, activityId: string, options: { preserveFocus?: boolean; preview?: boolean } = {}): Promise<boolean> {
  const document = await vscode.workspace.openTextDocument(uri);
  const model = new ParsedDocument(uri.toString(), document.getText()).model;
  const activity = model?.kind === 'orchestration' ? model.byId.get(activityId) : undefined;
  const node = activity?.idNode ?? activity?.node;
  const editor = await vscode.window.showTextDocument(document, {
    preserveFocus: options.preserveFocus ?? false,
    preview: options.preview ?? true,
    viewColumn: vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString())?.viewColumn ?? vscode.ViewColumn.One,
  });
  if (!node) {
    void vscode.window.showWarningMessage(`Activity '${activityId}' is not in ${vscode.workspace.asRelativePath(uri)} any more.`);
    return false;
  }
  // The id string without its quotes when there is one; the whole activity otherwise.
  const inner = activity?.idNode ? { start: node.offset + 1, end: node.offset + node.length - 1 } : { start: node.offset, end: node.offset + node.length };
  const range = new vscode.Range(document.positionAt(inner.start), document.positionAt(inner.end));
  editor.selection = new vscode.Selection(range.start, range.end);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return true;
}

/** Args: (runs row) or (definition URI | string, activity id). */
export async function revealActivityCommand(store: RunStore, ...args: unknown[]): Promise<boolean> {
  const node = asRunsNode(args[0]);
  if (node && node.kind !== 'folder' && node.kind !== 'run') {
    const record = store.get(node.runId);
    if (!record) return false;
    return revealActivity(vscode.Uri.file(record.view.definition.path), node.activityId, { preserveFocus: true });
  }
  const uri = uriArgument(args[0]);
  if (!uri || typeof args[1] !== 'string') return false;
  return revealActivity(uri, args[1]);
}

/** The code lens's "N upstream · M downstream": pick one of them (the editor follows the highlighted item). */
export async function revealActivitiesCommand(...args: unknown[]): Promise<boolean> {
  const uri = uriArgument(args[0]);
  const ids = Array.isArray(args[1]) ? args[1].filter((id): id is string => typeof id === 'string') : [];
  if (!uri || !ids.length) return false;
  if (ids.length === 1) return revealActivity(uri, ids[0]);
  const quickPick = vscode.window.createQuickPick<vscode.QuickPickItem>();
  quickPick.items = ids.map((id) => ({ label: id }));
  quickPick.placeholder = `${ids.length} related activities`;
  const preview = quickPick.onDidChangeActive((items) => { if (items[0]) void revealActivity(uri, items[0].label, { preserveFocus: true }); });
  const chosen = await new Promise<string | undefined>((resolve) => {
    quickPick.onDidAccept(() => { resolve(quickPick.selectedItems[0]?.label); quickPick.hide(); });
    quickPick.onDidHide(() => resolve(undefined));
    quickPick.show();
  });
  preview.dispose();
  quickPick.dispose();
  return chosen ? revealActivity(uri, chosen) : false;
}
