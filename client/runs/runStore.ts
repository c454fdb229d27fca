/**
 * Every run the Runs view shows, per workspace folder: live runs of this window (events from their
 * RunHandle, no file reads), and the history in the runs folder (journals read once, then followed
 * incrementally while another process, such as the `orch` CLI, appends to them). No polling: file
 * events (VS Code's FileSystemWatcher and, for immediacy, fs.watch) say when a journal appears, grows
 * or goes away.
 */
import * as vscode from 'vscode';
import { open, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { journalEntryProblem } from '../../runtime/engine/entryCheck';
import type { JournalEntry, RunEvent } from '../../runtime/engine/events';
import { liveHolder, runPaths } from '../../runtime/engine/runFolder';
import { runsFolderOf, runSettings } from '../config';
import { watchPattern } from '../util/watchPattern';
import { RunsFolderFollower } from './runsFolderFollower';
import { applyEvent, createRun, isFinished, markInterrupted, type RunChange, type RunView } from './runModel';

export const JOURNAL_FILE = 'journal.jsonl';

export interface RunRecord {
  view: RunView;
  folder: vscode.WorkspaceFolder;
  /** `<runs folder>/<runId>`. */
  dir: string;
  /** Events arrive live from the engine of this window (while the run is held here). */
  live: boolean;
  /** Started or resumed from this window (rows of such runs open expanded). */
  startedHere: boolean;
  /** Bytes of the journal already folded (runs followed from disk). */
  bytesRead: number;
  /** A damaged journal: the run is shown with this problem instead of its activities. */
  problem?: string;
}

export type StoreChange =
  | { kind: 'added'; record: RunRecord }
  | { kind: 'removed'; runId: string; folder: vscode.WorkspaceFolder }
  | { kind: 'changed'; record: RunRecord; change: RunChange };

export interface LogNotice { runId: string; activityId: string; instance?: number; attempt: number }

export class RunStore implements vscode.Disposable {
  private readonly records = new Map<string, RunRecord>();
  private readonly watchers = new Map<string, vscode.Disposable[]>();
  private readonly followers = new Map<string, RunsFolderFollower>();
  /** Live listeners of this window not yet bound to their run (its run.started is on the way). */
  private pendingLive = 0;
  private readonly reading = new Map<string, Promise<void>>();
  private readonly changed = new vscode.EventEmitter<StoreChange>();
  private readonly finished = new vscode.EventEmitter<RunRecord>();
  private readonly logged = new vscode.EventEmitter<LogNotice>();
  private readonly disposables: vscode.Disposable[] = [this.changed, this.finished, this.logged];
  private loaded: Promise<void> | undefined;

  readonly onDidChange = this.changed.event;
  /** A run reached succeeded, failed or cancelled (live or read from disk). */
  readonly onDidFinish = this.finished.event;
  /** A live run delivered log lines of an attempt (the log file has them by then). */
  readonly onDidLog = this.logged.event;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      vscode.workspace.onDidChangeWorkspaceFolders((e) => {
        for (const folder of e.removed) this.unloadFolder(folder);
        for (const folder of e.added) void this.loadFolder(folder);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('orch.runsFolder')) return;
        for (const folder of vscode.workspace.workspaceFolders ?? []) { this.unloadFolder(folder); void this.loadFolder(folder); }
      }),
    );
  }

  /** Reads the history of every workspace folder once (the view calls it when first shown). */
  ensureLoaded(): Promise<void> {
    return (this.loaded ??= Promise.all((vscode.workspace.workspaceFolders ?? []).map((f) => this.loadFolder(f))).then(() => undefined));
  }

  /** Reads what changed on disk and re-checks which runs of other processes are still alive. */
  async rescan(): Promise<void> {
    await this.ensureLoaded();
    for (const record of this.all()) {
      const was = record.view.state;
      this.settleIfOrphaned(record);
      if (record.view.state !== was) this.changed.fire({ kind: 'changed', record, change: { run: true, activities: new Set() } });
    }
    await Promise.all((vscode.workspace.workspaceFolders ?? []).map((f) => this.loadFolder(f)));
  }

  get(runId: string): RunRecord | undefined {
    return this.records.get(runId);
  }

  all(): RunRecord[] {
    return [...this.records.values()];
  }

  /** Newest first, limited by `orch.runs.historyLimit` (running ones always shown). */
  runsOf(folder: vscode.WorkspaceFolder): RunRecord[] {
    const limit = runSettings(folder.uri).historyLimit;
    const runs = this.all().filter((r) => r.folder.uri.toString() === folder.uri.toString())
      .sort((a, b) => b.view.startedAt - a.view.startedAt || (a.view.runId < b.view.runId ? 1 : -1));
    const shown: RunRecord[] = [];
    let finished = 0;
    for (const run of runs) {
      if (run.view.state === 'running' || finished++ < limit) shown.push(run);
    }
    return shown;
  }

  running(): RunRecord[] {
    return this.all().filter((r) => r.view.state === 'running');
  }

  /**
   * A listener for the engine's events of a run of this window, subscribed before its first event.
   * A new run's record is made from run.started (its folder is `<runsDir>/<runId>`); a resumed run's
   * record already exists (read from disk) and becomes live.
   */
  liveListener(folder: vscode.WorkspaceFolder, runsDir: string | undefined): { listener: (event: RunEvent) => void; dispose(): void } {
    let record: RunRecord | undefined;
    let disposed = false;
    let pending = true;
    this.pendingLive++;
    const bound = () => { if (pending) { pending = false; this.pendingLive--; } };
    const listener = (event: RunEvent) => {
      if (disposed) return;
      if (event.type === 'activity.log') {
        this.logged.fire({ runId: event.runId, activityId: event.activityId, instance: event.instance, attempt: event.attempt });
        return;
      }
      if (!record) {
        const existing = this.records.get(event.runId);
        if (existing) {
          bound();
          record = existing;
          record.live = true;
          record.startedHere = true;
        } else if (event.type === 'run.started' && runsDir) {
          bound();
          record = { view: createRun(event), folder, dir: join(runsDir, event.runId), live: true, startedHere: true, bytesRead: 0 };
          this.records.set(event.runId, record);
          this.changed.fire({ kind: 'added', record });
          return;
        } else {
          return;
        }
      }
      const wasFinished = isFinished(record.view.state);
      if (record.view.state === 'interrupted' && event.type === 'run.resumed') record.view.state = 'running';
      const change = applyEvent(record.view, event);
      if (change.run || change.activities.size) this.changed.fire({ kind: 'changed', record, change });
      if (!wasFinished && isFinished(record.view.state)) this.finished.fire(record);
    };
    return {
      listener,
      dispose: () => {
        disposed = true;
        bound();
        if (record) record.live = false;
      },
    };
  }

  /**
   * The record of a run once an event after `afterSeq` was applied to it: a new run's run.started (it
   * arrives after the journal flush), or a resumed run's run.resumed.
   */
  whenKnown(runId: string, afterSeq = 0): Promise<RunRecord> {
    const ready = () => { const r = this.records.get(runId); return r && r.view.lastSeq > afterSeq ? r : undefined; };
    const known = ready();
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => {
      const subscription = this.changed.event(() => {
        const record = ready();
        if (!record) return;
        subscription.dispose();
        resolve(record);
      });
    });
  }

  /** Forgets a run and deletes its folder (journal, logs, attempt files). */
  async delete(runId: string): Promise<void> {
    const record = this.records.get(runId);
    if (!record) return;
    if (record.view.state === 'running' && (record.live || liveHolder(runPaths(record.dir)))) throw new Error(`run ${runId} is still running; cancel it first`);
    await rm(record.dir, { recursive: true, force: true });
    this.records.delete(runId);
    this.changed.fire({ kind: 'removed', runId, folder: record.folder });
  }

  private unloadFolder(folder: vscode.WorkspaceFolder): void {
    const key = folder.uri.toString();
    for (const d of this.watchers.get(key) ?? []) d.dispose();
    this.watchers.delete(key);
    this.followers.delete(key);
    for (const record of this.all()) {
      if (record.folder.uri.toString() === key && !record.live) {
        this.records.delete(record.view.runId);
        this.changed.fire({ kind: 'removed', runId: record.view.runId, folder });
      }
    }
  }

  private async loadFolder(folder: vscode.WorkspaceFolder): Promise<void> {
    const runsDir = runsFolderOf(folder);
    const key = folder.uri.toString();
    if (!this.watchers.has(key)) {
      const watcher = vscode.workspace.createFileSystemWatcher(watchPattern(runsDir, `*/${JOURNAL_FILE}`));
      const onJournal = (uri: vscode.Uri) => this.follow(folder, join(uri.fsPath, '..'));
      const follower = new RunsFolderFollower(runsDir, folder.uri.fsPath, {
        journal: (dir) => { void this.follow(folder, dir); },
        mayGrow: (dir) => { const record = this.all().find((r) => r.dir === dir); return !record || !isFinished(record.view.state); },
      });
      this.followers.set(key, follower);
      this.watchers.set(key, [
        watcher,
        watcher.onDidCreate(onJournal),
        watcher.onDidChange(onJournal),
        watcher.onDidDelete((uri) => this.forget(join(uri.fsPath, '..'))),
        follower,
      ]);
    }
    let names: string[];
    try {
      names = (await readdir(runsDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn(`cannot list runs in ${runsDir}: ${(error as Error).message}`);
      return;
    }
    await Promise.all(names.map((name) => this.follow(folder, join(runsDir, name))));
  }

  private forget(dir: string): void {
    for (const record of this.all()) {
      if (record.dir === dir && !record.live) {
        this.records.delete(record.view.runId);
        this.changed.fire({ kind: 'removed', runId: record.view.runId, folder: record.folder });
      }
    }
  }

  /** Reads what was appended to a run's journal since the last read; one read at a time per run. */
  private follow(folder: vscode.WorkspaceFolder, dir: string): Promise<void> {
    const previous = this.reading.get(dir) ?? Promise.resolve();
    const next = previous.then(() => this.readMore(folder, dir)).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // deleted meanwhile
      this.log.warn(`cannot read the journal in ${dir}: ${error instanceof Error ? error.message : String(error)}`);
    });
    this.reading.set(dir, next);
    void next.finally(() => { if (this.reading.get(dir) === next) this.reading.delete(dir); });
    return next;
  }

  private async readMore(folder: vscode.WorkspaceFolder, dir: string): Promise<void> {
    let record = this.all().find((r) => r.dir === dir);
    if (record?.live) return; // events arrive from the engine itself
    const path = join(dir, JOURNAL_FILE);
    let size: number;
    try { size = (await stat(path)).size; } catch { return; }
    const from = record?.bytesRead ?? 0;
    if (size <= from) return;
    const handle = await open(path, 'r');
    let text: string;
    try {
      const buffer = Buffer.alloc(size - from);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, from);
      text = buffer.toString('utf8', 0, bytesRead);
    } finally {
      await handle.close();
    }
    // Only whole lines: the writer may be in the middle of one.
    const end = text.lastIndexOf('\n');
    if (end === -1) return;
    const consumed = Buffer.byteLength(text.slice(0, end + 1), 'utf8');
    const entries: JournalEntry[] = [];
    let damage: string | undefined;
    for (const line of text.slice(0, end).split('\n')) {
      if (!line.trim()) continue;
      // A line of the wrong shape is skipped like a damaged one: its ids would become keys and paths.
      let entry: unknown;
      try { entry = JSON.parse(line); } catch { entry = undefined; }
      const problem = entry === undefined ? 'a line is not JSON' : journalEntryProblem(entry);
      if (problem === undefined) entries.push(entry as JournalEntry);
      else damage ??= `the journal has a damaged line (${problem})`;
    }
    if (!record) {
      const first = entries[0];
      if (!first || first.type !== 'run.started') {
        this.log.warn(`${path}: not a run journal (it does not start with run.started)`);
        return;
      }
      if (this.all().some((r) => r.dir === dir)) return; // created meanwhile by a live run
      // The file event of a run this window is starting can beat the engine's run.started event: leave
      // the record to the live listener, which shows it as started here.
      if (this.pendingLive > 0 && liveHolder(runPaths(dir))?.pid === process.pid) return;
      record = { view: createRun(first), folder, dir, live: false, startedHere: false, bytesRead: 0 };
      if (damage) record.problem = damage;
      this.records.set(first.runId, record);
      record.bytesRead = from + consumed;
      for (const entry of entries.slice(1)) applyEvent(record.view, entry);
      this.settleIfOrphaned(record);
      if (isFinished(record.view.state)) this.followers.get(folder.uri.toString())?.release(dir);
      this.changed.fire({ kind: 'added', record });
      if (isFinished(record.view.state) && from > 0) this.finished.fire(record);
      return;
    }
    record.bytesRead = from + consumed;
    if (damage) record.problem = damage;
    const wasFinished = isFinished(record.view.state);
    const wasInterrupted = record.view.state === 'interrupted';
    if (wasInterrupted) record.view.state = 'running'; // a resume by another process appends run.resumed
    const total: RunChange = { run: false, activities: new Set() };
    for (const entry of entries) {
      const change = applyEvent(record.view, entry);
      total.run ||= change.run;
      change.activities.forEach((a) => total.activities.add(a));
    }
    if (this.settleIfOrphaned(record) !== wasInterrupted) total.run = true;
    if (total.run || total.activities.size) this.changed.fire({ kind: 'changed', record, change: total });
    if (!wasFinished && isFinished(record.view.state)) {
      this.followers.get(folder.uri.toString())?.release(dir);
      this.finished.fire(record);
    }
  }

  /** A run left `running` by a process that is gone was interrupted. Returns whether it is now interrupted. */
  private settleIfOrphaned(record: RunRecord): boolean {
    if (record.view.state === 'running' && !record.live && !liveHolder(runPaths(record.dir))) markInterrupted(record.view);
    return record.view.state === 'interrupted';
  }

  dispose(): void {
    for (const list of this.watchers.values()) for (const d of list) d.dispose();
    this.watchers.clear();
    for (const d of this.disposables) d.dispose();
  }
}
