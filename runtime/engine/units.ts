/**
 * The moving parts of a run: an ActivityRun per activity of the plan, and a UnitRun per thing that
 * runs (the activity itself, or each of its forEach/host instances). A fanned-out activity settles
 * when all its instances have; a plain one settles with its single unit.
 */
import type { TimerHandle } from './clock';
import type { AttemptExecution } from './attempts';
import type { QueueNode } from './dispatch';
import type { ActivityRef, ActivityState } from './events';
import { unitKey } from './events';
import type { PlanNode } from './plan';
import type { LogLineRedactor } from './secrets';
import type { LogStream } from './provider';

/** Shared by every activity not expanded yet: 10,000 activities need no 10,000 empty arrays. */
const NO_UNITS: readonly UnitRun[] = Object.freeze([]);

export class ActivityRun implements QueueNode {
  state: ActivityState = 'pending';
  /** Expanded into units, or settled without running (skipped, cancelled). */
  decided = false;
  settled = false;
  units: readonly UnitRun[] = NO_UNITS;
  /** Units not settled yet. */
  unitsLeft = 0;
  activeUnits = 0;
  queuedAt = 0;
  outputs: unknown;
  error: string | undefined;
  firstStartedAt: number | undefined;
  /**
   * The ready queue: its head in a field of its own, the rest (fanned-out activities only) in an
   * array made when needed, so a plain activity's one unit passes through without an allocation.
   */
  private readyFirst: UnitRun | undefined;
  private readyRest: UnitRun[] | undefined;
  private readyHead = 0;

  constructor(readonly plan: PlanNode) {}

  get id(): string { return this.plan.id; }
  get pools(): readonly (readonly [string, number])[] { return this.plan.pools; }
  get unitLimit(): number { return this.plan.unitLimit; }

  hasReady(): boolean {
    return this.readyFirst !== undefined;
  }

  pushReady(unit: UnitRun): void {
    unit.queued = true;
    if (this.readyFirst === undefined) this.readyFirst = unit;
    else (this.readyRest ??= []).push(unit);
  }

  peekReady(): UnitRun | undefined {
    return this.readyFirst;
  }

  shiftReady(): UnitRun {
    const unit = this.readyFirst!;
    const rest = this.readyRest;
    if (rest !== undefined && this.readyHead < rest.length) {
      this.readyFirst = rest[this.readyHead];
      rest[this.readyHead++] = undefined!;
      if (this.readyHead === rest.length) { rest.length = 0; this.readyHead = 0; }
    } else {
      this.readyFirst = undefined;
    }
    unit.queued = false;
    return unit;
  }

  /** Empties the queue, returning what was in it. */
  drainReady(): UnitRun[] {
    const drained: UnitRun[] = [];
    while (this.readyFirst !== undefined) drained.push(this.shiftReady());
    return drained;
  }
}

export interface UnitHost {
  name: string;
  entry?: import('../model/types').HostEntry;
  inventoryDir?: string;
}

export class UnitRun {
  state: ActivityState = 'pending';
  readonly ref: ActivityRef;
  readonly key: string;
  /** Neither an instance nor on a host: its ref is `{ activityId }` alone (hot paths spell events out). */
  readonly plain: boolean;
  /** Last attempt number used (continues across resumes). */
  attempt = 0;
  /** `attempt` when this process took the unit over: the retry budget counts from here. */
  attemptBase = 0;
  poll = 0;
  pollState: unknown;
  firstStartedAt: number | undefined;
  inputs: Record<string, unknown> | undefined;
  execution: AttemptExecution<UnitRun> | undefined;
  /** Holds a run slot and its pools (from the start of an attempt to its end, Schedule delays included). */
  holding = false;
  queued = false;
  timer: TimerHandle | undefined;
  outputs: unknown;
  error: string | undefined;
  idempotencyKey: string | undefined;
  /** The context of the provider call in progress. */
  context: import('./attemptContext').AttemptContext<UnitRun> | undefined;
  logRedactors: Map<LogStream, LogLineRedactor> | undefined;
  logPath: string | undefined;
  poolWaitReported = false;

  constructor(
    readonly activity: ActivityRun,
    readonly instance: number | undefined,
    readonly host: UnitHost | undefined,
    readonly item: { as: string; value: unknown } | undefined,
  ) {
    this.key = unitKey(activity.id, instance);
    this.plain = instance === undefined && host === undefined;
    const ref: ActivityRef = { activityId: activity.id };
    if (instance !== undefined) ref.instance = instance;
    if (host) ref.host = host.name;
    this.ref = ref;
  }

  get settled(): boolean {
    return this.state === 'succeeded' || this.state === 'failed' || this.state === 'skipped' || this.state === 'cancelled';
  }
}
