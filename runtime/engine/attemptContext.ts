/**
 * The ProcessorContext of one provider call. Two parts are made on first use only: the abort signal
 * (an AbortController costs more than the rest of a no-op attempt) and the work folder path (knowing
 * whether any provider asked for one tells the engine whether there is a folder to remove). Both are
 * accessors on the prototype; everything else is a plain property.
 */
import { join } from 'node:path';
import type { ActivityDefinition, ActivitySpec, HostEntry } from '../model/types';
import type { LogStream, ProcessorContext, RemoteAttempts } from './provider';

/** An abort that creates its AbortController only when someone looks at the signal. */
export class LazyAbort {
  private controller: AbortController | undefined;
  private reason: unknown;
  private done = false;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.done) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.done;
  }

  abort(reason: unknown): void {
    if (this.done) return;
    this.done = true;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}

export class AttemptContext implements ProcessorContext {
  instance?: number;
  host?: string;
  hostEntry?: HostEntry;
  inventoryDir?: string;
  state?: unknown;
  remote?: RemoteAttempts;
  /** Whether the provider read `workDir`. */
  workDirUsed = false;

  constructor(
    readonly runId: string,
    readonly activityId: string,
    readonly activity: ActivitySpec,
    readonly definition: ActivityDefinition,
    readonly inputs: Record<string, unknown>,
    readonly log: (stream: LogStream, line: string) => void,
    readonly idempotencyKey: string,
    readonly attempt: number,
    readonly poll: number,
    readonly baseDir: string,
    private readonly abortState: LazyAbort,
    private readonly workRoot: string,
    private readonly unitKey: string,
  ) {}

  get signal(): AbortSignal {
    return this.abortState.signal;
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
