/**
 * The folder of one run: `journal.jsonl` (the truth), `definition.orch.json` (the definition as it was
 * run, so resume never depends on the file staying unchanged), `run.json` (a summary for listings),
 * `logs/<unit>/attempt-<n>.log`, `control/` (requests from other processes) and `lock` (the pid of the
 * live process). Runs live in `.orch/runs/<runId>/` beside the workspace root unless `--runs-dir` says
 * otherwise.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { findWorkspaceRoot } from '../cli/workspace';
import type { ActivityState, RunState } from './events';
import { unitKey } from './events';
import { isRunId } from './entryCheck';
import { readJournal } from './journal';
import { countStates, replay } from './replay';

export interface RunPaths {
  dir: string;
  journal: string;
  definition: string;
  summary: string;
  logs: string;
  control: string;
  lock: string;
}

export function runPaths(dir: string): RunPaths {
  return {
    dir,
    journal: join(dir, 'journal.jsonl'),
    definition: join(dir, 'definition.orch.json'),
    summary: join(dir, 'run.json'),
    logs: join(dir, 'logs'),
    control: join(dir, 'control'),
    lock: join(dir, 'lock'),
  };
}

export function logFile(paths: RunPaths, activityId: string, instance: number | undefined, attempt: number): string {
  return join(paths.logs, unitKey(activityId, instance), `attempt-${attempt}.log`);
}

/**
 * `.orch/runs` under the workspace root of `folder` (the nearest ancestor with .git or package.json);
 * under `folder` itself when no ancestor has one, rather than at the filesystem root.
 */
export function defaultRunsDir(folder: string): string {
  const root = findWorkspaceRoot(folder);
  const marked = existsSync(join(root, '.git')) || existsSync(join(root, 'package.json'));
  return join(marked ? root : resolve(folder), '.orch', 'runs');
}

/** Sortable by start time: `20250101-120000-3f9a`. */
export function newRunId(now: number): string {
  const d = new Date(now);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  const random = Math.floor(Math.random() * 0x10000).toString(16).padStart(4, '0');
  return `${stamp}-${random}`;
}

/** Creates a new run's folder; refuses to reuse one. */
export class RunFolderExistsError extends Error {
  override readonly name = 'RunFolderExistsError';
}

/**
 * A new run's folder under a fresh id: ids have 16 random bits per second, so two runs started in the
 * same second may draw the same one; the next draw is taken then.
 */
export function createNewRunFolder(runsDir: string, now: number): { runId: string; paths: RunPaths } {
  for (let attempt = 0; ; attempt++) {
    const runId = newRunId(now);
    try {
      return { runId, paths: createRunFolder(runsDir, runId) };
    } catch (error) {
      if (!(error instanceof RunFolderExistsError) || attempt >= 20) throw error;
    }
  }
}

export function createRunFolder(runsDir: string, runId: string): RunPaths {
  // The id names the folder and the attempts' work folder (removed recursively after success).
  if (!isRunId(runId)) throw new Error(`'${runId}' is not a valid run id (one folder name: letters, digits, _ . -, not starting with .)`);
  const paths = runPaths(resolve(runsDir, runId));
  mkdirSync(resolve(runsDir), { recursive: true });
  try {
    mkdirSync(paths.dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new RunFolderExistsError(`run folder ${paths.dir} already exists`);
    throw error;
  }
  mkdirSync(paths.control);
  return paths;
}

// ---------------------------------------------------------------------------------------------- lock

export interface LockInfo {
  pid: number;
  hostname: string;
  since: number;
}

export class RunLockedError extends Error {
  override readonly name = 'RunLockedError';
  constructor(readonly runDir: string, readonly holder: LockInfo) {
    super(`the run in ${runDir} is live in process ${holder.pid}${holder.hostname !== hostname() ? ` on ${holder.hostname}` : ''}`);
  }
}

export function readLock(paths: RunPaths): LockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(paths.lock, 'utf8')) as LockInfo;
    return typeof info.pid === 'number' ? info : undefined;
  } catch {
    return undefined;
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live process holding the run, if any (a lock left by a dead process does not count). */
export function liveHolder(paths: RunPaths): LockInfo | undefined {
  const info = readLock(paths);
  if (!info) return undefined;
  // Another machine's process cannot be checked from here: trust its lock.
  if (info.hostname !== hostname()) return info;
  return processAlive(info.pid) ? info : undefined;
}

/** Takes the run for this process; a stale lock (its process is gone) is taken over. */
export function acquireLock(paths: RunPaths, now: number): void {
  const info: LockInfo = { pid: process.pid, hostname: hostname(), since: now };
  for (let tries = 0; tries < 2; tries++) {
    try {
      const fd = openSync(paths.lock, 'wx');
      try { writeSync(fd, JSON.stringify(info)); } finally { closeSync(fd); }
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = liveHolder(paths);
      if (holder && !(holder.pid === process.pid && holder.hostname === info.hostname)) throw new RunLockedError(paths.dir, holder);
      try { unlinkSync(paths.lock); } catch { /* someone else took it over first; the next try tells */ }
    }
  }
  const holder = readLock(paths);
  throw holder ? new RunLockedError(paths.dir, holder) : new Error(`cannot lock the run in ${paths.dir}`);
}

export function releaseLock(paths: RunPaths): void {
  const info = readLock(paths);
  if (info && info.pid !== process.pid) return;
  try { unlinkSync(paths.lock); } catch { /* already gone */ }
}

// ------------------------------------------------------------------------------------------- summary

/** `run.json`: what `orch runs` lists without reading journals. The journal stays the truth. */
export interface RunSummary {
  runId: string;
  definition: { type: string; path: string };
  state: RunState;
  startedAt: number;
  finishedAt?: number;
  durationMs?: number;
  counts?: Partial<Record<ActivityState, number>>;
  activities: number;
  disposeOf?: string;
  /** Dispose runs made of this run, oldest first. */
  disposedBy?: string[];
  error?: string;
}

export function writeSummary(paths: RunPaths, summary: RunSummary): void {
  const temporary = `${paths.summary}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w');
  try { writeSync(fd, JSON.stringify(summary, null, 2) + '\n'); } finally { closeSync(fd); }
  renameSync(temporary, paths.summary);
}

/** run.json, when it is there and has the shape of a summary (it is a file anyone may have edited). */
export function readSummary(paths: RunPaths): RunSummary | undefined {
  try {
    const value: unknown = JSON.parse(readFileSync(paths.summary, 'utf8'));
    return isRunSummary(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const RUN_STATES = new Set(['running', 'succeeded', 'failed', 'cancelled', 'interrupted']);

function isRunSummary(value: unknown): value is RunSummary {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const s = value as Record<string, unknown>;
  const d = s.definition as Record<string, unknown> | undefined;
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  const opt = (v: unknown, check: (v: unknown) => boolean) => v === undefined || check(v);
  return isRunId(s.runId) && typeof d === 'object' && d !== null && typeof d.type === 'string' && typeof d.path === 'string'
    && typeof s.state === 'string' && RUN_STATES.has(s.state) && num(s.startedAt) && num(s.activities)
    && opt(s.finishedAt, num) && opt(s.durationMs, num) && opt(s.error, (v) => typeof v === 'string')
    && opt(s.disposeOf, isRunId) && opt(s.disposedBy, (v) => Array.isArray(v) && v.every(isRunId))
    && opt(s.counts, (v) => typeof v === 'object' && v !== null && Object.values(v).every(num));
}

/** A summary rebuilt from the journal, for a run whose run.json is missing or damaged. Throws when the journal is unreadable too. */
export function summaryFromJournal(paths: RunPaths): RunSummary {
  const { entries } = readJournal(paths.journal);
  if (!entries.length) throw new Error(`${paths.journal} has no entries`);
  const run = replay(entries);
  return {
    runId: run.runId,
    definition: { type: run.definition.type, path: run.definition.path },
    state: run.state,
    startedAt: run.startedAt,
    ...(run.finishedAt !== undefined ? { finishedAt: run.finishedAt } : {}),
    ...(run.durationMs !== undefined ? { durationMs: run.durationMs } : {}),
    counts: countStates(run),
    activities: Object.keys(run.activities).length,
    ...(run.disposeOf !== undefined ? { disposeOf: run.disposeOf } : {}),
    ...(run.error !== undefined ? { error: run.error } : {}),
  };
}

/** A run's summary with its liveness applied: `running` without a live process is `interrupted`. */
export function currentSummary(paths: RunPaths): RunSummary | undefined {
  const summary = readSummary(paths);
  if (summary && summary.state === 'running' && !liveHolder(paths)) return { ...summary, state: 'interrupted' };
  return summary;
}

/**
 * Every run in `runsDir`, newest first. A folder with a journal but no readable run.json is listed
 * from its journal; one that cannot be read at all is reported to `onDamaged`, never dropped unsaid.
 */
export function listRuns(runsDir: string, onDamaged?: (dir: string, reason: string) => void): { paths: RunPaths; summary: RunSummary }[] {
  let names: string[];
  try { names = readdirSync(runsDir); } catch { return []; }
  const runs: { paths: RunPaths; summary: RunSummary }[] = [];
  for (const name of names) {
    const paths = runPaths(join(runsDir, name));
    let summary = currentSummary(paths);
    if (!summary && existsSync(paths.journal)) {
      try {
        summary = summaryFromJournal(paths);
        if (summary.state === 'running' && !liveHolder(paths)) summary = { ...summary, state: 'interrupted' };
      } catch (error) {
        onDamaged?.(paths.dir, error instanceof Error ? error.message : String(error));
      }
    } else if (!summary && existsSync(paths.summary)) {
      onDamaged?.(paths.dir, `${paths.summary} is not a run summary and there is no journal`);
    }
    if (summary) runs.push({ paths, summary });
  }
  return runs.sort((a, b) => b.summary.startedAt - a.summary.startedAt || (a.summary.runId < b.summary.runId ? 1 : -1));
}

export class RunNotFoundError extends Error {
  override readonly name = 'RunNotFoundError';
}

/**
 * A run named on the command line: a run folder's path, a run id in `runsDir`, or an unambiguous
 * prefix of one (`orch show 20250101-12`). `latest` names the newest run.
 */
export function resolveRunDir(name: string, runsDir: string, cwd: string): string {
  const asPath = resolve(cwd, name);
  if (existsSync(join(asPath, 'journal.jsonl')) || existsSync(join(asPath, 'run.json'))) return asPath;
  const exact = join(runsDir, name);
  if (existsSync(join(exact, 'journal.jsonl'))) return exact;
  let names: string[] = [];
  try { names = readdirSync(runsDir).filter((n) => isDirectory(join(runsDir, n))); } catch { /* no runs yet */ }
  if (name === 'latest') {
    const newest = listRuns(runsDir)[0];
    if (newest) return newest.paths.dir;
    throw new RunNotFoundError(`no runs in ${runsDir}`);
  }
  const matches = names.filter((n) => n.startsWith(name));
  if (matches.length === 1) return join(runsDir, matches[0]);
  if (matches.length > 1) throw new RunNotFoundError(`'${name}' matches ${matches.length} runs in ${runsDir}: ${matches.slice(0, 5).join(', ')}${matches.length > 5 ? ', ...' : ''}`);
  throw new RunNotFoundError(`no run '${name}' (neither a run folder nor a run id in ${runsDir})`);
}

function isDirectory(path: string): boolean {
  try { return statSync(path).isDirectory(); } catch { return false; }
}
