/**
 * The contract between the engine and whatever runs an activity (the ActivityProcessor of the
 * format's origin). A provider turns one attempt into one of the five results; the engine does
 * everything else (retries, timeouts, journaling, events).
 */
import type { ActivityDefinition, ActivitySpec, HostEntry } from '../model/types';

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
}

export interface Provider {
  readonly name: string;
  execute(ctx: ProcessorContext): Promise<ProcessorResult>;
  /** Releases pooled resources (ssh connections, workers) at the end of a run. */
  dispose?(): Promise<void>;
}
