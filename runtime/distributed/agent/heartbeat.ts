/**
 * Keeps a delivered message ours while its attempt runs: a `+WPI` (in progress) every third of the
 * ack wait resets the server's redelivery timer, so a long activity is never handed to another
 * agent, while a dead agent's message comes back one ack wait after its last heartbeat.
 */
import type { JsMsg } from 'nats';

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;

  constructor(private msg: JsMsg, private readonly intervalMs: number) {
    this.timer = setInterval(() => this.beat(), intervalMs);
    // A heartbeat alone must not keep a process alive that has nothing else to do.
    this.timer.unref();
  }

  /** A redelivery of the same dispatch to this agent: beat for the newer delivery from now on. */
  follow(msg: JsMsg): void {
    this.msg = msg;
    this.beat();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private beat(): void {
    try {
      this.msg.working();
    } catch {
      // The connection is closing: the server redelivers after the ack wait, which is what we want then.
    }
  }
}
