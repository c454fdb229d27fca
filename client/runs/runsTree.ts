/**
 * The Runs view: run -> activities (dependencies first) -> instances -> attempts. Rows are stable
 * objects with stable ids, and a change refreshes only the rows it touched (batched per tick), so a
 * busy run updates in place without the tree flickering or re-reading anything. Tooltips are built
 * on hover (resolveTreeItem), so they are always current without refreshing rows for them.
 */
import * as vscode from 'vscode';
import type { RunRecord, RunStore, StoreChange } from './runStore';
import type { ActivityView, AttemptView, RunView, UnitView } from './runModel';
import { countStates } from './runModel';
import {
  ACTIVITY_STATE_LABEL, activityIcon, attemptIcon, codeBlock, formatDuration, formatStart, previewJson, runIcon,
} from './runPresentation';

export type RunsNode =
  | { kind: 'folder'; id: string; folder: vscode.WorkspaceFolder }
  | { kind: 'run'; id: string; runId: string }
  | { kind: 'activity'; id: string; runId: string; activityId: string }
  | { kind: 'instance'; id: string; runId: string; activityId: string; instance: number }
  | { kind: 'attempt'; id: string; runId: string; activityId: string; instance?: number; attempt: number };

/** Most refreshes per second: events of a busy run are merged into one refresh per interval. */
const REFRESH_INTERVAL_MS = 100;

export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly nodes = new Map<string, RunsNode>();
  private readonly emitter = new vscode.EventEmitter<RunsNode | RunsNode[] | undefined>();
  private readonly pending = new Set<RunsNode>();
  private pendingRoot = false;
  private timer: NodeJS.Timeout | undefined;
  private lastFlush = 0;
  private readonly runSignature = new Map<string, string>();
  private readonly subscription: vscode.Disposable;

  readonly onDidChangeTreeData = this.emitter.event;

  constructor(private readonly store: RunStore) {
    this.subscription = store.onDidChange((change) => this.onStoreChange(change));
  }

  // ---- node identity --------------------------------------------------------------------------

  private node<N extends RunsNode>(node: N): N {
    const existing = this.nodes.get(node.id);
    if (existing) return existing as N;
    this.nodes.set(node.id, node);
    return node;
  }

  folderNode(folder: vscode.WorkspaceFolder): RunsNode {
    return this.node({ kind: 'folder', id: `folder:${folder.uri.toString()}`, folder });
  }

  runNode(runId: string): RunsNode {
    return this.node({ kind: 'run', id: `run:${runId}`, runId });
  }

  activityNode(runId: string, activityId: string): RunsNode {
    return this.node({ kind: 'activity', id: `activity:${runId}/${activityId}`, runId, activityId });
  }

  private instanceNode(runId: string, activityId: string, instance: number): RunsNode {
    return this.node({ kind: 'instance', id: `instance:${runId}/${activityId}[${instance}]`, runId, activityId, instance });
  }

  private attemptNode(runId: string, activityId: string, instance: number | undefined, attempt: number): RunsNode {
    const unit = instance === undefined ? activityId : `${activityId}[${instance}]`;
    return this.node({ kind: 'attempt', id: `attempt:${runId}/${unit}#${attempt}`, runId, activityId, instance, attempt });
  }

  private forgetRun(runId: string): void {
    for (const [id, node] of this.nodes) if (node.kind !== 'folder' && node.runId === runId) this.nodes.delete(id);
    this.runSignature.delete(runId);
  }

  // ---- changes --------------------------------------------------------------------------------

  private onStoreChange(change: StoreChange): void {
    if (change.kind === 'added' || change.kind === 'removed') {
      if (change.kind === 'removed') this.forgetRun(change.runId);
      this.queueContainer(change.kind === 'added' ? change.record.folder : change.folder);
      return;
    }
    const { record } = change;
    const runId = record.view.runId;
    if (!this.nodes.has(`run:${runId}`)) return; // never shown: nothing to refresh
    const signature = runRowSignature(record);
    if (this.runSignature.get(runId) !== signature) {
      this.runSignature.set(runId, signature);
      // A run row changes a few times per run (start, end, cancel, resume). Its container is refreshed
      // rather than the row itself: VS Code drops a refresh of an element it has not (re)fetched yet,
      // which can happen right after a run was added, and a lost end-of-run refresh would leave the row
      // "running" for good. Activity rows, which change often, are refreshed one by one.
      this.queueContainer(record.folder);
      return;
    }
    for (const activityId of change.change.activities) {
      const node = this.nodes.get(`activity:${runId}/${activityId}`);
      if (node) this.queue(node);
    }
  }

  private queueContainer(folder: vscode.WorkspaceFolder): void {
    if ((vscode.workspace.workspaceFolders?.length ?? 0) > 1) this.queue(this.folderNode(folder));
    else this.pendingRoot = true;
    this.schedule();
  }

  private queue(node: RunsNode): void {
    this.pending.add(node);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, REFRESH_INTERVAL_MS - (Date.now() - this.lastFlush));
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = undefined;
    this.lastFlush = Date.now();
    if (this.pendingRoot) {
      this.pendingRoot = false;
      this.pending.clear();
      this.emitter.fire(undefined);
      return;
    }
    if (!this.pending.size) return;
    // A run row refresh re-reads its activities too: drop those already covered.
    const runs = new Set([...this.pending].filter((n) => n.kind === 'run').map((n) => (n as { runId: string }).runId));
    const nodes = [...this.pending].filter((n) => n.kind === 'run' || n.kind === 'folder' || !runs.has(n.runId));
    this.pending.clear();
    this.emitter.fire(nodes);
  }

  refreshAll(): void {
    this.pendingRoot = true;
    this.schedule();
  }

  // ---- TreeDataProvider -----------------------------------------------------------------------

  async getChildren(node?: RunsNode): Promise<RunsNode[]> {
    if (!node) {
      await this.store.ensureLoaded();
      const folders = vscode.workspace.workspaceFolders ?? [];
      if (folders.length > 1) return folders.map((f) => this.folderNode(f));
      return folders.length ? this.runsOf(folders[0]) : [];
    }
    switch (node.kind) {
      case 'folder':
        return this.runsOf(node.folder);
      case 'run': {
        const run = this.store.get(node.runId)?.view;
        return run ? run.order.map((id) => this.activityNode(run.runId, id)) : [];
      }
      case 'activity': {
        const activity = this.store.get(node.runId)?.view.activities.get(node.activityId);
        if (!activity) return [];
        if (activity.instances.length) return activity.instances.map((u) => this.instanceNode(node.runId, node.activityId, u.instance!));
        return activity.attempts.map((a) => this.attemptNode(node.runId, node.activityId, undefined, a.attempt));
      }
      case 'instance': {
        const unit = this.unit(node.runId, node.activityId, node.instance);
        return unit ? unit.attempts.map((a) => this.attemptNode(node.runId, node.activityId, node.instance, a.attempt)) : [];
      }
      case 'attempt':
        return [];
    }
  }

  private runsOf(folder: vscode.WorkspaceFolder): RunsNode[] {
    return this.store.runsOf(folder).map((record) => {
      this.runSignature.set(record.view.runId, runRowSignature(record));
      return this.runNode(record.view.runId);
    });
  }

  getParent(node: RunsNode): RunsNode | undefined {
    switch (node.kind) {
      case 'folder': return undefined;
      case 'run': {
        const record = this.store.get(node.runId);
        return record && (vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? this.folderNode(record.folder) : undefined;
      }
      case 'activity': return this.runNode(node.runId);
      case 'instance': return this.activityNode(node.runId, node.activityId);
      case 'attempt': return node.instance === undefined ? this.activityNode(node.runId, node.activityId) : this.instanceNode(node.runId, node.activityId, node.instance);
    }
  }

  private unit(runId: string, activityId: string, instance?: number): UnitView | undefined {
    const activity = this.store.get(runId)?.view.activities.get(activityId);
    if (!activity || instance === undefined) return activity;
    return activity.instances.find((u) => u.instance === instance);
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'folder': {
        const item = new vscode.TreeItem(node.folder.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = node.id;
        item.iconPath = vscode.ThemeIcon.Folder;
        item.contextValue = 'orchFolder';
        return item;
      }
      case 'run': {
        const record = this.store.get(node.runId);
        return record ? runItem(node, record) : missingItem(node);
      }
      case 'activity': {
        const run = this.store.get(node.runId)?.view;
        const activity = run?.activities.get(node.activityId);
        return run && activity ? activityItem(node, run, activity) : missingItem(node);
      }
      case 'instance': {
        const unit = this.unit(node.runId, node.activityId, node.instance);
        return unit ? unitItem(node, unit, `${node.activityId}[${node.instance}]`) : missingItem(node);
      }
      case 'attempt': {
        const attempt = this.unit(node.runId, node.activityId, node.instance)?.attempts.find((a) => a.attempt === node.attempt);
        return attempt ? attemptItem(node, attempt) : missingItem(node);
      }
    }
  }

  resolveTreeItem(item: vscode.TreeItem, node: RunsNode): vscode.TreeItem {
    const record = node.kind === 'folder' ? undefined : this.store.get(node.runId);
    if (!record) return item;
    if (node.kind === 'run') item.tooltip = runTooltip(record);
    else if (node.kind === 'activity' || node.kind === 'instance') {
      const unit = this.unit(node.runId, node.activityId, node.kind === 'instance' ? node.instance : undefined);
      if (unit) item.tooltip = unitTooltip(unit, record.view.activities.get(node.activityId)!);
    } else if (node.kind === 'attempt') {
      const attempt = this.unit(node.runId, node.activityId, node.instance)?.attempts.find((a) => a.attempt === node.attempt);
      if (attempt) item.tooltip = attemptTooltip(attempt);
    }
    return item;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.subscription.dispose();
    this.emitter.dispose();
  }
}

function runRowSignature(record: RunRecord): string {
  const v = record.view;
  return `${v.state}|${v.cancelling ?? ''}|${v.resumes}|${v.durationMs ?? ''}|${hasSucceeded(v)}|${hasWaiting(v)}|${record.problem ?? ''}`;
}

function hasSucceeded(run: RunView): boolean {
  for (const a of run.activities.values()) if (a.state === 'succeeded') return true;
  return false;
}

function hasWaiting(run: RunView): boolean {
  for (const a of run.activities.values()) if (a.state === 'waiting' || a.instances.some((u) => u.state === 'waiting')) return true;
  return false;
}

function missingItem(node: RunsNode): vscode.TreeItem {
  const item = new vscode.TreeItem('(gone)', vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  return item;
}

function runLabel(run: RunView): string {
  const name = run.definition.type || run.definition.path.split(/[\\/]/).pop() || run.runId;
  return run.disposeOf ? `${name} (dispose)` : name;
}

export function runDescription(run: RunView): string {
  const parts: string[] = [run.cancelling ? 'cancelling' : run.state, formatStart(run.startedAt)];
  if (run.durationMs !== undefined) parts.push(formatDuration(run.durationMs));
  if (run.resumes) parts.push(`resumed ${run.resumes}×`);
  return parts.join(' · ');
}

function runItem(node: RunsNode, record: RunRecord): vscode.TreeItem {
  const run = record.view;
    // Runs going on, and runs of this window, open expanded (a failure shows where at once); history stays folded.
  const expanded = run.state === 'running' || record.startedHere;
  const item = new vscode.TreeItem(runLabel(run), expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  item.id = node.id;
  item.description = record.problem ? `${runDescription(run)} · ${record.problem}` : runDescription(run);
  item.iconPath = runIcon(run.state);
  const flags = [`orchRun`, `state-${run.state}`];
  if (run.state !== 'running') flags.push('finished');
  if (hasSucceeded(run)) flags.push('hasSucceeded');
  if (hasWaiting(run)) flags.push('hasWaiting');
  if (run.state === 'failed' || run.state === 'cancelled' || run.state === 'interrupted') flags.push('resumable');
  if (record.live) flags.push('live');
  item.contextValue = flags.join(' ');
  item.accessibilityInformation = { label: `Run ${runLabel(run)}, ${item.description}` };
  return item;
}

function activityDescription(unit: UnitView, type?: string): string {
  const parts: string[] = [];
  if (type) parts.push(type);
  parts.push(ACTIVITY_STATE_LABEL[unit.state]);
  const attempts = unit.attempts.length;
  if (attempts > 1 || unit.state === 'retrying') parts.push(`attempt ${unit.attempts[attempts - 1]?.attempt ?? attempts}`);
  if (unit.durationMs !== undefined) parts.push(formatDuration(unit.durationMs));
  return parts.join(' · ');
}

function activityItem(node: RunsNode, run: RunView, activity: ActivityView): vscode.TreeItem {
  const hasChildren = activity.instances.length > 0 || activity.attempts.length > 0;
  const item = new vscode.TreeItem(activity.activityId, hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  item.description = activityDescription(activity, activity.planned.type) + (activity.instances.length ? ` · ${activity.instances.filter((u) => u.state === 'succeeded').length}/${activity.instances.length}` : '');
  item.iconPath = activityIcon(activity.state);
  item.contextValue = `orchActivity state-${activity.state}${activity.attempts.length ? ' hasLog' : ''}${run.state === 'running' ? ' runRunning' : ''}`;
  item.accessibilityInformation = { label: `Activity ${activity.activityId}, ${item.description}` };
  item.command = { command: 'orch.revealActivity', title: 'Reveal in Definition', arguments: [node] };
  return item;
}

function unitItem(node: RunsNode, unit: UnitView, label: string): vscode.TreeItem {
  const item = new vscode.TreeItem(unit.host ? `${label} · ${unit.host}` : label, unit.attempts.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  item.description = activityDescription(unit);
  item.iconPath = activityIcon(unit.state);
  item.contextValue = `orchInstance state-${unit.state}${unit.attempts.length ? ' hasLog' : ''}`;
  item.accessibilityInformation = { label: `Instance ${label}, ${item.description}` };
  return item;
}

function attemptItem(node: RunsNode, attempt: AttemptView): vscode.TreeItem {
  const item = new vscode.TreeItem(`attempt ${attempt.attempt}`, vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  const duration = attempt.endedAt !== undefined ? formatDuration(attempt.endedAt - attempt.startedAt) : '';
  const firstLine = attempt.error?.split('\n')[0];
  item.description = [attempt.state, attempt.agent && `on ${attempt.agent}`, duration, firstLine].filter(Boolean).join(' · ');
  item.iconPath = attemptIcon(attempt.state);
  item.contextValue = 'orchAttempt hasLog';
  item.accessibilityInformation = { label: `Attempt ${attempt.attempt}, ${item.description}` };
  item.command = { command: 'orch.openRunLog', title: 'Open Log', arguments: [node] };
  return item;
}

function runTooltip(record: RunRecord): vscode.MarkdownString {
  const run = record.view;
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escape(runLabel(run))}** — ${run.cancelling ? 'cancelling' : run.state}\n\n`);
  if (run.definition.description) md.appendMarkdown(`${escape(run.definition.description)}\n\n`);
  md.appendMarkdown(`Run \`${run.runId}\` of \`${escape(run.definition.path)}\`\n\n`);
  md.appendMarkdown(`Started ${new Date(run.startedAt).toLocaleString()}`);
  if (run.durationMs !== undefined) md.appendMarkdown(` · took ${formatDuration(run.durationMs)}`);
  md.appendMarkdown('\n\n');
  const counts = Object.entries(countStates(run)).map(([state, n]) => `${n} ${state}`).join(', ');
  if (counts) md.appendMarkdown(`Activities: ${counts}\n\n`);
  if (run.error) md.appendMarkdown(`Error:\n\n${codeBlock(run.error)}\n\n`);
  if (record.problem) md.appendMarkdown(`Journal: ${escape(record.problem)}\n\n`);
  if (Object.keys(run.input).length) md.appendMarkdown(`Input:\n\n${codeBlock(previewJson(run.input), 'json')}\n\n`);
  if (run.output && Object.keys(run.output).length) md.appendMarkdown(`Output:\n\n${codeBlock(previewJson(run.output), 'json')}\n\n`);
  if (!record.live && run.state === 'running') md.appendMarkdown(`Run by another process (pid ${run.pid}), followed from its journal.\n\n`);
  return md;
}

function unitTooltip(unit: UnitView, activity: ActivityView): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escape(unit.key)}** (${escape(activity.planned.type)}) — ${ACTIVITY_STATE_LABEL[unit.state]}\n\n`);
  if (unit.host) md.appendMarkdown(`Host: ${escape(unit.host)}\n\n`);
  if (unit.attempts.length) md.appendMarkdown(`Attempts: ${unit.attempts.length}\n\n`);
  if (unit.startedAt !== undefined) md.appendMarkdown(`Started ${new Date(unit.startedAt).toLocaleTimeString()}${unit.durationMs !== undefined ? ` · took ${formatDuration(unit.durationMs)}` : ''}\n\n`);
  if (unit.message) md.appendMarkdown(`${escape(unit.message)}\n\n`);
  if (unit.error) md.appendMarkdown(`Error:\n\n${codeBlock(unit.error)}\n\n`);
  if (unit.inputs && Object.keys(unit.inputs).length) md.appendMarkdown(`Inputs:\n\n${codeBlock(previewJson(unit.inputs), 'json')}\n\n`);
  if (unit.outputs !== undefined) md.appendMarkdown(`Outputs${unit.completedBy ? ' (completed by hand)' : ''}:\n\n${codeBlock(previewJson(unit.outputs), 'json')}\n\n`);
  return md;
}

function attemptTooltip(attempt: AttemptView): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**Attempt ${attempt.attempt}** — ${attempt.state}\n\n`);
  md.appendMarkdown(`Started ${new Date(attempt.startedAt).toLocaleTimeString()}`);
  if (attempt.endedAt !== undefined) md.appendMarkdown(` · took ${formatDuration(attempt.endedAt - attempt.startedAt)}`);
  md.appendMarkdown('\n\n');
  if (attempt.polls) md.appendMarkdown(`Polled ${attempt.polls} times\n\n`);
  if (attempt.agent) md.appendMarkdown(`Agent: ${escape(attempt.agent)}${(attempt.deliveries ?? 1) > 1 ? ` (delivery ${attempt.deliveries}: handed over after an agent stopped)` : ''}\n\n`);
  if (attempt.message) md.appendMarkdown(`${escape(attempt.message)}\n\n`);
  if (attempt.error) md.appendMarkdown(`Error:\n\n${codeBlock(attempt.error)}\n\n`);
  md.appendMarkdown('Click to open its log.');
  return md;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
