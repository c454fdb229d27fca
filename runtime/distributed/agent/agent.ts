/**
 * A worker agent: it connects to NATS, binds the shared durable consumer of each activity type it
 * serves, and runs what it pulls with the same providers as the embedded engine, reporting every
 * step to the orchestrator that enqueued it. Its life:
 *
 *   startAgent()  checks its definitions, providers and secrets (a problem refuses the start),
 *                 connects, creates what JetStream needs, binds the consumers;
 *   'ready'       on the next turn of the event loop, then pulling starts;
 *   stop()        stops pulling at once, lets attempts in flight finish for up to drainTimeoutMs,
 *                 aborts the rest and naks them for another agent, then drains the connection.
 *
 * A lost connection is not an end: nats.js reconnects forever, pulls back off and resume, and
 * reports and acknowledgements are retried until they get through. Only stop() (or a connection
 * the server closes for good, e.g. revoked credentials) ends an agent.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Events, type JetStreamManager, type JsMsg, type NatsConnection, type Subscription } from 'nats';
import { DEFAULT_TIMEOUT_GRACE_MS } from '../../engine/engine';
import type { ProviderRegistry } from '../../engine/plan';
import { envSecretStore, type SecretStore } from '../../engine/secrets';
import { DEFAULT_CANCEL_GRACE_MS } from '../../engine/session';
import { connectNats, type NatsSettings } from '../connection';
import { CANCEL_SUBJECTS, decodeAgentReport, decodeCancelRequest, REPORT_STREAM } from '../protocol';
import { attemptBucket, ensureStreams } from '../streams';
import { AgentEventEmitter, type AgentEventName, type AgentListener } from './agentEvents';
import { AgentStartError, loadAgentWorkspace, type AgentWorkspace } from './agentWorkspace';
import { AttemptRecords } from './attemptRecords';
import { CancelMemory } from './cancellations';
import { handleDelivery, type ConnectionWatch, type Delivery, type DeliveryDeps } from './delivery';
import { Heartbeats } from './heartbeat';
import { errorText, pause } from './persist';
import { Puller } from './puller';
import { PubAcks } from '../pubAcks';
import { PUBLISH_TIMEOUT_MS, type ReportSink } from './reports';

export { AgentStartError } from './agentWorkspace';
export type * from './agentEvents';

export interface AgentOptions {
  nats: NatsSettings;
  /** The types to serve; default every type the definitions declare (and the agent has the provider of). */
  types?: readonly string[];
  /** Attempts running at once, across all types (default 4). */
  concurrency?: number;
  /** Folders of *.activity.json and orch.hosts.json (default the cwd). */
  defs?: readonly string[];
  /** Shown on every report and attempt (default `host:pid`). */
  name?: string;
  /** How long a message may go unacknowledged before redelivery; heartbeats extend it (default 30000). */
  ackWaitMs?: number;
  /** How long stop() lets attempts in flight finish before aborting them (default 30000). */
  drainTimeoutMs?: number;
  /** Where `${secret:NAME}` values come from (default ORCH_SECRET_<NAME> environment variables). */
  secrets?: SecretStore;
  /** Default: the built-in providers, the ssh one reading the agent's inventory. */
  providers?: ProviderRegistry;
  /** Parent of the attempts' work folders (default `<tmp>/orch-agent`). */
  workRoot?: string;
  /** Relative `defs` start here (default the process's cwd). */
  cwd?: string;
  /** How long an aborted attempt (timeout, shutdown) gets to stop (default 5000, as the engine). */
  timeoutGraceMs?: number;
  /** The same after a cancel request (default 10000, as `orch cancel`). */
  cancelGraceMs?: number;
  /** How long the first connection may take (default 15000). */
  connectTimeoutMs?: number;
  /** Jitter's randomness for retry backoff, in [0, 1). */
  random?: () => number;
}

export interface AgentHandle {
  readonly name: string;
  readonly types: readonly string[];
  /** Subscribes to an event; returns the unsubscribe function. Events start on the turn after startAgent resolves. */
  on<K extends AgentEventName>(event: K, listener: AgentListener<K>): () => void;
  off<K extends AgentEventName>(event: K, listener: AgentListener<K>): void;
  /** Attempts running now. */
  readonly active: number;
  /** Graceful shutdown (see the file's header); resolves when the agent has closed. Idempotent. */
  stop(): Promise<void>;
  /** Resolves when the agent has closed, whether by stop() or because the connection was closed for good. */
  readonly closed: Promise<void>;
}

export const AGENT_DEFAULTS = { concurrency: 4, ackWaitMs: 30_000, drainTimeoutMs: 30_000 } as const;
/** Work folders left by dispatches that ended elsewhere are removed after this. */
const WORK_FOLDER_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
/** After the drain and the aborts: how long stop() still waits for reports and acknowledgements to get through. */
const FLUSH_WAIT_MS = 5_000;

export function defaultAgentName(): string {
  return `${hostname()}:${process.pid}`;
}

function checkOptions(options: AgentOptions): string[] {
  const problems: string[] = [];
  const integer = (value: number | undefined, what: string, min: number) => {
    if (value !== undefined && (!Number.isInteger(value) || value < min)) problems.push(`${what} must be an integer >= ${min}, not ${value}`);
  };
  integer(options.concurrency, 'concurrency', 1);
  integer(options.ackWaitMs, 'the ack wait (ms)', 1000);
  integer(options.drainTimeoutMs, 'the drain timeout (ms)', 0);
  integer(options.timeoutGraceMs, 'the timeout grace (ms)', 0);
  integer(options.cancelGraceMs, 'the cancel grace (ms)', 0);
  if (options.name !== undefined && !options.name.trim()) problems.push('the agent name is empty');
  return problems;
}

export async function startAgent(options: AgentOptions): Promise<AgentHandle> {
  const problems = checkOptions(options);
  if (problems.length) throw new AgentStartError(problems);
  const name = options.name?.trim() || defaultAgentName();
  const concurrency = options.concurrency ?? AGENT_DEFAULTS.concurrency;
  const ackWaitMs = options.ackWaitMs ?? AGENT_DEFAULTS.ackWaitMs;
  const drainTimeoutMs = options.drainTimeoutMs ?? AGENT_DEFAULTS.drainTimeoutMs;
  const timeoutGraceMs = options.timeoutGraceMs ?? DEFAULT_TIMEOUT_GRACE_MS;
  const secrets = options.secrets ?? envSecretStore(process.env);
  const workspace = await loadAgentWorkspace({ defs: options.defs ?? [], cwd: options.cwd ?? process.cwd(), types: options.types, providers: options.providers, secrets });
  const types = [...workspace.types.keys()];

  let nc: NatsConnection;
  try {
    nc = await connectNats({ ...options.nats, name: options.nats.name ?? `orch agent ${name}` }, options.connectTimeoutMs);
  } catch (error) {
    await workspace.dispose();
    throw error;
  }
  try {
    return await assemble(nc, workspace, {
      name, types, concurrency, ackWaitMs, drainTimeoutMs, timeoutGraceMs, secrets,
      cancelGraceMs: options.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS,
      workRoot: options.workRoot ?? join(tmpdir(), 'orch-agent'),
      random: options.random ?? Math.random,
      url: options.nats.url,
    });
  } catch (error) {
    await nc.close().catch(() => undefined);
    await workspace.dispose();
    throw error;
  }
}

interface Settings {
  name: string;
  types: string[];
  concurrency: number;
  ackWaitMs: number;
  drainTimeoutMs: number;
  timeoutGraceMs: number;
  cancelGraceMs: number;
  secrets: SecretStore;
  workRoot: string;
  random: () => number;
  url: string;
}

async function jetStreamOf(nc: NatsConnection, url: string): Promise<JetStreamManager> {
  try {
    return await nc.jetstreamManager();
  } catch (error) {
    const text = errorText(error);
    if (/503|no responders|not enabled/i.test(text)) throw new AgentStartError([`JetStream is not enabled on the NATS server at ${url} (start nats-server with -js and a store directory, -sd DIR)`]);
    throw error;
  }
}

async function assemble(nc: NatsConnection, workspace: AgentWorkspace, s: Settings): Promise<AgentHandle> {
  const events = new AgentEventEmitter();
  const jsm = await jetStreamOf(nc, s.url);
  await ensureStreams(jsm);
  const kv = await attemptBucket(nc);
  const js = nc.jetstream();

  const giveUp = new AbortController();
  const link: ConnectionWatch = { epoch: 0, disconnected: false };
  /** Failures while the connection is known to be down say nothing new: only the others are reported. */
  const onFailure = (what: string) => (error: unknown, failures: number) => {
    if (!link.disconnected) events.emit('error', { message: `${what} failed (${failures}x, retrying): ${errorText(error)}` });
  };
  const retry = { giveUp: giveUp.signal, onFailure: onFailure('a NATS operation') };
  const publisher = new PubAcks(nc, PUBLISH_TIMEOUT_MS, true);
  const sink: ReportSink = { nc, publisher, agent: s.name, retry: { giveUp: giveUp.signal, onFailure: onFailure('publishing a report') } };
  const records = new AttemptRecords(kv, { giveUp: giveUp.signal, onFailure: onFailure('the attempt record store') },
    (dispatchId, why) => events.emit('error', { message: `the attempt record of ${dispatchId} is unreadable (${why}); the attempt counts from 1`, dispatchId }));
  const cancels = new CancelMemory();
  const inFlight = new Map<string, Delivery>();
  const confirming = new Set<Promise<void>>();
  const heartbeats = new Heartbeats(Math.max(100, Math.floor(s.ackWaitMs / 3)));
  const deps: DeliveryDeps = {
    agent: s.name, nc, sink, workspace, secrets: s.secrets, records, cancels, inFlight, events,
    ackWaitMs: s.ackWaitMs, timeoutGraceMs: s.timeoutGraceMs, cancelGraceMs: s.cancelGraceMs,
    workRoot: s.workRoot, random: s.random, retry, confirming, heartbeats, link,
    draining: () => stopping,
    resultStored: async (subject) => {
      try {
        const report = decodeAgentReport((await jsm.streams.getMessage(REPORT_STREAM, { last_by_subj: subject })).data);
        return report.kind === 'result' && report.ack !== undefined;
      } catch {
        // Nothing stored on it (or unreadable): the message runs.
        return false;
      }
    },
  };

  let stopping = false;
  const puller = new Puller({
    js, jsm, types: s.types, concurrency: s.concurrency, ackWaitMs: s.ackWaitMs,
    hooks: {
      handle: (type, msg) => handleDelivery(msg, type, deps),
      handBack: (msg: JsMsg) => { try { msg.nak(); } catch { /* closed */ } },
      trouble: (type, error) => {
        if (!link.disconnected) events.emit('reconnecting', { reason: `pulling ${type} failed: ${errorText(error)}`, type });
      },
      recovered: (type) => events.emit('reconnected', { url: s.url, type }),
      failed: (type, error) => events.emit('error', { message: `handling a message of ${type} failed: ${errorText(error)}` }),
    },
  });
  await puller.bind();

  const cancelSub: Subscription = nc.subscribe(CANCEL_SUBJECTS, {
    callback: (error, msg) => {
      if (error) {
        events.emit('error', { message: `listening for cancel requests failed: ${errorText(error)}` });
        return;
      }
      let request;
      try {
        request = decodeCancelRequest(msg.data);
      } catch (failure) {
        events.emit('error', { message: `ignored a cancel request on ${msg.subject}: ${errorText(failure)}` });
        return;
      }
      cancels.remember(request);
      for (const delivery of inFlight.values()) {
        if (delivery.runId === request.runId && (!request.dispatchIds || request.dispatchIds.includes(delivery.dispatchId))) delivery.cancel(request.reason);
      }
    },
  });

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => { resolveClosed = resolve; });
  let closing: Promise<void> | undefined;

  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === Events.Disconnect) {
        if (!link.disconnected && !stopping) events.emit('reconnecting', { reason: `lost the connection to ${String(status.data)}` });
        link.disconnected = true;
        link.epoch++;
        publisher.disconnected();
      } else if (status.type === Events.Reconnect) {
        link.disconnected = false;
        link.epoch++;
        publisher.reconnected();
        if (!stopping) events.emit('reconnected', { url: String(status.data) });
        puller.kick();
      } else if (status.type === Events.Error) {
        events.emit('error', { message: `NATS: ${String(status.data)}` });
      }
    }
  })().catch(() => undefined);

  // A connection closed by anyone but stop() (the server refused us for good) ends the agent.
  void nc.closed().then((error) => {
    if (closing) return;
    closing = (async () => {
      stopping = true;
      puller.stop();
      giveUp.abort();
      heartbeats.close();
      publisher.close();
      for (const delivery of inFlight.values()) delivery.release();
      await workspace.dispose().catch(() => undefined);
      const message = error ? errorText(error) : 'the connection to NATS was closed';
      events.emit('error', { message: `the agent stops: ${message}` });
      events.emit('closed', { error: message });
      resolveClosed();
    })();
  });

  const stop = (): Promise<void> => {
    closing ??= (async () => {
      stopping = true;
      puller.stop();
      try {
        events.emit('stopping', { inFlight: puller.active, drainTimeoutMs: s.drainTimeoutMs });
        await raceTimeout(puller.idle(), s.drainTimeoutMs);
        if (puller.active > 0) {
          for (const delivery of inFlight.values()) delivery.release();
          await raceTimeout(puller.idle(), s.timeoutGraceMs + FLUSH_WAIT_MS);
        }
        await raceTimeout(Promise.allSettled([...confirming]), FLUSH_WAIT_MS);
        // Whatever still retries gives up now: its message comes back to another agent after the ack wait.
        giveUp.abort();
        await raceTimeout(puller.idle(), 1000);
        cancelSub.unsubscribe();
        await workspace.dispose().catch(() => undefined);
        await raceTimeout(nc.drain(), FLUSH_WAIT_MS);
      } finally {
        giveUp.abort();
        heartbeats.close();
        publisher.close();
        if (!nc.isClosed()) await nc.close().catch(() => undefined);
        events.emit('closed', {});
        resolveClosed();
      }
    })();
    return closing;
  };

  void sweepWorkRoot(s.workRoot);
  // Listeners are attached once startAgent resolves: 'ready' and the first pulls come on the next turn.
  setImmediate(() => {
    if (stopping) return;
    events.emit('ready', { name: s.name, types: s.types, concurrency: s.concurrency, ackWaitMs: s.ackWaitMs, url: s.url, skipped: [...workspace.skipped] });
    puller.begin();
  });

  return {
    name: s.name,
    types: s.types,
    on: (event, listener) => events.on(event, listener),
    off: (event, listener) => events.off(event, listener),
    get active() { return puller.active; },
    stop,
    closed,
  };
}

function raceTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  const timer = new AbortController();
  return Promise.race([promise.then(() => undefined, () => undefined), pause(ms, timer.signal)]).finally(() => timer.abort());
}

/** Removes run folders nobody touched for a week (their dispatches ended on other agents). */
async function sweepWorkRoot(workRoot: string): Promise<void> {
  let entries: string[];
  try { entries = await readdir(workRoot); } catch { return; }
  const cutoff = Date.now() - WORK_FOLDER_RETENTION_MS;
  for (const entry of entries) {
    const path = join(workRoot, entry);
    try {
      if ((await stat(path)).mtimeMs < cutoff) await rm(path, { recursive: true, force: true });
    } catch {
      // Best effort: it is in the temporary folder.
    }
  }
}
