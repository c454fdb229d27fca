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
  /** Set by the dispatcher: the order activities joined the queue in (0 while not queued). */
  queuedAt: number;
}

/**
 * A first-come queue without allocation on the hot path: an array read from a moving head, where a
 * removed node is only marked (queuedAt = 0) and skipped when reached; the array is compacted when
 * such holes make up most of it.
 */
class Queue<T extends QueueNode> {
  items: T[] = [];
  head = 0;
  /** Bumped when the array is replaced: positions held across a change are stale then. */
  version = 0;
  private holes = 0;

  push(node: T): void {
    this.items.push(node);
  }

  /** The node was marked removed; drop holes at the head at once, compact the rest now and then. */
  removed(): void {
    this.holes++;
    while (this.head < this.items.length && this.items[this.head].queuedAt === 0) { this.head++; this.holes--; }
    if (this.head === this.items.length) { this.items = []; this.head = 0; this.holes = 0; this.version++; return; }
    if (this.holes > 64 && this.holes * 2 > this.items.length - this.head) {
      this.items = this.items.slice(this.head).filter((n) => n.queuedAt !== 0);
      this.head = 0;
      this.holes = 0;
      this.version++;
    }
  }
}

export class Dispatcher<T extends QueueNode> {
  private readonly free = new Queue<T>();
  private readonly pooled = new Queue<T>();
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
    if (node.queuedAt !== 0 || !node.hasReady() || node.activeUnits >= node.unitLimit) return;
    node.queuedAt = ++this.order;
    (node.pools.length ? this.pooled : this.free).push(node);
  }

  withdraw(node: T): void {
    if (node.queuedAt === 0) return;
    node.queuedAt = 0;
    (node.pools.length ? this.pooled : this.free).removed();
  }

  /** What is left of a pool (for messages and tests). */
  poolAvailable(name: string): number | undefined {
    return this.available.get(name);
  }

  /** Takes a slot and the pools for one unit of `node`. */
  acquire(node: T): void {
    this.active++;
    node.activeUnits++;
    const pools = node.pools;
    for (let i = 0; i < pools.length; i++) this.available.set(pools[i][0], (this.available.get(pools[i][0]) ?? 0) - pools[i][1]);
  }

  /** Gives them back (and lets `node` queue again if its own limit held it back). */
  release(node: T): void {
    this.active--;
    node.activeUnits--;
    const pools = node.pools;
    for (let i = 0; i < pools.length; i++) this.available.set(pools[i][0], (this.available.get(pools[i][0]) ?? 0) + pools[i][1]);
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
    const free = this.free;
    const pooled = this.pooled;
    let fi = free.head;
    let pi = pooled.head;
    let freeVersion = free.version;
    let pooledVersion = pooled.version;
    let pooledOpen = true;
    // Made on the first pool shortage only: most passes never meet one.
    let blocked: Set<string> | undefined;
    const poolCount = this.available.size;
    while (this.active < this.concurrency) {
      if (free.version !== freeVersion) { freeVersion = free.version; fi = free.head; }
      // Back to the head: the pool users passed over are checked again, and found short again.
      if (pooled.version !== pooledVersion) { pooledVersion = pooled.version; pi = pooled.head; }
      fi = Math.max(fi, free.head);
      pi = Math.max(pi, pooled.head);
      while (fi < free.items.length && free.items[fi].queuedAt === 0) fi++;
      while (pooledOpen && pi < pooled.items.length && pooled.items[pi].queuedAt === 0) pi++;
      const f = fi < free.items.length ? free.items[fi] : undefined;
      const p = pooledOpen && pi < pooled.items.length ? pooled.items[pi] : undefined;
      let node: T;
      let fromFree: boolean;
      if (f && (!p || f.queuedAt <= p.queuedAt)) { node = f; fromFree = true; }
      else if (p) { node = p; fromFree = false; }
      else break;
      if (!node.hasReady() || node.activeUnits >= node.unitLimit) {
        this.withdraw(node);
        continue;
      }
      if (!fromFree && !this.fits(node, blocked)) {
        blocked ??= new Set();
        for (const [pool] of node.pools) blocked.add(pool);
        poolShort(node);
        pi++;
        // Every pool is promised to someone ahead: nothing further back in this queue can start.
        if (blocked.size >= poolCount) pooledOpen = false;
        continue;
      }
      start(node);
      if (!node.hasReady() || node.activeUnits >= node.unitLimit) this.withdraw(node);
    }
  }

  private fits(node: T, blocked: ReadonlySet<string> | undefined): boolean {
    for (const [pool, amount] of node.pools) {
      if (blocked?.has(pool)) return false;
      if ((this.available.get(pool) ?? 0) < amount) return false;
    }
    return true;
  }
}
