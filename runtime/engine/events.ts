/**
 * What a run reports, as plain JSON-serialisable objects. The journal is these same events (all but
 * `activity.log`, whose lines go to the attempt's log file), so the editor's tree view, `orch show`
 * and resume all read one vocabulary. Every event carries the run id, a sequence number (the order of
 * delivery) and a timestamp, and every activity event names its activity, instance and host, so a
 * listener that joins late can make sense of each event on its own.
 */
import type { LogStream } from './provider';
import type { When } from '../model/types';

export type RunState = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
export type FinalRunState = 'succeeded' | 'failed' | 'cancelled';

export type ActivityState =
  | 'pending'
  | 'waiting-for-pool'
  | 'running'
  | 'retrying'
  | 'waiting'
  | 'succeeded'
  | 'failed'
  | 'skipped'
  | 'cancelled';

export const SETTLED_STATES: ReadonlySet<ActivityState> = new Set(['succeeded', 'failed', 'skipped', 'cancelled']);

export interface EventBase {
  /** Increases by one for every event of the run, across resumes; the journal holds all but log events. */
  seq: number;
  /** Milliseconds since the epoch, from the engine's clock. */
  time: number;
  runId: string;
}

/** Which unit of work an activity event is about. */
export interface ActivityRef {
  activityId: string;
  /** Set for the instances of a fanned-out activity (forEach items, hosts); absent for the activity itself. */
  instance?: number;
  /** The inventory host an instance runs on. */
  host?: string;
}

/** An activity as the run plans it (the definition's facts a view needs, without re-reading the file). */
export interface PlannedActivity {
  id: string;
  type: string;
  discriminator?: string;
  dependsOn: string[];
  when: When;
  continueOnError?: boolean;
  /** Whether the activity fans out into instances (forEach, hosts, or both). */
  fanOut?: boolean;
  hosts?: string[];
}

export interface RunStartedEvent extends EventBase {
  type: 'run.started';
  journalVersion: 1;
  definition: { type: string; path: string; hash: string; description?: string };
  /** The run input as given (defaults merged), with `${secret:NAME}` references unresolved. */
  input: Record<string, unknown>;
  concurrency: number;
  /** Every activity, in definition order; each starts `pending`. */
  activities: PlannedActivity[];
  /** Folders activity definitions were looked up in (resume and dispose look there again). */
  defs: string[];
  pid: number;
  /** Set for a dispose run: the run whose activities it tears down. */
  disposeOf?: string;
}

export interface RunResumedEvent extends EventBase {
  type: 'run.resumed';
  pid: number;
  /** 1 for the first resume, then 2, ... */
  resume: number;
  concurrency: number;
}

export interface RunCancellingEvent extends EventBase {
  type: 'run.cancelling';
  reason: string;
  graceMs: number;
}

export interface RunFinishedEvent extends EventBase {
  type: 'run.finished';
  state: FinalRunState;
  /** From the first start, across resumes. */
  durationMs: number;
  output?: Record<string, unknown>;
  error?: string;
  counts: Partial<Record<ActivityState, number>>;
}

export interface ActivityPendingEvent extends EventBase, ActivityRef {
  type: 'activity.pending';
  /** Why the unit is pending again (e.g. `resume`). */
  reason: string;
}

export interface ActivityExpandedEvent extends EventBase, ActivityRef {
  type: 'activity.expanded';
  /** The instances the activity fans out into, each pending. */
  instances: { instance: number; host?: string }[];
}

export interface ActivityWaitingForPoolEvent extends EventBase, ActivityRef {
  type: 'activity.waiting-for-pool';
  pools: Record<string, number>;
}

export interface ActivityStartedEvent extends EventBase, ActivityRef {
  type: 'activity.started';
  /** 1-based attempt number (keeps counting across resumes so log files never collide). */
  attempt: number;
  /** 0 for the attempt's first call, then one more per Schedule re-poll. */
  poll: number;
  idempotencyKey: string;
  /** The resolved inputs (secrets redacted); only on the first poll of an attempt. */
  inputs?: Record<string, unknown>;
  /** Distributed mode: the agent that took the attempt (absent when it was only queued for one). */
  agent?: string;
  /** Distributed mode: how many times the message was delivered (above 1 after an agent died holding it). */
  delivery?: number;
}

export interface ActivityLogEvent extends EventBase, ActivityRef {
  type: 'activity.log';
  attempt: number;
  stream: LogStream;
  line: string;
}

export interface ActivityRetryingEvent extends EventBase, ActivityRef {
  type: 'activity.retrying';
  attempt: number;
  error: string;
  delayMs: number;
}

export interface ActivityScheduledEvent extends EventBase, ActivityRef {
  type: 'activity.scheduled';
  attempt: number;
  poll: number;
  delayMs: number;
  message?: string;
}

export interface ActivityWaitingEvent extends EventBase, ActivityRef {
  type: 'activity.waiting';
  attempt: number;
  message?: string;
}

export interface ActivitySucceededEvent extends EventBase, ActivityRef {
  type: 'activity.succeeded';
  attempt?: number;
  outputs: unknown;
  /** From the unit's first start (retries and polls included). */
  durationMs: number;
  /** `external` when `orch complete` (or the runs view) supplied the outputs of a waiting unit. */
  completedBy?: 'external';
}

export interface ActivityFailedEvent extends EventBase, ActivityRef {
  type: 'activity.failed';
  attempt?: number;
  error: string;
  durationMs?: number;
}

export interface ActivitySkippedEvent extends EventBase, ActivityRef {
  type: 'activity.skipped';
  reason: string;
}

export interface ActivityCancelledEvent extends EventBase, ActivityRef {
  type: 'activity.cancelled';
  reason: string;
  attempt?: number;
}

/** Written by resume for an attempt the previous process did not see to its end. */
export interface ActivityInterruptedEvent extends EventBase, ActivityRef {
  type: 'activity.interrupted';
  attempt: number;
}

export type RunEvent =
  | RunStartedEvent
  | RunResumedEvent
  | RunCancellingEvent
  | RunFinishedEvent
  | ActivityPendingEvent
  | ActivityExpandedEvent
  | ActivityWaitingForPoolEvent
  | ActivityStartedEvent
  | ActivityLogEvent
  | ActivityRetryingEvent
  | ActivityScheduledEvent
  | ActivityWaitingEvent
  | ActivitySucceededEvent
  | ActivityFailedEvent
  | ActivitySkippedEvent
  | ActivityCancelledEvent
  | ActivityInterruptedEvent;

export type RunEventType = RunEvent['type'];

/** Everything but log lines: what the journal holds. */
export type JournalEntry = Exclude<RunEvent, ActivityLogEvent>;

/** An event before the engine stamps it with seq, time and run id. */
export type EventDraft<E extends RunEvent = RunEvent> = E extends RunEvent ? Omit<E, 'seq' | 'time' | 'runId'> : never;

/** `build`, or `build[2]` for an instance: how logs, keys and messages name a unit. */
export function unitKey(activityId: string, instance?: number): string {
  return instance === undefined ? activityId : `${activityId}[${instance}]`;
}

/** Parses `build` or `build[2]`. */
export function parseUnitKey(key: string): { activityId: string; instance?: number } | undefined {
  const match = /^([A-Za-z_][A-Za-z0-9_-]*)(?:\[(\d+)\])?$/.exec(key);
  if (!match) return undefined;
  return match[2] === undefined ? { activityId: match[1] } : { activityId: match[1], instance: Number(match[2]) };
}
