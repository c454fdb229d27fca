/**
 * The agent over time: how many messages it holds at once, graceful shutdown (drain, then hand
 * back), and a NATS restart in the middle of an attempt.
 */
import assert from 'node:assert/strict';
import { ACTIVITY_STREAM, typeConsumer } from '../../runtime/distributed/protocol';
import type { ProcessorContext, ProcessorResult } from '../../runtime/engine/provider';
import type { ProviderRegistry } from '../../runtime/providers/registry';
import { AgentKit, eventually, unique } from './agentKit';

/** A provider whose attempts wait until the test lets them go (or their signal aborts). */
class Gate {
  readonly waiting: { ctx: ProcessorContext; release: (result: ProcessorResult) => void }[] = [];
  /** Attempts running now, and the most at once. */
  active = 0;
  peak = 0;
  private listeners: (() => void)[] = [];

  readonly execute = (ctx: ProcessorContext): Promise<ProcessorResult> => new Promise((resolve) => {
    let settled = false;
    const settle = (result: ProcessorResult) => {
      if (settled) return;
      settled = true;
      this.active--;
      resolve(result);
    };
    this.active++;
    this.peak = Math.max(this.peak, this.active);
    this.waiting.push({ ctx, release: settle });
    ctx.signal.addEventListener('abort', () => settle({ kind: 'fatal', error: `aborted: ${String(ctx.signal.reason)}` }));
    for (const listener of this.listeners.splice(0)) listener();
  });

  /** Resolves once `count` attempts have arrived in total. */
  arrived(count: number): Promise<void> {
    if (this.waiting.length >= count) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => (this.waiting.length >= count ? resolve() : this.listeners.push(check));
      this.listeners.push(check);
    });
  }
}

describe('distributed agent: concurrency, shutdown and NATS restarts', function () {
  this.timeout(90_000);
  let kit: AgentKit;

  before(async () => { kit = await AgentKit.start(); });
  afterEach(async () => { await kit.cleanup(); });
  after(async () => { await kit?.close(); });

  function registry(provider: { name: string; execute: (ctx: ProcessorContext) => Promise<ProcessorResult> }): ProviderRegistry {
    return kit.providers(provider);
  }

  it('holds at most `concurrency` messages across its types: the rest stay undelivered in the queue', async () => {
    const gate = new Gate();
    const a = unique('a');
    const b = unique('b');
    const defs = kit.defs([{ type: a, provider: 'gate' }, { type: b, provider: 'gate' }]);
    const { log } = await kit.agent({ defs: [defs], providers: registry({ name: 'gate', execute: gate.execute }), concurrency: 3 });
    const messages = [...Array.from({ length: 4 }, () => kit.message(a)), ...Array.from({ length: 4 }, () => kit.message(b))];
    for (const message of messages) await kit.enqueue(message);

    await gate.arrived(3);
    const [qa, qb] = [await kit.queued(a), await kit.queued(b)];
    assert.equal(qa.ackPending + qb.ackPending, 3, `delivered and unacknowledged: ${JSON.stringify({ qa, qb })}`);
    assert.equal(qa.pending + qb.pending, 5);
    assert.equal(gate.waiting.length, 3);

    // Each release frees one slot, which takes one more message: all eight run, never more than three at once.
    for (let released = 0; released < 8; released++) {
      gate.waiting[released].release({ kind: 'complete', outputs: { n: released } });
      if (released + 3 < 8) await gate.arrived(released + 4);
      assert.ok(gate.active <= 3);
      // Delivered and unacknowledged are the attempts running, no more: nothing waits in a client buffer.
      // (Acks are published, not confirmed: the server applies the last one a moment later.)
      await eventually(async () => (await kit.queued(a)).ackPending + (await kit.queued(b)).ackPending === gate.active);
    }
    for (const message of messages) await log.waitFor('finished', (e) => e.dispatchId === message.dispatchId && e.outcome === 'complete');
    assert.equal(gate.peak, 3);
    assert.equal(gate.waiting.length, 8);
    assert.deepEqual(new Set(gate.waiting.map((w) => w.ctx.activity.type)), new Set([a, b]));
  });

  it('with one type, one pull request for all free slots serves messages published one at a time, never more than `concurrency`', async () => {
    const gate = new Gate();
    const type = unique('single');
    const defs = kit.defs([{ type, provider: 'gate' }]);
    const { log } = await kit.agent({ defs: [defs], providers: registry({ name: 'gate', execute: gate.execute }), concurrency: 3 });
    // A chain: each message is published once the one before it has finished.
    for (let i = 0; i < 4; i++) {
      const message = kit.message(type, { inputs: { i } });
      await kit.enqueue(message);
      await gate.arrived(i + 1);
      gate.waiting[i].release({ kind: 'complete', outputs: { i } });
      await log.waitFor('finished', (e) => e.dispatchId === message.dispatchId && e.outcome === 'complete');
    }
    assert.equal(gate.peak, 1);
    // Then a burst: three run, the other two wait in the queue, undelivered.
    const burst = Array.from({ length: 5 }, () => kit.message(type));
    for (const message of burst) await kit.enqueue(message);
    await gate.arrived(7);
    const queued = await kit.queued(type);
    assert.deepEqual(queued, { pending: 2, ackPending: 3 });
    for (let released = 4; released < 9; released++) {
      gate.waiting[released].release({ kind: 'complete', outputs: {} });
      if (released + 3 < 9) await gate.arrived(released + 4);
      assert.ok(gate.active <= 3);
      await eventually(async () => (await kit.queued(type)).ackPending === gate.active);
    }
    for (const message of burst) await log.waitFor('finished', (e) => e.dispatchId === message.dispatchId && e.outcome === 'complete');
    assert.equal(gate.peak, 3);
  });

  it('heartbeats keep a long attempt from being redelivered past the ack wait', async () => {
    const type = unique('long');
    const defs = kit.defs([{ type, provider: 'shell', config: { command: 'sh', args: ['-c', 'sleep 3.5; echo finished'] } }]);
    await kit.agent({ defs: [defs], ackWaitMs: 1000 });
    const message = kit.message(type);
    const reports = await kit.reports(message.runId);
    await kit.enqueue(message);
    const result = await reports.waitFor('result');
    assert.deepEqual(result.report.result, { kind: 'complete', outputs: {} });
    // Its `started` went out at the end of the hold, long before the result.
    assert.deepEqual(reports.starts().map((s) => [s.report.delivery, s.report.folded]), [[1, false]]);
    assert.equal((await kit.jsm.consumers.info(ACTIVITY_STREAM, typeConsumer(type))).num_redelivered, 0);
  });

  it('stop() lets attempts in flight finish within the drain timeout, then closes', async () => {
    const gate = new Gate();
    const type = unique('draining');
    const defs = kit.defs([{ type, provider: 'gate' }]);
    const { agent, log } = await kit.agent({ defs: [defs], providers: registry({ name: 'gate', execute: gate.execute }), drainTimeoutMs: 20_000 });
    const message = kit.message(type);
    const reports = await kit.reports(message.runId);
    await kit.enqueue(message);
    await gate.arrived(1);

    const stopped = agent.stop();
    const stopping = await log.waitFor('stopping');
    assert.equal(stopping.inFlight, 1);
    // A message published now is not taken: pulling stopped at once.
    const late = kit.message(type);
    await kit.enqueue(late);
    gate.waiting[0].release({ kind: 'complete', outputs: { drained: true } });
    await stopped;
    assert.deepEqual((await reports.waitFor('result')).report.result, { kind: 'complete', outputs: { drained: true } });
    assert.equal(gate.waiting.length, 1);
    // The ack went out before the connection was drained; the server may take a moment to apply it. The late
    // message is never run here and never lost: it waits in the queue, or (when the server had already handed it
    // to a pull request of ours still open, which JetStream 2.9 cannot withdraw) it comes back after the ack wait.
    await eventually(async () => {
      const { pending, ackPending } = await kit.queued(type);
      return pending + ackPending === 1;
    });
    await log.waitFor('closed');
  });

  it('stop() with an attempt still running after a short drain aborts it and naks it: another agent takes it at once', async () => {
    const stubborn = new Gate();
    const type = unique('handover');
    const defs = kit.defs([{ type, provider: 'worker' }]);
    const first = await kit.agent({ defs: [defs], providers: registry({ name: 'worker', execute: stubborn.execute }), drainTimeoutMs: 200, name: 'leaving', ackWaitMs: 30_000 });
    const message = kit.message(type);
    const reports = await kit.reports(message.runId);
    await kit.enqueue(message);
    await stubborn.arrived(1);
    await reports.waitFor('started');
    const second = await kit.agent({
      defs: [defs], name: 'staying', ackWaitMs: 30_000,
      providers: registry({ name: 'worker', execute: async (ctx) => ({ kind: 'complete', outputs: { by: 'staying', attempt: ctx.attempt, key: ctx.idempotencyKey } }) }),
    });

    const stoppedAt = Date.now();
    await first.agent.stop();
    assert.equal(stubborn.waiting[0].ctx.signal.aborted, true);
    assert.equal((await first.log.waitFor('finished')).outcome, 'released');
    const result = await reports.waitFor('result');
    // Well within the 30 s ack wait: the nak handed it over, not the redelivery timer.
    assert.ok(Date.now() - stoppedAt < 10_000, `handed over after ${Date.now() - stoppedAt} ms`);
    assert.deepEqual(result.report.result, { kind: 'complete', outputs: { by: 'staying', attempt: 1, key: message.idempotencyKey } });
    assert.equal(result.report.agent, 'staying');
    const started = reports.starts().map((s) => [s.report.agent, s.report.attempt, s.report.delivery]);
    assert.deepEqual(started, [['leaving', 1, 1], ['staying', 1, 2]]);
    assert.ok(!reports.reports.some((r) => r.agent === 'leaving' && r.kind === 'result'), 'the leaving agent reported no result');
    await second.log.waitFor('finished', (e) => e.outcome === 'complete');
  });

  it('survives a NATS restart in the middle of an attempt: the result is reported, the message acked, pulling resumes', async () => {
    const gate = new Gate();
    const type = unique('restart');
    const defs = kit.defs([{ type, provider: 'gate' }]);
    const { log } = await kit.agent({ defs: [defs], providers: registry({ name: 'gate', execute: gate.execute }), ackWaitMs: 10_000 });
    const message = kit.message(type);
    await kit.enqueue(message);
    await gate.arrived(1);
    const reports = await kit.reports(message.runId);

    await kit.server.restart();
    await log.waitFor('reconnected', (e) => e.type === undefined);
    gate.waiting[0].release({ kind: 'complete', outputs: { survived: true } });
    const result = await reports.waitFor('result');
    assert.deepEqual(result.report.result, { kind: 'complete', outputs: { survived: true } });
    assert.ok(log.of('reconnecting').length >= 1);

    // Pulling goes on after the restart.
    const after = kit.message(type);
    const afterReports = await kit.reports(after.runId);
    await kit.enqueue(after);
    await gate.arrived(2);
    gate.waiting[1].release({ kind: 'complete', outputs: { after: true } });
    assert.deepEqual((await afterReports.waitFor('result')).report.result, { kind: 'complete', outputs: { after: true } });
    const results = reports.reports.filter((r) => r.kind === 'result');
    assert.equal(results.length, 1, 'the result is stored once');
    await eventually(async () => JSON.stringify(await kit.queued(type)) === JSON.stringify({ pending: 0, ackPending: 0 }));
  });

  it('re-creates its consumer when someone deletes it, and goes on pulling', async () => {
    const type = unique('recreated');
    const defs = kit.defs([{ type, provider: 'noop' }]);
    const { log } = await kit.agent({ defs: [defs] });
    await kit.jsm.consumers.delete(ACTIVITY_STREAM, typeConsumer(type));
    await log.waitFor('reconnecting', (e) => e.type === type);
    await log.waitFor('reconnected', (e) => e.type === type);
    const message = kit.message(type, { inputs: { again: true } });
    const reports = await kit.reports(message.runId);
    await kit.enqueue(message);
    assert.deepEqual((await reports.waitFor('result')).report.result, { kind: 'complete', outputs: { again: true } });
  });

  it('keeps a report that cannot be published while NATS is down, and publishes it once NATS is back', async () => {
    const gate = new Gate();
    const type = unique('outage');
    const defs = kit.defs([{ type, provider: 'gate' }]);
    const { log } = await kit.agent({ defs: [defs], providers: registry({ name: 'gate', execute: gate.execute }), ackWaitMs: 10_000 });
    const message = kit.message(type);
    const reports = await kit.reports(message.runId);
    await kit.enqueue(message);
    await gate.arrived(1);

    await kit.server.kill();
    await log.waitFor('reconnecting');
    gate.waiting[0].release({ kind: 'complete', outputs: { during: 'outage' } });
    await kit.server.restart();
    const result = await reports.waitFor('result');
    assert.deepEqual(result.report.result, { kind: 'complete', outputs: { during: 'outage' } });
    await log.waitFor('finished', (e) => e.outcome === 'complete');
  });
});
