/**
 * Distributed mode, the orchestrator's side: a provider that runs nothing itself. Each unit the
 * engine starts becomes a message on the work queue (subject per activity type); the agent that takes
 * it retries, polls and times out on its side and reports back on the run's report subject, and those
 * reports drive the engine as a local provider's results would (ProcessorContext.remote). The engine
 * keeps the journal, so a distributed run is shown, resumed and completed exactly like a local one.
 */
import { nuid, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import type { ProcessorContext, ProcessorResult, Provider, RemoteAttempts } from '../engine/provider';
import { connectNats, type NatsSettings } from './connection';
import {
  ACTIVITY_STREAM, activitySubject, cancelSubject, decodeAgentReport, encode, encodeActivityMessage, PROTOCOL_VERSION, ProtocolError, reportSubject, type ActivityMessage, type AgentReport, type Continuation, type FinalResult,
} from './protocol';
import { PubAcks, type PublishError } from './pubAcks';
import { RunReportListener } from './reportListener';
import { dropRun, ensureStreams } from './streams';

export interface NatsDispatchOptions {
  /** Where to connect (or a connection to use, which dispose() then leaves open). */
  nats: NatsSettings | NatsConnection;
  /**
   * Activity types whose agents may receive secret values in their inputs. Every other type gets
   * `${secret:NAME}` references, which its agents resolve from their own store.
   */
  secretTypes?: readonly string[];
  /** Problems that do not belong to one activity (a malformed report, a lost subscription). */
  onProblem?(message: string): void;
}

interface Link {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** Activity messages go through it: one of them is on the path of every activity. */
  pub: PubAcks;
}

/** One dispatch waiting for its agent's reports. */
interface Pending {
  ctx: ProcessorContext;
  remote: RemoteAttempts;
  settle(result: ProcessorResult): void;
  /** Stream sequence of the message, once published (cancel deletes it while no agent holds it). */
  seq?: number;
  /** An agent is running an attempt now (between its `started` and the attempt's end). */
  running: boolean;
  /** Settled: later reports change nothing. */
  done: boolean;
  /** The continuations offered after this dispatch, in the same message (a cancel names them too). */
  rest: readonly string[];
  /** `attempt:poll` of the last start reported. */
  lastStart?: string;
  /** Message ids of the reports handled (made on the first report that is not the result). */
  heard?: Set<string>;
}

/** Reports of one run, heard live and caught up from the report stream (reportListener.ts). */
interface RunReports {
  pending: Map<string, Pending>;
  /** Successors offered with a dispatch (message `next`), by unit key: the dispatch id they would run under. */
  offered: Map<string, string>;
  /** For each dispatch id in `offered`, those offered after it in the same message. */
  restOf: Map<string, readonly string[]>;
  /**
   * Offered dispatch ids an agent went on with (a result said `continued`), until the engine starts
   * the unit: the reports that came before that wait here.
   */
  taken: Map<string, { report: AgentReport; id: string | undefined }[]>;
  stop(): void;
}

/** How many successors travel with a dispatch: a chain comes back to the orchestrator once per this many links. */
const CHAIN_GRANT = 16;
const ACK = new TextEncoder().encode('+ACK');

const PUBLISH_BACKOFF_MS = [100, 250, 500, 1000, 2000, 5000];
/** A PubAck not back by then: publish again (the same msgID is stored once). */
const PUBLISH_TIMEOUT_MS = 5000;

export class NatsDispatch implements Provider {
  readonly name = 'nats';
  readonly runsAttempts = true;
  private link: Promise<Link> | undefined;
  /** The link once it is up. */
  private linked: Link | undefined;
  private readonly runs = new Map<string, Promise<RunReports>>();
  /** The runs whose report consumer is up. */
  private readonly listening = new Map<string, RunReports>();
  private readonly secretTypes: ReadonlySet<string>;
  private closed = false;

  constructor(private readonly options: NatsDispatchOptions) {
    this.secretTypes = new Set(options.secretTypes ?? []);
  }

  /** Connects and makes sure the streams exist; `orch run --nats` calls it before starting, so a wrong URL refuses the run. */
  connect(): Promise<Link> {
    return (this.link ??= this.open().then((link) => (this.linked = link)));
  }

  private async open(): Promise<Link> {
    const given = this.options.nats;
    const nc = 'publish' in given ? given : await connectNats({ ...given, name: given.name ?? 'orch run' });
    const jsm = await nc.jetstreamManager();
    await ensureStreams(jsm);
    return { nc, js: nc.jetstream(), jsm, pub: new PubAcks(nc, PUBLISH_TIMEOUT_MS) };
  }

  execute(ctx: ProcessorContext): Promise<ProcessorResult> {
    const remote = ctx.remote;
    if (!remote) return Promise.resolve({ kind: 'fatal', error: 'the nats provider runs only under the engine (ProcessorContext.remote is missing)' });
    // Once connected and listening to the run's reports (every dispatch but the run's first), a dispatch
    // goes out in the same turn: no promise hops between the engine's start and the publish.
    const link = this.linked;
    const reports = link && this.listening.get(ctx.runId);
    if (link && reports) return this.dispatch(link, reports, ctx, remote);
    return this.connect().then(async (l) => this.dispatch(l, await this.reportsOf(l, ctx.runId), ctx, remote));
  }

  private dispatch(link: Link, reports: RunReports, ctx: ProcessorContext, remote: RemoteAttempts): Promise<ProcessorResult> {
    const unitKey = ctx.instance === undefined ? ctx.activityId : `${ctx.activityId}[${ctx.instance}]`;
    const offered = reports.offered.get(unitKey);
    if (offered !== undefined) {
      reports.offered.delete(unitKey);
      const rest = reports.restOf.get(offered) ?? [];
      reports.restOf.delete(offered);
      // An agent already runs it, straight after its predecessor: follow its reports instead of queueing it.
      if (reports.taken.has(offered) && ctx.attempt === 1 && ctx.poll === 0) return this.follow(link, reports, ctx, remote, offered, rest);
    }
    const dispatchId = nuid.next();
    const message: ActivityMessage = {
      v: PROTOCOL_VERSION,
      runId: ctx.runId,
      dispatchId,
      activityId: ctx.activityId,
      unitKey,
      type: ctx.definition.type,
      idempotencyKey: ctx.idempotencyKey,
      activity: remote.references(ctx.activity),
      inputs: this.secretTypes.has(ctx.definition.type) ? ctx.inputs : remote.references(ctx.inputs),
      policy: remote.policy,
      reportTo: reportSubject(ctx.runId, dispatchId),
    };
    if (ctx.instance !== undefined) message.instance = ctx.instance;
    if (ctx.host !== undefined) message.host = ctx.host;
    if (ctx.hostEntry !== undefined) message.hostEntry = ctx.hostEntry;
    const next = this.offer(reports, ctx.runId, remote);
    if (next.length) message.next = next;

    return new Promise<ProcessorResult>((resolve) => {
      let abortReason: string | undefined;
      const pending = awaitReports(reports, dispatchId, ctx, remote, false, next.map((c) => c.dispatchId), resolve);
      const aborted = () => abortReason !== undefined;
      remote.onAbort((reason) => {
        if (pending.done || aborted()) return;
        abortReason = String(reason ?? 'cancelled');
        void this.cancel(link, pending, dispatchId, abortReason);
      });
      this.publish(link, activitySubject(message.type), message, aborted).then(
        (seq) => {
          pending.seq = seq;
          // Aborted while the publish was under way: the message is there now, take it back.
          if (abortReason !== undefined && !pending.done) void this.cancel(link, pending, dispatchId, abortReason);
        },
        (error: unknown) => pending.settle(aborted()
          ? { kind: 'fatal', error: 'cancelled before it was queued' }
          : { kind: 'retry', error: `could not queue the activity on NATS: ${(error as Error).message}` }),
      );
    });
  }

  /** The chain of successors that travels with a dispatch, each under a dispatch id of its own (see Continuation). */
  private offer(reports: RunReports, runId: string, remote: RemoteAttempts): Continuation[] {
    const successors = remote.successors(CHAIN_GRANT);
    const next: Continuation[] = [];
    for (const successor of successors) {
      const dispatchId = nuid.next();
      const continuation: Continuation = {
        dispatchId,
        reportTo: reportSubject(runId, dispatchId),
        activityId: successor.activityId,
        unitKey: successor.unitKey,
        type: successor.type,
        idempotencyKey: successor.idempotencyKey,
        activity: remote.references(successor.activity),
        inputs: this.secretTypes.has(successor.type) ? successor.inputs : remote.references(successor.inputs),
        policy: successor.policy,
      };
      if (successor.deferred.length) continuation.deferred = successor.deferred;
      if (successor.checkInputs) continuation.checkInputs = true;
      next.push(continuation);
      const before = reports.offered.get(successor.unitKey);
      if (before !== undefined) reports.restOf.delete(before);
      reports.offered.set(successor.unitKey, dispatchId);
    }
    next.forEach((c, i) => reports.restOf.set(c.dispatchId, next.slice(i + 1).map((later) => later.dispatchId)));
    return next;
  }

  /** A unit an agent took on as a continuation: its reports (those that came already, then the rest) settle it. */
  private follow(link: Link, reports: RunReports, ctx: ProcessorContext, remote: RemoteAttempts, dispatchId: string, rest: readonly string[]): Promise<ProcessorResult> {
    const early = reports.taken.get(dispatchId) ?? [];
    reports.taken.delete(dispatchId);
    return new Promise<ProcessorResult>((resolve) => {
      const pending = awaitReports(reports, dispatchId, ctx, remote, true, rest, resolve);
      remote.onAbort((reason) => {
        if (!pending.done) void this.cancel(link, pending, dispatchId, String(reason ?? 'cancelled'));
      });
      for (const { report, id } of early) this.onReport(reports, report, id);
    });
  }

  /** Publishes until JetStream stores it (a restarting server is waited for); the msgID makes a repeat harmless. */
  private async publish(link: Link, subject: string, message: ActivityMessage, aborted: () => boolean): Promise<number> {
    const data = encodeActivityMessage(message);
    for (let attempt = 0; ; attempt++) {
      try {
        return await link.pub.publish(subject, data, message.dispatchId);
      } catch (error) {
        if (aborted() || this.closed) throw error;
        if ((error as PublishError).code === '503' && attempt === 0) await ensureStreams(link.jsm).catch(() => undefined);
        await delay(PUBLISH_BACKOFF_MS[Math.min(attempt, PUBLISH_BACKOFF_MS.length - 1)]);
      }
    }
  }

  /**
   * Cancels a dispatch: agents hear it (one running the attempt aborts it and reports), and the message
   * is deleted from the queue, which settles at once a dispatch no agent is running (queued, or backing
   * off between attempts).
   */
  private async cancel(link: Link, pending: Pending, dispatchId: string, reason: string): Promise<void> {
    // With the links offered after it: an agent between two links must not go on to the next. If the
    // connection is closing, the delete below or the engine's grace period settles it.
    publishCancel(link, pending.ctx.runId, [dispatchId, ...pending.rest], reason);
    if (pending.seq === undefined) return;
    let deleted = false;
    try {
      deleted = await link.jsm.streams.deleteMessage(ACTIVITY_STREAM, pending.seq, false);
    } catch {
      // Already acknowledged or terminated by an agent: its report settles the dispatch.
    }
    if (deleted && !pending.running) pending.settle({ kind: 'fatal', error: `cancelled: ${reason}` });
  }

  private reportsOf(link: Link, runId: string): Promise<RunReports> {
    let reports = this.runs.get(runId);
    if (!reports) {
      reports = this.consumeReports(link, runId);
      this.runs.set(runId, reports);
      reports.then((r) => { if (!this.closed) this.listening.set(runId, r); }, () => this.runs.delete(runId));
    }
    return reports;
  }

  private async consumeReports(link: Link, runId: string): Promise<RunReports> {
    const reports: RunReports = { pending: new Map(), offered: new Map(), restOf: new Map(), taken: new Map(), stop: () => undefined };
    const listener = new RunReportListener(link.nc, link.js, link.jsm, runId, {
      report: (data, id, subject) => {
        try {
          this.onReport(reports, decodeAgentReport(data), id);
        } catch (error) {
          this.problem(error instanceof ProtocolError ? `ignored a report on ${subject}: ${error.message}` : `a report on ${subject} failed: ${(error as Error).message}`);
        }
      },
      problem: (message) => this.problem(message),
    });
    try {
      await listener.start();
    } catch (error) {
      listener.stop();
      throw error;
    }
    reports.stop = () => listener.stop();
    return reports;
  }

  private onReport(reports: RunReports, report: AgentReport, id: string | undefined): void {
    // The agent left the acknowledgement to us: the result is here, the message can go (also for a
    // dispatch settled already, or of an earlier process of this run, whose message would come back).
    if (report.kind === 'result' && report.ack !== undefined) this.acknowledge(report.ack);
    const entry = reports.pending.get(report.dispatchId);
    if (!entry) {
      // A continuation the engine has not started yet (its predecessor's success is on its way to it):
      // kept for then, and what it continued with is known from now on (its reports may come first).
      const early = reports.taken.get(report.dispatchId);
      if (early) {
        early.push({ report, id });
        if (report.kind === 'result') this.markTaken(reports, report.continued);
      }
      // Otherwise: reports of an earlier process of this run (before a resume) or of a settled dispatch.
      return;
    }
    // Heard twice: live and again from the stream after a reconnect, or published again after a lost PubAck.
    if (id !== undefined) {
      if (entry.heard?.has(id)) return;
      // A result ends the dispatch: only what comes before it needs remembering.
      if (report.kind !== 'result') (entry.heard ??= new Set()).add(id);
    }
    const remote = entry.remote;
    switch (report.kind) {
      case 'started':
        entry.running = true;
        entry.lastStart = `${report.attempt}:${report.poll}`;
        remote.started(report.attempt, report.poll, report.agent, report.delivery);
        break;
      case 'log':
        remote.log(report.attempt, report.stream, report.line);
        break;
      case 'retrying':
        entry.running = false;
        remote.retrying(report.attempt, report.error, report.delayMs);
        break;
      case 'scheduled':
        entry.running = false;
        remote.scheduled(report.attempt, report.poll, report.delayMs, report.message);
        break;
      case 'result':
        entry.running = false;
        if (report.delivery !== undefined && entry.lastStart !== `${report.attempt}:${report.poll ?? 0}`) {
          remote.started(report.attempt, report.poll ?? 0, report.agent, report.delivery);
        }
        // Marked before the result settles: the engine starts the successor in its reaction to it.
        this.markTaken(reports, report.continued);
        entry.settle(finalResult(report.result));
        break;
    }
  }

  private acknowledge(subject: string): void {
    if (!subject.startsWith('$JS.ACK.')) {
      this.problem(`ignored an acknowledgement subject that is not one: ${subject.slice(0, 80)}`);
      return;
    }
    try {
      this.linked?.nc.publish(subject, ACK);
    } catch {
      // Closing: the message comes back after its ack wait, and its agent finds the result stored.
    }
  }

  /** An agent went on with offered dispatch `continued`: its reports are kept until the engine starts it. */
  private markTaken(reports: RunReports, continued: string | undefined): void {
    if (continued !== undefined && reports.restOf.has(continued) && !reports.taken.has(continued)) reports.taken.set(continued, []);
  }

  private problem(message: string): void {
    this.options.onProblem?.(message);
  }

  /** Stops listening, drops the runs' report consumers and closes a connection it opened. */
  async dispose(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const link = await this.link?.catch(() => undefined);
    for (const [runId, reports] of this.runs) {
      const r = await reports.catch(() => undefined);
      r?.stop();
      // Continuations an agent took on that the engine never started (the run ended first): stop them.
      if (link && r?.taken.size) publishCancel(link, runId, [...r.taken.keys()], 'the run ended before it started');
      for (const entry of r?.pending.values() ?? []) entry.settle({ kind: 'fatal', error: 'the orchestrator stopped' });
      if (link) await dropRun(link.jsm, runId);
    }
    this.runs.clear();
    this.listening.clear();
    link?.pub.close();
    if (link && !('publish' in this.options.nats)) await link.nc.drain().catch(() => undefined);
  }
}

/** Tells the agents to cancel `dispatchIds` (core NATS: fire and forget; nothing to do if the connection is closing). */
function publishCancel(link: Link, runId: string, dispatchIds: string[], reason: string): void {
  try {
    link.nc.publish(cancelSubject(runId), encode({ v: PROTOCOL_VERSION, runId, dispatchIds, reason }));
  } catch { /* closing */ }
}

/** A dispatch waiting for its reports, until `settle` (once) takes it out and answers the engine. */
function awaitReports(
  reports: RunReports, dispatchId: string, ctx: ProcessorContext, remote: RemoteAttempts, running: boolean, rest: readonly string[],
  resolve: (result: ProcessorResult) => void,
): Pending {
  const pending: Pending = {
    ctx,
    remote,
    running,
    done: false,
    rest,
    settle: (result) => {
      if (pending.done) return;
      pending.done = true;
      reports.pending.delete(dispatchId);
      resolve(result);
    },
  };
  reports.pending.set(dispatchId, pending);
  return pending;
}

function finalResult(result: FinalResult): ProcessorResult {
  switch (result.kind) {
    case 'complete': return { kind: 'complete', outputs: result.outputs ?? {} };
    case 'wait': return { kind: 'wait', message: result.message };
    case 'fatal': return { kind: 'fatal', error: String(result.error) };
    default: return { kind: 'fatal', error: `an agent reported an unknown result ${JSON.stringify((result as { kind?: unknown }).kind)}` };
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
