/**
 * The orchestrator's ear for one run's reports: a plain subscription on the run's report subject,
 * with the report stream as the record to catch up from.
 *
 * Agents store every report in the report stream (PubAck awaited, retried until stored). A message
 * published on a subject a stream captures also reaches plain subscribers of that subject, straight
 * from the server's routing: no stream read, no consumer, no acknowledgements. Measured on the
 * distributed benchmark, that hand-over takes half the time of a JetStream consumer's delivery, and
 * the orchestrator has no acks to send. What a plain subscription cannot do is hear what was said
 * while it was away, so the stream fills that in:
 * - when the listener starts (a new run, or a resumed one whose reports are already stored), it reads
 *   the run's stored reports from the beginning;
 * - after a reconnect, it reads those stored since a minute before the connection dropped.
 * While it reads, reports arriving live wait, so each dispatch hears its reports in the order they
 * were sent; the overlap between the two paths is dropped by message id (`onReport` does that).
 * A plain subscriber loses messages only with its connection (the server closes a connection it
 * cannot keep up with, rather than dropping its messages), and a lost connection is a reconnect.
 */
import {
  AckPolicy, DeliverPolicy, Events, nanos, type ConsumerConfig, type JetStreamClient, type JetStreamManager, type Msg, type MsgHdrs, type NatsConnection,
  type Subscription,
} from 'nats';
import { MSG_ID_HEADER, REPORT_STREAM, runReportSubjects } from './protocol';

/** How far before a disconnection the catch-up starts reading (clocks of server and orchestrator differ a little). */
const CATCH_UP_MARGIN_MS = 60_000;
/** One fetch of the catch-up; more are made until the stream has nothing newer. */
const CATCH_UP_BATCH = 1000;
const CATCH_UP_EXPIRES_MS = 2000;

export interface ReportSink {
  /** One report's bytes, with its message id (the agent's Nats-Msg-Id) when it has one. */
  report(data: Uint8Array, id: string | undefined, subject: string): void;
  problem(message: string): void;
}

interface Live {
  data: Uint8Array;
  id: string | undefined;
  subject: string;
}

export class RunReportListener {
  private readonly subject: string;
  private subscription: Subscription | undefined;
  private statusWatch: { stop(): void } | undefined;
  /** Live reports held while the stream is being read (undefined when none is). */
  private held: Live[] | undefined;
  private catchUps: Promise<void> = Promise.resolve();
  private disconnectedAt: number | undefined;
  private stopped = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    runId: string,
    private readonly sink: ReportSink,
  ) {
    this.subject = runReportSubjects(runId);
  }

  /** Listens, then reads what the stream already holds for the run; resolves once that is read. */
  async start(): Promise<void> {
    this.held = [];
    this.subscription = this.nc.subscribe(this.subject, {
      callback: (error, msg) => {
        if (error) {
          if (!this.stopped) this.sink.problem(`the report subscription of ${this.subject} failed: ${error.message}`);
          return;
        }
        this.onLive(msg);
      },
    });
    this.watchConnection();
    // The subscription must be in place on the server before anything is dispatched (a report can
    // only follow a dispatch) and before the stream is read (so nothing falls between the two).
    await this.nc.flush();
    await this.catchUp(undefined);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.statusWatch?.stop();
    try { this.subscription?.unsubscribe(); } catch { /* the connection is closed */ }
    this.held = undefined;
  }

  private onLive(msg: Msg): void {
    const live: Live = { data: msg.data, id: idOf(msg.headers), subject: msg.subject };
    if (this.held) this.held.push(live);
    else this.sink.report(live.data, live.id, live.subject);
  }

  private watchConnection(): void {
    const status = this.nc.status();
    // nats.js hands out a QueuedIterator, whose stop() ends the loop below; the type does not say so.
    this.statusWatch = { stop: () => (status as { stop?(): void }).stop?.() };
    void (async () => {
      for await (const s of status) {
        if (this.stopped) break;
        if (s.type === Events.Disconnect) {
          this.disconnectedAt ??= Date.now();
          // Whatever is heard live from now on waits for the catch-up, so it cannot overtake what was missed.
          this.held ??= [];
        }
        if (s.type === Events.Reconnect) {
          const since = (this.disconnectedAt ?? Date.now()) - CATCH_UP_MARGIN_MS;
          this.disconnectedAt = undefined;
          this.held ??= [];
          void this.catchUp(since).catch(() => undefined);
        }
      }
    })().catch(() => undefined);
  }

  /**
   * Reads the run's stored reports (all of them, or those stored since `since`), then lets the live
   * ones held meanwhile through. A read that fails (the server restarting again) is tried again:
   * until it succeeds, live reports wait, so none is handled out of order.
   */
  private catchUp(since: number | undefined): Promise<void> {
    const run = async () => {
      for (let attempt = 0; !this.stopped; attempt++) {
        try {
          await this.readStored(since);
          break;
        } catch (error) {
          if (attempt === 2) this.sink.problem(`reading the stored reports of ${this.subject} failed, trying again: ${(error as Error).message}`);
          await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * 2 ** attempt)));
        }
      }
      const held = this.held ?? [];
      this.held = undefined;
      for (const live of held) this.sink.report(live.data, live.id, live.subject);
    };
    this.catchUps = this.catchUps.then(run, run);
    return this.catchUps;
  }

  /** A consumer of its own for the read (no acks, gone after it), fetched until the stream has nothing newer. */
  private async readStored(since: number | undefined): Promise<void> {
    const config: Partial<ConsumerConfig> = {
      filter_subject: this.subject,
      ack_policy: AckPolicy.None,
      deliver_policy: since === undefined ? DeliverPolicy.All : DeliverPolicy.StartTime,
      // Removed by the server if this side dies before deleting it.
      inactive_threshold: nanos(60_000),
    };
    if (since !== undefined) config.opt_start_time = new Date(since).toISOString();
    const info = await this.jsm.consumers.add(REPORT_STREAM, config);
    try {
      const consumer = await this.js.consumers.get(REPORT_STREAM, info.name);
      let pending = info.num_pending;
      while (pending > 0 && !this.stopped) {
        const batch = await consumer.fetch({ max_messages: Math.min(pending, CATCH_UP_BATCH), expires: CATCH_UP_EXPIRES_MS });
        let got = 0;
        for await (const m of batch) {
          got++;
          this.sink.report(m.data, idOf(m.headers), m.subject);
          pending = m.info.pending;
        }
        if (got === 0) pending = (await consumer.info()).num_pending;
      }
    } finally {
      await this.jsm.consumers.delete(REPORT_STREAM, info.name).catch(() => undefined);
    }
  }
}

function idOf(headers: MsgHdrs | undefined): string | undefined {
  return headers?.get(MSG_ID_HEADER) || undefined;
}
