/**
 * The write-ahead path every state change takes: record (stamp, redact, serialise) → append to the
 * journal → flush to disk → deliver the event. Changes that happen together share one append and one
 * fdatasync (group commit): records made while a flush is in flight wait for the next one, and flushes
 * begin at most every SYNC_GAP_MS, so a busy run needs a handful of syncs per batch of activities
 * rather than one per change.
 *
 * Side effects that depend on a change (starting a provider after `activity.started`) run once the
 * change is appended, before the disk flush completes: a crash of the process cannot lose an appended
 * line, and events, which tell the world, still wait for the flush. Log lines take the same queue, so
 * listeners see everything in the order it happened.
 */
import type { Clock } from './clock';
import type { Emitter } from './emitter';
import type { ActivityLogEvent, ActivityRef, EventDraft, JournalEntry, RunEvent } from './events';
import { journalLine, type JournalWriter } from './journal';
import type { LogFiles } from './logFiles';
import type { LogStream } from './provider';
import type { Redactor } from './secrets';

export interface OutboxOptions {
  runId: string;
  clock: Clock;
  journal: JournalWriter;
  emitter: Emitter<RunEvent>;
  redactor: Redactor;
  logs: LogFiles;
  /** The seq of the last event already in the journal (0 for a new run). */
  lastSeq: number;
  /** Sees every journal entry as it is recorded (the live snapshot). */
  onEntry?(entry: JournalEntry): void;
  /** The journal could not be written or flushed: the run cannot go on durably. */
  onFatal(error: Error): void;
}

/** The shortest time between the starts of two journal flushes. */
const SYNC_GAP_MS = 2;

export class Outbox {
  private seq: number;
  private lines: string[] = [];
  private effects: ((arg: unknown) => void)[] = [];
  private effectArgs: unknown[] = [];
  /** Events not delivered yet, and for each the count of journal lines that must be on disk first. */
  private readonly queue: RunEvent[] = [];
  private readonly needs: number[] = [];
  private head = 0;
  private recorded = 0;
  private appended = 0;
  private durable = 0;
  private syncing = false;
  /** When the last flush began (performance.now() ms), and the timer holding back the next one. */
  private lastSyncAt = -Infinity;
  private syncTimer: NodeJS.Timeout | undefined;
  private pumpScheduled = false;
  private failed: Error | undefined;
  private idleWaiters: (() => void)[] = [];
  /** Waiting for the events queued when they asked: `left` counts down as events are delivered. */
  private deliveryWaiters: { left: number; resolve: () => void }[] = [];

  constructor(private readonly options: OutboxOptions) {
    this.seq = options.lastSeq;
  }

  get lastSeq(): number {
    return this.seq;
  }

  get broken(): Error | undefined {
    return this.failed;
  }

  /**
   * Journals a change; `effect(arg)` runs once it is appended (a shared function and its argument: no
   * closure per change). Returns the stamped (redacted) event. The draft is stamped in place (callers
   * hand over a fresh object literal): one allocation less per change, which a 10,000-activity run
   * notices; a hot path may hand over the whole event with placeholder stamps (`seq: 0, time: 0`),
   * whose fields then all sit in the object itself rather than in storage added as they are stamped.
   */
  record<E extends JournalEntry, A = undefined>(draft: EventDraft<E> | E, effect?: (arg: A) => void, arg?: A): E {
    const stamped = draft as unknown as E & { seq: number; time: number; runId: string };
    stamped.seq = ++this.seq;
    stamped.time = this.options.clock.now();
    stamped.runId = this.options.runId;
    const event = this.options.redactor.value(stamped);
    if (this.failed) return event;
    this.lines.push(journalLine(event));
    this.recorded++;
    this.options.onEntry?.(event);
    this.queue.push(event);
    this.needs.push(this.recorded);
    if (effect) {
      this.effects.push(effect as (arg: unknown) => void);
      this.effectArgs.push(arg);
    }
    this.schedule();
    return event;
  }

  /** A log line (already redacted): written to `file`, delivered in order, never journaled. */
  log(ref: ActivityRef, attempt: number, stream: LogStream, line: string, file: string): void {
    if (this.failed) return;
    const event: ActivityLogEvent = { type: 'activity.log', ...ref, attempt, stream, line, seq: ++this.seq, time: this.options.clock.now(), runId: this.options.runId };
    this.options.logs.append(file, line);
    this.queue.push(event);
    this.needs.push(this.recorded);
    this.schedule();
  }

  /** Closes an attempt's log file once its lines are written. */
  closeLog(file: string): void {
    this.options.logs.close(file);
    this.schedule();
  }

  /**
   * Resolves once everything recorded so far is on disk and delivered, however busy the run stays
   * afterwards (or once the journal broke).
   */
  delivered(): Promise<void> {
    // Delivery is in order: once this many more are out, every event recorded before now is.
    const target = this.queue.length - this.head;
    if (target === 0 || this.failed) return Promise.resolve();
    return new Promise((resolve) => this.deliveryWaiters.push({ left: target, resolve }));
  }

  /** Resolves once everything recorded so far is on disk and delivered (or the journal broke). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.failed !== undefined || (this.head === this.queue.length && this.lines.length === 0 && !this.syncing && !this.syncTimer && !this.pumpScheduled);
  }

  private schedule(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    // setImmediate, not a microtask: everything that completes in this turn of the event loop
    // (provider results, timers) joins the same batch.
    setImmediate(() => this.pump());
  }

  private pump(): void {
    this.pumpScheduled = false;
    if (this.failed) return;
    const lines = this.lines;
    if (lines.length) {
      const count = lines.length;
      // The trailing newline joined in, not concatenated after: `join() + '\n'` makes a two-part string
      // that writing has to copy into one again, a second copy of the whole batch.
      lines.push('');
      const text = lines.join('\n');
      this.lines = [];
      try {
        this.options.journal.append(text);
      } catch (error) {
        this.fail(error);
        return;
      }
      this.appended += count;
    }
    this.options.logs.writeAll();
    if (this.effects.length) {
      const effects = this.effects;
      const args = this.effectArgs;
      this.effects = [];
      this.effectArgs = [];
      for (let i = 0; i < effects.length; i++) effects[i](args[i]);
    }
    this.sync();
  }

  private sync(): void {
    if (this.syncing || this.syncTimer || this.failed) return;
    if (this.durable === this.appended) {
      this.deliver();
      return;
    }
    // Group commit with a window: a flush begins at most every SYNC_GAP_MS, so changes arriving one
    // by one (the reports of remote agents, each in a turn of its own) share flushes instead of
    // paying one each. Only the events wait for it; the effects ran at the append.
    const wait = this.lastSyncAt + SYNC_GAP_MS - performance.now();
    if (wait > 0) {
      this.syncTimer = setTimeout(() => {
        this.syncTimer = undefined;
        this.sync();
      }, wait);
      return;
    }
    this.lastSyncAt = performance.now();
    this.syncing = true;
    const target = this.appended;
    this.options.journal.sync((error) => {
      this.syncing = false;
      if (error) { this.fail(error); return; }
      this.durable = target;
      this.deliver();
      this.sync();
    });
  }

  private deliver(): void {
    const { queue, needs } = this;
    const start = this.head;
    while (this.head < queue.length && needs[this.head] <= this.durable) {
      this.options.emitter.emit(queue[this.head++]);
    }
    const count = this.head - start;
    if (count && this.deliveryWaiters.length) {
      this.deliveryWaiters = this.deliveryWaiters.filter((w) => {
        w.left -= count;
        if (w.left > 0) return true;
        w.resolve();
        return false;
      });
    }
    if (this.head === queue.length) {
      queue.length = 0;
      needs.length = 0;
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > queue.length) {
      queue.splice(0, this.head);
      needs.splice(0, this.head);
      this.head = 0;
    }
    if (this.isIdle()) this.wakeIdle();
  }

  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = error instanceof Error ? error : new Error(String(error));
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    this.lines = [];
    this.effects = [];
    this.effectArgs = [];
    this.wakeIdle();
    this.options.onFatal(this.failed);
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
    if (this.failed) {
      for (const w of this.deliveryWaiters) w.resolve();
      this.deliveryWaiters = [];
    }
  }
}
