/**
 * Runs a plan, event-driven: nothing polls and there are no tiers. An activity is decided the moment
 * its last dependency settles (a `when: success` activity is skipped as soon as one dependency did not
 * succeed), expanded into its units, and each unit starts as soon as the dispatcher gives it a slot
 * and its pools. Provider results, timers (backoff, Schedule delays, timeouts) and external calls
 * (cancel, complete) are the only things that move a run forward.
 *
 * Fail-fast: after a failure that is not `continueOnError`, nothing with `when: success` starts, is
 * retried or waits any more; what runs finishes. Activities with `when: failure` or `when: always`
 * still run once their dependencies have settled: they are the run's error handlers and cleanup.
 * Cancel stops everything: attempts are aborted (with a grace period to stop), the rest is cancelled.
 */
import { validateAgainst } from '../analysis/valueValidation';
import { AttemptExecution, backoffDelay, type AttemptOutcome } from './attempts';
import type { Clock } from './clock';
import { Dispatcher } from './dispatch';
import type { ActivityRef, ActivityStartedEvent, ActivityState, ActivitySucceededEvent, EventDraft, FinalRunState } from './events';
import { InputError, readSource, resolveInputs, resolveRunOutput, type SourceScope } from './inputs';
import type { Outbox } from './outbox';
import type { RunPlan } from './plan';
import type { LogStream, ProcessorContext, RemoteAttempts } from './provider';
import { AttemptContext } from './attemptContext';
import { chainAfter } from './successors';
import type { ActivitySnapshot, RunSnapshot, UnitSnapshot } from './replay';
import { logFile, type RunPaths } from './runFolder';
import { LogLineRedactor, type Secrets } from './secrets';
import { ActivityRun, UnitRun, type UnitHost } from './units';

export interface SchedulerOptions {
  runId: string;
  plan: RunPlan;
  output?: Record<string, string>;
  clock: Clock;
  random: () => number;
  outbox: Outbox;
  secrets: Secrets;
  /** The run input, defaults merged, secrets resolved. */
  input: Record<string, unknown>;
  paths: RunPaths;
  /** Where attempt work folders go (outside the runs folder: they may hold secrets). */
  workRoot: string;
  /** How long a timed-out attempt gets to stop before it is abandoned. */
  timeoutGraceMs: number;
  /** When the run first started (durations span resumes). */
  startedAt: number;
  /** The journal's state when resuming. */
  restored?: RunSnapshot;
  onFinished(result: SchedulerResult): void;
  /** A bug in the engine: reported, and the run ends as failed. */
  onInternalError?(error: unknown): void;
}

export interface SchedulerResult {
  state: FinalRunState;
  output?: Record<string, unknown>;
  error?: string;
}

export class CompleteError extends Error {
  override readonly name = 'CompleteError';
}

const NO_PROBLEMS: readonly { path: string; message: string }[] = [];

const SETTLED_VERB: Partial<Record<ActivityState, string>> = { failed: 'failed', skipped: 'was skipped', cancelled: 'was cancelled' };

export class Scheduler {
  readonly activities: ActivityRun[];
  /** Per activity (by plan index), its dependencies not settled yet: kept together, read on every settle. */
  private readonly depsLeft: Int32Array;
  private readonly dispatcher: Dispatcher<ActivityRun>;
  private settledCount = 0;
  private failing: string | undefined;
  private cancelling: string | undefined;
  private finished = false;
  /** Whether any provider asked for its work folder (the run's temporary folder is removed when it succeeds). */
  usedWorkDirs = false;
  /** Inside the cancel sweep: the finish check waits for its end (once, not once per activity). */
  private sweeping = false;
  private readonly startNode = (node: ActivityRun) => this.startUnit(node.shiftReady());
  private readonly poolShort = (node: ActivityRun) => this.reportPoolWait(node);

  constructor(private readonly o: SchedulerOptions) {
    const nodes = o.plan.nodes;
    this.activities = new Array<ActivityRun>(nodes.length);
    this.depsLeft = new Int32Array(nodes.length);
    for (let i = 0; i < nodes.length; i++) {
      this.activities[i] = new ActivityRun(nodes[i]);
      this.depsLeft[i] = nodes[i].deps.length;
    }
    this.dispatcher = new Dispatcher(o.plan.concurrency, o.plan.pools);
  }

  /** The plan's index, shared: no map of its own to build per run. */
  private activityById(id: string): ActivityRun | undefined {
    const node = this.o.plan.byId.get(id);
    return node === undefined ? undefined : this.activities[node.index];
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /**
   * Starts every activity whose dependencies allow it (after restoring a resumed run's state). With
   * `cancelReason`, nothing starts: a run no process holds any more is marked cancelled.
   */
  start(cancelReason?: string): void {
    this.guard(() => {
      if (this.o.restored) this.restore(this.o.restored);
      if (cancelReason !== undefined) {
        // Waiting units are taken back as they were (cancel leaves them waiting); nothing is started.
        for (let i = 0; i < this.activities.length; i++) {
          const activity = this.activities[i];
          if (!activity.settled && !activity.decided && this.depsLeft[i] === 0 && this.hasSavedWaiting(activity)) this.expand(activity);
        }
        this.cancel(cancelReason, 0);
        return;
      }
      for (let i = 0; i < this.activities.length; i++) {
        const activity = this.activities[i];
        if (activity.settled || activity.decided) continue;
        if (this.depsLeft[i] === 0) this.decide(activity);
      }
      this.maybeFinish();
      this.dispatch();
    });
  }

  // ---------------------------------------------------------------------------- resume

  private restore(snapshot: RunSnapshot): void {
    for (const activity of this.activities) {
      const saved = snapshot.activities[activity.id];
      if (!saved) continue;
      if (saved.state === 'succeeded') {
        activity.state = 'succeeded';
        activity.outputs = saved.outputs;
        activity.settled = activity.decided = true;
        this.settledCount++;
        continue;
      }
      for (const unit of savedUnits(saved)) {
        if (unit.saved.state === 'running') this.o.outbox.record({ type: 'activity.interrupted', ...unit.ref, attempt: unit.saved.attempt });
      }
      if (!activity.plan.fanOut) {
        if (saved.state !== 'pending' && saved.state !== 'waiting') this.o.outbox.record({ type: 'activity.pending', activityId: activity.id, reason: 'resume' });
      } else if (saved.state !== 'pending' || saved.instances?.some((i) => i && i.state !== 'pending' && i.state !== 'succeeded' && i.state !== 'waiting')) {
        this.o.outbox.record({ type: 'activity.pending', activityId: activity.id, reason: 'resume' });
      }
    }
    for (const activity of this.activities) {
      if (!activity.settled) continue;
      for (const d of activity.plan.dependents) this.depsLeft[d]--;
    }
  }

  private hasSavedWaiting(activity: ActivityRun): boolean {
    const saved = this.o.restored?.activities[activity.id];
    return !!saved && (saved.state === 'waiting' || !!saved.instances?.some((u) => u?.state === 'waiting'));
  }

  private savedUnit(unit: UnitRun): UnitSnapshot | undefined {
    const saved = this.o.restored?.activities[unit.activity.id];
    if (!saved) return undefined;
    return unit.instance === undefined ? saved : saved.instances?.[unit.instance];
  }

  // --------------------------------------------------------------------------- decisions

  /** `dep` settled and `activity`, which depends on it, has `left` dependencies still to settle. */
  private depSettled(dep: ActivityRun, activity: ActivityRun, left: number): void {
    if (activity.decided || this.cancelling) return;
    if (activity.plan.when === 'success' && dep.state !== 'succeeded') {
      this.skipActivity(activity, `dependency '${dep.id}' ${SETTLED_VERB[dep.state] ?? dep.state}`);
      return;
    }
    if (left === 0) this.decide(activity);
  }

  private decide(activity: ActivityRun): void {
    const when = activity.plan.when;
    if (when === 'failure' && !activity.plan.deps.some((d) => this.activities[d].state === 'failed')) {
      this.skipActivity(activity, activity.plan.deps.length ? 'no dependency failed' : 'when: failure, and it has no dependency');
      return;
    }
    if (when === 'success' && this.failing) {
      this.skipActivity(activity, `not started: the run is failing ('${this.failing}' failed)`);
      return;
    }
    this.expand(activity);
  }

  private expand(activity: ActivityRun): void {
    activity.decided = true;
    const plan = activity.plan;
    if (!plan.fanOut) {
      activity.units = [new UnitRun(activity, undefined, undefined, undefined)];
      activity.unitsLeft = 1;
      this.restoreOrQueue(activity.units[0]);
      return;
    }
    let items: unknown[] = [undefined];
    const forEach = plan.spec.forEach;
    if (forEach) {
      let value: unknown;
      try {
        value = readSource(forEach.items, this.scope(undefined));
      } catch (error) {
        this.failActivity(activity, `forEach.items: ${(error as Error).message}`);
        return;
      }
      if (!Array.isArray(value)) {
        this.failActivity(activity, `forEach.items '${forEach.items}' is not an array (it is ${value === undefined ? 'missing' : value === null ? 'null' : typeof value})`);
        return;
      }
      items = value;
    }
    const hosts: (UnitHost | undefined)[] = plan.hosts?.length ? plan.hosts : [undefined];
    const units: UnitRun[] = [];
    for (const item of items) {
      for (const host of hosts) {
        units.push(new UnitRun(activity, units.length, host, forEach ? { as: forEach.as, value: item } : undefined));
      }
    }
    activity.units = units;
    activity.unitsLeft = activity.units.length;
    activity.state = 'running';
    this.o.outbox.record({
      type: 'activity.expanded',
      activityId: activity.id,
      instances: activity.units.map((u) => (u.host ? { instance: u.instance!, host: u.host.name } : { instance: u.instance! })),
    });
    if (activity.units.length === 0) {
      this.settleAggregate(activity);
      return;
    }
    for (const unit of activity.units) this.restoreOrQueue(unit);
  }

  private restoreOrQueue(unit: UnitRun): void {
    const saved = this.savedUnit(unit);
    if (saved) {
      unit.attempt = unit.attemptBase = saved.attempt;
      if (saved.state === 'succeeded' && unit.instance !== undefined) {
        unit.state = 'succeeded';
        unit.outputs = saved.outputs;
        this.unitSettled(unit);
        return;
      }
      if (saved.state === 'waiting') {
        unit.state = 'waiting';
        if (!unit.activity.plan.fanOut) unit.activity.state = 'waiting';
        return;
      }
    }
    this.enqueue(unit);
  }

  private enqueue(unit: UnitRun): void {
    unit.state = 'pending';
    unit.poolWaitReported = false;
    unit.activity.pushReady(unit);
    this.dispatcher.offer(unit.activity);
  }

  private dispatch(): void {
    if (this.finished) return;
    this.dispatcher.dispatch(this.startNode, this.poolShort);
  }

  private reportPoolWait(activity: ActivityRun): void {
    const unit = activity.peekReady();
    if (!unit || unit.poolWaitReported) return;
    unit.poolWaitReported = true;
    unit.state = 'waiting-for-pool';
    if (!activity.plan.fanOut) activity.state = 'waiting-for-pool';
    this.o.outbox.record({ type: 'activity.waiting-for-pool', ...unit.ref, pools: Object.fromEntries(activity.plan.pools) });
  }

  // ------------------------------------------------------------------------------ attempts

  private scope(unit: UnitRun | undefined): SourceScope {
    return {
      isActivity: (id) => this.o.plan.byId.has(id),
      upstream: (id) => {
        const a = this.activityById(id);
        if (!a || !a.settled) return undefined;
        return { succeeded: a.state === 'succeeded', outputs: a.outputs };
      },
      input: this.o.input,
      item: unit?.item,
    };
  }

  /** Called by the dispatcher with a unit taken off its activity's queue. */
  private startUnit(unit: UnitRun): void {
    const activity = unit.activity;
    const plan = activity.plan;
    if (unit.poll === 0) {
      unit.attempt++;
      let inputs: Record<string, unknown>;
      try {
        inputs = plan.spec.inputs?.length || unit.item ? resolveInputs(plan.spec, this.scope(unit), this.o.secrets) : {};
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        this.failUnit(unit, `inputs: ${error.message}`);
        return;
      }
      const problems = plan.type.inputSchema === undefined ? NO_PROBLEMS : validateAgainst(plan.type.inputSchema, inputs);
      if (problems.length) {
        this.failUnit(unit, `inputs do not match the inputSchema of ${plan.type.type}: ${problemText(problems)}`);
        return;
      }
      unit.inputs = inputs;
    }
    this.dispatcher.acquire(activity);
    unit.holding = true;
    unit.state = 'running';
    unit.poolWaitReported = false;
    if (!plan.fanOut) activity.state = 'running';
    // The start is the started event's time (one clock reading for both).
    const time = this.recordStarted(unit);
    unit.firstStartedAt ??= time;
    activity.firstStartedAt ??= time;
  }

  /** Returns the time the start was journaled with. */
  private recordStarted(unit: UnitRun): number {
    const key = this.idempotencyKey(unit);
    if (unit.plain) {
      // Written out whole, placeholder stamps included, for the common case (see Outbox.record).
      const { runId } = this.o;
      const event: ActivityStartedEvent = unit.poll === 0
        ? { type: 'activity.started', activityId: unit.activity.id, attempt: unit.attempt, poll: 0, idempotencyKey: key, inputs: unit.inputs, seq: 0, time: 0, runId }
        : { type: 'activity.started', activityId: unit.activity.id, attempt: unit.attempt, poll: unit.poll, idempotencyKey: key, seq: 0, time: 0, runId };
      return this.o.outbox.record(event, this.launchEffect, unit).time;
    }
    const draft: EventDraft<ActivityStartedEvent> = { type: 'activity.started', ...unit.ref, attempt: unit.attempt, poll: unit.poll, idempotencyKey: key };
    if (unit.poll === 0) draft.inputs = unit.inputs;
    return this.o.outbox.record(draft, this.launchEffect, unit).time;
  }

  private readonly launchEffect = (unit: UnitRun) => this.launchSafely(unit);

  private launchSafely(unit: UnitRun): void {
    try {
      this.launch(unit);
    } catch (error) {
      this.internalError(error);
    }
  }

  private idempotencyKey(unit: UnitRun): string {
    return (unit.idempotencyKey ??= `${this.o.runId}/${unit.key}`);
  }

  private launch(unit: UnitRun): void {
    if (this.finished || unit.state !== 'running' || unit.execution) return;
    if (this.cancelling) {
      this.endAttempt(unit);
      this.release(unit);
      this.cancelUnit(unit, this.cancelling);
      this.dispatch();
      return;
    }
    const plan = unit.activity.plan;
    const attempt = unit.attempt;
    const ctx = new AttemptContext(
      this.o.runId, plan.id, plan.spec, this.resolvedType(unit), unit.inputs ?? {}, this.idempotencyKey(unit), attempt, unit.poll,
      plan.baseDir, this.o.workRoot, unit.key, this.attemptLog, unit,
    );
    if (unit.instance !== undefined) ctx.instance = unit.instance;
    if (unit.host) {
      ctx.host = unit.host.name;
      if (unit.host.entry) ctx.hostEntry = unit.host.entry;
      if (unit.host.inventoryDir) ctx.inventoryDir = unit.host.inventoryDir;
    }
    if (unit.poll > 0 && unit.pollState !== undefined) ctx.state = unit.pollState;
    const remote = plan.provider.runsAttempts === true;
    if (remote) ctx.remote = this.remoteAttempts(unit, attempt, ctx);
    unit.context = ctx;
    unit.execution = new AttemptExecution(plan.provider, ctx, this.o.clock, remote ? undefined : plan.policy.timeoutMs, this.o.timeoutGraceMs,
      this.attemptSettled, unit);
  }

  /** Shared by every attempt (each knows its unit): no closures per attempt. */
  private readonly attemptLog = (unit: UnitRun, attempt: number, stream: LogStream, line: string) => this.logLine(unit, attempt, stream, line);
  private readonly attemptSettled = (unit: UnitRun, execution: AttemptExecution<UnitRun>, outcome: AttemptOutcome) => {
    if (execution.context.workDirUsed) this.usedWorkDirs = true;
    this.settled(unit, execution, outcome);
  };

  /**
   * What a provider that runs attempts elsewhere reports, journaled as a local run's steps would be.
   * Its attempt numbers start at 1 for this call, which began at the run's attempt `base`.
   */
  private remoteAttempts(unit: UnitRun, base: number, ctx: AttemptContext<UnitRun>): RemoteAttempts {
    // Reports of a call that has ended (or of an earlier one) change nothing.
    const live = () => !this.finished && unit.context === ctx;
    return {
      policy: unit.activity.plan.policy,
      onAbort: (listener) => AttemptContext.onAbort(ctx, listener),
      successors: (max) => (unit.plain && unit.activity.plan.dependents.length && live() ? chainAfter(unit.activity, unit.activity.plan.provider, max, {
        runId: this.o.runId, plan: this.o.plan, activities: this.activities, secrets: this.o.secrets, scope: this.scope(undefined),
        stopping: this.cancelling !== undefined || this.failing !== undefined,
        restored: (id) => this.o.restored?.activities[id] !== undefined,
      }) : []),
      references: (value) => this.o.secrets.references(value),
      started: (attempt, poll, agent, delivery) => this.guard(() => {
        if (!live()) return;
        const absolute = base + attempt - 1;
        if (absolute !== unit.attempt) this.endAttempt(unit);
        unit.attempt = absolute;
        unit.poll = poll;
        unit.state = 'running';
        if (!unit.activity.plan.fanOut) unit.activity.state = 'running';
        this.o.outbox.record({ type: 'activity.started', ...unit.ref, attempt: absolute, poll, idempotencyKey: this.idempotencyKey(unit), agent, delivery });
      }),
      log: (attempt, stream, line) => this.guard(() => this.logLine(unit, base + attempt - 1, stream, line)),
      retrying: (attempt, error, delayMs) => this.guard(() => {
        if (!live()) return;
        this.endAttempt(unit);
        unit.state = 'retrying';
        if (!unit.activity.plan.fanOut) unit.activity.state = 'retrying';
        this.o.outbox.record({ type: 'activity.retrying', ...unit.ref, attempt: base + attempt - 1, error, delayMs });
      }),
      scheduled: (attempt, poll, delayMs, message) => this.guard(() => {
        if (!live()) return;
        this.o.outbox.record({ type: 'activity.scheduled', ...unit.ref, attempt: base + attempt - 1, poll, delayMs, ...(message ? { message } : {}) });
      }),
    };
  }

  private resolvedTypes = new Map<string, ProcessorContext['definition']>();

  /** The activity definition with the secrets of its `config` resolved (once per type). */
  private resolvedType(unit: UnitRun): ProcessorContext['definition'] {
    const type = unit.activity.plan.type;
    let resolved = this.resolvedTypes.get(type.type);
    if (!resolved) {
      resolved = type.config === undefined ? type : { ...type, config: this.o.secrets.resolve(type.config) };
      this.resolvedTypes.set(type.type, resolved);
    }
    return resolved;
  }

  private logLine(unit: UnitRun, attempt: number, stream: LogStream, text: string): void {
    const path = logFile(this.o.paths, unit.activity.id, unit.instance, attempt);
    const pieces = String(text).split(/\r?\n/);
    if (pieces.length > 1 && pieces[pieces.length - 1] === '') pieces.pop();
    const current = attempt === unit.attempt && (unit.execution !== undefined || unit.holding);
    if (!current) {
      // A provider still talking after its attempt ended (it was abandoned): kept in that attempt's log.
      for (const piece of pieces) this.o.outbox.log(unit.ref, attempt, stream, this.o.secrets.redactor.text(piece), path);
      this.o.outbox.closeLog(path);
      return;
    }
    unit.logPath = path;
    const redactors = (unit.logRedactors ??= new Map());
    let redactor = redactors.get(stream);
    if (!redactor) redactors.set(stream, (redactor = new LogLineRedactor(this.o.secrets.redactor)));
    for (const piece of pieces) for (const line of redactor.push(piece)) this.o.outbox.log(unit.ref, attempt, stream, line, path);
  }

  private settled(unit: UnitRun, execution: AttemptExecution<UnitRun>, outcome: AttemptOutcome): void {
    try {
      this.onOutcome(unit, execution, outcome);
    } catch (error) {
      this.internalError(error);
    }
  }

  private onOutcome(unit: UnitRun, execution: AttemptExecution<UnitRun>, outcome: AttemptOutcome): void {
    if (unit.execution !== execution) return;
    unit.execution = undefined;
    unit.context = undefined;
    if (this.finished) return;
    const result = outcome.result;
    if (this.cancelling && result.kind !== 'complete') {
      this.endAttempt(unit);
      this.release(unit);
      this.cancelUnit(unit, this.cancelling);
      this.dispatch();
      return;
    }
    const plan = unit.activity.plan;
    switch (result.kind) {
      case 'complete': {
        const outputs = result.outputs ?? {};
        const problems = plan.type.outputSchema === undefined ? NO_PROBLEMS : validateAgainst(plan.type.outputSchema, outputs);
        this.endAttempt(unit);
        this.release(unit);
        if (problems.length) this.failUnit(unit, `outputs do not match the outputSchema of ${plan.type.type}: ${problemText(problems)}`);
        else this.succeedUnit(unit, outputs);
        break;
      }
      case 'schedule': {
        // A polled attempt is running work: fail-fast lets it finish; only cancel stops it.
        this.o.outbox.record({ type: 'activity.scheduled', ...unit.ref, attempt: unit.attempt, poll: unit.poll, delayMs: result.delayMs, ...(result.message ? { message: result.message } : {}) });
        unit.poll++;
        unit.pollState = result.state;
        unit.timer = this.o.clock.setTimeout(() => this.guard(() => {
          unit.timer = undefined;
          if (this.cancelling) {
            this.endAttempt(unit);
            this.release(unit);
            this.cancelUnit(unit, this.cancelling);
          } else {
            this.recordStarted(unit);
          }
          this.dispatch();
        }), result.delayMs);
        break;
      }
      case 'wait': {
        this.endAttempt(unit);
        this.release(unit);
        const stop = this.stopReason(unit);
        if (stop) { this.cancelUnit(unit, stop); break; }
        unit.state = 'waiting';
        if (!plan.fanOut) unit.activity.state = 'waiting';
        this.o.outbox.record({ type: 'activity.waiting', ...unit.ref, attempt: unit.attempt, ...(result.message ? { message: result.message } : {}) });
        break;
      }
      case 'retry':
        this.endAttempt(unit);
        this.release(unit);
        this.retryOrFail(unit, result.error, result.delayMs);
        break;
      case 'fatal':
        this.endAttempt(unit);
        this.release(unit);
        this.failUnit(unit, result.error);
        break;
    }
    this.dispatch();
  }

  /** Why a unit may not go on (cancel, or fail-fast for a `when: success` activity). */
  private stopReason(unit: UnitRun): string | undefined {
    if (this.cancelling) return this.cancelling;
    if (this.failing && unit.activity.plan.when === 'success') return `stopped: the run is failing ('${this.failing}' failed)`;
    return undefined;
  }

  private retryOrFail(unit: UnitRun, error: string, delayOverride: number | undefined): void {
    const policy = unit.activity.plan.policy;
    const used = unit.attempt - unit.attemptBase;
    const stop = this.stopReason(unit);
    if (used < policy.maxAttempts && !stop) {
      const delayMs = delayOverride ?? backoffDelay(policy, used, this.o.random);
      unit.state = 'retrying';
      if (!unit.activity.plan.fanOut) unit.activity.state = 'retrying';
      this.o.outbox.record({ type: 'activity.retrying', ...unit.ref, attempt: unit.attempt, error, delayMs });
      unit.timer = this.o.clock.setTimeout(() => this.guard(() => {
        unit.timer = undefined;
        const stopNow = this.stopReason(unit);
        if (stopNow) this.cancelUnit(unit, stopNow);
        else this.enqueue(unit);
        this.dispatch();
      }), delayMs);
      return;
    }
    const note = stop && used < policy.maxAttempts ? ` (not retried: ${stop})` : used > 1 ? ` (after ${used} attempts)` : '';
    this.failUnit(unit, error + note);
  }

  private endAttempt(unit: UnitRun): void {
    unit.poll = 0;
    unit.pollState = undefined;
    if (unit.logRedactors) {
      for (const [stream, redactor] of unit.logRedactors) {
        for (const line of redactor.flush()) this.o.outbox.log(unit.ref, unit.attempt, stream, line, unit.logPath!);
      }
      unit.logRedactors = undefined;
    }
    if (unit.logPath) {
      this.o.outbox.closeLog(unit.logPath);
      unit.logPath = undefined;
    }
  }

  private release(unit: UnitRun): void {
    if (!unit.holding) return;
    unit.holding = false;
    this.dispatcher.release(unit.activity);
  }

  // ------------------------------------------------------------------------------ settling

  private succeedUnit(unit: UnitRun, outputs: unknown, completedBy?: 'external'): void {
    unit.state = 'succeeded';
    unit.outputs = outputs;
    const durationMs = this.since(unit.firstStartedAt);
    if (unit.plain && !completedBy) {
      const event: ActivitySucceededEvent = { type: 'activity.succeeded', activityId: unit.activity.id, attempt: unit.attempt, outputs, durationMs, seq: 0, time: 0, runId: this.o.runId };
      this.o.outbox.record(event);
    } else {
      const draft: EventDraft<ActivitySucceededEvent> = { type: 'activity.succeeded', ...unit.ref, attempt: unit.attempt, outputs, durationMs };
      if (completedBy) draft.completedBy = completedBy;
      this.o.outbox.record(draft);
    }
    this.unitSettled(unit);
  }

  private failUnit(unit: UnitRun, error: string): void {
    unit.state = 'failed';
    unit.error = error;
    this.o.outbox.record({ type: 'activity.failed', ...unit.ref, attempt: unit.attempt, error, durationMs: this.since(unit.firstStartedAt) });
    this.unitSettled(unit);
  }

  private cancelUnit(unit: UnitRun, reason: string): void {
    this.clearTimer(unit);
    unit.state = 'cancelled';
    this.o.outbox.record({ type: 'activity.cancelled', ...unit.ref, reason, ...(unit.attempt ? { attempt: unit.attempt } : {}) });
    this.unitSettled(unit);
  }

  private skipUnit(unit: UnitRun, reason: string): void {
    unit.state = 'skipped';
    this.o.outbox.record({ type: 'activity.skipped', ...unit.ref, reason });
    this.unitSettled(unit);
  }

  private clearTimer(unit: UnitRun): void {
    if (unit.timer) { this.o.clock.clearTimeout(unit.timer); unit.timer = undefined; }
  }

  private unitSettled(unit: UnitRun): void {
    const activity = unit.activity;
    if (!activity.plan.fanOut) {
      activity.state = unit.state;
      activity.outputs = unit.outputs;
      activity.error = unit.error;
      this.activitySettled(activity);
      return;
    }
    activity.unitsLeft--;
    if (activity.unitsLeft === 0) this.settleAggregate(activity);
  }

  /** A fanned-out activity whose instances have all settled. */
  private settleAggregate(activity: ActivityRun): void {
    const units = activity.units;
    const failed = units.filter((u) => u.state === 'failed');
    const stopped = units.filter((u) => u.state === 'cancelled' || u.state === 'skipped');
    const ref: ActivityRef = { activityId: activity.id };
    const durationMs = this.since(activity.firstStartedAt);
    if (failed.length) {
      activity.state = 'failed';
      activity.error = `${failed.length} of ${units.length} instances failed; ${failed[0].key}: ${failed[0].error}`;
      this.o.outbox.record({ type: 'activity.failed', ...ref, error: activity.error, durationMs });
    } else if (stopped.length) {
      activity.state = 'cancelled';
      this.o.outbox.record({ type: 'activity.cancelled', ...ref, reason: `${stopped.length} of ${units.length} instances did not run (${this.cancelling ?? this.failingReason()})` });
    } else {
      activity.state = 'succeeded';
      activity.outputs = units.map((u) => u.outputs);
      this.o.outbox.record({ type: 'activity.succeeded', ...ref, outputs: activity.outputs, durationMs });
    }
    this.activitySettled(activity);
  }

  private failingReason(): string {
    return this.failing ? `the run is failing: '${this.failing}' failed` : 'stopped';
  }

  private skipActivity(activity: ActivityRun, reason: string): void {
    activity.decided = true;
    activity.state = 'skipped';
    this.o.outbox.record({ type: 'activity.skipped', activityId: activity.id, reason });
    this.activitySettled(activity);
  }

  private failActivity(activity: ActivityRun, error: string): void {
    activity.decided = true;
    activity.state = 'failed';
    activity.error = error;
    this.o.outbox.record({ type: 'activity.failed', activityId: activity.id, error });
    this.activitySettled(activity);
  }

  private cancelActivity(activity: ActivityRun, reason: string): void {
    activity.decided = true;
    activity.state = 'cancelled';
    this.o.outbox.record({ type: 'activity.cancelled', activityId: activity.id, reason });
    this.activitySettled(activity);
  }

  private activitySettled(activity: ActivityRun): void {
    if (activity.settled) return;
    activity.settled = activity.decided = true;
    this.settledCount++;
    this.dispatcher.withdraw(activity);
    if (activity.state === 'failed' && !activity.plan.spec.continueOnError) this.failFast(activity);
    const dependents = activity.plan.dependents;
    const succeeded = activity.state === 'succeeded';
    for (let i = 0; i < dependents.length; i++) {
      const d = dependents[i];
      const left = --this.depsLeft[d];
      // A success decides nothing until the last dependency settles: the dependent is not even
      // looked at before then (with thousands of activities, each look is a cache miss).
      if (left === 0 || !succeeded) this.depSettled(activity, this.activities[d], left);
    }
    this.maybeFinish();
  }

  /** The first failure that fails the run: stop what has not started, let what runs finish. */
  private failFast(cause: ActivityRun): void {
    if (this.failing) return;
    this.failing = cause.id;
    const reason = `stopped: the run is failing ('${cause.id}' failed)`;
    for (const activity of this.activities) {
      if (activity.settled || !activity.decided || activity.plan.when !== 'success') continue;
      this.dispatcher.withdraw(activity);
      for (const unit of activity.drainReady()) {
        // Never attempted here: skipped; a unit back in the queue after a failed attempt: cancelled.
        if (unit.attempt === unit.attemptBase) this.skipUnit(unit, `not started: the run is failing ('${cause.id}' failed)`);
        else this.cancelUnit(unit, reason);
      }
      for (const unit of activity.units) {
        // A remote attempt loop (runsAttempts) is running work even while it backs off: it finishes.
        if ((unit.state === 'retrying' && !unit.execution) || unit.state === 'waiting') this.cancelUnit(unit, reason);
      }
    }
  }

  private since(start: number | undefined): number {
    return start === undefined ? 0 : Math.max(0, this.o.clock.now() - start);
  }

  /** Waiting for an external completion and nothing else: cancel leaves it waiting (complete resumes the run). */
  private parked(activity: ActivityRun): boolean {
    return activity.decided && activity.units.length > 0
      && activity.units.every((u) => u.settled || (u.state === 'waiting' && !u.execution && !u.holding));
  }

  private maybeFinish(): void {
    if (this.finished || this.sweeping) return;
    if (this.settledCount < this.activities.length) {
      if (!this.cancelling || this.dispatcher.active > 0) return;
      if (!this.activities.every((a) => a.settled || this.parked(a))) return;
    }
    this.finished = true;
    const counts: Partial<Record<ActivityState, number>> = {};
    for (const a of this.activities) counts[a.state] = (counts[a.state] ?? 0) + 1;
    const failure = this.activities.find((a) => a.state === 'failed' && !a.plan.spec.continueOnError);
    let result: SchedulerResult;
    if (this.cancelling && this.activities.some((a) => a.state === 'cancelled' || !a.settled)) {
      result = { state: 'cancelled', error: this.cancelling };
    } else if (failure) {
      result = { state: 'failed', error: `activity ${failure.id} failed: ${failure.error ?? 'see its events'}` };
    } else {
      const { output } = resolveRunOutput(this.o.output, this.scope(undefined));
      result = { state: 'succeeded', output };
    }
    this.o.outbox.record({
      type: 'run.finished',
      state: result.state,
      durationMs: this.since(this.o.startedAt),
      ...(result.output && Object.keys(result.output).length ? { output: result.output } : {}),
      ...(result.error ? { error: result.error } : {}),
      counts,
    });
    // What the caller gets must be as clean as what the journal got.
    this.o.onFinished(this.o.secrets.redactor.value(result));
  }

  // ----------------------------------------------------------------------- from outside

  /**
   * Graceful cancel: attempts are aborted and get `graceMs` to stop; everything else is cancelled,
   * except units waiting for an external completion: they keep waiting, and completing one later
   * resumes the run.
   */
  cancel(reason: string, graceMs: number): void {
    if (this.finished) return;
    if (this.cancelling) {
      // Asked again without patience: stop waiting for the providers.
      if (graceMs === 0) this.guard(() => { for (const a of this.activities) for (const u of a.units) u.execution?.abandon('cancel', reason); });
      return;
    }
    this.guard(() => {
      this.cancelling = reason;
      this.sweeping = true;
      this.o.outbox.record({ type: 'run.cancelling', reason, graceMs });
      for (const activity of this.activities) {
        if (activity.settled) continue;
        this.dispatcher.withdraw(activity);
        if (!activity.decided) { this.cancelActivity(activity, reason); continue; }
        activity.drainReady();
        for (const unit of activity.units) {
          if (unit.settled || unit.state === 'waiting') continue;
          if (unit.execution) unit.execution.abort('cancel', graceMs, reason);
          else {
            if (unit.holding) { this.endAttempt(unit); this.release(unit); }
            this.cancelUnit(unit, reason);
          }
        }
      }
      this.sweeping = false;
      this.maybeFinish();
    });
  }

  /**
   * Completes waiting units with `outputs` (checked against the outputSchema first). `target` is
   * `activity` (every waiting instance of it) or `activity[i]`. Returns the units completed.
   */
  complete(target: { activityId: string; instance?: number }, outputs: Record<string, unknown>): string[] {
    if (this.finished) throw new CompleteError('the run has finished');
    if (this.cancelling) throw new CompleteError('the run is being cancelled');
    const activity = this.activityById(target.activityId);
    if (!activity) throw new CompleteError(`no activity '${target.activityId}' in this run`);
    const units = activity.units.filter((u) => target.instance === undefined || u.instance === target.instance);
    if (target.instance !== undefined && !units.length) throw new CompleteError(`${activity.id} has no instance ${target.instance}`);
    const waiting = units.filter((u) => u.state === 'waiting');
    if (!waiting.length) {
      const state = target.instance !== undefined ? units[0].state : activity.state;
      throw new CompleteError(`${target.instance !== undefined ? units[0].key : activity.id} is not waiting (it is ${state})`);
    }
    const problems = validateAgainst(activity.plan.type.outputSchema, outputs);
    if (problems.length) throw new CompleteError(`the outputs do not match the outputSchema of ${activity.plan.type.type}: ${this.o.secrets.redactor.text(problemText(problems))}`);
    this.guard(() => {
      for (const unit of waiting) this.succeedUnit(unit, outputs, 'external');
      this.dispatch();
    });
    return waiting.map((u) => u.key);
  }

  /** Ends the run at once as failed (the journal broke): attempts are aborted without waiting. */
  abortAll(reason: string): void {
    for (const activity of this.activities) {
      for (const unit of activity.units) {
        unit.execution?.abort('cancel', 0, reason);
        this.clearTimer(unit);
      }
    }
    this.finished = true;
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.internalError(error);
    }
  }

  private internalError(error: unknown): void {
    if (this.o.onInternalError) this.o.onInternalError(error);
    else throw error;
  }
}

function problemText(problems: readonly { path: string; message: string }[]): string {
  return problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ');
}

function savedUnits(saved: ActivitySnapshot): { ref: ActivityRef; saved: UnitSnapshot }[] {
  if (!saved.instances) return [{ ref: { activityId: saved.id }, saved }];
  return saved.instances.filter(Boolean).map((unit) => {
    const ref: ActivityRef = { activityId: saved.id, instance: unit.instance };
    if (unit.host !== undefined) ref.host = unit.host;
    return { ref, saved: unit };
  });
}
