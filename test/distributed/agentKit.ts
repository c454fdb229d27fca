/**
 * What the agent tests share: a real nats-server, activity messages published as an orchestrator
 * would, reports read back from the report stream (as the orchestrator reads them), temporary
 * definition folders, and recorders of an agent's events. Everything waits on messages and events,
 * never on the clock.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import { startAgent, type AgentEventName, type AgentEvents, type AgentHandle, type AgentOptions } from '../../runtime/distributed/agent/agent';
import {
  ACTIVITY_STREAM, activitySubject, cancelSubject, decodeAgentReport, encode, encodeActivityMessage, PROTOCOL_VERSION, REPORT_STREAM, REPORT_SUBJECTS, reportSubject, runReportSubjects, typeConsumer,
  type ActivityMessage, type AgentReport, type CancelRequest,
} from '../../runtime/distributed/protocol';
import { ensureStreams } from '../../runtime/distributed/streams';
import type { AttemptPolicy } from '../../runtime/engine/attempts';
import type { Provider } from '../../runtime/engine/provider';
import { createProviderRegistry, type ProviderRegistry } from '../../runtime/providers/registry';
import { startNatsServer, type NatsServer } from '../support/natsServer';

let counter = 0;
/** A name no other test uses (types, runs and dispatches share one server). */
export function unique(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;
}

/**
 * Waits for a condition about the server's state, checking it every 25 ms: JetStream has no event for
 * "the message was acknowledged and deleted", which is what these conditions are about.
 */
export async function eventually(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${condition.toString().slice(0, 200)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const NO_RETRY: AttemptPolicy = { maxAttempts: 1, backoff: 'fixed', delayMs: 0, maxDelayMs: 60_000, jitter: false };

export interface Received<R = AgentReport> {
  report: R;
  /** When the test received it (ms since the epoch). */
  at: number;
}

/** An attempt's start as the orchestrator learns it, from a `started` report or a result that carries it. */
export interface Start {
  dispatchId: string;
  agent: string;
  attempt: number;
  poll: number;
  delivery: number;
  /** Told by the result (the attempt ended within the agent's hold of its `started`). */
  folded: boolean;
}

export function startOf(report: AgentReport): Start | undefined {
  if (report.kind === 'started') return { dispatchId: report.dispatchId, agent: report.agent, attempt: report.attempt, poll: report.poll, delivery: report.delivery, folded: false };
  if (report.kind !== 'result') return undefined;
  const { poll, delivery } = report as { poll?: unknown; delivery?: unknown };
  if (typeof poll !== 'number' || typeof delivery !== 'number') return undefined;
  return { dispatchId: report.dispatchId, agent: report.agent, attempt: report.attempt, poll, delivery, folded: true };
}

/** One run's reports, read from the report stream in order. */
export class ReportReader {
  readonly received: Received[] = [];
  private waiters: { match: (r: AgentReport) => boolean; resolve: (r: Received) => void }[] = [];
  private messages: ConsumerMessages | undefined;

  constructor(private readonly js: JetStreamClient, readonly runId: string) {}

  async start(): Promise<void> {
    const consumer = await this.js.consumers.get(REPORT_STREAM, { filterSubjects: runReportSubjects(this.runId) });
    this.messages = await consumer.consume();
    void (async () => {
      for await (const msg of this.messages!) {
        const entry = { report: decodeAgentReport(msg.data), at: Date.now() };
        this.received.push(entry);
        for (const waiter of [...this.waiters]) {
          if (waiter.match(entry.report)) {
            this.waiters.splice(this.waiters.indexOf(waiter), 1);
            waiter.resolve(entry);
          }
        }
      }
    })();
  }

  get reports(): AgentReport[] {
    return this.received.map((r) => r.report);
  }

  /** The first report (received already, or to come) matching `match`. */
  waitFor<K extends AgentReport['kind']>(kind: K, match: (r: Extract<AgentReport, { kind: K }>) => boolean = () => true, timeoutMs = 20_000): Promise<Received<Extract<AgentReport, { kind: K }>>> {
    const test = (r: AgentReport) => r.kind === kind && match(r as Extract<AgentReport, { kind: K }>);
    const found = this.received.find((r) => test(r.report));
    if (found) return Promise.resolve(found as Received<Extract<AgentReport, { kind: K }>>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`no ${kind} report for run ${this.runId} within ${timeoutMs} ms; got: ${JSON.stringify(this.reports.map((x) => x.kind))}`));
      }, timeoutMs);
      const done = (r: Received) => { clearTimeout(timer); resolve(r as Received<Extract<AgentReport, { kind: K }>>); };
      this.waiters.push({ match: test, resolve: done });
    });
  }

  /**
   * Where attempts started, in order: `started` reports, and results that carry their attempt's start
   * (an attempt that ends within the agent's hold reports its start with its result).
   */
  starts(): Received<Start>[] {
    return this.received.flatMap(({ report, at }) => {
      const start = startOf(report);
      return start ? [{ report: start, at }] : [];
    });
  }

  /** The text of the log reports, one entry per line (a report may carry several lines). */
  logLines(stream?: string): string[] {
    return this.reports.flatMap((r) => (r.kind === 'log' && (!stream || r.stream === stream) ? r.line.split('\n') : []));
  }

  async stop(): Promise<void> {
    await this.messages?.close();
  }
}

/** Every event of an agent, with a way to wait for one. */
export class EventLog {
  readonly events: { name: AgentEventName; event: unknown; at: number }[] = [];
  private waiters: { name: AgentEventName; match: (e: never) => boolean; resolve: (e: unknown) => void }[] = [];

  constructor(agent: AgentHandle) {
    const names: AgentEventName[] = ['ready', 'started', 'finished', 'error', 'reconnecting', 'reconnected', 'stopping', 'closed'];
    for (const name of names) {
      agent.on(name, (event) => {
        this.events.push({ name, event, at: Date.now() });
        for (const waiter of [...this.waiters]) {
          if (waiter.name === name && waiter.match(event as never)) {
            this.waiters.splice(this.waiters.indexOf(waiter), 1);
            waiter.resolve(event);
          }
        }
      });
    }
  }

  of<K extends AgentEventName>(name: K): AgentEvents[K][] {
    return this.events.filter((e) => e.name === name).map((e) => e.event as AgentEvents[K]);
  }

  waitFor<K extends AgentEventName>(name: K, match: (e: AgentEvents[K]) => boolean = () => true, timeoutMs = 20_000): Promise<AgentEvents[K]> {
    const found = this.of(name).find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no '${name}' event within ${timeoutMs} ms; events: ${JSON.stringify(this.events.map((e) => e.name))}`)), timeoutMs);
      this.waiters.push({ name, match: match as (e: never) => boolean, resolve: (e) => { clearTimeout(timer); resolve(e as AgentEvents[K]); } });
    });
  }
}

export interface StartedAgent {
  agent: AgentHandle;
  log: EventLog;
}

export class AgentKit {
  private readonly agents: AgentHandle[] = [];
  private readonly readers: ReportReader[] = [];
  private readonly dirs: string[] = [];

  /** Stands in for the orchestrator's acknowledgements while true (a test of a dead orchestrator turns it off). */
  acknowledging = true;

  private constructor(readonly server: NatsServer, readonly nc: NatsConnection, readonly js: JetStreamClient, readonly jsm: JetStreamManager) {
    // An agent leaves acknowledging a completed attempt's message to the orchestrator, which does so on
    // reading the result (`ack` in it): the kit does the same for every run, as an orchestrator would.
    nc.subscribe(REPORT_SUBJECTS, {
      callback: (error, msg) => {
        if (error || !this.acknowledging) return;
        try {
          const report = decodeAgentReport(msg.data);
          if (report.kind === 'result' && report.ack) nc.publish(report.ack, new TextEncoder().encode('+ACK'));
        } catch { /* not a report: the tests that send one look at it themselves */ }
      },
    });
  }

  static async start(): Promise<AgentKit> {
    const server = await startNatsServer();
    const nc = await connect({ ...server.connectOptions(), maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    const jsm = await nc.jetstreamManager();
    await ensureStreams(jsm);
    const kit = new AgentKit(server, nc, nc.jetstream(), jsm);
    await nc.flush();
    return kit;
  }

  /** A folder with one *.activity.json per definition (and an orch.hosts.json when `hosts` is given). */
  defs(definitions: Record<string, unknown>[], hosts?: Record<string, unknown>): string {
    const dir = mkdtempSync(join(tmpdir(), 'orch-agent-defs-'));
    this.dirs.push(dir);
    definitions.forEach((definition, i) => writeFileSync(join(dir, `d${i}.activity.json`), JSON.stringify(definition, null, 2)));
    if (hosts) writeFileSync(join(dir, 'orch.hosts.json'), JSON.stringify({ hosts }, null, 2));
    return dir;
  }

  /** An agent on this server (stopped by cleanup()), with its events recorded from the start. */
  async agent(options: Omit<AgentOptions, 'nats'> & { nats?: AgentOptions['nats'] }): Promise<StartedAgent> {
    const workRoot = mkdtempSync(join(tmpdir(), 'orch-agent-work-'));
    this.dirs.push(workRoot);
    const agent = await startAgent({ nats: { url: this.server.url }, workRoot, ackWaitMs: 5000, drainTimeoutMs: 2000, ...options });
    this.agents.push(agent);
    const log = new EventLog(agent);
    await log.waitFor('ready');
    return { agent, log };
  }

  message(type: string, overrides: Partial<ActivityMessage> = {}): ActivityMessage {
    const runId = overrides.runId ?? unique('run');
    const activityId = overrides.activityId ?? 'step';
    const unitKey = overrides.unitKey ?? activityId;
    const dispatchId = overrides.dispatchId ?? unique('dispatch');
    return {
      v: PROTOCOL_VERSION,
      runId,
      dispatchId,
      activityId,
      unitKey,
      type,
      idempotencyKey: `${runId}/${unitKey}`,
      activity: { id: activityId, type },
      inputs: {},
      policy: NO_RETRY,
      reportTo: reportSubject(runId, dispatchId),
      ...overrides,
    };
  }

  async enqueue(message: ActivityMessage): Promise<void> {
    await this.js.publish(activitySubject(message.type), encodeActivityMessage(message), { msgID: message.dispatchId });
  }

  /** Starts reading a run's reports (before its message is enqueued, or after: the stream keeps them). */
  async reports(runId: string): Promise<ReportReader> {
    const reader = new ReportReader(this.js, runId);
    await reader.start();
    this.readers.push(reader);
    return reader;
  }

  async cancel(request: Omit<CancelRequest, 'v'>): Promise<void> {
    this.nc.publish(cancelSubject(request.runId), encode({ v: PROTOCOL_VERSION, ...request }));
    await this.nc.flush();
  }

  /** Messages of `type` still in the work queue (not yet delivered, or delivered and not acknowledged). */
  async queued(type: string): Promise<{ pending: number; ackPending: number }> {
    const info = await this.jsm.consumers.info(ACTIVITY_STREAM, typeConsumer(type));
    return { pending: info.num_pending, ackPending: info.num_ack_pending };
  }

  /** Messages of `type` stored in the work queue stream (a work queue deletes a message once acked or terminated). */
  async stored(type: string): Promise<number> {
    const info = await this.jsm.streams.info(ACTIVITY_STREAM, { subjects_filter: activitySubject(type) });
    return info.state.subjects?.[activitySubject(type)] ?? 0;
  }

  async stopAgents(): Promise<void> {
    await Promise.all(this.agents.splice(0).map((a) => a.stop()));
  }

  private readonly registries: ProviderRegistry[] = [];

  /** The built-ins plus `extra` (a test's stand-ins for real providers), released by cleanup(). */
  providers(...extra: Provider[]): ProviderRegistry {
    const registry = createProviderRegistry();
    for (const provider of extra) registry.register(provider);
    this.registries.push(registry);
    return registry;
  }

  async cleanup(): Promise<void> {
    await this.stopAgents();
    await Promise.all(this.registries.splice(0).map((r) => r.dispose()));
    await Promise.all(this.readers.splice(0).map((r) => r.stop().catch(() => undefined)));
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }

  async close(): Promise<void> {
    await this.cleanup();
    await this.nc.close();
    await this.server.stop();
  }
}
