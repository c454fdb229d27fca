/**
 * What an agent tells whoever runs it (the CLI prints one line per event, or NDJSON). Listeners are
 * called synchronously; one that throws is reported as an 'error' event and never stops the agent.
 */

export interface AgentReadyEvent {
  name: string;
  types: string[];
  concurrency: number;
  ackWaitMs: number;
  /** The NATS server(s) the agent is connected to. */
  url: string;
  /** Types declared in the definitions but not served (no provider for them), with why. */
  skipped: { type: string; reason: string }[];
}

export interface AgentStartedEvent {
  dispatchId: string;
  runId: string;
  unitKey: string;
  type: string;
  attempt: number;
  poll: number;
  /** JetStream's delivery count: above 1 after a nak (retry, Schedule) or a dead agent's ack wait. */
  delivery: number;
}

/**
 * How a delivery ended: the provider's result kind (complete and wait acked; schedule and retry
 * nak'd with a delay; fatal terminated, RetryError without attempts left included), `cancelled`
 * (terminated by a cancel request), `released` (nak'd at once by a shutting-down agent, for another
 * to take) or `rejected` (a message that could not be read, terminated).
 */
export type AgentOutcome = 'complete' | 'wait' | 'schedule' | 'retry' | 'fatal' | 'cancelled' | 'released' | 'rejected' | 'reported';

export interface AgentFinishedEvent {
  dispatchId: string;
  runId: string;
  unitKey: string;
  type: string;
  attempt: number;
  poll: number;
  outcome: AgentOutcome;
  /** From the attempt's start (0 for a delivery that never started one). */
  durationMs: number;
  /** retry, fatal, cancelled: the error. */
  error?: string;
  /** schedule, retry: when the message comes back. */
  delayMs?: number;
}

export interface AgentErrorEvent {
  message: string;
  dispatchId?: string;
}

export interface AgentStoppingEvent {
  /** Attempts still running when stop() was called. */
  inFlight: number;
  drainTimeoutMs: number;
}

export interface AgentEvents {
  ready: AgentReadyEvent;
  started: AgentStartedEvent;
  finished: AgentFinishedEvent;
  error: AgentErrorEvent;
  /** The connection to NATS was lost; nats.js reconnects (forever) and the agent waits. */
  reconnecting: { reason: string; type?: string };
  /** Connected again (or, with `type`, pulling that type works again after failures). */
  reconnected: { url: string; type?: string };
  stopping: AgentStoppingEvent;
  /** The agent has stopped: its connection is closed. */
  closed: { error?: string };
}

export type AgentEventName = keyof AgentEvents;
export type AgentListener<K extends AgentEventName> = (event: AgentEvents[K]) => void;

export class AgentEventEmitter {
  private readonly listeners = new Map<AgentEventName, Set<(event: never) => void>>();

  on<K extends AgentEventName>(name: K, listener: AgentListener<K>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as (event: never) => void);
    return () => this.off(name, listener);
  }

  off<K extends AgentEventName>(name: K, listener: AgentListener<K>): void {
    this.listeners.get(name)?.delete(listener as (event: never) => void);
  }

  emit<K extends AgentEventName>(name: K, event: AgentEvents[K]): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as AgentListener<K>)(event);
      } catch (error) {
        if (name !== 'error') this.emit('error', { message: `a listener of '${name}' threw: ${error instanceof Error ? error.message : String(error)}` });
      }
    }
  }
}
