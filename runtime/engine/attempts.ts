/**
 * One attempt of one unit: the retry policy that governs it, the backoff before the next one, and the
 * call into the provider with its timeout. A timed-out or cancelled attempt has its signal aborted and
 * gets a grace period to stop (providers kill their process tree or close their channel on abort);
 * one that does not stop in time is abandoned, so a stuck provider can never hang the run.
 */
import type { ActivityDefinition, ActivitySpec, Backoff, OrchestrationDefinition, RetryPolicy } from '../model/types';
import { AttemptContext } from './attemptContext';
import type { Clock, TimerHandle } from './clock';
import type { ProcessorResult, Provider } from './provider';

export interface AttemptPolicy {
  maxAttempts: number;
  backoff: Backoff;
  delayMs: number;
  maxDelayMs: number;
  jitter: boolean;
  timeoutMs?: number;
}

export const RETRY_DEFAULTS: Readonly<Required<RetryPolicy>> = { maxAttempts: 1, backoff: 'exponential', delayMs: 1000, maxDelayMs: 60000, jitter: true };

/** Each field from the activity, else its type's definition, else the orchestration's `defaults`, else the format's default. */
export function attemptPolicy(activity: ActivitySpec, type: ActivityDefinition | undefined, defaults: OrchestrationDefinition['defaults']): AttemptPolicy {
  const layers = [activity.retry, type?.retry, defaults?.retry];
  const pick = <K extends keyof RetryPolicy>(key: K): Required<RetryPolicy>[K] => {
    for (const layer of layers) if (layer && layer[key] !== undefined) return layer[key] as Required<RetryPolicy>[K];
    return RETRY_DEFAULTS[key];
  };
  const policy: AttemptPolicy = {
    maxAttempts: Math.max(1, Math.floor(pick('maxAttempts'))),
    backoff: pick('backoff') === 'fixed' ? 'fixed' : 'exponential',
    delayMs: Math.max(0, pick('delayMs')),
    maxDelayMs: Math.max(0, pick('maxDelayMs')),
    jitter: pick('jitter') !== false,
  };
  const timeoutMs = activity.timeoutMs ?? type?.timeoutMs ?? defaults?.timeoutMs;
  if (timeoutMs !== undefined && timeoutMs > 0) policy.timeoutMs = timeoutMs;
  return policy;
}

/**
 * The delay before the attempt that follows the `failures`-th failed one: `delayMs` (fixed) or
 * `delayMs * 2^(failures-1)` (exponential), capped at `maxDelayMs`. Jitter spreads it over
 * [delay/2, delay] so that many units failing together do not retry in lockstep, while never waiting
 * longer than the policy says.
 */
export function backoffDelay(policy: AttemptPolicy, failures: number, random: () => number): number {
  const base = policy.backoff === 'fixed' ? policy.delayMs : policy.delayMs * 2 ** Math.max(0, failures - 1);
  const capped = Math.min(base, policy.maxDelayMs);
  if (!policy.jitter) return Math.round(capped);
  return Math.round(capped / 2 + random() * (capped / 2));
}

export type AbortCause = 'timeout' | 'cancel';

export interface AttemptOutcome {
  result: ProcessorResult;
  /** Set when the engine aborted the attempt. */
  abortedBy?: AbortCause;
  /** The provider did not return within the grace period after the abort. */
  abandoned?: boolean;
}

const KINDS = new Set(['complete', 'wait', 'schedule', 'retry', 'fatal']);

/** A provider's answer checked for shape: anything else is a FatalError naming the provider. */
export function normalizeResult(value: unknown, provider: string): ProcessorResult {
  const invalid = (why: string): ProcessorResult => ({ kind: 'fatal', error: `provider ${provider} returned an invalid result: ${why}` });
  if (!value || typeof value !== 'object') return invalid(`expected an object, got ${value === null ? 'null' : typeof value}`);
  const result = value as Record<string, unknown>;
  if (typeof result.kind !== 'string' || !KINDS.has(result.kind)) return invalid(`unknown kind ${JSON.stringify(result.kind)}`);
  switch (result.kind) {
    case 'complete': {
      const outputs = result.outputs;
      if (outputs !== undefined && (typeof outputs !== 'object' || outputs === null || Array.isArray(outputs))) return invalid('outputs must be an object');
      // The common case, kept as it is: no copy per activity.
      return outputs === undefined ? { kind: 'complete', outputs: {} } : value as ProcessorResult;
    }
    case 'wait':
      return { kind: 'wait', message: typeof result.message === 'string' ? result.message : undefined };
    case 'schedule': {
      const delayMs = Number(result.delayMs);
      if (!Number.isFinite(delayMs) || delayMs < 0) return invalid('schedule needs a delayMs >= 0');
      return { kind: 'schedule', delayMs, state: result.state, message: typeof result.message === 'string' ? result.message : undefined };
    }
    case 'retry': {
      const delayMs = result.delayMs === undefined ? undefined : Number(result.delayMs);
      return { kind: 'retry', error: String(result.error ?? 'retry requested'), delayMs: delayMs !== undefined && Number.isFinite(delayMs) && delayMs >= 0 ? delayMs : undefined };
    }
    default:
      return { kind: 'fatal', error: String(result.error ?? 'fatal error') };
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * One call of a provider, with its timeout and its abort. `settle` hears the outcome exactly once, and
 * never from inside a call into this object (always from a promise callback, a timer or a microtask).
 * It is told the `owner` the attempt was started for, so one function serves every attempt.
 */
export class AttemptExecution<O> {
  private settled = false;
  private abortedBy: AbortCause | undefined;
  private timers: TimerHandle[] | undefined;

  constructor(
    provider: Provider,
    readonly context: AttemptContext<O>,
    private readonly clock: Clock,
    private readonly timeoutMs: number | undefined,
    private readonly timeoutGraceMs: number,
    private readonly settle: (owner: O, execution: AttemptExecution<O>, outcome: AttemptOutcome) => void,
    private readonly owner: O,
  ) {
    if (timeoutMs !== undefined) {
      this.addTimer(clock.setTimeout(() => this.abort('timeout', this.timeoutGraceMs, new TimeoutError(`timed out after ${timeoutMs} ms`)), timeoutMs));
    }
    let call: Promise<ProcessorResult>;
    try {
      call = Promise.resolve(provider.execute(context));
    } catch (error) {
      call = Promise.reject(error);
    }
    call.then(
      (value) => this.finish(normalizeResult(value, provider.name)),
      (error: unknown) => this.finish({ kind: 'retry', error: `provider ${provider.name} failed: ${describe(error)}` }),
    );
  }

  get aborted(): boolean {
    return this.abortedBy !== undefined;
  }

  /** Aborts the attempt's signal; after `graceMs` without an answer the attempt is abandoned. */
  abort(cause: AbortCause, graceMs: number, reason?: unknown): void {
    if (this.settled || this.abortedBy) return;
    this.abortedBy = cause;
    AttemptContext.abort(this.context, reason ?? (cause === 'cancel' ? 'cancelled' : new TimeoutError('timed out')));
    this.addTimer(this.clock.setTimeout(() => {
      if (this.settled) return;
      this.settled = true;
      this.clearTimers();
      this.settle(this.owner, this, { result: this.abortResult(), abortedBy: cause, abandoned: true });
    }, graceMs));
  }

  /** Stops waiting for the provider now (a second Ctrl-C): the attempt is abandoned. */
  abandon(cause: AbortCause, reason?: unknown): void {
    if (this.settled) return;
    if (!this.abortedBy) this.abort(cause, 0, reason);
    if (this.settled) return;
    this.settled = true;
    this.clearTimers();
    const outcome: AttemptOutcome = { result: this.abortResult(), abortedBy: this.abortedBy, abandoned: true };
    queueMicrotask(() => this.settle(this.owner, this, outcome));
  }

  private addTimer(timer: TimerHandle): void {
    (this.timers ??= []).push(timer);
  }

  private abortResult(): ProcessorResult {
    return this.abortedBy === 'timeout'
      ? { kind: 'retry', error: `timed out after ${this.timeoutMs} ms` }
      : { kind: 'fatal', error: 'cancelled' };
  }

  private finish(result: ProcessorResult): void {
    if (this.settled) return;
    this.settled = true;
    this.clearTimers();
    // Work that completed despite the abort is kept; any other answer to an abort means the abort.
    if (this.abortedBy && result.kind !== 'complete') {
      this.settle(this.owner, this, { result: this.abortResult(), abortedBy: this.abortedBy });
      return;
    }
    this.settle(this.owner, this, this.abortedBy ? { result, abortedBy: this.abortedBy } : { result });
  }

  private clearTimers(): void {
    if (!this.timers) return;
    for (const timer of this.timers) this.clock.clearTimeout(timer);
    this.timers = undefined;
  }
}
