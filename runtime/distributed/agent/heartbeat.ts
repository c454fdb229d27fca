/**
 * Keeps delivered messages ours while their attempts run: a `+WPI` (in progress) at least every third
 * of the ack wait resets the server's redelivery timer, so a long activity is never handed to another
 * agent, while a dead agent's message comes back one ack wait after its last heartbeat.
 *
 * One ticker serves every delivery in flight (a timer per delivery would cost a timer's creation and
 * cancellation per activity, for activities that mostly end in milliseconds). It ticks every
 * interval while there is something to keep, and beats each message that has gone at least half an
 * interval without one: no message goes longer than one and a half intervals (plus the event loop's
 * lag) without a heartbeat, half the ack wait with the agent's interval of a third of it, and one
 * that just arrived is not beaten needlessly.
 */
import type { JsMsg } from 'nats';

export interface HeartbeatHandle {
  /** A redelivery of the same dispatch to this agent: beat for the newer delivery from now on. */
  follow(msg: JsMsg): void;
  /** The delivery is over (acknowledged or handed back): no more heartbeats. Idempotent. */
  stop(): void;
}

interface Kept {
  msg: JsMsg;
  /** When the server last heard about this message (its delivery, or our last heartbeat). */
  since: number;
}

export class Heartbeats {
  private readonly kept = new Set<Kept>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly intervalMs: number, private readonly now: () => number = Date.now) {}

  /** Starts keeping `msg` (just delivered) until the handle's stop(). */
  keep(msg: JsMsg): HeartbeatHandle {
    const entry: Kept = { msg, since: this.now() };
    this.kept.add(entry);
    this.arm();
    return {
      follow: (newer) => {
        entry.msg = newer;
        entry.since = this.now();
        beat(newer);
      },
      stop: () => { this.kept.delete(entry); },
    };
  }

  /** The agent is closing: no more heartbeats for anyone (unacknowledged messages come back after the ack wait). */
  close(): void {
    this.closed = true;
    this.kept.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    // A heartbeat alone must not keep a process alive that has nothing else to do.
    this.timer.unref();
  }

  private tick(): void {
    if (this.kept.size === 0) {
      // Nothing to keep for a whole interval: the ticker sleeps until the next delivery.
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const now = this.now();
    const due = now - this.intervalMs / 2;
    for (const entry of this.kept) {
      if (entry.since > due) continue;
      entry.since = now;
      beat(entry.msg);
    }
  }
}

function beat(msg: JsMsg): void {
  try {
    msg.working();
  } catch {
    // The connection is closing: the server redelivers after the ack wait, which is what we want then.
  }
}
