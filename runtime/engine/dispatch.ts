/**
 * Who starts next. Activities with a unit ready to start wait in first-come order; a start needs a run
 * slot (`concurrency`), a slot of the activity's own (`forEach.concurrency`) and every pool amount it
 * `acquires`, all at once (no unit ever holds part of what it needs while waiting for the rest, so
 * pools cannot deadlock). Fairness is first-come: once an activity is short of a pool, nobody behind
 * it may take from that pool, so a large request is never starved by a stream of small ones;
 * activities that need other pools, or none, still go ahead.
 *
 * Costs stay flat with size: an activity at its own limit leaves the queue until one of its units
 * ends, and the scan over pool users stops as soon as every pool is spoken for.
 */

export interface QueueNode {
  readonly pools: readonly (readonly [string, number])[];
  /** `forEach.concurrency` (Infinity when unlimited). */
  readonly unitLimit: number;
  /** Units of this activity holding a slot. */
  activeUnits: number;
  hasReady(): boolean;
  /** Set by the dispatcher: the order activities joined the queue in. */
  queuedAt: number;
}

export class Dispatcher<T extends QueueNode> {
  private readonly free = new Set<T>();
  private readonly pooled = new Set<T>();
  private readonly available = new Map<string, number>();
  private order = 0;
  private dispatching = false;
  private again = false;
  /** Slots in use. */
  active = 0;

  constructor(public concurrency: number, pools: Record<string, number> | undefined) {
    for (const [name, capacity] of Object.entries(pools ?? {})) this.available.set(name, capacity);
  }

  /** Queues `node` if it has a unit to start and room for it; a no-op when it is queued already. */
  offer(node: T): void {
    if (!node.hasReady() || node.activeUnits >= node.unitLimit) return;
    const set = node.pools.length ? this.pooled : this.free;
    if (set.has(node)) return;
    node.queuedAt = ++this.order;
    set.add(node);
  }

  withdraw(node: T): void {
    this.free.delete(node);
    this.pooled.delete(node);
  }

  /** What is left of a pool (for messages and tests). */
  poolAvailable(name: string): number | undefined {
    return this.available.get(name);
  }

  /** Takes a slot and the pools for one unit of `node`. */
  acquire(node: T): void {
    this.active++;
    node.activeUnits++;
    for (const [pool, amount] of node.pools) this.available.set(pool, (this.available.get(pool) ?? 0) - amount);
  }

  /** Gives them back (and lets `node` queue again if its own limit held it back). */
  release(node: T): void {
    this.active--;
    node.activeUnits--;
    for (const [pool, amount] of node.pools) this.available.set(pool, (this.available.get(pool) ?? 0) + amount);
    this.offer(node);
  }

  /**
   * Starts what can start: `start(node)` must take one ready unit of `node` and acquire for it;
   * `poolShort(node)` is told about an activity that waits for a pool. Re-entrant calls (a start that
   * settles something at once) fold into the running pass.
   */
  dispatch(start: (node: T) => void, poolShort: (node: T) => void): void {
    if (this.dispatching) { this.again = true; return; }
    this.dispatching = true;
    try {
      do {
        this.again = false;
        this.pass(start, poolShort);
      } while (this.again);
    } finally {
      this.dispatching = false;
    }
  }

  private pass(start: (node: T) => void, poolShort: (node: T) => void): void {
    const freeIt = this.free.values();
    const pooledIt = this.pooled.values();
    let f = freeIt.next();
    let p = pooledIt.next();
    const blocked = new Set<string>();
    const poolCount = this.available.size;
    while (this.active < this.concurrency) {
      let node: T;
      let fromFree: boolean;
      if (!f.done && (p.done || f.value.queuedAt <= p.value.queuedAt)) { node = f.value; fromFree = true; }
      else if (!p.done) { node = p.value; fromFree = false; }
      else break;
      const set = fromFree ? this.free : this.pooled;
      const advance = () => { if (fromFree) f = freeIt.next(); else p = pooledIt.next(); };
      if (!node.hasReady() || node.activeUnits >= node.unitLimit) {
        set.delete(node);
        advance();
        continue;
      }
      if (!fromFree && !this.fits(node, blocked)) {
        for (const [pool] of node.pools) blocked.add(pool);
        poolShort(node);
        advance();
        // Every pool is promised to someone ahead: nothing further back in this queue can start.
        if (blocked.size >= poolCount) p = { done: true, value: undefined };
        continue;
      }
      start(node);
      if (!node.hasReady() || node.activeUnits >= node.unitLimit) {
        set.delete(node);
        advance();
      }
    }
  }

  private fits(node: T, blocked: ReadonlySet<string>): boolean {
    for (const [pool, amount] of node.pools) {
      if (blocked.has(pool)) return false;
      if ((this.available.get(pool) ?? 0) < amount) return false;
    }
    return true;
  }
}
