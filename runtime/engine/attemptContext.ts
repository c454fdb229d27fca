/**
 * The ProcessorContext of one provider call, made for every attempt, so kept to one object. Three
 * parts are made on first use only: the abort signal (an AbortController costs more than the rest of a
 * no-op attempt), the log function and the work folder path (knowing whether any provider asked for
 * one tells the engine whether there is a folder to remove). They are accessors on the prototype;
 * everything else is a plain property.
 */
import { join } from 'node:path';
import type { ActivityDefinition, ActivitySpec, HostEntry } from '../model/types';
import type { LogStream, ProcessorContext, RemoteAttempts } from './provider';

/** Where an attempt's log lines go: one function for every attempt, told which attempt speaks. */
export type AttemptLogSink<O> = (owner: O, attempt: number, stream: LogStream, line: string) => void;

export class AttemptContext<O = unknown> implements ProcessorContext {
  // Set only for the units that have them (instances, hosts, polls, remote attempts): a plain unit's
  // context carries no slots for them.
  declare instance?: number;
  declare host?: string;
  declare hostEntry?: HostEntry;
  declare inventoryDir?: string;
  declare state?: unknown;
  declare remote?: RemoteAttempts;
  /** Whether the provider read `workDir`. */
  workDirUsed = false;
  private logFn: ((stream: LogStream, line: string) => void) | undefined = undefined;
  // The abort, kept here rather than in an object of its own; its AbortController is made only when
  // someone looks at the signal.
  private controller: AbortController | undefined = undefined;
  private abortReason: unknown = undefined;
  private abortDone = false;
  /** Told of the abort without an AbortController (RemoteAttempts.onAbort: one per remote attempt). */
  private abortListeners: ((reason: unknown) => void)[] | undefined = undefined;

  constructor(
    readonly runId: string,
    readonly activityId: string,
    readonly activity: ActivitySpec,
    readonly definition: ActivityDefinition,
    readonly inputs: Record<string, unknown>,
    readonly idempotencyKey: string,
    readonly attempt: number,
    readonly poll: number,
    readonly baseDir: string,
    private readonly workRoot: string,
    private readonly unitKey: string,
    private readonly logSink: AttemptLogSink<O>,
    private readonly owner: O,
  ) {}

  /** Aborts the attempt's signal (a static, so that providers see no abort method on their context). */
  static abort<O>(ctx: AttemptContext<O>, reason: unknown): void {
    if (ctx.abortDone) return;
    ctx.abortDone = true;
    ctx.abortReason = reason;
    ctx.controller?.abort(reason);
    const listeners = ctx.abortListeners;
    ctx.abortListeners = undefined;
    if (listeners) for (const listener of listeners) listener(reason);
  }

  /** `listener` hears the abort (at once when it happened already); the cheap alternative to the signal. */
  static onAbort<O>(ctx: AttemptContext<O>, listener: (reason: unknown) => void): void {
    if (ctx.abortDone) listener(ctx.abortReason);
    else (ctx.abortListeners ??= []).push(listener);
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortDone) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  /** Made on first use (most attempts of a big run never log), then the same function every time. */
  get log(): (stream: LogStream, line: string) => void {
    return (this.logFn ??= (stream, line) => this.logSink(this.owner, this.attempt, stream, line));
  }

  get workDir(): string {
    this.workDirUsed = true;
    return attemptWorkDir(this.workRoot, this.unitKey, this.attempt);
  }
}

/** `<workRoot>/<unit>/attempt-<n>`: shared by the Schedule polls of one attempt. */
export function attemptWorkDir(workRoot: string, unitKey: string, attempt: number): string {
  return join(workRoot, unitKey, `attempt-${attempt}`);
}
