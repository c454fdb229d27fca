/**
 * Pulls work from the durable consumers of the agent's types, never more than the agent can run at
 * once. Every pull request (a JetStream fetch) reserves as many slots as it asks messages for, so a
 * message is only ever delivered into a free slot: nothing waits in a client buffer while its ack
 * wait runs out. Across types, slots go where the work is:
 *
 * - a type with a backlog (each delivered message says how many more are pending) may take as many
 *   slots as its backlog, in short fetches so that slots held by a fetch nothing arrives for come
 *   back quickly; types with a backlog share the free slots round-robin;
 * - a type with no known backlog keeps one long-poll "probe" outstanding, so new work is seen the
 *   moment it is published; when there are fewer free slots than such types, their consumers are
 *   asked for their backlog (consumer info, no slot held) before the idle ones take turns at short
 *   probes. An agent of one type probes for all its free slots: nobody else could use them, and one
 *   pull request then serves a run of messages published one at a time (a chain of activities,
 *   each enqueued when the one before it ends) instead of a pull request, with its own
 *   subscription, per message. An agent of several types probes for one message per type, so that
 *   an idle type never holds slots another type's backlog could use.
 *
 * Fetch failures (NATS restarting, JetStream not ready yet, the consumer deleted) put the type in
 * backoff: the consumer is re-created if it is missing and pulling resumes; the agent never stops
 * over them.
 */
import { ConsumerEvents, type Consumer, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from 'nats';
import { ACTIVITY_STREAM } from '../protocol';
import { ensureStreams, ensureTypeConsumer } from '../streams';
import { pause } from './persist';

/** A probe waits this long for a message before it is renewed (slots rotate among idle types then). */
const PROBE_EXPIRES_MS = 10_000;
/** Fetches for a backlog, and probes when types outnumber free slots. */
const SHORT_EXPIRES_MS = 2_000;
/** A fetch that ends this soon with nothing and no error is a failure too (never spin). */
const SUSPICIOUS_END_MS = 50;
const MAX_BACKOFF_MS = 5_000;

interface Lane {
  readonly type: string;
  consumer: Consumer | undefined;
  /** Slots held by this type's outstanding fetches (messages asked for, not yet received). */
  reserved: number;
  /** Messages pending in the consumer, as the last delivery said. */
  backlog: number;
  readonly fetches: Set<ConsumerMessages>;
  /** Consecutive failures; reset by a fetch that works. */
  failures: number;
  /** In backoff after a failure: no fetches until the consumer is bound again. */
  blocked: boolean;
  /** A recovery (backoff, then binding again) is under way. */
  recovering: boolean;
  /** The trouble was reported, and its end is still to be. */
  troubled: boolean;
  /** Ends the backoff pause early (a reconnect). */
  wake?: AbortController;
}

export interface PullerHooks {
  /** Runs one delivered message; the slot is free again when the promise settles. */
  handle(type: string, msg: JsMsg): Promise<void>;
  /** A message delivered after stop(): handed back at once. */
  handBack(msg: JsMsg): void;
  /** Pulling `type` failed; the puller backs off and binds its consumer again (told once per episode). */
  trouble(type: string, error: unknown): void;
  /** The consumer of `type` is bound again after trouble. */
  recovered(type: string): void;
  /** `handle` failed (a bug: it is meant to settle every message itself). */
  failed(type: string, error: unknown): void;
}

export interface PullerOptions {
  js: JetStreamClient;
  jsm: JetStreamManager;
  types: readonly string[];
  concurrency: number;
  ackWaitMs: number;
  hooks: PullerHooks;
}

export class Puller {
  private readonly lanes: Lane[];
  private running = 0;
  private reservedTotal = 0;
  private cursor = 0;
  private stopped = false;
  /** A backlog check is under way. */
  private checking = false;
  /** Set while giving out slots right after a backlog check: the backlogs are current. */
  private backlogFresh = false;
  private readonly stopSignal = new AbortController();
  private idleWaiters: (() => void)[] = [];

  /** The fewest slots a fetch for a backlog asks for while the type has a pull request open already. */
  private readonly minimumBatch: number;

  constructor(private readonly options: PullerOptions) {
    this.minimumBatch = Math.max(1, Math.floor(options.concurrency / 8));
    this.lanes = options.types.map((type) => ({ type, consumer: undefined, reserved: 0, backlog: 0, fetches: new Set(), failures: 0, blocked: false, recovering: false, troubled: false }));
  }

  /** Binds each type's consumer, creating it (or updating its ack wait) as the agent configures it. */
  async bind(): Promise<void> {
    for (const lane of this.lanes) await this.bindLane(lane);
  }

  /** Starts pulling. */
  begin(): void {
    this.pump();
  }

  /** Attempts running now. */
  get active(): number {
    return this.running;
  }

  /** Stops pulling at once: outstanding fetches are closed, and anything they still deliver is handed back. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stopSignal.abort();
    for (const lane of this.lanes) for (const fetch of lane.fetches) void fetch.close().catch(() => undefined);
  }

  /** Resolves when no attempt is running any more. */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Something changed outside (a reconnect): types in backoff try again now. */
  kick(): void {
    for (const lane of this.lanes) lane.wake?.abort();
    this.pump();
  }

  private async bindLane(lane: Lane): Promise<void> {
    const { jsm, js, ackWaitMs } = this.options;
    const name = await ensureTypeConsumer(jsm, lane.type, { ackWaitMs });
    const consumer = await js.consumers.get(ACTIVITY_STREAM, name);
    const info = await consumer.info(true);
    lane.backlog = info.num_pending;
    lane.consumer = consumer;
  }

  /**
   * Gives out the free slots: first to the types with known work, one slot at a time round-robin from
   * a cursor that moves on every call (a backlog never makes another type wait for long), then a
   * probe each to the types with nothing known. When too few slots remain to probe them all, their
   * consumers are asked for their backlog first, and only the idle ones take turns at probing.
   */
  private pump(): void {
    if (this.stopped) return;
    let free = this.options.concurrency - this.running - this.reservedTotal;
    if (free <= 0) return;
    const count = this.lanes.length;
    const ready: Lane[] = [];
    for (let i = 0; i < count; i++) {
      const lane = this.lanes[(this.cursor + i) % count];
      if (lane.consumer && !lane.blocked) ready.push(lane);
    }
    this.cursor = (this.cursor + 1) % count;
    const grants = new Map<Lane, number>();
    for (let granted = true; free > 0 && granted; ) {
      granted = false;
      for (const lane of ready) {
        if (free === 0) break;
        const given = grants.get(lane) ?? 0;
        if (lane.backlog - lane.reserved - given > 0) {
          grants.set(lane, given + 1);
          free--;
          granted = true;
        }
      }
    }
    for (const [lane, batch] of grants) {
      // A pull request still open for this type takes new messages too: another for a slot or two at a
      // time (as each attempt ends) would cost a pull request, with its own subscription, per message.
      if (lane.reserved > 0 && batch < this.minimumBatch) {
        free += batch;
        continue;
      }
      this.fetch(lane, batch, SHORT_EXPIRES_MS);
    }
    const unprobed = ready.filter((lane) => lane.backlog <= 0 && lane.reserved === 0);
    if (!unprobed.length || free === 0) return;
    if (free >= unprobed.length) {
      const batch = count === 1 ? free : 1;
      for (const lane of unprobed) this.fetch(lane, batch, PROBE_EXPIRES_MS);
    } else if (this.backlogFresh) {
      // Known to be idle a moment ago: probes take turns at the few slots, and come back soon.
      for (const lane of unprobed.slice(0, free)) this.fetch(lane, 1, SHORT_EXPIRES_MS);
    } else {
      // Too few slots to probe every idle type: ask their consumers what is waiting first.
      this.checkBacklog(unprobed);
    }
  }

  /** Reads the backlog of `lanes` from their consumers (no slot needed), then gives out slots again. */
  private checkBacklog(lanes: Lane[]): void {
    if (this.checking || this.stopped) return;
    this.checking = true;
    void Promise.all(lanes.map(async (lane) => {
      try {
        lane.backlog = (await lane.consumer!.info()).num_pending;
      } catch {
        // The next fetch of this type finds out what is wrong.
      }
    })).finally(() => {
      this.checking = false;
      this.backlogFresh = true;
      try {
        this.pump();
      } finally {
        this.backlogFresh = false;
      }
    });
  }

  private fetch(lane: Lane, batch: number, expires: number): void {
    lane.reserved += batch;
    this.reservedTotal += batch;
    void this.runFetch(lane, batch, expires);
  }

  private async runFetch(lane: Lane, batch: number, expires: number): Promise<void> {
    const began = Date.now();
    let received = 0;
    let fetch: ConsumerMessages | undefined;
    let failure: unknown;
    let silent: Error | undefined;
    try {
      // Heartbeats well inside the pull's life: a pull sent to a consumer deleted just before it gets
      // no answer at all, and only missed heartbeats tell that from an idle queue.
      fetch = await lane.consumer!.fetch({ max_messages: batch, expires, idle_heartbeat: Math.max(500, Math.min(2000, Math.floor(expires / 4))) });
      lane.fetches.add(fetch);
      if (this.stopped) void fetch.close().catch(() => undefined);
      const watched = fetch;
      void watched.status().then(async (statuses) => {
        for await (const status of statuses) {
          if (status.type === ConsumerEvents.HeartbeatsMissed) {
            silent = new Error('the consumer stopped answering (heartbeats missed): it may have been deleted');
            watched.stop(silent);
            return;
          }
        }
      }).catch(() => undefined);
      for await (const msg of fetch) {
        received++;
        // After a reconnect nats.js may ask again for the whole batch: never run more than we reserved.
        if (received > batch || this.stopped) {
          this.options.hooks.handBack(msg);
          continue;
        }
        lane.reserved--;
        this.reservedTotal--;
        lane.backlog = msg.info.pending;
        this.run(lane, msg);
      }
    } catch (error) {
      failure = error;
    } finally {
      if (fetch) lane.fetches.delete(fetch);
      const unused = batch - Math.min(received, batch);
      lane.reserved -= unused;
      this.reservedTotal -= unused;
    }
    if (this.stopped) return;
    failure ??= silent;
    if (failure === undefined && received === 0 && Date.now() - began < SUSPICIOUS_END_MS) {
      failure = new Error('the pull request ended at once without messages');
    }
    if (failure !== undefined) {
      this.failed(lane, failure);
      return;
    }
    if (received < batch) lane.backlog = 0;
    lane.failures = 0;
    this.pump();
  }

  private run(lane: Lane, msg: JsMsg): void {
    this.running++;
    const release = () => {
      this.running--;
      if (this.running === 0) for (const waiter of this.idleWaiters.splice(0)) waiter();
      this.pump();
    };
    let work: Promise<void>;
    try {
      work = this.options.hooks.handle(lane.type, msg);
    } catch (error) {
      work = Promise.reject(error);
    }
    work.then(release, (error: unknown) => {
      this.options.hooks.failed(lane.type, error);
      release();
    });
    // A slot freed by this message's arrival (or a backlog it revealed) is given out now.
    this.pump();
  }

  private failed(lane: Lane, error: unknown): void {
    lane.failures++;
    lane.blocked = true;
    if (!lane.troubled) {
      lane.troubled = true;
      this.options.hooks.trouble(lane.type, error);
    }
    if (!lane.recovering) void this.recover(lane);
    // The slots this type held may serve the others meanwhile.
    this.pump();
  }

  /** Backs off, then binds the consumer again (re-creating the streams and it when they are gone). */
  private async recover(lane: Lane): Promise<void> {
    lane.recovering = true;
    try {
      await this.rebind(lane);
    } finally {
      lane.recovering = false;
    }
    if (this.stopped) return;
    // Bound again; `failures` stays until a fetch works, so that a relapse backs off longer.
    lane.blocked = false;
    if (lane.troubled) {
      lane.troubled = false;
      this.options.hooks.recovered(lane.type);
    }
    this.pump();
  }

  private async rebind(lane: Lane): Promise<void> {
    while (!this.stopped) {
      const base = Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(lane.failures - 1, 10));
      lane.wake = new AbortController();
      await pause(base / 2 + Math.random() * (base / 2), AbortSignal.any([lane.wake.signal, this.stopSignal.signal]));
      lane.wake = undefined;
      if (this.stopped) return;
      try {
        await ensureStreams(this.options.jsm);
        await this.bindLane(lane);
        break;
      } catch {
        lane.failures++;
      }
    }
  }
}
