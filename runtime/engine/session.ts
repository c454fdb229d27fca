/**
 * One process's hold on one run: the lock, the journal, the outbox, the scheduler and the control
 * watcher, wired together, and torn down in the right order when the run finishes (everything
 * journaled and delivered, then the summary, then the lock).
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from './clock';
import { ControlWatcher, type ControlRequest, type ControlResponse } from './control';
import { Emitter, type EventSource, type Listener, type ListenerErrorReporter } from './emitter';
import { parseUnitKey, type EventDraft, type FinalRunState, type JournalEntry, type RunEvent, type RunStartedEvent } from './events';
import { JournalWriter } from './journal';
import { LogFiles } from './logFiles';
import { Outbox } from './outbox';
import type { RunPlan } from './plan';
import { applyEntry, countStates, initialSnapshot, type RunSnapshot } from './replay';
import { releaseLock, writeSummary, type RunPaths, type RunSummary } from './runFolder';
import { Scheduler } from './scheduler';
import type { Secrets } from './secrets';

export interface RunResult {
  runId: string;
  runDir: string;
  state: FinalRunState;
  output?: Record<string, unknown>;
  error?: string;
  /** The run's state as the engine ended it; replaying the journal gives the same. */
  snapshot: RunSnapshot;
}

export interface RunHandle {
  readonly runId: string;
  readonly runDir: string;
  readonly events: EventSource<RunEvent>;
  readonly done: Promise<RunResult>;
  /** Graceful cancel: running attempts are aborted and get `graceMs` (default 10 s) to stop. */
  cancel(options?: { graceMs?: number; reason?: string }): void;
  /** Completes a waiting activity (`id`, or `id[i]` for one instance); resolves once journaled. */
  complete(activity: string, outputs: Record<string, unknown>): Promise<string[]>;
  /** The live state. */
  snapshot(): RunSnapshot;
}

export const DEFAULT_CANCEL_GRACE_MS = 10_000;

export interface SessionSpec {
  runId: string;
  paths: RunPaths;
  plan: RunPlan;
  output?: Record<string, string>;
  clock: Clock;
  random: () => number;
  secrets: Secrets;
  input: Record<string, unknown>;
  workRoot: string;
  timeoutGraceMs: number;
  listeners: Listener<RunEvent>[];
  onListenerError?: ListenerErrorReporter<RunEvent>;
  watchControl: boolean;
  /** A new run: its started event. */
  started?: EventDraft<RunStartedEvent>;
  /** A resumed run: the journal's state, and the resume number. */
  restored?: RunSnapshot;
  /** Mark the (resumed) run cancelled instead of running it: `orch cancel` of a run no process holds. */
  cancelOnOpen?: string;
  /** What run.json says besides the state. */
  summaryBase: Pick<RunSummary, 'definition' | 'disposeOf' | 'disposedBy'>;
}

export function openSession(spec: SessionSpec): RunHandle {
  const emitter = new Emitter<RunEvent>(spec.onListenerError);
  for (const listener of spec.listeners) emitter.subscribe(listener);
  let journal: JournalWriter;
  try {
    journal = JournalWriter.open(spec.paths.journal);
  } catch (error) {
    releaseLock(spec.paths);
    throw error;
  }
  const logs = new LogFiles();
  let snapshot: RunSnapshot | undefined = spec.restored;
  let resolveDone!: (result: RunResult) => void;
  const done = new Promise<RunResult>((resolve) => { resolveDone = resolve; });
  let finished = false;
  let control: ControlWatcher | undefined;

  const summary = (state: RunSnapshot['state'], extra: Partial<RunSummary> = {}): RunSummary => ({
    runId: spec.runId,
    ...spec.summaryBase,
    state,
    startedAt: snapshot!.startedAt,
    activities: spec.plan.nodes.length,
    // A new run is all pending: no need to count 10,000 of them.
    counts: spec.started ? (state === 'running' ? { pending: spec.plan.nodes.length } : countStates(snapshot!)) : countStates(snapshot!),
    ...extra,
  });

  const teardown = (result: Omit<RunResult, 'snapshot' | 'runId' | 'runDir'>) => {
    control?.stop();
    logs.closeAll();
    journal.close();
    try {
      writeSummary(spec.paths, summary(outbox.broken ? 'interrupted' : result.state, {
        finishedAt: snapshot!.finishedAt, durationMs: snapshot!.durationMs, ...(result.error ? { error: result.error } : {}),
      }));
    } catch { /* the journal is the truth; a missing summary is rebuilt by listings */ }
    releaseLock(spec.paths);
    // Work folders outlive their attempts: a dependent may read files an upstream attempt left there,
    // also after a failure and a resume. They go when the run has succeeded (a crashed process's too).
    if (result.state === 'succeeded' && (scheduler.usedWorkDirs || spec.restored)) {
      try { rmSync(spec.workRoot, { recursive: true, force: true }); } catch { /* best effort: it is in the temp folder */ }
    }
    resolveDone({ runId: spec.runId, runDir: spec.paths.dir, ...result, snapshot: snapshot! });
  };

  const outbox: Outbox = new Outbox({
    runId: spec.runId,
    clock: spec.clock,
    journal,
    emitter,
    redactor: spec.secrets.redactor,
    logs,
    lastSeq: spec.restored?.lastSeq ?? 0,
    onEntry: (entry: JournalEntry) => {
      if (entry.type === 'run.started') snapshot = initialSnapshot(entry);
      else if (snapshot) applyEntry(snapshot, entry);
    },
    onFatal: (error) => {
      if (finished) return;
      finished = true;
      scheduler.abortAll(`the journal could not be written: ${error.message}`);
      teardown({ state: 'failed', error: `the journal could not be written (${error.message}); the run stopped and can be resumed once the disk is fixed` });
    },
  });

  const scheduler: Scheduler = new Scheduler({
    runId: spec.runId,
    plan: spec.plan,
    output: spec.output,
    clock: spec.clock,
    random: spec.random,
    outbox,
    secrets: spec.secrets,
    input: spec.input,
    paths: spec.paths,
    workRoot: spec.workRoot,
    timeoutGraceMs: spec.timeoutGraceMs,
    startedAt: spec.restored?.startedAt ?? spec.clock.now(),
    restored: spec.restored,
    onFinished: (result) => {
      void outbox.idle().then(() => {
        if (finished) return;
        finished = true;
        teardown({ ...result });
      });
    },
    onInternalError: (error) => {
      if (finished) return;
      const message = error instanceof Error ? error.stack ?? error.message : String(error);
      process.emitWarning(`orch engine: internal error: ${message}`, 'OrchEngineWarning');
      finished = true;
      scheduler.abortAll('internal error');
      void outbox.idle().then(() => teardown({ state: 'failed', error: `internal error in the engine: ${error instanceof Error ? error.message : String(error)}` }));
    },
  });

  const cancel = (options: { graceMs?: number; reason?: string } = {}) => {
    if (finished) return;
    scheduler.cancel(options.reason ?? 'cancelled', Math.max(0, options.graceMs ?? DEFAULT_CANCEL_GRACE_MS));
  };

  const complete = async (activity: string, outputs: Record<string, unknown>): Promise<string[]> => {
    const target = parseUnitKey(activity);
    if (!target) throw new Error(`'${activity}' is not an activity id (expected id or id[index])`);
    const completed = scheduler.complete(target, outputs);
    await outbox.delivered();
    return completed;
  };

  // A process killed mid-attempt left its attempts' inputs files (which may hold secrets) behind.
  if (spec.restored) scrubInputsFiles(spec.workRoot);
  if (spec.started) outbox.record(spec.started);
  else if (spec.restored) outbox.record({ type: 'run.resumed', pid: process.pid, resume: spec.restored.resumes + 1, concurrency: spec.plan.concurrency });
  try { writeSummary(spec.paths, summary('running')); } catch { /* listings fall back on the journal */ }
  scheduler.start(spec.cancelOnOpen);

  if (spec.watchControl) {
    control = new ControlWatcher(spec.paths.control, async (request: ControlRequest): Promise<ControlResponse> => {
      if (request.kind === 'cancel') {
        if (finished || scheduler.isFinished) return { ok: false, message: 'the run has already finished' };
        cancel({ reason: request.reason, graceMs: request.graceMs });
        return { ok: true, message: 'cancelling' };
      }
      const units = await complete(request.target, request.outputs);
      return { ok: true, message: `completed ${units.join(', ')}` };
    });
    try { control.start(); } catch { control = undefined; }
  }

  return {
    runId: spec.runId,
    runDir: spec.paths.dir,
    events: emitter,
    done,
    cancel,
    complete,
    snapshot: () => snapshot!,
  };
}

/** Removes `<workRoot>/<unit>/attempt-<n>/inputs.json` files; the rest of the work folders stays for the dependents. */
export function scrubInputsFiles(workRoot: string): void {
  let units: string[];
  try { units = readdirSync(workRoot); } catch { return; }
  for (const unit of units) {
    let attempts: string[];
    try { attempts = readdirSync(join(workRoot, unit)); } catch { continue; }
    for (const attempt of attempts) {
      try { rmSync(join(workRoot, unit, attempt, 'inputs.json'), { force: true }); } catch { /* best effort */ }
    }
  }
}
