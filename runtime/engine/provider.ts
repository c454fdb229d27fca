/**
 * The contract between the engine and whatever runs an activity (the ActivityProcessor of the
 * format's origin). A provider turns one attempt into one of the five results; the engine does
 * everything else (retries, timeouts, journaling, events).
 */
import type { ActivityDefinition, ActivitySpec, HostEntry } from '../model/types';
import type { RemoteSuccessor } from './successors';
import type { AttemptPolicy } from './attempts';

export type ProcessorResult =
  /** Done: outputs recorded, dependents may start. */
  | { kind: 'complete'; outputs?: Record<string, unknown> }
  /** Stays waiting until an external completion (`orch complete`) supplies the outputs. */
  | { kind: 'wait'; message?: string }
  /** Run the processor again after `delayMs` (polling); `state` is handed to the next poll. */
  | { kind: 'schedule'; delayMs: number; state?: unknown; message?: string }
  /** A new attempt after backoff while attempts remain; `delayMs` overrides the backoff once. */
  | { kind: 'retry'; error: string; delayMs?: number }
  /** Fails the activity at once, no retry. */
  | { kind: 'fatal'; error: string };

export type LogStream = 'stdout' | 'stderr' | 'info';

export interface ProcessorContext {
  runId: string;
  activityId: string;
  /** forEach instance index, when the activity fans out. */
  instance?: number;
  /** ssh host name (from the inventory) when the activity runs per host. */
  host?: string;
  /** The inventory entry of `host`, as the engine found it (orch.hosts.json beside the definitions). */
  hostEntry?: HostEntry;
  /** The folder of the inventory file declaring `host` (relative key and known_hosts paths start there). */
  inventoryDir?: string;
  activity: ActivitySpec;
  definition: ActivityDefinition;
  /** Resolved inputs, secrets included (in memory only). */
  inputs: Record<string, unknown>;
  /**
   * Aborted on timeout or cancel; providers must stop (kill the process tree, close the channel). The
   * engine waits a grace period for the provider to return, then abandons the attempt.
   */
  signal: AbortSignal;
  /** One line of output; the engine redacts secrets and journals it to the attempt log. */
  log(stream: LogStream, line: string): void;
  /** Stable across retries and resumes: `runId/activityId[index]`, for providers to deduplicate. */
  idempotencyKey: string;
  /** 1-based attempt number. */
  attempt: number;
  /** 0 on the first call of an attempt; counts Schedule re-polls. */
  poll: number;
  /** What the previous Schedule result handed on. */
  state?: unknown;
  /**
   * A private folder for this attempt (input/output files), outside the runs folder since it may hold
   * secrets: `<tmp>/orch-<runId>/<unit>/attempt-<n>`. The engine does not create it (a provider that
   * needs it creates it: mkdir -p); Schedule re-polls of one attempt share it. It lasts until the run
   * succeeds (dependents may read files left there, also after a resume), then the run's folder goes.
   */
  workDir: string;
  /** The folder definitions are relative to (the ActivityDefinition's folder). */
  baseDir: string;
  /** Set only for a provider that `runsAttempts` (distributed mode): where it reports what happens elsewhere. */
  remote?: RemoteAttempts;
}

/**
 * How a provider that runs attempts elsewhere (an agent over NATS retries, polls and times out on its
 * side) tells the engine what happens, so the journal and the events read as for a local run. Attempt
 * and poll numbers count within this call, from 1 and 0; the engine maps them onto the run's own.
 */
export interface RemoteAttempts {
  /** Retries, backoff and per-attempt timeout, for the remote side to apply. */
  readonly policy: AttemptPolicy;
  /**
   * `listener` hears the attempt's abort (cancel, shutdown), at once if it happened already: what
   * `ctx.signal` says, without the AbortController a signal costs on every dispatch.
   */
  onAbort(listener: (reason: unknown) => void): void;
  /**
   * Up to `max` units the engine would start, one after the other, as soon as this one succeeds (a
   * chain): the remote side may run them right after it (see successors.ts). Empty for a unit that
   * is not a plain activity, and while the run is failing or cancelling.
   */
  successors(max: number): RemoteSuccessor[];
  /** `value` with the run's secret values put back as `${secret:NAME}` references (for a side that resolves its own). */
  references<T>(value: T): T;
  /** An attempt (or a poll of one) started on `agent`; `delivery` above 1 says it was handed over after a failure. */
  started(attempt: number, poll: number, agent: string, delivery: number): void;
  log(attempt: number, stream: LogStream, line: string): void;
  /** RetryError with attempts left: the next attempt comes after `delayMs`. */
  retrying(attempt: number, error: string, delayMs: number): void;
  /** Schedule: polled again after `delayMs`. */
  scheduled(attempt: number, poll: number, delayMs: number, message?: string): void;
}

export interface Provider {
  readonly name: string;
  execute(ctx: ProcessorContext): Promise<ProcessorResult>;
  /**
   * The provider runs the whole attempt loop elsewhere (retries, Schedule polls, timeouts) and answers
   * only with complete, wait or fatal, reporting the steps through `ctx.remote`; the engine then applies
   * no timeout of its own and keeps the unit's slot for the whole call.
   */
  readonly runsAttempts?: boolean;
  /** Releases pooled resources (ssh connections, workers) at the end of a run. */
  dispose?(): Promise<void>;
}
