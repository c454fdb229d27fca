/**
 * A run as the Runs view and the graph show it, folded from the engine's events (live from a RunHandle,
 * or read back from a journal). Pure (no `vscode`): applying an event returns what changed, so the view
 * refreshes only those rows. Activities are kept in topological order (dependencies first, definition
 * order among equals), attempts per unit with their errors.
 */
import type { ActivityState, PlannedActivity, RunEvent, RunState } from '../../runtime/engine/events';

export type AttemptState = 'running' | 'polling' | 'succeeded' | 'failed' | 'retrying' | 'waiting' | 'cancelled' | 'interrupted';

export interface AttemptView {
  attempt: number;
  state: AttemptState;
  startedAt: number;
  endedAt?: number;
  /** Schedule re-polls within the attempt. */
  polls: number;
  /** Distributed mode: the agent running it (the last one, when a dead agent's message was handed over). */
  agent?: string;
  /** Distributed mode: deliveries of its message (above 1 when an agent died holding it). */
  deliveries?: number;
  error?: string;
  message?: string;
}

export interface UnitView {
  /** `build` or `build[2]`. */
  key: string;
  activityId: string;
  instance?: number;
  host?: string;
  state: ActivityState;
  attempts: AttemptView[];
  startedAt?: number;
  endedAt?: number;
  durationMs?: number;
  outputs?: unknown;
  inputs?: Record<string, unknown>;
  error?: string;
  /** Why it is waiting, skipped, cancelled, pending again. */
  message?: string;
  completedBy?: 'external';
}

export interface ActivityView extends UnitView {
  planned: PlannedActivity;
  /** Instances of a fanned-out activity, by instance number. */
  instances: UnitView[];
}

export interface RunView {
  runId: string;
  definition: { type: string; path: string; hash: string; description?: string };
  input: Record<string, unknown>;
  state: RunState;
  startedAt: number;
  endedAt?: number;
  durationMs?: number;
  error?: string;
  output?: Record<string, unknown>;
  pid: number;
  resumes: number;
  disposeOf?: string;
  cancelling?: string;
  activities: Map<string, ActivityView>;
  /** Activity ids, dependencies first. */
  order: string[];
  lastSeq: number;
  lastTime: number;
}

/** What an event changed: the run row itself, and which activity rows. */
export interface RunChange {
  run: boolean;
  activities: Set<string>;
}

export function createRun(event: Extract<RunEvent, { type: 'run.started' }>): RunView {
  const activities = new Map<string, ActivityView>();
  for (const planned of event.activities) {
    activities.set(planned.id, { key: planned.id, activityId: planned.id, state: 'pending', attempts: [], planned, instances: [] });
  }
  return {
    runId: event.runId,
    definition: { ...event.definition },
    input: event.input,
    state: 'running',
    startedAt: event.time,
    pid: event.pid,
    resumes: 0,
    disposeOf: event.disposeOf,
    activities,
    order: topologicalOrder(event.activities),
    lastSeq: event.seq,
    lastTime: event.time,
  };
}

/** Dependencies first; among activities that are ready together, definition order. Cycles keep file order at the end. */
export function topologicalOrder(planned: readonly PlannedActivity[]): string[] {
  const index = new Map(planned.map((a, i) => [a.id, i]));
  const remaining = planned.map((a) => new Set(a.dependsOn.filter((d) => index.has(d) && d !== a.id)).size);
  const dependents: number[][] = planned.map(() => []);
  planned.forEach((a, i) => new Set(a.dependsOn).forEach((d) => { const j = index.get(d); if (j !== undefined && j !== i) dependents[j].push(i); }));
  // A binary heap would be O(n log n); ready sets are small in practice, and sorted insertion keeps it simple.
  const ready: number[] = [];
  remaining.forEach((r, i) => { if (r === 0) ready.push(i); });
  const order: number[] = [];
  const done = new Uint8Array(planned.length);
  while (ready.length) {
    const next = ready.shift()!;
    order.push(next);
    done[next] = 1;
    for (const d of dependents[next]) {
      if (--remaining[d] === 0) {
        let at = ready.length;
        while (at > 0 && ready[at - 1] > d) at--;
        ready.splice(at, 0, d);
      }
    }
  }
  planned.forEach((_, i) => { if (!done[i]) order.push(i); });
  return order.map((i) => planned[i].id);
}

function unitOf(run: RunView, activityId: string, instance: number | undefined, host?: string): UnitView | undefined {
  const activity = run.activities.get(activityId);
  if (!activity) return undefined;
  if (instance === undefined) return activity;
  let unit = activity.instances.find((u) => u.instance === instance);
  if (!unit) {
    unit = { key: `${activityId}[${instance}]`, activityId, instance, host, state: 'pending', attempts: [] };
    activity.instances.push(unit);
    activity.instances.sort((a, b) => (a.instance ?? 0) - (b.instance ?? 0));
  }
  if (host !== undefined) unit.host = host;
  return unit;
}

function currentAttempt(unit: UnitView, attempt: number | undefined): AttemptView | undefined {
  if (attempt === undefined) return unit.attempts[unit.attempts.length - 1];
  return unit.attempts.find((a) => a.attempt === attempt);
}

function settleAttempt(unit: UnitView, attempt: number | undefined, state: AttemptState, time: number, error?: string): void {
  const view = currentAttempt(unit, attempt);
  if (!view) return;
  view.state = state;
  view.endedAt = time;
  if (error !== undefined) view.error = error;
}

/** A fanned-out activity's own state follows its instances while they run. */
function rollUp(activity: ActivityView): void {
  if (!activity.instances.length || ['succeeded', 'failed', 'skipped', 'cancelled'].includes(activity.state)) return;
  const states = activity.instances.map((u) => u.state);
  if (states.some((s) => s === 'running' || s === 'retrying')) activity.state = 'running';
  else if (states.some((s) => s === 'waiting')) activity.state = 'waiting';
  else if (states.some((s) => s === 'waiting-for-pool')) activity.state = 'waiting-for-pool';
  const starts = activity.instances.map((u) => u.startedAt).filter((t): t is number => t !== undefined);
  if (starts.length && activity.startedAt === undefined) activity.startedAt = Math.min(...starts);
}

function resetUnit(unit: UnitView, reason: string): void {
  unit.state = 'pending';
  unit.message = reason;
  unit.startedAt = undefined;
  unit.endedAt = undefined;
  unit.error = undefined;
  unit.durationMs = undefined;
  unit.outputs = undefined;
  unit.completedBy = undefined;
}

/** Applies one event; events at or below the last applied sequence number are ignored (replays overlap). */
export function applyEvent(run: RunView, event: RunEvent): RunChange {
  const change: RunChange = { run: false, activities: new Set() };
  if (event.type === 'activity.log' || event.seq <= run.lastSeq) return change;
  run.lastSeq = event.seq;
  run.lastTime = event.time;
  const touch = (activityId: string) => change.activities.add(activityId);
  switch (event.type) {
    case 'run.started':
      return change;
    case 'run.resumed':
      run.state = 'running';
      run.resumes = event.resume;
      run.pid = event.pid;
      run.endedAt = undefined;
      run.durationMs = undefined;
      run.error = undefined;
      run.cancelling = undefined;
      change.run = true;
      return change;
    case 'run.cancelling':
      run.cancelling = event.reason;
      change.run = true;
      return change;
    case 'run.finished':
      run.state = event.state;
      run.endedAt = event.time;
      run.durationMs = event.durationMs;
      run.error = event.error;
      run.output = event.output;
      run.cancelling = undefined;
      change.run = true;
      return change;
    default:
      break;
  }
  const unit = unitOf(run, event.activityId, event.instance, event.host);
  if (!unit) return change;
  touch(event.activityId);
  switch (event.type) {
    case 'activity.pending': {
      resetUnit(unit, event.reason);
      // The activity runs again (resume, re-run): its instances that had not succeeded run with it.
      const activity = run.activities.get(event.activityId)!;
      if (event.instance === undefined) for (const instance of activity.instances) if (instance.state !== 'succeeded') resetUnit(instance, event.reason);
      break;
    }
    case 'activity.expanded': {
      const activity = run.activities.get(event.activityId)!;
      activity.state = 'running';
      activity.startedAt ??= event.time;
      for (const instance of event.instances) unitOf(run, event.activityId, instance.instance, instance.host);
      break;
    }
    case 'activity.waiting-for-pool':
      unit.state = 'waiting-for-pool';
      unit.message = `waiting for ${Object.entries(event.pools).map(([pool, n]) => `${n} of ${pool}`).join(', ')}`;
      break;
    case 'activity.started': {
      unit.state = 'running';
      unit.message = undefined;
      unit.startedAt ??= event.time;
      if (event.inputs) unit.inputs = event.inputs;
      let attempt = currentAttempt(unit, event.attempt);
      if (attempt) { attempt.state = 'running'; attempt.polls = event.poll; }
      else unit.attempts.push(attempt = { attempt: event.attempt, state: 'running', startedAt: event.time, polls: event.poll });
      if (event.agent !== undefined) attempt.agent = event.agent;
      if (event.delivery !== undefined) attempt.deliveries = event.delivery;
      break;
    }
    case 'activity.retrying':
      unit.state = 'retrying';
      unit.error = event.error;
      settleAttempt(unit, event.attempt, 'retrying', event.time, event.error);
      break;
    case 'activity.scheduled': {
      const attempt = currentAttempt(unit, event.attempt);
      if (attempt) { attempt.state = 'polling'; attempt.message = event.message; attempt.polls = event.poll; }
      unit.message = event.message ?? `polling again in ${Math.round(event.delayMs / 1000)} s`;
      break;
    }
    case 'activity.waiting': {
      unit.state = 'waiting';
      unit.message = event.message ?? 'waiting for completion';
      const attempt = currentAttempt(unit, event.attempt);
      if (attempt) { attempt.state = 'waiting'; attempt.message = event.message; }
      break;
    }
    case 'activity.succeeded':
      unit.state = 'succeeded';
      unit.outputs = event.outputs;
      unit.durationMs = event.durationMs;
      unit.endedAt = event.time;
      unit.error = undefined;
      unit.message = undefined;
      unit.completedBy = event.completedBy;
      settleAttempt(unit, event.attempt, 'succeeded', event.time);
      break;
    case 'activity.failed':
      unit.state = 'failed';
      unit.error = event.error;
      unit.durationMs = event.durationMs;
      unit.endedAt = event.time;
      settleAttempt(unit, event.attempt, 'failed', event.time, event.error);
      break;
    case 'activity.skipped':
      unit.state = 'skipped';
      unit.message = event.reason;
      unit.endedAt = event.time;
      break;
    case 'activity.cancelled':
      unit.state = 'cancelled';
      unit.message = event.reason;
      unit.endedAt = event.time;
      settleAttempt(unit, event.attempt, 'cancelled', event.time);
      break;
    case 'activity.interrupted':
      settleAttempt(unit, event.attempt, 'interrupted', event.time, 'the process running it ended');
      break;
  }
  if (event.instance !== undefined) rollUp(run.activities.get(event.activityId)!);
  return change;
}

/** A journal left `running` by a process that no longer exists was interrupted (resume continues it). */
export function markInterrupted(run: RunView): boolean {
  if (run.state !== 'running') return false;
  run.state = 'interrupted';
  return true;
}

export function isFinished(state: RunState): boolean {
  return state === 'succeeded' || state === 'failed' || state === 'cancelled';
}

/** Units (activities, or instances of fanned-out ones) in a given state, e.g. the waiting ones to complete. */
export function unitsIn(run: RunView, states: readonly ActivityState[]): UnitView[] {
  const found: UnitView[] = [];
  for (const id of run.order) {
    const activity = run.activities.get(id)!;
    if (activity.instances.length) found.push(...activity.instances.filter((u) => states.includes(u.state)));
    else if (states.includes(activity.state)) found.push(activity);
  }
  return found;
}

export function countStates(run: RunView): Partial<Record<ActivityState, number>> {
  const counts: Partial<Record<ActivityState, number>> = {};
  for (const activity of run.activities.values()) counts[activity.state] = (counts[activity.state] ?? 0) + 1;
  return counts;
}
