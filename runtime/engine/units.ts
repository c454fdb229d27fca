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

export class ActivityRun implements QueueNode {
  state: ActivityState = 'pending';
  /** Expanded into units, or settled without running (skipped, cancelled). */
  decided = false;
  settled = false;
  /** Dependencies not settled yet. */
  depsLeft: number;
  units: UnitRun[] = [];
  /** Units not settled yet. */
  unitsLeft = 0;
  activeUnits = 0;
  queuedAt = 0;
  outputs: unknown;
  error: string | undefined;
  firstStartedAt: number | undefined;
  private ready: UnitRun[] = [];
  private readyHead = 0;

  constructor(readonly plan: PlanNode) {
    this.depsLeft = plan.deps.length;
  }

  get id(): string { return this.plan.id; }
  get pools(): readonly (readonly [string, number])[] { return this.plan.pools; }
  get unitLimit(): number { return this.plan.unitLimit; }

  hasReady(): boolean {
    return this.readyHead < this.ready.length;
  }

  pushReady(unit: UnitRun): void {
    unit.queued = true;
    this.ready.push(unit);
  }

  peekReady(): UnitRun | undefined {
    return this.ready[this.readyHead];
  }

  shiftReady(): UnitRun {
    const unit = this.ready[this.readyHead++];
    if (this.readyHead === this.ready.length) { this.ready = []; this.readyHead = 0; }
    unit.queued = false;
    return unit;
  }

  /** Empties the queue, returning what was in it. */
  drainReady(): UnitRun[] {
    const rest = this.ready.slice(this.readyHead);
    this.ready = [];
    this.readyHead = 0;
    for (const unit of rest) unit.queued = false;
    return rest;
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
  /** Last attempt number used (continues across resumes). */
  attempt = 0;
  /** `attempt` when this process took the unit over: the retry budget counts from here. */
  attemptBase = 0;
  poll = 0;
  pollState: unknown;
  firstStartedAt: number | undefined;
  inputs: Record<string, unknown> | undefined;
  execution: AttemptExecution | undefined;
  /** Holds a run slot and its pools (from the start of an attempt to its end, Schedule delays included). */
  holding = false;
  queued = false;
  timer: TimerHandle | undefined;
  outputs: unknown;
  error: string | undefined;
  idempotencyKey: string | undefined;
  /** The context of the provider call in progress. */
  context: import('./attemptContext').AttemptContext | undefined;
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
    const ref: ActivityRef = { activityId: activity.id };
    if (instance !== undefined) ref.instance = instance;
    if (host) ref.host = host.name;
    this.ref = ref;
  }

  get settled(): boolean {
    return this.state === 'succeeded' || this.state === 'failed' || this.state === 'skipped' || this.state === 'cancelled';
  }
}
