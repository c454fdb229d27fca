/**
 * The progress notification of a run started from the editor: activities settled out of all, what is
 * running now, and a Cancel button that cancels the run. Closes when the run ends, then says how it
 * ended (with Show Log / Re-run Failed on failure).
 */
import * as vscode from 'vscode';
import { runSettings } from '../config';
import { isFinished, type RunView } from './runModel';
import type { RunService } from './runService';
import type { RunStore } from './runStore';
import { formatDuration } from './runPresentation';

const SETTLED = new Set(['succeeded', 'failed', 'skipped', 'cancelled']);

function progressOf(run: RunView): { settled: number; total: number; message: string } {
  let settled = 0;
  const running: string[] = [];
  const waiting: string[] = [];
  for (const activity of run.activities.values()) {
    if (SETTLED.has(activity.state)) settled++;
    else if (activity.state === 'running' || activity.state === 'retrying') running.push(activity.activityId);
    else if (activity.state === 'waiting') waiting.push(activity.activityId);
  }
  const total = run.activities.size;
  const parts = [`${settled}/${total} done`];
  if (running.length) parts.push(`running ${running.slice(0, 3).join(', ')}${running.length > 3 ? ` +${running.length - 3}` : ''}`);
  if (waiting.length) parts.push(`waiting: ${waiting.slice(0, 3).join(', ')}`);
  if (run.cancelling) parts.push('cancelling…');
  return { settled, total, message: parts.join(' · ') };
}

export function registerRunProgress(service: RunService, store: RunStore): vscode.Disposable {
  return service.onDidStart(({ record, interactive }) => {
    if (!interactive) return;
    const runId = record.view.runId;
    if (runSettings(record.folder.uri).revealRunsView) void vscode.commands.executeCommand('orch.runs.focus').then(undefined, () => undefined);
    if (!runSettings(record.folder.uri).showProgress) return;
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${record.view.definition.type}`, cancellable: true }, (progress, token) =>
      new Promise<void>((resolve) => {
        let reported = 0;
        const update = () => {
          const view = store.get(runId)?.view;
          if (!view) return;
          const { settled, total, message } = progressOf(view);
          const percent = total ? (settled / total) * 100 : 100;
          progress.report({ message, increment: percent - reported });
          reported = percent;
        };
        update();
        const changes = store.onDidChange((change) => {
          if (change.kind === 'changed' && change.record.view.runId === runId) update();
        });
        const cancel = token.onCancellationRequested(() => void service.cancel(runId, 'cancelled from the progress notification').catch(() => undefined));
        void service.waitForFinish(runId).then((view) => {
          changes.dispose();
          cancel.dispose();
          resolve();
          announce(view);
        });
        if (isFinished(record.view.state)) update();
      }));
  });
}

function announce(run: RunView): void {
  const took = formatDuration(run.durationMs);
  if (run.state === 'succeeded') {
    void vscode.window.showInformationMessage(`${run.definition.type} succeeded in ${took}.`);
    return;
  }
  if (run.state === 'cancelled') {
    void vscode.window.showWarningMessage(`${run.definition.type} was cancelled after ${took}.`, 'Resume').then((choice) => {
      if (choice === 'Resume') void vscode.commands.executeCommand('orch.resume', run.runId);
    });
    return;
  }
  const failed = [...run.activities.values()].filter((a) => a.state === 'failed').map((a) => a.activityId);
  void vscode.window.showErrorMessage(`${run.definition.type} failed${failed.length ? ` (${failed.join(', ')})` : ''}${run.error ? `: ${run.error}` : ''}`, 'Re-run Failed', 'Open Log')
    .then((choice) => {
      if (choice === 'Re-run Failed') void vscode.commands.executeCommand('orch.rerunFailed', run.runId);
      if (choice === 'Open Log') void vscode.commands.executeCommand('orch.openRunLog', run.runId);
    });
}
