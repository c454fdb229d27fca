/**
 * Delivers events to listeners in order, one event at a time: every listener sees event n before any
 * listener sees event n+1, even when a listener's reaction (cancel, complete) produces new events
 * while it runs; those are queued, never delivered re-entrantly. A listener that throws is reported
 * and stays subscribed; it never breaks the run or keeps the other listeners from their events.
 */

export type Listener<E> = (event: E) => void;
export type ListenerErrorReporter<E> = (error: unknown, event: E) => void;

export interface EventSource<E> {
  /** Returns the function that unsubscribes. */
  subscribe(listener: Listener<E>): () => void;
}

export class Emitter<E> implements EventSource<E> {
  private listeners: Listener<E>[] = [];
  private readonly queue: E[] = [];
  private head = 0;
  private delivering = false;

  constructor(private readonly reportError: ListenerErrorReporter<E> = defaultReporter) {}

  subscribe(listener: Listener<E>): () => void {
    // Copy on write: a listener that (un)subscribes during delivery changes the next event's list, not this one's.
    this.listeners = [...this.listeners, listener];
    return () => { this.listeners = this.listeners.filter((l) => l !== listener); };
  }

  get listenerCount(): number {
    return this.listeners.length;
  }

  emit(event: E): void {
    if (this.delivering) {
      this.queue.push(event);
      return;
    }
    this.delivering = true;
    try {
      // The usual case, nobody emitting from a listener: straight to the listeners, no queueing.
      this.deliver(event);
      while (this.head < this.queue.length) this.deliver(this.queue[this.head++]);
    } finally {
      if (this.queue.length) {
        this.queue.length = 0;
        this.head = 0;
      }
      this.delivering = false;
    }
  }

  private deliver(event: E): void {
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) {
      try {
        listeners[i](event);
      } catch (error) {
        this.report(error, event);
      }
    }
  }

  private report(error: unknown, event: E): void {
    try {
      this.reportError(error, event);
    } catch {
      // A reporter that throws has nowhere left to report to.
    }
  }
}

function defaultReporter(error: unknown, event: unknown): void {
  const type = (event as { type?: unknown })?.type;
  process.emitWarning(`an event listener threw on ${String(type)}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`, 'OrchListenerWarning');
}
