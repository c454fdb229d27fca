/**
 * One provider call on an agent, with the embedded engine's rules: the per-attempt timeout aborts
 * the signal and answers RetryError "timed out after N ms"; a cancel answers FatalError; a provider
 * that does not return within the grace period after an abort is abandoned; work that completed
 * despite an abort is kept; a provider's exception is a RetryError naming it; an answer of the wrong
 * shape is a FatalError (normalizeResult, shared with the engine).
 */
import { join } from 'node:path';
import { normalizeResult, TimeoutError, type AbortCause } from '../../engine/attempts';
import type { LogStream, ProcessorContext, ProcessorResult, Provider } from '../../engine/provider';
import type { ActivityDefinition, ActivitySpec, HostEntry } from '../../model/types';

export interface AgentAttemptFields {
  runId: string;
  activityId: string;
  activity: ActivitySpec;
  definition: ActivityDefinition;
  inputs: Record<string, unknown>;
  idempotencyKey: string;
  attempt: number;
  poll: number;
  baseDir: string;
  log(stream: LogStream, line: string): void;
  instance?: number;
  host?: string;
  hostEntry?: HostEntry;
  inventoryDir?: string;
  state?: unknown;
}

/** An abort whose AbortController is made only when someone asks for the signal (most attempts never do). */
export class LazyAbort {
  private controller: AbortController | undefined;
  private done = false;
  private reason: unknown;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.done) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    if (this.done) return;
    this.done = true;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}

export class AgentAttemptContext implements ProcessorContext {
  readonly runId: string;
  readonly activityId: string;
  readonly activity: ActivitySpec;
  readonly definition: ActivityDefinition;
  readonly inputs: Record<string, unknown>;
  readonly idempotencyKey: string;
  readonly attempt: number;
  readonly poll: number;
  readonly baseDir: string;
  readonly log: (stream: LogStream, line: string) => void;
  instance?: number;
  host?: string;
  hostEntry?: HostEntry;
  inventoryDir?: string;
  state?: unknown;
  /** Whether the provider asked for its work folder (there is one to remove at the end then). */
  workDirUsed = false;

  /**
   * `runRoot` is asked for only when the provider asks for its work folder, and the signal is made
   * only when the provider (or an abort) asks for it: most attempts need neither, and both cost
   * something on every activity.
   */
  constructor(fields: AgentAttemptFields, private readonly controller: LazyAbort, private readonly runRoot: () => string, private readonly unitKey: string) {
    this.runId = fields.runId;
    this.activityId = fields.activityId;
    this.activity = fields.activity;
    this.definition = fields.definition;
    this.inputs = fields.inputs;
    this.idempotencyKey = fields.idempotencyKey;
    this.attempt = fields.attempt;
    this.poll = fields.poll;
    this.baseDir = fields.baseDir;
    this.log = fields.log;
    if (fields.instance !== undefined) this.instance = fields.instance;
    if (fields.host !== undefined) this.host = fields.host;
    if (fields.hostEntry !== undefined) this.hostEntry = fields.hostEntry;
    if (fields.inventoryDir !== undefined) this.inventoryDir = fields.inventoryDir;
    if (fields.state !== undefined) this.state = fields.state;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** `<runRoot>/<unit>/attempt-<n>`, as in the engine: shared by the Schedule polls of one attempt. */
  get workDir(): string {
    this.workDirUsed = true;
    return join(this.runRoot(), this.unitKey, `attempt-${this.attempt}`);
  }
}

export interface AttemptOutcome {
  result: ProcessorResult;
  abortedBy?: AbortCause;
  /** The provider did not return within the grace period after the abort. */
  abandoned?: boolean;
}

export class AgentAttempt {
  readonly outcome: Promise<AttemptOutcome>;
  private settle!: (outcome: AttemptOutcome) => void;
  private settled = false;
  private abortedBy: AbortCause | undefined;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    provider: Provider,
    readonly context: AgentAttemptContext,
    private readonly controller: LazyAbort,
    private readonly timeoutMs: number | undefined,
    private readonly timeoutGraceMs: number,
  ) {
    this.outcome = new Promise((resolve) => { this.settle = resolve; });
    if (timeoutMs !== undefined) {
      this.timers.push(setTimeout(() => this.abort('timeout', timeoutGraceMs, new TimeoutError(`timed out after ${timeoutMs} ms`)), timeoutMs));
    }
    let call: Promise<ProcessorResult>;
    try {
      call = Promise.resolve(provider.execute(context));
    } catch (error) {
      call = Promise.reject(error);
    }
    call.then(
      (value) => this.finish(normalizeResult(value, provider.name)),
      (error: unknown) => this.finish({ kind: 'retry', error: `provider ${provider.name} failed: ${error instanceof Error ? error.message : String(error)}` }),
    );
  }

  /** Aborts the signal; after `graceMs` without an answer the attempt is abandoned. */
  abort(cause: AbortCause, graceMs: number, reason?: unknown): void {
    if (this.settled || this.abortedBy) return;
    this.abortedBy = cause;
    this.controller.abort(reason ?? (cause === 'cancel' ? 'cancelled' : new TimeoutError('timed out')));
    this.timers.push(setTimeout(() => this.end({ result: this.abortResult(), abortedBy: cause, abandoned: true }), graceMs));
  }

  private abortResult(): ProcessorResult {
    return this.abortedBy === 'timeout' ? { kind: 'retry', error: `timed out after ${this.timeoutMs} ms` } : { kind: 'fatal', error: 'cancelled' };
  }

  private finish(result: ProcessorResult): void {
    // Work that completed despite the abort is kept; any other answer to an abort means the abort.
    if (this.abortedBy && result.kind !== 'complete') this.end({ result: this.abortResult(), abortedBy: this.abortedBy });
    else this.end(this.abortedBy ? { result, abortedBy: this.abortedBy } : { result });
  }

  private end(outcome: AttemptOutcome): void {
    if (this.settled) return;
    this.settled = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.settle(outcome);
  }
}
