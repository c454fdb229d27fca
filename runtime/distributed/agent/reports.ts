/**
 * Reports of one dispatch to the orchestrator, in order, each stored in the report stream before the
 * next is sent (a report is a JetStream publish awaited for its PubAck, and retried until it is
 * stored: NATS restarting delays reports, never loses or reorders them). Each publish carries a
 * message id made of the dispatch, the report kind, the attempt, the poll and the delivery (plus a
 * counter for log lines), so a publish retried after a lost PubAck is stored once.
 *
 * Log lines that queue up behind a publish in flight go out together, as one report whose `line`
 * holds them separated by newlines (the engine splits a log line on newlines): a chatty program
 * costs a round trip per batch, not per line. The queue of unsent lines is bounded; past it lines
 * are dropped and the count is reported once there is room again.
 */
import type { JetStreamClient, NatsConnection } from 'nats';
import { ErrorCode } from 'nats';
import type { LogStream } from '../../engine/provider';
import { encode, PROTOCOL_VERSION, type ActivityMessage, type AgentReport, type FinalResult } from '../protocol';
import { GaveUpError, persist, type PersistOptions } from './persist';

/** One log report's text at most (a batch, or one line cut to this). */
const MAX_LOG_REPORT_CHARS = 64 * 1024;
/** Log text queued per dispatch before lines are dropped. */
const MAX_QUEUED_LOG_CHARS = 8 * 1024 * 1024;
/** Errors and messages are cut to this: a report must fit in one NATS message. */
const MAX_TEXT_CHARS = 16 * 1024;
/** Room for the headers and the rest of a report around the payload. */
const ENVELOPE_BYTES = 1024;
const PUBLISH_TIMEOUT_MS = 5000;

export function clip(text: string, max = MAX_TEXT_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length - max} more characters)`;
}

export interface ReportSink {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  /** The agent's name, on every report. */
  readonly agent: string;
  readonly retry: Omit<PersistOptions, 'permanent'>;
}

interface QueuedReport {
  report: AgentReport;
  id: string;
  poll: number;
  /** Set for a log report that may still take more lines. */
  logChars?: number;
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

  constructor(
    private readonly sink: ReportSink,
    private readonly message: Pick<ActivityMessage, 'runId' | 'dispatchId' | 'reportTo'>,
    private readonly delivery: number,
  ) {}

  started(attempt: number, poll: number): void {
    void this.enqueue({ kind: 'started', attempt, poll, delivery: this.delivery }, poll).catch(() => undefined);
  }

  log(attempt: number, poll: number, stream: LogStream, line: string): void {
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
    return this.enqueue({ kind: 'retrying', attempt, error: clip(error), delayMs }, poll);
  }

  scheduled(attempt: number, poll: number, delayMs: number, message: string | undefined): Promise<void> {
    const body: ReportBody = { kind: 'scheduled', attempt, poll, delayMs };
    if (message !== undefined) body.message = clip(message);
    return this.enqueue(body, poll);
  }

  /** The end of the dispatch; a complete result too large for one NATS message becomes a fatal one saying so. */
  result(attempt: number, poll: number, result: FinalResult): Promise<void> {
    let final = result;
    if (final.kind === 'fatal') final = { kind: 'fatal', error: clip(final.error) };
    if (final.kind === 'wait' && final.message !== undefined) final = { kind: 'wait', message: clip(final.message) };
    if (final.kind === 'complete') {
      const limit = this.payloadLimit();
      const size = encode(this.full({ kind: 'result', attempt, result: final })).length;
      if (size > limit) {
        final = { kind: 'fatal', error: `the outputs are too large to report: ${size} bytes of JSON, over the NATS server's max_payload of ${limit + ENVELOPE_BYTES} bytes (write large data elsewhere and output a reference to it)` };
      }
    }
    return this.enqueue({ kind: 'result', attempt, result: final }, poll);
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
    const data = encode(item.report);
    await persist(`the ${item.report.kind} report of ${this.message.dispatchId}`, async () => {
      await this.sink.js.publish(this.message.reportTo, data, { msgID: item.id, timeout: PUBLISH_TIMEOUT_MS });
    }, { ...this.sink.retry, permanent: isPermanent });
  }
}

function isPermanent(error: unknown): boolean {
  return (error as { code?: unknown }).code === ErrorCode.MaxPayloadExceeded;
}
