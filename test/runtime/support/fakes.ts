/**
 * Fake providers for engine tests: each call is recorded, and a test decides each result, either with
 * a handler (answers at once) or by holding the call and settling it later, which is how tests put
 * the engine in any state (two activities running, one waiting for a pool...) without a timer.
 */
import type { ProcessorContext, ProcessorResult, Provider } from '../../../runtime/engine/provider';

export interface Call {
  key: string;
  activityId: string;
  instance?: number;
  host?: string;
  attempt: number;
  poll: number;
  inputs: Record<string, unknown>;
  state?: unknown;
  idempotencyKey: string;
  ctx: ProcessorContext;
}

export type Handler = (call: Call) => ProcessorResult | Promise<ProcessorResult>;

export interface HeldCall {
  call: Call;
  settle(result: ProcessorResult): void;
}

export function unitKeyOf(ctx: ProcessorContext): string {
  return ctx.instance === undefined ? ctx.activityId : `${ctx.activityId}[${ctx.instance}]`;
}

export class FakeProvider implements Provider {
  readonly calls: Call[] = [];
  /** Calls currently inside execute. */
  active = 0;
  maxActive = 0;
  private readonly handlers = new Map<string, Handler>();
  private readonly holding = new Set<string>();
  private readonly held: HeldCall[] = [];
  private readonly heldWaiters: { key: string | undefined; resolve: (h: HeldCall) => void }[] = [];
  private readonly callWaiters: { match: (c: Call) => boolean; resolve: (c: Call) => void }[] = [];
  private fallback: Handler = (call) => ({ kind: 'complete', outputs: { from: call.key } });

  constructor(readonly name = 'fake') {}

  /** Answers for an activity id (all its instances) or a unit key `id[i]`. */
  on(key: string, handler: Handler): this {
    this.handlers.set(key, handler);
    return this;
  }

  otherwise(handler: Handler): this {
    this.fallback = handler;
    return this;
  }

  /** Calls for `key` (activity id or unit key, or '*' for every call) wait until the test settles them. */
  hold(key = '*'): this {
    this.holding.add(key);
    return this;
  }

  release(key = '*'): this {
    this.holding.delete(key);
    return this;
  }

  /** The next held call for `key` (or any), whether it is already waiting or comes later. */
  nextHeld(key?: string): Promise<HeldCall> {
    const index = this.held.findIndex((h) => key === undefined || h.call.key === key || h.call.activityId === key);
    if (index !== -1) return Promise.resolve(this.held.splice(index, 1)[0]);
    return new Promise((resolve) => this.heldWaiters.push({ key, resolve }));
  }

  heldCount(): number {
    return this.held.length;
  }

  /** Resolves with the first call (past or future) that matches. */
  called(match: (c: Call) => boolean): Promise<Call> {
    const found = this.calls.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.callWaiters.push({ match, resolve }));
  }

  callsOf(key: string): Call[] {
    return this.calls.filter((c) => c.key === key || c.activityId === key);
  }

  async execute(ctx: ProcessorContext): Promise<ProcessorResult> {
    const key = unitKeyOf(ctx);
    const call: Call = {
      key, activityId: ctx.activityId, instance: ctx.instance, host: ctx.host, attempt: ctx.attempt, poll: ctx.poll,
      inputs: ctx.inputs, state: ctx.state, idempotencyKey: ctx.idempotencyKey, ctx,
    };
    this.calls.push(call);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    for (let i = this.callWaiters.length - 1; i >= 0; i--) {
      if (this.callWaiters[i].match(call)) this.callWaiters.splice(i, 1)[0].resolve(call);
    }
    try {
      if (this.holding.has('*') || this.holding.has(key) || this.holding.has(ctx.activityId)) {
        return await new Promise<ProcessorResult>((settle) => {
          const held: HeldCall = { call, settle };
          const waiter = this.heldWaiters.findIndex((w) => w.key === undefined || w.key === key || w.key === ctx.activityId);
          if (waiter !== -1) this.heldWaiters.splice(waiter, 1)[0].resolve(held);
          else this.held.push(held);
        });
      }
      const handler = this.handlers.get(key) ?? this.handlers.get(ctx.activityId) ?? this.fallback;
      return await handler(call);
    } finally {
      this.active--;
    }
  }
}

/** A provider that never answers until its signal is aborted (then answers as a killed process would). */
export function hangingProvider(name = 'hang', options: { ignoreAbort?: boolean } = {}): Provider & { started: number; aborted: number } {
  const provider = {
    name,
    started: 0,
    aborted: 0,
    execute(ctx: ProcessorContext): Promise<ProcessorResult> {
      provider.started++;
      return new Promise((resolve) => {
        if (options.ignoreAbort) return;
        ctx.signal.addEventListener('abort', () => {
          provider.aborted++;
          resolve({ kind: 'retry', error: 'killed' });
        }, { once: true });
      });
    },
  };
  return provider;
}
