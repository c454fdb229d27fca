/**
 * The cancel requests an agent has heard (core NATS, fire-and-forget): they abort the attempts in
 * flight that they name, and are remembered for a while so that a message of a cancelled run or
 * dispatch that is delivered later (a nak'd retry, a Schedule poll, one still queued) is terminated
 * without running. Memory is bounded in count and age: an old cancel is forgotten, and the
 * orchestrator, which deletes queued messages of a cancelled run, covers that case.
 */
import type { CancelRequest } from '../protocol';

export interface CancelMemoryOptions {
  /** Runs remembered at most (the oldest go first). */
  maxRuns?: number;
  /** Dispatch ids remembered per run at most. */
  maxDispatchesPerRun?: number;
  /** How long a cancel is remembered. */
  ttlMs?: number;
  now?: () => number;
}

interface RunCancel {
  at: number;
  /** Set when the whole run is cancelled. */
  all?: string;
  dispatches: Map<string, string>;
}

export class CancelMemory {
  private readonly runs = new Map<string, RunCancel>();
  private readonly maxRuns: number;
  private readonly maxDispatches: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: CancelMemoryOptions = {}) {
    this.maxRuns = options.maxRuns ?? 10_000;
    this.maxDispatches = options.maxDispatchesPerRun ?? 100_000;
    this.ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
    this.now = options.now ?? Date.now;
  }

  remember(request: CancelRequest): void {
    const now = this.now();
    let run = this.runs.get(request.runId);
    if (run) this.runs.delete(request.runId);
    else run = { at: now, dispatches: new Map() };
    run.at = now;
    if (!request.dispatchIds) run.all = request.reason;
    else {
      for (const id of request.dispatchIds) {
        run.dispatches.delete(id);
        run.dispatches.set(id, request.reason);
        if (run.dispatches.size > this.maxDispatches) run.dispatches.delete(run.dispatches.keys().next().value as string);
      }
    }
    // Re-inserted, so the map's order is the order of last use: the first entries are the oldest.
    this.runs.set(request.runId, run);
    while (this.runs.size > this.maxRuns) this.runs.delete(this.runs.keys().next().value as string);
  }

  /** The reason `dispatchId` of `runId` was cancelled, if it was (and is still remembered). */
  reasonFor(runId: string, dispatchId: string): string | undefined {
    const run = this.runs.get(runId);
    if (!run) return undefined;
    if (this.now() - run.at > this.ttlMs) {
      this.runs.delete(runId);
      return undefined;
    }
    return run.all ?? run.dispatches.get(dispatchId);
  }

  get size(): number {
    return this.runs.size;
  }
}
