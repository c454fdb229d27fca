/**
 * Run logs as read-only documents (`orch-log:` URIs): an attempt's output (`logs/<unit>/attempt-<n>.log`,
 * streaming: the document updates as the engine delivers log lines, or as the file grows when another
 * process runs it), and a run's timeline rendered from its journal. Secrets never appear: the engine
 * redacts lines before writing them.
 */
import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { watchPattern } from '../util/watchPattern';
import { journalEntryProblem } from '../../runtime/engine/entryCheck';
import { unitKey, type JournalEntry } from '../../runtime/engine/events';
import { logFile, runPaths } from '../../runtime/engine/runFolder';
import type { RunStore } from './runStore';
import { formatDuration } from './runPresentation';

export const LOG_SCHEME = 'orch-log';

export function attemptLogUri(runId: string, activityId: string, instance: number | undefined, attempt: number): vscode.Uri {
  return vscode.Uri.from({ scheme: LOG_SCHEME, path: `/${runId}/${unitKey(activityId, instance)}/attempt-${attempt}.log` });
}

export function runLogUri(runId: string): vscode.Uri {
  return vscode.Uri.from({ scheme: LOG_SCHEME, path: `/${runId}/run.log` });
}

type Parsed = { kind: 'run'; runId: string } | { kind: 'attempt'; runId: string; activityId: string; instance?: number; attempt: number };

function parse(uri: vscode.Uri): Parsed | undefined {
  const run = /^\/([^/]+)\/run\.log$/.exec(uri.path);
  if (run) return { kind: 'run', runId: run[1] };
  const attempt = /^\/([^/]+)\/([A-Za-z_][A-Za-z0-9_-]*)(?:\[(\d+)\])?\/attempt-(\d+)\.log$/.exec(uri.path);
  if (!attempt) return undefined;
  return { kind: 'attempt', runId: attempt[1], activityId: attempt[2], instance: attempt[3] === undefined ? undefined : Number(attempt[3]), attempt: Number(attempt[4]) };
}

export class RunLogProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly open = new Map<string, { uri: vscode.Uri; parsed: Parsed; watcher?: vscode.FileSystemWatcher }>();
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(private readonly store: RunStore) {
    this.disposables.push(
      store.onDidLog((e) => this.touch((p) => p.kind === 'attempt' && p.runId === e.runId && p.activityId === e.activityId && p.instance === e.instance && p.attempt === e.attempt)),
      store.onDidChange((e) => { if (e.kind !== 'removed') this.touch((p) => p.kind === 'run' && p.runId === e.record.view.runId); }),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        const entry = this.open.get(doc.uri.toString());
        if (!entry) return;
        entry.watcher?.dispose();
        this.open.delete(doc.uri.toString());
      }),
    );
  }

  private touch(match: (parsed: Parsed) => boolean): void {
    for (const [key, entry] of this.open) if (match(entry.parsed)) this.dirty.add(key);
    if (!this.dirty.size || this.timer) return;
    // Lines arrive in bursts: re-read the document at most a few times per second.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const key of this.dirty) { const entry = this.open.get(key); if (entry) this.changed.fire(entry.uri); }
      this.dirty.clear();
    }, 200);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const parsed = parse(uri);
    if (!parsed) return `Not a run log: ${uri.toString()}`;
    const record = this.store.get(parsed.runId);
    if (!record) return `Run ${parsed.runId} is not in the runs folder any more.`;
    if (!this.open.has(uri.toString())) {
      const entry: { uri: vscode.Uri; parsed: Parsed; watcher?: vscode.FileSystemWatcher } = { uri, parsed };
      if (parsed.kind === 'attempt' && !record.live) {
        // Another process writes it: follow the file itself.
        const file = logFile(runPaths(record.dir), parsed.activityId, parsed.instance, parsed.attempt);
        entry.watcher = vscode.workspace.createFileSystemWatcher(watchPattern(dirname(file), basename(file)));
        const key = uri.toString();
        const mark = () => { this.dirty.add(key); this.touch(() => false); };
        entry.watcher.onDidChange(mark);
        entry.watcher.onDidCreate(mark);
      }
      this.open.set(uri.toString(), entry);
    }
    if (parsed.kind === 'run') return this.runTimeline(record.dir);
    const file = logFile(runPaths(record.dir), parsed.activityId, parsed.instance, parsed.attempt);
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return `Cannot read ${file}: ${(error as Error).message}`;
      const unit = this.store.get(parsed.runId)?.view.activities.get(parsed.activityId);
      const running = unit && (unit.state === 'running' || unit.state === 'retrying');
      return running ? '' : `(attempt ${parsed.attempt} of ${unitKey(parsed.activityId, parsed.instance)} printed nothing)`;
    }
  }

  /** The journal as a readable timeline: one line per state change, times relative to the start. */
  private async runTimeline(dir: string): Promise<string> {
    let text: string;
    try {
      text = await readFile(join(dir, 'journal.jsonl'), 'utf8');
    } catch (error) {
      return `Cannot read the journal in ${dir}: ${(error as Error).message}`;
    }
    const lines: string[] = [];
    let start: number | undefined;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let raw: unknown;
      try { raw = JSON.parse(line); } catch { lines.push('(a damaged journal line: not JSON)'); continue; }
      const problem = journalEntryProblem(raw);
      if (problem) { lines.push(`(a damaged journal line: ${problem})`); continue; }
      const entry = raw as JournalEntry;
      start ??= entry.time;
      const at = `+${formatDuration(entry.time - start) || '0 ms'}`.padEnd(12);
      lines.push(`${new Date(entry.time).toISOString()} ${at} ${describe(entry)}`);
    }
    return lines.join('\n') + '\n';
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const entry of this.open.values()) entry.watcher?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function describe(entry: JournalEntry): string {
  const unit = 'activityId' in entry ? unitKey(entry.activityId, entry.instance) + (entry.host ? ` on ${entry.host}` : '') : '';
  switch (entry.type) {
    case 'run.started': return `run started: ${entry.definition.type} (${entry.definition.path}), ${entry.activities.length} activities, concurrency ${entry.concurrency}${entry.disposeOf ? `, disposing ${entry.disposeOf}` : ''}`;
    case 'run.resumed': return `run resumed (${entry.resume})`;
    case 'run.cancelling': return `cancelling: ${entry.reason}`;
    case 'run.finished': return `run ${entry.state} after ${formatDuration(entry.durationMs)}${entry.error ? `: ${entry.error}` : ''}`;
    case 'activity.pending': return `${unit} pending (${entry.reason})`;
    case 'activity.expanded': return `${unit} fans out into ${entry.instances.length} instances`;
    case 'activity.waiting-for-pool': return `${unit} waiting for ${Object.entries(entry.pools).map(([p, n]) => `${n} of ${p}`).join(', ')}`;
    case 'activity.started': return `${unit} attempt ${entry.attempt} ${entry.agent ? `started on agent ${entry.agent}${(entry.delivery ?? 1) > 1 ? ` (delivery ${entry.delivery})` : ''}` : 'started'}${entry.poll ? ` (poll ${entry.poll})` : ''}`;
    case 'activity.retrying': return `${unit} attempt ${entry.attempt} failed, retrying in ${formatDuration(entry.delayMs)}: ${entry.error}`;
    case 'activity.scheduled': return `${unit} polls again in ${formatDuration(entry.delayMs)}${entry.message ? `: ${entry.message}` : ''}`;
    case 'activity.waiting': return `${unit} waiting for completion${entry.message ? `: ${entry.message}` : ''}`;
    case 'activity.succeeded': return `${unit} succeeded in ${formatDuration(entry.durationMs)}${entry.completedBy ? ' (completed by hand)' : ''}`;
    case 'activity.failed': return `${unit} failed: ${entry.error}`;
    case 'activity.skipped': return `${unit} skipped: ${entry.reason}`;
    case 'activity.cancelled': return `${unit} cancelled: ${entry.reason}`;
    case 'activity.interrupted': return `${unit} attempt ${entry.attempt} interrupted (the process ended)`;
  }
}
