import assert from 'node:assert/strict';
import { Dispatcher, type QueueNode } from '../../../runtime/engine/dispatch';
import { FakeProvider } from '../support/fakes';
import { act, definition, runDefinition, testWorkspace, type TestWorkspace } from '../support/harness';

describe('engine: pools', () => {
  let ws: TestWorkspace;
  beforeEach(() => { ws = testWorkspace(); });
  afterEach(() => ws.cleanup());

  it('holds amounts from start to end of each attempt and reports waiting-for-pool', async () => {
    const fake = new FakeProvider().hold();
    const { handle, recorder } = await runDefinition(ws, definition([
      act('a', { acquires: { db: 2 } }), act('b', { acquires: { db: 1 } }),
    ], { pools: { db: 2 } }), { providers: { fake } });
    const a = await fake.nextHeld('a');
    const wait = await recorder.waitForType('activity.waiting-for-pool', 'b');
    assert.deepEqual(wait.pools, { db: 1 });
    assert.equal(fake.callsOf('b').length, 0);
    a.settle({ kind: 'complete' });
    (await fake.nextHeld('b')).settle({ kind: 'complete' });
    assert.equal((await handle.done).state, 'succeeded');
  });

  it('is first-come fair: a small request does not overtake a large one waiting for the same pool', async () => {
    const fake = new FakeProvider().hold();
    const { handle, recorder } = await runDefinition(ws, definition([
      act('first', { acquires: { db: 1 } }),
      act('big', { acquires: { db: 2 } }),
      act('small', { acquires: { db: 1 } }),
      act('free'),
    ], { pools: { db: 2 } }), { providers: { fake } });
    const first = await fake.nextHeld('first');
    await recorder.waitForType('activity.waiting-for-pool', 'big');
    // `free` needs no pool: it goes ahead; `small` would fit in the one unit left, but `big` came first.
    (await fake.nextHeld('free')).settle({ kind: 'complete' });
    await recorder.waitForType('activity.succeeded', 'free');
    assert.equal(fake.callsOf('small').length, 0, 'small waits behind big');
    first.settle({ kind: 'complete' });
    const big = await fake.nextHeld('big');
    assert.equal(fake.callsOf('small').length, 0, 'big holds the whole pool');
    big.settle({ kind: 'complete' });
    (await fake.nextHeld('small')).settle({ kind: 'complete' });
    const result = await handle.done;
    assert.equal(result.state, 'succeeded');
    const starts = recorder.of('activity.started').map((e) => e.activityId);
    assert.deepEqual(starts, ['first', 'free', 'big', 'small']);
  });

  it('never deadlocks: activities taking two pools in opposite orders all finish', async () => {
    const fake = new FakeProvider().otherwise(async () => { await new Promise((r) => setImmediate(r)); return { kind: 'complete' }; });
    const activities = Array.from({ length: 30 }, (_, i) => act(`x${i}`, { acquires: i % 2 ? { p: 1, q: 1 } : { q: 1, p: 1 } }));
    activities.push(...Array.from({ length: 10 }, (_, i) => act(`y${i}`, { acquires: { p: 1 } })));
    const { handle } = await runDefinition(ws, definition(activities, { pools: { p: 2, q: 1 }, concurrency: 16 }), { providers: { fake } });
    assert.equal((await handle.done).state, 'succeeded');
    assert.equal(fake.calls.length, 40);
  });

  it('applies pools to each forEach instance', async () => {
    const fake = new FakeProvider().otherwise(async () => { await new Promise((r) => setImmediate(r)); return { kind: 'complete' }; });
    const { handle } = await runDefinition(ws, definition([act('each', { forEach: { items: 'xs', as: 'x' }, acquires: { slot: 1 } })], { pools: { slot: 3 } }),
      { providers: { fake }, input: { xs: Array.from({ length: 20 }, (_, i) => i) } });
    assert.equal((await handle.done).state, 'succeeded');
    assert.equal(fake.maxActive, 3);
  });
});

describe('dispatcher', () => {
  class Node implements QueueNode {
    activeUnits = 0;
    queuedAt = 0;
    ready: number;
    constructor(readonly name: string, readonly pools: [string, number][], count = 1, readonly unitLimit = Infinity) { this.ready = count; }
    hasReady() { return this.ready > 0; }
  }

  it('scans past an activity at its own limit and stops early when every pool is promised', () => {
    const d = new Dispatcher<Node>(10, { p: 1 });
    const limited = new Node('limited', [], 5, 1);
    const blockers = Array.from({ length: 1000 }, (_, i) => new Node(`b${i}`, [['p', 1]]));
    const free = new Node('free', []);
    for (const n of [limited, ...blockers, free]) d.offer(n);
    const started: string[] = [];
    let poolChecks = 0;
    d.dispatch((n) => { n.ready--; d.acquire(n); started.push(n.name); }, () => { poolChecks++; });
    assert.deepEqual(started, ['limited', 'b0', 'free']);
    assert.equal(poolChecks, 1, 'after b1 finds p promised, the rest of the pooled queue is not scanned');
  });
});
