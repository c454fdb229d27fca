/**
 * Time as the engine sees it. Every delay (retry backoff, Schedule re-polls, attempt timeouts, the
 * cancel grace period) goes through a Clock, so tests drive time by hand with FakeClock and assert
 * exact delays without sleeping.
 */

export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Milliseconds since the epoch (event timestamps). */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The process's own time and timers. */
export function realClock(): Clock {
  const timers = new Map<number, NodeJS.Timeout>();
  let next = 0;
  return {
    now: () => Date.now(),
    setTimeout(callback, ms) {
      const id = ++next;
      timers.set(id, setTimeout(() => { timers.delete(id); callback(); }, Math.max(0, ms)));
      return { id };
    },
    clearTimeout(handle) {
      const timer = timers.get(handle.id);
      if (timer) { clearTimeout(timer); timers.delete(handle.id); }
    },
  };
}

interface FakeTimer {
  id: number;
  at: number;
  callback: () => void;
}

/**
 * A clock that only moves when told to. `advance(ms)` fires the timers that fall due, in order of due
 * time (then of creation), each at its own instant, so a callback that sets another timer inside the
 * window sees it fire too.
 */
export class FakeClock implements Clock {
  private current: number;
  private nextId = 0;
  private readonly timers = new Map<number, FakeTimer>();
  private readonly waiters: { count: number; resolve: () => void }[] = [];

  constructor(start = Date.UTC(2025, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = ++this.nextId;
    this.timers.set(id, { id, at: this.current + Math.max(0, ms), callback });
    this.wakeWaiters();
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle.id);
  }

  /** How many timers are set and not yet fired. */
  get pending(): number {
    return this.timers.size;
  }

  /** The due time of the earliest timer, if any. */
  nextDue(): number | undefined {
    let best: number | undefined;
    for (const t of this.timers.values()) if (best === undefined || t.at < best) best = t.at;
    return best;
  }

  /** Moves time forward by `ms`, firing every timer due on the way. */
  advance(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  advanceTo(target: number): void {
    for (;;) {
      const due = this.earliest();
      if (!due || due.at > target) break;
      this.timers.delete(due.id);
      this.current = Math.max(this.current, due.at);
      due.callback();
    }
    this.current = Math.max(this.current, target);
  }

  /** Resolves once at least `count` timers are set (the engine sets them after its own awaits). */
  whenTimers(count = 1): Promise<void> {
    if (this.timers.size >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  private earliest(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers.values()) if (!best || t.at < best.at || (t.at === best.at && t.id < best.id)) best = t;
    return best;
  }

  private wakeWaiters(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.timers.size >= this.waiters[i].count) {
        const [w] = this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }
}
