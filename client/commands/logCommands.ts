/** "Open Run Log": a run's timeline, an activity's latest attempt, or one attempt (streaming while it runs). */
import * as vscode from 'vscode';
import { attemptLogUri, runLogUri } from '../runs/runLogs';
import type { RunStore } from '../runs/runStore';
import { asRunsNode, runTarget } from './targets';

export async function openRunLogCommand(store: RunStore, ...args: unknown[]): Promise<vscode.Uri | undefined> {
  const node = asRunsNode(args[0]);
  let uri: vscode.Uri | undefined;
  if (node?.kind === 'attempt') {
    uri = attemptLogUri(node.runId, node.activityId, node.instance, node.attempt);
  } else if (node?.kind === 'activity' || node?.kind === 'instance') {
    const activity = store.get(node.runId)?.view.activities.get(node.activityId);
    const unit = node.kind === 'instance' ? activity?.instances.find((u) => u.instance === node.instance) : activity;
    const last = unit?.attempts[unit.attempts.length - 1];
    if (!last) {
      void vscode.window.showInformationMessage(`${node.activityId} has not started: it has no log yet.`);
      return undefined;
    }
    uri = attemptLogUri(node.runId, node.activityId, node.kind === 'instance' ? node.instance : undefined, last.attempt);
  } else if (typeof args[0] === 'string' && typeof args[1] === 'string') {
    // (runId, activityId[, attempt]) from the command API.
    const activity = store.get(args[0])?.view.activities.get(args[1]);
    const attempt = typeof args[2] === 'number' ? args[2] : activity?.attempts[activity.attempts.length - 1]?.attempt;
    if (!activity || attempt === undefined) return undefined;
    uri = attemptLogUri(args[0], args[1], undefined, attempt);
  } else {
    const run = await runTarget(args[0], store, () => true, 'open the log of');
    if (!run) return undefined;
    uri = runLogUri(run.view.runId);
  }
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.languages.setTextDocumentLanguage(document, 'log').then(undefined, () => undefined);
  await vscode.window.showTextDocument(document, { preview: true, preserveFocus: false });
  return uri;
}
