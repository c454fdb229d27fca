/**
 * Reports of one dispatch to the orchestrator, in order, each stored in the report stream before the
 * next is sent (a report is a JetStream publish awaited for its PubAck, and retried until it is
 * stored: NATS restarting delays reports, never loses or reorders them). A result whose message the
 * orchestrator acknowledges (it carries `ack`) is the dispatch's last report and nothing here waits
 * on it: it goes without a PubAck (PubAcks.publishUnconfirmed, confirmed in bulk and sent again
 * after a reconnect), one message per activity fewer for the agent and the server. Each publish carries a
 * message id made of the dispatch, the report kind, the attempt, the poll and the delivery (plus a
 * counter for log lines), so a publish retried after a lost PubAck is stored once.
 *
 * Log lines that queue up behind a publish in flight go out together, as one report whose `line`
 * holds them separated by newlines (the engine splits a log line on newlines): a chatty program
 * costs a round trip per batch, not per line. The queue of unsent lines is bounded; past it lines
 * are dropped and the count is reported once there is room again.
 *
 * A `started` report is held back for STARTED_HOLD_MS: most attempts (a no-op, a quick check) end
 * sooner, and then their result carries the start instead (its `poll` and `delivery`, from which
 * the orchestrator records the start with this agent's name before settling), which saves a stored
 * message and a round trip per activity. Anything else about the dispatch (a log line, a retry, a
 * Schedule) or the end of the hold sends the held `started` first, so reports stay in order.
 */
import type { NatsConnection } from 'nats';
import { ErrorCode } from 'nats';
import type { LogStream } from '../../engine/provider';
import { encode, PROTOCOL_VERSION, type ActivityMessage, type AgentReport, type FinalResult } from '../protocol';
import { GaveUpError, persist, type PersistOptions } from './persist';
import type { StreamPublisher } from '../pubAcks';

/** One log report's text at most (a batch, or one line cut to this). */
const MAX_LOG_REPORT_CHARS = 64 * 1024;
/** Log text queued per dispatch before lines are dropped. */
const MAX_QUEUED_LOG_CHARS = 8 * 1024 * 1024;
/** Errors and messages are cut to this: a report must fit in one NATS message. */
const MAX_TEXT_CHARS = 16 * 1024;
/** Room for the headers and the rest of a report around the payload. */
const ENVELOPE_BYTES = 1024;
/** How long a report's publish waits for its PubAck before it is sent again. */
export const PUBLISH_TIMEOUT_MS = 5000;
/** How long a `started` report waits to be folded into the attempt's result. */
export const STARTED_HOLD_MS = 50;

export function clip(text: string, max = MAX_TEXT_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length - max} more characters)`;
}

export interface ReportSink {
  /** Its server's max_payload bounds a report. */
  readonly nc: NatsConnection;
  /** Stores a report in the report stream (PubAck awaited). */
  readonly publisher: StreamPublisher;
  /** The agent's name, on every report. */
  readonly agent: string;
  readonly retry: Omit<PersistOptions, 'permanent'>;
}

interface QueuedReport {
  report: AgentReport;
  /** The report's bytes, when encoded before it was queued (a log report is encoded when it leaves). */
  data?: Uint8Array;
  id: string;
  poll: number;
  /** Set for a log report that may still take more lines. */
  logChars?: number;
  /** Stored without waiting for its PubAck (a result the orchestrator acknowledges). */
  unconfirmed?: boolean;
  settle?: { resolve: () => void; reject: (error: unknown) => void };
}

type ReportBody = AgentReport extends infer R ? R extends AgentReport ? Omit<R, 'v' | 'runId' | 'dispatchId' | 'agent'> : never : never;

export class DispatchReports {
  private readonly queue: QueuedReport[] = [];
  private working = false;
  private logCount = 0;
  private queuedLogChars = 0;
  private dropped = 0;
  private idleWaiters: (() => void)[] = [];
  /** A `started` report not sent yet (see the file's header). */
  private held: { attempt: number; poll: number; timer: NodeJS.Timeout } | undefined;

  constructor(
    private readonly sink: ReportSink,
    private readonly message: Pick<ActivityMessage, 'runId' | 'dispatchId' | 'reportTo'>,
    private readonly delivery: number,
  ) {}

  /** The attempt (or poll) starts: reported with its result if that comes within STARTED_HOLD_MS, else then. */
  started(attempt: number, poll: number): void {
    this.sendHeld();
    const timer = setTimeout(() => this.sendHeld(), STARTED_HOLD_MS);
    // A report due in 50 ms must not keep a process alive that has nothing else to do.
    timer.unref();
    this.held = { attempt, poll, timer };
  }

  /**
   * The delivery ends without a report of its own (handed back to the queue for another agent, or
   * failed): a start still held is forgotten, the next delivery reports its own.
   */
  discardHeld(): void {
    if (!this.held) return;
    clearTimeout(this.held.timer);
    this.held = undefined;
  }

  log(attempt: number, poll: number, stream: LogStream, line: string): void {
    this.sendHeld();
    if (this.queuedLogChars >= MAX_QUEUED_LOG_CHARS) {
      this.dropped++;
      return;
    }
    const text = clip(line, MAX_LOG_REPORT_CHARS);
    const last = this.queue[this.queue.length - 1];
    if (last?.logChars !== undefined && last.report.kind === 'log' && last.report.attempt === attempt && last.report.stream === stream
      && last.logChars + text.length + 1 <= MAX_LOG_REPORT_CHARS) {
      last.report.line += `\n${text}`;
      last.logChars += text.length + 1;
      this.queuedLogChars += text.length + 1;
      return;
    }
    this.queuedLogChars += text.length;
    const id = `${this.id('log', attempt, poll)}:${++this.logCount}`;
    this.push({ report: this.full({ kind: 'log', attempt, stream, line: text }), id, poll, logChars: text.length });
  }

  retrying(attempt: number, poll: number, error: string, delayMs: number): Promise<void> {
    this.sendHeld();
    return this.enqueue({ kind: 'retrying', attempt, error: clip(error), delayMs }, poll);
  }

  scheduled(attempt: number, poll: number, delayMs: number, message: string | undefined): Promise<void> {
    this.sendHeld();
    const body: ReportBody = { kind: 'scheduled', attempt, poll, delayMs };
    if (message !== undefined) body.message = clip(message);
    return this.enqueue(body, poll);
  }

  /**
   * The end of the dispatch; a complete result too large for one NATS message becomes a fatal one
   * saying so. When this attempt's `started` is still held, the result carries the start instead.
   */
  result(attempt: number, poll: number, result: FinalResult, more: { continued?: string; ack?: string } = {}): Promise<void> {
    let final = result;
    if (final.kind === 'fatal') final = { kind: 'fatal', error: clip(final.error) };
    if (final.kind === 'wait' && final.message !== undefined) final = { kind: 'wait', message: clip(final.message) };
    const held = this.held;
    let body: ReportBody;
    if (held && held.attempt === attempt && held.poll === poll) {
      this.discardHeld();
      body = { kind: 'result', attempt, result: final, poll, delivery: this.delivery };
    } else {
      this.sendHeld();
      body = { kind: 'result', attempt, result: final };
    }
    if (more.continued !== undefined) (body as { continued?: string }).continued = more.continued;
    if (more.ack !== undefined) (body as { ack?: string }).ack = more.ack;
    const report = this.full(body);
    // Encoded once: the size check and the publish share the bytes.
    let data = encode(report);
    if (final.kind === 'complete' && data.length > this.payloadLimit()) {
      const error = `the outputs are too large to report: ${data.length} bytes of JSON, over the NATS server's max_payload of ${this.payloadLimit() + ENVELOPE_BYTES} bytes (write large data elsewhere and output a reference to it)`;
      (report as Extract<AgentReport, { kind: 'result' }>).result = { kind: 'fatal', error };
      data = encode(report);
    }
    return new Promise<void>((resolve, reject) => {
      this.push({ report, data, id: this.id('result', attempt, poll), poll, unconfirmed: more.ack !== undefined, settle: { resolve, reject } });
    });
  }

  /** Resolves once every report queued so far has been stored (or given up on). */
  idle(): Promise<void> {
    if (!this.working && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private id(kind: AgentReport['kind'], attempt: number, poll: number): string {
    return `${this.message.dispatchId}:${kind}:${attempt}:${poll}:d${this.delivery}`;
  }

  private full(body: ReportBody): AgentReport {
    return { v: PROTOCOL_VERSION, runId: this.message.runId, dispatchId: this.message.dispatchId, agent: this.sink.agent, ...body } as AgentReport;
  }

  private payloadLimit(): number {
    return (this.sink.nc.info?.max_payload ?? 1024 * 1024) - ENVELOPE_BYTES;
  }

  /** Sends the held `started`, if any, ahead of what comes next. */
  private sendHeld(): void {
    const held = this.held;
    if (!held) return;
    this.discardHeld();
    void this.enqueue({ kind: 'started', attempt: held.attempt, poll: held.poll, delivery: this.delivery }, held.poll).catch(() => undefined);
  }

  private enqueue(body: ReportBody, poll: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.push({ report: this.full(body), id: this.id(body.kind, body.attempt, poll), poll, settle: { resolve, reject } });
    });
  }

  private push(item: QueuedReport): void {
    this.queue.push(item);
    if (!this.working) void this.drain();
  }

  private async drain(): Promise<void> {
    this.working = true;
    try {
      for (let item = this.queue.shift(); item; item = this.queue.shift()) {
        if (item.logChars !== undefined) {
          this.queuedLogChars -= item.logChars;
          // No more lines join a report once it is on its way.
          item.logChars = undefined;
        }
        try {
          await this.publish(item);
          item.settle?.resolve();
        } catch (error) {
          item.settle?.reject(error);
          if (error instanceof GaveUpError) {
            // The agent stopped waiting: nothing after it can be sent in order either.
            for (const rest of this.queue.splice(0)) rest.settle?.reject(error);
            this.queuedLogChars = 0;
            break;
          }
        }
        if (this.dropped > 0 && this.queuedLogChars < MAX_QUEUED_LOG_CHARS / 2 && item.report.kind === 'log') {
          const count = this.dropped;
          this.dropped = 0;
          this.log(item.report.attempt, item.poll, 'info', `[orch agent] ${count} log line${count === 1 ? '' : 's'} dropped: more output than could be reported in time`);
        }
      }
    } finally {
      this.working = false;
      for (const waiter of this.idleWaiters.splice(0)) waiter();
    }
  }

  private async publish(item: QueuedReport): Promise<void> {
    const data = item.data ?? encode(item.report);
    const publisher = this.sink.publisher;
    await persist(`the ${item.report.kind} report of ${this.message.dispatchId}`, async () => {
      if (item.unconfirmed && publisher.publishUnconfirmed) publisher.publishUnconfirmed(this.message.reportTo, data, item.id);
      else await publisher.publish(this.message.reportTo, data, item.id);
    }, { ...this.sink.retry, permanent: isPermanent });
  }
}

function isPermanent(error: unknown): boolean {
  return (error as { code?: unknown }).code === ErrorCode.MaxPayloadExceeded;
}
