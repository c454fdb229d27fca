/**
 * One delivered message, one attempt (or one Schedule poll), and how it ends in JetStream:
 *
 *   complete, wait        -> 'result' report carrying the ack subject: the orchestrator acks once it
 *                            has it (the agent acks, confirmed, when end() says it must)
 *   complete, next offered -> 'result' report (continued), then the next unit under the same message
 *   schedule              -> record {attempt, poll+1, state}, 'scheduled' report, nak(delayMs)
 *   retry, attempts left  -> record {attempt+1, poll 0}, 'retrying' report, nak(backoff)
 *   retry, none left      -> 'result' fatal "... (after N attempts)", then term
 *   fatal                 -> 'result' fatal, then term
 *   cancelled             -> 'result' fatal "cancelled: <reason>", then term
 *   agent shutting down   -> nak at once, no report: another agent runs the same attempt
 *   a continuation's retry or poll -> record, report, a message of its own due after the delay, then ack
 *
 * The report is stored before the message is acknowledged in any way, so an agent dying in between
 * costs a redelivery (the orchestrator ignores a second result), never a lost result. How sure the
 * acknowledgement itself must be is weighed in end(). The attempt
 * itself runs exactly as in the embedded engine: the agent's own definition of the type, inputs with
 * `${secret:NAME}` resolved from the agent's store, the per-attempt timeout as a RetryError, a
 * provider's exception as a RetryError, and everything reported redacted of the agent's secrets.
 */
import { dirname, join } from 'node:path';
import { StringCodec, type JsMsg, type NatsConnection } from 'nats';
import { backoffDelay } from '../../engine/attempts';
import type { LogStream, ProcessorResult } from '../../engine/provider';
import { LogLineRedactor, MissingSecretsError, Secrets, secretReferences, type Redactor, type SecretStore } from '../../engine/secrets';
import { validateAgainst } from '../../analysis/valueValidation';
import { readPath } from '../../engine/inputs';
import { activitySubject, encodeActivityMessage, subjectToken, type ActivityMessage, type FinalResult } from '../protocol';
import { AgentAttempt, AgentAttemptContext, LazyAbort, type AgentAttemptFields, type AttemptOutcome } from './agentAttempt';
import type { AgentEventEmitter, AgentOutcome } from './agentEvents';
import type { AgentType, AgentWorkspace } from './agentWorkspace';
import type { AttemptRecord, AttemptRecords } from './attemptRecords';
import type { CancelMemory } from './cancellations';
import type { HeartbeatHandle, Heartbeats } from './heartbeat';
import { decodeDelivery, salvageAddress } from './messageCheck';
import { errorText, GaveUpError, persist, type PersistOptions } from './persist';
import { DispatchReports, type ReportSink } from './reports';

export interface DeliveryDeps {
  readonly agent: string;
  readonly nc: NatsConnection;
  readonly sink: ReportSink;
  readonly workspace: AgentWorkspace;
  readonly secrets: SecretStore;
  readonly records: AttemptRecords;
  readonly cancels: CancelMemory;
  /** The deliveries running now, by dispatch id (cancel requests and shutdown reach them here). */
  readonly inFlight: Map<string, Delivery>;
  readonly events: AgentEventEmitter;
  readonly ackWaitMs: number;
  /** How long an aborted attempt (timeout, shutdown) gets to stop before it is abandoned. */
  readonly timeoutGraceMs: number;
  /** The same after a cancel request. */
  readonly cancelGraceMs: number;
  /** Work folders go below `<workRoot>/<run>/`. */
  readonly workRoot: string;
  readonly random: () => number;
  readonly retry: Omit<PersistOptions, 'permanent'>;
  /** Acknowledgements still being confirmed after their delivery released its slot (shutdown waits for them). */
  readonly confirming: Set<Promise<void>>;
  /** The one ticker that sends every in-flight delivery's heartbeats. */
  readonly heartbeats: Heartbeats;
  /** The connection's history: a delivery that saw it drop confirms its acknowledgement. */
  readonly link: ConnectionWatch;
  /** The agent is stopping: no chain goes on to its next unit. */
  draining(): boolean;
  /** Whether the last report stored on `subject` is a result whose message the orchestrator acknowledges. */
  resultStored(subject: string): Promise<boolean>;
}

/** Kept current by the agent from the connection's status events. */
export interface ConnectionWatch {
  /** Counts disconnections (and reconnections): unchanged over a delivery means it never lost the connection. */
  epoch: number;
  disconnected: boolean;
}

const sc = StringCodec();
const ACK_CONFIRM_TIMEOUT_MS = 5000;
const ACK = '+ACK';
/** Without a reason: nats-server before 2.10 ignores `+TERM <reason>` (the message would come back). */
const TERM = '+TERM';

/** Handles one message from the type's consumer; never throws (a failure is an 'error' event and a nak). */
export async function handleDelivery(msg: JsMsg, type: string, deps: DeliveryDeps): Promise<void> {
  let message: ActivityMessage;
  try {
    message = decodeDelivery(msg.subject, msg.data);
    if (message.type !== type || !deps.workspace.types.has(type)) throw new Error(`the agent does not serve type ${JSON.stringify(message.type)}`);
  } catch (error) {
    await reject(msg, error, deps);
    return;
  }
  if (message.notBefore !== undefined && message.notBefore > Date.now()) {
    // Handed over with a delay still to run (a continuation's retry or poll): back until then.
    try { msg.nak(message.notBefore - Date.now()); } catch { /* closed: redelivered after the ack wait */ }
    return;
  }
  const running = deps.inFlight.get(message.dispatchId);
  if (running) {
    // Redelivered to us while we still run it (our heartbeats did not reach the server in time):
    // the attempt goes on and answers the newer delivery.
    running.follow(msg);
    return;
  }
  let delivery: Delivery | undefined;
  try {
    delivery = new Delivery(msg, message, deps.workspace.types.get(type)!, deps);
    deps.inFlight.set(message.dispatchId, delivery);
    await delivery.run();
  } catch (error) {
    if (!(error instanceof GaveUpError)) deps.events.emit('error', { message: `dispatch ${message.dispatchId}: ${errorText(error)}`, dispatchId: message.dispatchId });
    // Whatever went wrong, the message must not sit unacknowledged until its ack wait.
    if (delivery) delivery.nakNow();
    else try { msg.nak(); } catch { /* closed: redelivered after the ack wait */ }
  } finally {
    // The delivery's current dispatch: a continuation if the chain went on.
    if (delivery && deps.inFlight.get(delivery.dispatchId) === delivery) deps.inFlight.delete(delivery.dispatchId);
  }
}

/** A message that cannot be run: its orchestrator is told why when it can be found, then it is terminated. */
async function reject(msg: JsMsg, error: unknown, deps: DeliveryDeps): Promise<void> {
  const why = errorText(error);
  deps.events.emit('error', { message: `terminated a malformed activity message (${msg.subject}, stream sequence ${msg.seq}): ${why}` });
  const address = salvageAddress(msg.data);
  if (address) {
    const reports = new DispatchReports(deps.sink, address, msg.info.deliveryCount);
    try {
      await reports.result(1, 0, { kind: 'fatal', error: `agent ${deps.agent} cannot run this activity: ${why}` });
    } catch {
      // The agent stopped: terminating is still right, the message can never run.
    }
  }
  // A bare +TERM: nats-server before 2.10 ignores a term that carries a reason, and would redeliver.
  msg.term();
  deps.events.emit('finished', {
    dispatchId: address?.dispatchId ?? '', runId: address?.runId ?? '', unitKey: '', type: '', attempt: 0, poll: 0,
    outcome: 'rejected', durationMs: 0, error: why,
  });
}

/** The `$JS.ACK...` subject a delivered message is acknowledged on (nats.js keeps it off the JsMsg interface). */
function ackSubject(msg: JsMsg): string {
  const reply = (msg as unknown as { reply?: unknown }).reply;
  if (typeof reply !== 'string' || !reply.startsWith('$JS.ACK.')) throw new Error(`message ${msg.seq} has no acknowledgement subject`);
  return reply;
}

export class Delivery {
  readonly runId: string;
  /** The dispatch running now: the message's own, then each continuation it goes on with. */
  dispatchId: string;
  private readonly delivery: number;
  private reports: DispatchReports;
  /** The outputs reported by the units of this message so far, by activity id (continuations read them). */
  private readonly chainOutputs = new Map<string, unknown>();
  /** The unit running is a continuation (it has no message of its own: the one delivered is its lease). */
  private continuation = false;
  private readonly heartbeat: HeartbeatHandle;
  /** The connection's epoch when the message arrived. */
  private readonly epoch: number;
  private execution: AgentAttempt | undefined;
  private attempt = 1;
  private poll = 0;
  private recordExists = false;
  private startedAt = 0;
  private cancelReason: string | undefined;
  private released = false;
  /** Log lines after this are dropped: the attempt's result has been reported. */
  private settled = false;
  private redactor: Redactor = Secrets.none.redactor;
  private readonly logRedactors = new Map<LogStream, LogLineRedactor>();

  constructor(
    private msg: JsMsg,
    private message: ActivityMessage,
    private type: AgentType,
    private readonly deps: DeliveryDeps,
  ) {
    this.runId = message.runId;
    this.dispatchId = message.dispatchId;
    this.delivery = msg.info.deliveryCount;
    this.reports = new DispatchReports(deps.sink, message, this.delivery);
    this.epoch = deps.link.epoch;
    this.heartbeat = deps.heartbeats.keep(msg);
  }

  follow(msg: JsMsg): void {
    this.msg = msg;
    this.heartbeat.follow(msg);
  }

  /** A cancel request names this dispatch: the attempt is aborted and the dispatch fails as cancelled. */
  cancel(reason: string): void {
    if (this.cancelReason !== undefined) return;
    this.cancelReason = reason;
    this.execution?.abort('cancel', this.deps.cancelGraceMs, `cancelled: ${reason}`);
  }

  /** The agent is shutting down and will not wait any longer: abort, and hand the message back. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.execution?.abort('cancel', this.deps.timeoutGraceMs, 'the agent is shutting down');
  }

  /** A message that failed to be handled goes back to the queue at once. */
  nakNow(): void {
    this.nak(0);
  }

  private nak(delayMs: number): void {
    // A start still held is not reported: the next delivery reports its own.
    this.reports.discardHeld();
    this.heartbeat.stop();
    try { this.msg.nak(delayMs); } catch { /* closed: redelivered after the ack wait */ }
  }

  async run(): Promise<void> {
    const deps = this.deps;
    if (this.delivery > 1 && this.message.notBefore === undefined && await deps.resultStored(this.message.reportTo).catch(() => false)) {
      // Its result is stored and the orchestrator was to acknowledge it (it is down, or the ack was lost).
      this.heartbeat.stop();
      try { this.msg.ack(); } catch { /* closed: it comes back, and this check answers again */ }
      this.finished('reported', {});
      return;
    }
    // A redelivery, or a continuation handed back for its next attempt or poll (notBefore): its record says which.
    if (this.delivery > 1 || this.message.notBefore !== undefined) {
      const record = await deps.records.get(this.dispatchId);
      if (record) {
        this.recordExists = true;
        this.attempt = record.attempt;
        this.poll = record.poll;
        return this.runAttempt(record.state);
      }
    }
    return this.runAttempt(undefined);
  }

  private async runAttempt(state: unknown): Promise<void> {
    const deps = this.deps;
    const remembered = deps.cancels.reasonFor(this.runId, this.dispatchId);
    if (remembered !== undefined) this.cancelReason = remembered;
    if (this.cancelReason !== undefined) return this.finishCancelled();
    if (this.released) return this.handBack();

    this.startedAt = Date.now();
    this.reports.started(this.attempt, this.poll);
    deps.events.emit('started', {
      dispatchId: this.dispatchId, runId: this.runId, unitKey: this.message.unitKey, type: this.type.type,
      attempt: this.attempt, poll: this.poll, delivery: this.delivery,
    });

    let secrets: Secrets;
    try {
      const names = secretReferences(this.message.inputs, new Set(this.type.configSecrets));
      secrets = names.size ? await Secrets.fetch(names, deps.secrets) : Secrets.none;
    } catch (error) {
      if (error instanceof MissingSecretsError) return this.conclude({ kind: 'fatal', error: `on agent ${deps.agent}: ${error.message}` });
      return this.conclude({ kind: 'retry', error: `on agent ${deps.agent}: the secret store failed: ${errorText(error)}` });
    }
    this.redactor = secrets.redactor;

    const outcome = await this.execute(secrets, state);
    return this.conclude(outcome.result, outcome.abortedBy === 'cancel');
  }

  private execute(secrets: Secrets, state: unknown): Promise<AttemptOutcome> {
    const deps = this.deps;
    const message = this.message;
    const attempt = this.attempt;
    const poll = this.poll;
    const fields: AgentAttemptFields = {
      runId: message.runId,
      activityId: message.activityId,
      activity: message.activity,
      definition: this.type.configSecrets.length ? { ...this.type.definition, config: secrets.resolve(this.type.definition.config) } : this.type.definition,
      inputs: secrets.resolve(message.inputs),
      idempotencyKey: message.idempotencyKey,
      attempt,
      poll,
      baseDir: this.type.baseDir,
      log: (stream, line) => this.log(attempt, poll, stream, line),
    };
    if (message.instance !== undefined) fields.instance = message.instance;
    if (message.host !== undefined) {
      fields.host = message.host;
      const own = deps.workspace.ownsHost(message.host) ? deps.workspace.host(message.host) : undefined;
      if (own) {
        fields.hostEntry = own.entry;
        fields.inventoryDir = dirname(own.file);
      } else if (message.hostEntry) {
        fields.hostEntry = message.hostEntry;
        deps.workspace.learnHost(message.host, message.hostEntry);
      }
    }
    if (state !== undefined) fields.state = state;
    const controller = new LazyAbort();
    const ctx = new AgentAttemptContext(fields, controller, () => this.runRoot(), message.unitKey);
    const execution = new AgentAttempt(this.type.provider, ctx, controller, message.policy.timeoutMs, deps.timeoutGraceMs);
    this.execution = execution;
    // A cancel or a shutdown that came while the attempt was being prepared.
    if (this.cancelReason !== undefined) execution.abort('cancel', deps.cancelGraceMs, `cancelled: ${this.cancelReason}`);
    else if (this.released) execution.abort('cancel', deps.timeoutGraceMs, 'the agent is shutting down');
    return execution.outcome;
  }

  private log(attempt: number, poll: number, stream: LogStream, text: string): void {
    // A provider still talking after its attempt was reported (abandoned after an abort): dropped.
    if (this.settled) return;
    const pieces = String(text).split(/\r?\n/);
    if (pieces.length > 1 && pieces[pieces.length - 1] === '') pieces.pop();
    let redactor = this.logRedactors.get(stream);
    if (!redactor) this.logRedactors.set(stream, (redactor = new LogLineRedactor(this.redactor)));
    for (const piece of pieces) for (const line of redactor.push(piece)) this.reports.log(attempt, poll, stream, line);
  }

  private flushLogs(): void {
    for (const [stream, redactor] of this.logRedactors) for (const line of redactor.flush()) this.reports.log(this.attempt, this.poll, stream, line);
    this.logRedactors.clear();
    this.settled = true;
  }

  /**
   * Maps the attempt's result onto JetStream (see the table at the top). `aborted`: the agent aborted
   * the attempt (a cancel request, or its shutdown), and the result is the abort's unless it completed.
   */
  private async conclude(result: ProcessorResult, aborted = false): Promise<void> {
    this.flushLogs();
    if (aborted && result.kind !== 'complete') {
      if (this.cancelReason !== undefined) return this.finishCancelled();
      if (this.released) return this.handBack();
    }
    const deps = this.deps;
    const redact = (text: string) => this.redactor.text(text);
    switch (result.kind) {
      case 'complete': {
        const outputs = this.redactor.value(result.outputs ?? {});
        const next = this.nextUnit(outputs);
        if (next) {
          await this.reports.result(this.attempt, this.poll, { kind: 'complete', outputs }, { continued: next.message.dispatchId });
          return this.continueWith(next);
        }
        const ack = this.delegatedAck();
        await this.reports.result(this.attempt, this.poll, { kind: 'complete', outputs }, { ack });
        return this.end('complete', ack === undefined ? ACK : undefined);
      }
      case 'wait': {
        const final: FinalResult = result.message === undefined ? { kind: 'wait' } : { kind: 'wait', message: redact(result.message) };
        const ack = this.delegatedAck();
        await this.reports.result(this.attempt, this.poll, final, { ack });
        return this.end('wait', ack === undefined ? ACK : undefined);
      }
      case 'schedule': {
        const record: AttemptRecord = { attempt: this.attempt, poll: this.poll + 1, ...(result.state !== undefined ? { state: result.state } : {}) };
        const message = result.message === undefined ? undefined : redact(result.message);
        return this.again(result.delayMs, record, () => this.reports.scheduled(this.attempt, this.poll, result.delayMs, message), 'schedule', { delayMs: result.delayMs });
      }
      case 'retry': {
        const error = redact(result.error);
        const policy = this.message.policy;
        if (this.attempt < policy.maxAttempts) {
          const delayMs = result.delayMs ?? backoffDelay(policy, this.attempt, deps.random);
          return this.again(delayMs, { attempt: this.attempt + 1, poll: 0 }, () => this.reports.retrying(this.attempt, this.poll, error, delayMs), 'retry', { error, delayMs });
        }
        const final = this.attempt > 1 ? `${error} (after ${this.attempt} attempts)` : error;
        await this.reports.result(this.attempt, this.poll, { kind: 'fatal', error: final });
        return this.end('fatal', TERM, final);
      }
      case 'fatal': {
        const error = redact(result.error);
        await this.reports.result(this.attempt, this.poll, { kind: 'fatal', error });
        return this.end('fatal', TERM, error);
      }
    }
  }

  /**
   * The continuation to go on with after this unit completed with `outputs`, or undefined when the
   * chain stops here: none offered, the agent stopping or the dispatch cancelled, a type this agent
   * does not serve, an output a deferred input needs missing, or inputs its inputSchema refuses (the
   * orchestrator then dispatches the unit as usual, and the engine reports what is wrong).
   */
  private nextUnit(outputs: Record<string, unknown>): { message: ActivityMessage; type: AgentType } | undefined {
    const deps = this.deps;
    const next = this.message.next;
    if (!next?.length) return undefined;
    this.chainOutputs.set(this.message.activityId, outputs);
    const c = next[0];
    const type = deps.workspace.types.get(c.type);
    if (!type || this.released || this.cancelReason !== undefined || deps.draining()) return undefined;
    if (deps.cancels.reasonFor(this.runId, c.dispatchId) !== undefined) return undefined;
    const inputs: Record<string, unknown> = { ...c.inputs };
    for (const d of c.deferred ?? []) {
      if (!this.chainOutputs.has(d.from)) return undefined;
      const read = readPath(this.chainOutputs.get(d.from), d.path);
      if (!read.found) return undefined;
      if (read.value !== undefined) inputs[d.target] = read.value;
    }
    if (c.checkInputs && type.definition.inputSchema !== undefined && validateAgainst(type.definition.inputSchema, inputs).length) return undefined;
    const message: ActivityMessage = {
      v: this.message.v, runId: this.runId, dispatchId: c.dispatchId, activityId: c.activityId, unitKey: c.unitKey, type: c.type,
      idempotencyKey: c.idempotencyKey, activity: c.activity, inputs, policy: c.policy, reportTo: c.reportTo,
    };
    if (next.length > 1) message.next = next.slice(1);
    return { message, type };
  }

  /** Goes on with the next unit of the chain under the same message (its lease: heartbeats go on). */
  private async continueWith(next: { message: ActivityMessage; type: AgentType }): Promise<void> {
    const deps = this.deps;
    this.finished('complete', {});
    // The unit that just completed needs its attempt record no more (a redelivered lease reruns it from 1).
    if (this.recordExists) this.track(deps.records.delete(this.dispatchId).catch(() => undefined));
    if (deps.inFlight.get(this.dispatchId) === this) deps.inFlight.delete(this.dispatchId);
    this.message = next.message;
    this.type = next.type;
    this.dispatchId = next.message.dispatchId;
    deps.inFlight.set(this.dispatchId, this);
    this.reports = new DispatchReports(deps.sink, next.message, this.delivery);
    this.continuation = true;
    this.execution = undefined;
    this.attempt = 1;
    this.poll = 0;
    this.recordExists = false;
    this.startedAt = 0;
    this.settled = false;
    this.redactor = Secrets.none.redactor;
    this.logRedactors.clear();
    return this.runAttempt(undefined);
  }

  /**
   * The unit runs again after `delayMs` (a retry, a poll) from `record`: the record is stored and the
   * step reported first, then the message goes back to the queue with the delay. A continuation has no
   * message of its own to hand back: it gets one, due after the delay (notBefore); the rest of the chain
   * goes back to the orchestrator, and the lease is acknowledged.
   */
  private async again(delayMs: number, record: AttemptRecord, report: () => Promise<void>, outcome: AgentOutcome, extra: { error?: string; delayMs?: number }): Promise<void> {
    const deps = this.deps;
    await deps.records.put(this.dispatchId, record);
    // A continuation's record belongs to the message it is handed back as.
    if (!this.continuation) this.recordExists = true;
    await report();
    if (!this.continuation) {
      this.nak(delayMs);
      return this.finished(outcome, extra);
    }
    this.reports.discardHeld();
    this.heartbeat.stop();
    // Off the in-flight list first: the message handed back may come to this agent at once, and must run
    // as a delivery of its own, not be taken for a redelivery of this one.
    if (deps.inFlight.get(this.dispatchId) === this) deps.inFlight.delete(this.dispatchId);
    const message: ActivityMessage = { ...this.message, notBefore: Date.now() + delayMs };
    delete message.next;
    const data = encodeActivityMessage(message);
    await persist(`handing over ${this.dispatchId}`, async () => {
      await deps.sink.publisher.publish(activitySubject(message.type), data, `${this.dispatchId}:handoff:${record.attempt}:${record.poll}`);
    }, deps.retry);
    try { this.msg.ack(); } catch { /* closed: the lease comes back after the ack wait and the chain runs again */ }
    this.finished(outcome, extra);
  }

  /**
   * The message's acknowledgement subject, for the orchestrator to acknowledge the message once it has
   * the result, or undefined when this agent must do it itself: with an attempt record to remove after
   * the ack, or a connection that dropped during the delivery (see end()). Leaving it to the
   * orchestrator saves a write per activity here, and the message stays until the result is where it
   * matters: a result lost on the way is a redelivery, and a redelivered message whose result is stored
   * already is acknowledged without running again (run()).
   */
  private delegatedAck(): string | undefined {
    return this.ackNeedsConfirming() ? undefined : ackSubject(this.msg);
  }

  /** An attempt record to remove after the ack, or a connection that dropped during the delivery (see end()). */
  private ackNeedsConfirming(): boolean {
    const link = this.deps.link;
    return this.recordExists || link.disconnected || link.epoch !== this.epoch;
  }

  private async finishCancelled(): Promise<void> {
    const error = `cancelled: ${this.cancelReason}`;
    await this.reports.result(this.attempt, this.poll, { kind: 'fatal', error });
    return this.end('cancelled', TERM, error);
  }

  private handBack(): void {
    this.nakNow();
    this.finished('released', {});
  }

  /**
   * The dispatch is over: the message is acknowledged (ack or term) and its record and work folder
   * go, after the slot is free again.
   *
   * A plain ack is published and not confirmed: its report is stored already, so losing it costs a
   * redelivery after the ack wait, which the idempotency key and the orchestrator (it ignores a second
   * result) cover exactly as they cover a dead agent; waiting for the server's reply would cost a
   * round trip per activity. The acknowledgement is confirmed (request/reply, retried until it gets
   * through) when losing it would cost more, or is likely:
   * - a term: a lost one reruns an activity that failed for good, which is rare enough that the
   *   round trip costs nothing worth saving, and a fatal activity is the last one to repeat;
   * - a dispatch with an attempt record (a retry, a Schedule poll): the record goes after the ack, and
   *   a redelivery without it would run attempt 1 again, so the record must outlive any doubt;
   * - the connection dropped during the delivery (or is down): a publish then may well be lost.
   */
  private end(outcome: AgentOutcome, ack: typeof ACK | typeof TERM | undefined, error?: string): void {
    const deps = this.deps;
    if (ack === undefined) {
      // The orchestrator acknowledges it (delegatedAck).
      this.heartbeat.stop();
      this.finished(outcome, error === undefined ? {} : { error });
      return;
    }
    const confirmed = ack === TERM || this.ackNeedsConfirming();
    if (!confirmed) {
      this.heartbeat.stop();
      try { this.msg.ack(); } catch { /* closed: redelivered after the ack wait, the result ignored */ }
    } else {
      this.track(this.confirm(ack)
        .then(async () => {
          if (this.recordExists) await deps.records.delete(this.dispatchId);
        })
        .catch((failure: unknown) => {
          if (!(failure instanceof GaveUpError)) deps.events.emit('error', { message: `dispatch ${this.dispatchId}: ${errorText(failure)}`, dispatchId: this.dispatchId });
        })
        .finally(() => this.heartbeat.stop()));
    }
    this.finished(outcome, error === undefined ? {} : { error });
  }

  /** Work that goes on after the slot is free: shutdown waits for it. */
  private track(work: Promise<void>): void {
    const deps = this.deps;
    const tracked = work.finally(() => deps.confirming.delete(tracked));
    deps.confirming.add(tracked);
  }

  private async confirm(payload: string): Promise<void> {
    const deps = this.deps;
    const data = sc.encode(payload);
    // Past twice the ack wait the server has redelivered anyway: a plain ack is the best left to do.
    const deadline = AbortSignal.any([deps.retry.giveUp, AbortSignal.timeout(Math.max(2 * deps.ackWaitMs, 10_000))]);
    try {
      await persist(`acknowledging ${this.dispatchId}`, () => deps.nc.request(ackSubject(this.msg), data, { timeout: ACK_CONFIRM_TIMEOUT_MS }), { ...deps.retry, giveUp: deadline });
    } catch (error) {
      if (!(error instanceof GaveUpError)) throw error;
      try { deps.nc.publish(ackSubject(this.msg), data); } catch { /* closed */ }
    }
  }

  private finished(outcome: AgentOutcome, extra: { error?: string; delayMs?: number }): void {
    this.deps.events.emit('finished', {
      dispatchId: this.dispatchId, runId: this.runId, unitKey: this.message.unitKey, type: this.type.type,
      attempt: this.attempt, poll: this.poll, outcome,
      durationMs: this.startedAt ? Date.now() - this.startedAt : 0,
      ...extra,
    });
  }


  /**
   * Where this run's work folders go on this machine. They stay when a dispatch ends (a dependent served
   * by this agent may read files left there, as in embedded mode); the agent sweeps run folders nobody
   * touched for 7 days when it starts.
   */
  private runRoot(): string {
    return join(this.deps.workRoot, subjectToken(this.runId));
  }
}
