/**
 * Folds journal entries into the state of a run: what resume continues from, what `orch show` prints
 * and what the runs view displays. The engine folds the same entries live as it records them, so the
 * state it ends with and the state replayed from its journal are the same by construction; the kill
 * test checks that this holds across crashes.
 */
import type { ActivityRef, ActivityState, JournalEntry, PlannedActivity, RunState } from './events';

export interface UnitSnapshot {
  state: ActivityState;
  /** The last attempt number started (0 before the first). */
  attempt: number;
  poll?: number;
  instance?: number;
  host?: string;
  /** First start of the unit (since it was last made pending). */
  startedAt?: number;
  finishedAt?: number;
  durationMs?: number;
  outputs?: unknown;
  inputs?: Record<string, unknown>;
  error?: string;
  /** Why it was skipped or cancelled. */
  reason?: string;
  /** The provider's message for Wait and Schedule. */
  message?: string;
  /** When the next attempt (retrying) or poll (Schedule) is due. */
  dueAt?: number;
  completedBy?: 'external';
  /** The last attempt that a crash interrupted. */
  interruptedAttempt?: number;
  /** Distributed mode: the agent running (or that ran) the last attempt. */
  agent?: string;
  pools?: Record<string, number>;
}

export interface ActivitySnapshot extends UnitSnapshot {
  id: string;
  type: string;
  discriminator?: string;
  dependsOn: string[];
  when: PlannedActivity['when'];
  continueOnError?: boolean;
  fanOut?: boolean;
  /** The instances of a fanned-out activity, by index, once it expanded. */
  instances?: UnitSnapshot[];
}

export interface RunSnapshot {
  runId: string;
  state: RunState;
  definition: { type: string; path: string; hash: string; description?: string };
  input: Record<string, unknown>;
  concurrency: number;
  defs: string[];
  disposeOf?: string;
  startedAt: number;
  finishedAt?: number;
  durationMs?: number;
  output?: Record<string, unknown>;
  error?: string;
  /** Set while a cancel is under way (cleared by resume). */
  cancelling?: boolean;
  resumes: number;
  lastSeq: number;
  /** By id, in definition order. */
  activities: Record<string, ActivitySnapshot>;
}

export class ReplayError extends Error {
  override readonly name = 'ReplayError';
}

/** The state after `entries`. A journal without `run.finished` leaves the run `running`; callers that know no process holds it call it interrupted. */
export function replay(entries: readonly JournalEntry[]): RunSnapshot {
  const first = entries[0];
  if (!first || first.type !== 'run.started') throw new ReplayError('the journal does not start with run.started');
  const snapshot = initialSnapshot(first);
  for (let i = 1; i < entries.length; i++) applyEntry(snapshot, entries[i]);
  return snapshot;
}

export function initialSnapshot(started: Extract<JournalEntry, { type: 'run.started' }>): RunSnapshot {
  // Without a prototype: `__proto__` and `constructor` are valid activity ids, and a key of this map
  // must never reach (or answer for) Object.prototype.
  const activities: Record<string, ActivitySnapshot> = Object.create(null) as Record<string, ActivitySnapshot>;
  for (const a of started.activities) {
    const snapshot: ActivitySnapshot = { id: a.id, type: a.type, dependsOn: a.dependsOn, when: a.when, state: 'pending', attempt: 0 };
    if (a.discriminator !== undefined) snapshot.discriminator = a.discriminator;
    if (a.continueOnError) snapshot.continueOnError = true;
    if (a.fanOut) snapshot.fanOut = true;
    activities[a.id] = snapshot;
  }
  const run: RunSnapshot = {
    runId: started.runId,
    state: 'running',
    definition: started.definition,
    input: started.input,
    concurrency: started.concurrency,
    defs: started.defs,
    startedAt: started.time,
    resumes: 0,
    lastSeq: started.seq,
    activities,
  };
  if (started.disposeOf !== undefined) run.disposeOf = started.disposeOf;
  return run;
}

function unitOf(run: RunSnapshot, ref: ActivityRef): UnitSnapshot | undefined {
  const activity = run.activities[ref.activityId];
  if (!activity) return undefined;
  if (ref.instance === undefined) return activity;
  const instances = (activity.instances ??= []);
  let unit = instances[ref.instance];
  if (!unit) {
    unit = { state: 'pending', attempt: 0, instance: ref.instance };
    if (ref.host !== undefined) unit.host = ref.host;
    instances[ref.instance] = unit;
  }
  return unit;
}

const OUTCOME_KEYS = ['startedAt', 'finishedAt', 'durationMs', 'outputs', 'error', 'reason', 'message', 'dueAt', 'completedBy', 'pools'] as const;

/** Forgets the outcome of a unit that is to run again. */
function reset(unit: UnitSnapshot, state: ActivityState): void {
  unit.state = state;
  for (const key of OUTCOME_KEYS) drop(unit, key);
}

/** `delete`, only when there is something to delete: deleting turns an object into a slow dictionary. */
function drop<T extends object>(object: T, key: keyof T): void {
  if (object[key] !== undefined) delete object[key];
}

export function applyEntry(run: RunSnapshot, entry: JournalEntry): void {
  run.lastSeq = entry.seq;
  switch (entry.type) {
    case 'run.started':
      return;
    case 'run.resumed':
      run.state = 'running';
      run.resumes = entry.resume;
      run.concurrency = entry.concurrency;
      drop(run, 'cancelling');
      drop(run, 'finishedAt');
      drop(run, 'durationMs');
      drop(run, 'error');
      drop(run, 'output');
      return;
    case 'run.cancelling':
      run.cancelling = true;
      return;
    case 'run.finished':
      run.state = entry.state;
      run.finishedAt = entry.time;
      run.durationMs = entry.durationMs;
      if (entry.output !== undefined) run.output = entry.output;
      if (entry.error !== undefined) run.error = entry.error;
      drop(run, 'cancelling');
      return;
  }
  const unit = unitOf(run, entry);
  if (!unit) return;
  const activity = run.activities[entry.activityId];
  switch (entry.type) {
    case 'activity.pending':
      reset(unit, 'pending');
      if (entry.instance === undefined && activity.instances) {
        // The activity runs again: its instances run again too, except those that succeeded or still wait for a completion.
        for (const instance of activity.instances) if (instance && instance.state !== 'succeeded' && instance.state !== 'waiting') reset(instance, 'pending');
      }
      return;
    case 'activity.expanded':
      activity.state = 'running';
      activity.startedAt ??= entry.time;
      activity.instances = entry.instances.map(({ instance, host }) => {
        const previous = activity.instances?.[instance];
        if (previous && (previous.state === 'succeeded' || previous.state === 'waiting')) return previous;
        const fresh: UnitSnapshot = { state: 'pending', attempt: previous?.attempt ?? 0, instance };
        if (host !== undefined) fresh.host = host;
        return fresh;
      });
      return;
    case 'activity.waiting-for-pool':
      unit.state = 'waiting-for-pool';
      unit.pools = entry.pools;
      return;
    case 'activity.started':
      unit.state = 'running';
      unit.attempt = entry.attempt;
      unit.poll = entry.poll;
      unit.startedAt ??= entry.time;
      if (entry.inputs !== undefined) unit.inputs = entry.inputs;
      if (entry.agent !== undefined) unit.agent = entry.agent;
      else drop(unit, 'agent');
      drop(unit, 'dueAt');
      drop(unit, 'pools');
      drop(unit, 'message');
      if (entry.instance !== undefined) { activity.state = 'running'; activity.startedAt ??= entry.time; }
      return;
    case 'activity.retrying':
      unit.state = 'retrying';
      unit.error = entry.error;
      unit.dueAt = entry.time + entry.delayMs;
      return;
    case 'activity.scheduled':
      unit.state = 'running';
      unit.dueAt = entry.time + entry.delayMs;
      if (entry.message !== undefined) unit.message = entry.message;
      return;
    case 'activity.waiting':
      unit.state = 'waiting';
      if (entry.message !== undefined) unit.message = entry.message;
      return;
    case 'activity.succeeded':
      finish(unit, 'succeeded', entry.time, entry.durationMs);
      unit.outputs = entry.outputs;
      if (entry.completedBy) unit.completedBy = entry.completedBy;
      drop(unit, 'error');
      return;
    case 'activity.failed':
      finish(unit, 'failed', entry.time, entry.durationMs);
      unit.error = entry.error;
      return;
    case 'activity.skipped':
      finish(unit, 'skipped', entry.time);
      unit.reason = entry.reason;
      return;
    case 'activity.cancelled':
      finish(unit, 'cancelled', entry.time);
      unit.reason = entry.reason;
      return;
    case 'activity.interrupted':
      unit.interruptedAttempt = entry.attempt;
      return;
  }
}

function finish(unit: UnitSnapshot, state: ActivityState, time: number, durationMs?: number): void {
  unit.state = state;
  unit.finishedAt = time;
  if (durationMs !== undefined) unit.durationMs = durationMs;
  drop(unit, 'dueAt');
  drop(unit, 'pools');
}

/** How many activities (not instances) are in each state. */
export function countStates(run: RunSnapshot): Partial<Record<ActivityState, number>> {
  const counts: Partial<Record<ActivityState, number>> = {};
  for (const a of Object.values(run.activities)) counts[a.state] = (counts[a.state] ?? 0) + 1;
  return counts;
}
