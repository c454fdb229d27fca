/** The status bar item: how many runs are going on (hidden when none); a click reveals the Runs view. */
import * as vscode from 'vscode';
import type { RunStore } from '../runs/runStore';

export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('orch.runs.status', vscode.StatusBarAlignment.Left, 50);
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: RunStore) {
    this.item.name = 'Orchestration Runs';
    this.item.command = 'orch.runs.focus';
    this.subscription = store.onDidChange(() => this.update());
    this.update();
  }

  private update(): void {
    const running = this.store.running();
    if (!running.length) {
      this.item.hide();
      return;
    }
    const waiting = running.filter((r) => [...r.view.activities.values()].some((a) => a.state === 'waiting' || a.instances.some((u) => u.state === 'waiting'))).length;
    this.item.text = `$(loading~spin) ${running.length} run${running.length === 1 ? '' : 's'}${waiting ? ` $(bell) ${waiting}` : ''}`;
    const lines = running.slice(0, 10).map((r) => `${r.view.definition.type} (${r.view.runId})${r.live ? '' : ' — another process'}`);
    this.item.tooltip = `Running orchestrations:\n${lines.join('\n')}${waiting ? `\n${waiting} waiting for completion` : ''}\nClick to show the Runs view`;
    this.item.accessibilityInformation = { label: `${running.length} orchestration runs in progress` };
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
