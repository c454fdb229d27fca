/**
 * JetStream publishes that resolve once the stream has stored the message (its PubAck), as
 * `js.publish` does, for the agent's reports and the orchestrator's activity messages: one of each
 * is on the path of every activity.
 *
 * `js.publish` is a core request per message, and nats.js builds two errors with stack traces for
 * every request (one for a timeout that mostly never comes, one to cancel the request once
 * answered), besides a deferred and a timer: measured under the distributed benchmark, that was a
 * tenth of the agent's JavaScript time per activity. Here one subscription on the agent's own
 * inbox takes every PubAck, a publish carries a reply subject below it, and the pending publishes
 * wait in a map; the wire is the same (a message with a `Nats-Msg-Id` header and a reply subject, a
 * JSON PubAck or an API error back, a 503 status when no stream takes the subject).
 *
 * `publishUnconfirmed` stores a message without asking for its PubAck, for a report nobody waits on
 * (a result whose message the orchestrator acknowledges once it has it): no reply subject, so the
 * server sends nothing back, and the agent handles one message per activity fewer. Such publishes
 * are confirmed in bulk instead: a connection's messages are handled in order, so a ping answered
 * after them says the server has them all. What is not confirmed yet when the connection drops is
 * published again after the reconnect (its `Nats-Msg-Id` makes a repeat harmless); a message lost
 * anyway (the server died between receiving and storing it) is a redelivery after the ack wait.
 */
import { createInbox, headers, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from 'nats';

/** Stores messages in a stream; resolves once stored, rejects when the server refuses or does not answer in time. */
export interface StreamPublisher {
  /** Resolves with the message's stream sequence once stored (0 when the PubAck did not say). */
  publish(subject: string, data: Uint8Array, msgID: string): Promise<number>;
  /** Stores a message without waiting for its PubAck, where the publisher can (see PubAcks). */
  publishUnconfirmed?(subject: string, data: Uint8Array, msgID: string): void;
}

/** A refusal or a silence, with the code nats.js would give it (errorText shows it). */
export class PublishError extends Error {
  override readonly name = 'PublishError';
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

/** How long unconfirmed publishes gather before one ping confirms them all. */
const CONFIRM_AFTER_MS = 100;

interface Outgoing {
  subject: string;
  data: Uint8Array;
  headers: MsgHdrs;
  /** The PubAck's reply token; absent for an unconfirmed publish. */
  token?: string;
}

interface Waiting {
  resolve(seq: number): void;
  reject(error: unknown): void;
  /** When it times out (performance.now() ms). */
  deadline: number;
}

const decoder = new TextDecoder();
/** How a PubAck of a stored message begins (followed by the stream's name, never empty). */
const STORED = new TextEncoder().encode('{"stream":"');

function startsWith(data: Uint8Array, prefix: Uint8Array): boolean {
  if (data.length <= prefix.length + 1 || data[prefix.length] === 0x22) return false;
  for (let i = 0; i < prefix.length; i++) if (data[i] !== prefix[i]) return false;
  return true;
}

export class PubAcks implements StreamPublisher {
  private readonly inbox: string;
  private readonly subscription: Subscription;
  /** In publish order, so in deadline order (one timeout for all): a sweep stops at the first still due. */
  private readonly waiting = new Map<string, Waiting>();
  private counter = 0;
  private closed = false;
  /**
   * One sweeping timer rather than a timer per publish (arming and clearing one cost as much as the
   * rest of the publish): a PubAck missing for its timeout is found within a quarter more.
   */
  private sweeper: NodeJS.Timeout | undefined;
  /** Publishes held for the end of this event-loop turn (see `coalesce`); no token: unconfirmed. */
  private held: Outgoing[] = [];
  /** Unconfirmed publishes sent and not yet confirmed by a ping (see the header). */
  private unconfirmed: Outgoing[] = [];
  private confirmTimer: NodeJS.Timeout | undefined;
  /** A ping is on its way for the first `confirming` of `unconfirmed`. */
  private confirming = 0;
  /** Counts connection drops: a ping answered across one confirms nothing. */
  private epoch = 0;

  /**
   * `coalesce`: publishes made during one event-loop turn go out together at its end. nats.js flushes
   * its buffer in a microtask, so publishes made from separate promise chains (an agent finishing
   * many attempts on one read) would each cost a socket write, and the server a read.
   */
  constructor(private readonly nc: NatsConnection, private readonly timeoutMs: number, private readonly coalesce = false) {
    const prefix = (nc as { options?: { inboxPrefix?: string } }).options?.inboxPrefix;
    this.inbox = createInbox(prefix);
    // A wildcard below the agent's own inbox: nats.js subscribes it again after a reconnect.
    this.subscription = nc.subscribe(`${this.inbox}.*`, { callback: (error, msg) => { if (!error) this.answer(msg); } });
  }

  publish(subject: string, data: Uint8Array, msgID: string): Promise<number> {
    if (this.closed) return Promise.reject(new PublishError('the connection is closing', 'CONNECTION_CLOSED'));
    const token = (++this.counter).toString(36);
    const h = headers();
    h.set('Nats-Msg-Id', msgID);
    return new Promise<number>((resolve, reject) => {
      // A lost PubAck is a timeout: the caller publishes again with the same msgID, stored once.
      this.waiting.set(token, { resolve, reject, deadline: performance.now() + this.timeoutMs });
      this.sweeper ??= setInterval(() => this.sweep(), Math.max(10, this.timeoutMs / 4));
      if (this.coalesce) {
        this.hold({ subject, data, token, headers: h });
        return;
      }
      this.send(subject, data, token, h);
    });
  }

  /**
   * Stores a message without waiting for its PubAck (see the header). Throws only when the message can
   * never go (over max_payload) or the publisher is closed.
   */
  publishUnconfirmed(subject: string, data: Uint8Array, msgID: string): void {
    if (this.closed) throw new PublishError('the connection is closing', 'CONNECTION_CLOSED');
    const max = this.nc.info?.max_payload;
    if (max !== undefined && data.length > max) throw new PublishError(`the message is over max_payload (${max} bytes)`, 'MAX_PAYLOAD_EXCEEDED');
    const h = headers();
    h.set('Nats-Msg-Id', msgID);
    const outgoing: Outgoing = { subject, data, headers: h };
    if (this.coalesce) this.hold(outgoing);
    else this.sendUnconfirmed(outgoing);
  }

  /** The connection dropped: pings in flight confirm nothing. */
  disconnected(): void {
    this.epoch++;
    this.confirming = 0;
  }

  /** The connection is back: what was not confirmed goes again. */
  reconnected(): void {
    this.epoch++;
    this.confirming = 0;
    for (const outgoing of this.unconfirmed) this.write(outgoing);
    this.scheduleConfirm();
  }

  private hold(outgoing: Outgoing): void {
    if (this.held.push(outgoing) === 1) setImmediate(() => this.release());
  }

  private release(): void {
    const held = this.held;
    this.held = [];
    for (const outgoing of held) {
      if (outgoing.token === undefined) this.sendUnconfirmed(outgoing);
      // One that timed out or was rejected by close() meanwhile is not sent.
      else if (this.waiting.has(outgoing.token)) this.send(outgoing.subject, outgoing.data, outgoing.token, outgoing.headers);
    }
  }

  private sendUnconfirmed(outgoing: Outgoing): void {
    if (this.closed) return;
    this.unconfirmed.push(outgoing);
    this.write(outgoing);
    this.scheduleConfirm();
  }

  private write(outgoing: Outgoing): void {
    // A closed connection throws; the reconnect (or, failing that, the ack wait) covers it.
    try { this.nc.publish(outgoing.subject, outgoing.data, { headers: outgoing.headers }); } catch { /* see above */ }
  }

  private scheduleConfirm(): void {
    if (this.confirmTimer || this.confirming > 0 || this.unconfirmed.length === 0 || this.closed) return;
    this.confirmTimer = setTimeout(() => this.confirm(), CONFIRM_AFTER_MS);
  }

  private confirm(): void {
    this.confirmTimer = undefined;
    const epoch = this.epoch;
    const count = this.unconfirmed.length;
    this.confirming = count;
    this.nc.flush().then(() => {
      if (epoch !== this.epoch) return;
      this.unconfirmed.splice(0, count);
      this.confirming = 0;
      this.scheduleConfirm();
    }, () => {
      // Closed, or dropped: reconnected() sends them again and starts over.
      if (epoch === this.epoch) this.confirming = 0;
    });
  }

  private send(subject: string, data: Uint8Array, token: string, h: MsgHdrs): void {
    try {
      this.nc.publish(subject, data, { reply: `${this.inbox}.${token}`, headers: h });
    } catch (error) {
      // Over max_payload, or the connection is closed.
      const waiting = this.waiting.get(token);
      this.waiting.delete(token);
      waiting?.reject(error);
    }
  }

  private sweep(): void {
    const now = performance.now();
    for (const [token, waiting] of this.waiting) {
      if (waiting.deadline > now) break;
      this.waiting.delete(token);
      waiting.reject(new PublishError('timeout', 'TIMEOUT'));
    }
    if (this.waiting.size === 0) this.stopSweeping();
  }

  private stopSweeping(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** Rejects what still waits and stops listening (before the connection closes). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopSweeping();
    if (this.confirmTimer) clearTimeout(this.confirmTimer);
    this.confirmTimer = undefined;
    for (const waiting of this.waiting.values()) {
      waiting.reject(new PublishError('the connection is closing', 'CONNECTION_CLOSED'));
    }
    this.waiting.clear();
    try { this.subscription.unsubscribe(); } catch { /* closed already */ }
  }

  private answer(msg: Msg): void {
    const token = msg.subject.slice(this.inbox.length + 1);
    const waiting = this.waiting.get(token);
    if (!waiting) return;
    this.waiting.delete(token);
    const status = msg.headers?.code ?? 0;
    if (status >= 300) {
      waiting.reject(new PublishError(status === 503 ? 'no responders' : msg.headers?.description || `status ${status}`, String(status)));
      return;
    }
    if (startsWith(msg.data, STORED)) {
      // `{"stream":"NAME","seq":N,...}`: the server writes an error first when there is one, so this is a PubAck.
      waiting.resolve(sequenceOf(msg.data));
      return;
    }
    let ack: { stream?: unknown; error?: { code?: unknown; err_code?: unknown; description?: unknown } };
    try {
      ack = JSON.parse(decoder.decode(msg.data)) as typeof ack;
    } catch {
      waiting.reject(new PublishError('the PubAck is not JSON', 'JetStreamInvalidAck'));
      return;
    }
    if (ack.error) {
      const code = ack.error.err_code ?? ack.error.code;
      waiting.reject(new PublishError(String(ack.error.description ?? 'the stream refused the message'), String(code ?? 'JetStreamApiError')));
    } else if (typeof ack.stream !== 'string' || !ack.stream) {
      waiting.reject(new PublishError('the PubAck names no stream', 'JetStreamInvalidAck'));
    } else {
      waiting.resolve(sequenceOf(msg.data));
    }
  }
}

const SEQ = new TextEncoder().encode('"seq":');

/** The `seq` of a PubAck, read off its bytes (no JSON.parse on the per-activity path); 0 when absent. */
function sequenceOf(data: Uint8Array): number {
  outer: for (let i = 0; i + SEQ.length < data.length; i++) {
    for (let k = 0; k < SEQ.length; k++) if (data[i + k] !== SEQ[k]) continue outer;
    let seq = 0;
    for (let j = i + SEQ.length; j < data.length && data[j] >= 0x30 && data[j] <= 0x39; j++) seq = seq * 10 + (data[j] - 0x30);
    return seq;
  }
  return 0;
}
