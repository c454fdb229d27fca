import assert from 'node:assert/strict';
import { FakeClock } from '../../../runtime/engine/clock';
import type { RunEvent } from '../../../runtime/engine/events';
import { FakeProvider } from '../support/fakes';
import { act, definition, runDefinition, testWorkspace, type TestWorkspace } from '../support/harness';

describe('engine: scheduling', () => {
  let ws: TestWorkspace;
  beforeEach(() => { ws = testWorkspace(); });
  afterEach(() => ws.cleanup());

  it('runs a diamond as soon as dependencies allow, never before', async () => {
    const fake = new FakeProvider().hold();
    const { handle, recorder } = await runDefinition(ws, definition([
      act('a'), act('b', { dependsOn: 'a' }), act('c', { dependsOn: 'a' }), act('d', { dependsOn: ['b', 'c'] }),
    ]), { providers: { fake } });
    (await fake.nextHeld('a')).settle({ kind: 'complete', outputs: { v: 1 } });
    const b = await fake.nextHeld('b');
    const c = await fake.nextHeld('c');
    assert.equal(fake.callsOf('d').length, 0);
    c.settle({ kind: 'complete' });
    await recorder.waitForType('activity.succeeded', 'c');
    assert.equal(fake.callsOf('d').length, 0, 'd waits for b too');
    b.settle({ kind: 'complete' });
    (await fake.nextHeld('d')).settle({ kind: 'complete' });
    const result = await handle.done;
    assert.equal(result.state, 'succeeded');
    const trace = recorder.trace();
    assert.deepEqual(trace[0], 'run.started');
    assert.deepEqual(trace[trace.length - 1], 'run.finished');
    assert.ok(trace.indexOf('started b') > trace.indexOf('succeeded a'));
    assert.ok(trace.indexOf('started d') > trace.indexOf('succeeded b'));
    assert.ok(trace.indexOf('started d') > trace.indexOf('succeeded c'));
  });

  it('stamps every event with the run id, a time and a strictly increasing seq', async () => {
    const fake = new FakeProvider();
    const { handle, recorder } = await runDefinition(ws, definition([act('a'), act('b', { dependsOn: 'a' })]), { providers: { fake } });
    await handle.done;
    let seq = 0;
    for (const event of recorder.events) {
      assert.equal(event.runId, handle.runId);
      assert.equal(typeof event.time, 'number');
      assert.ok(event.seq > seq, `seq ${event.seq} after ${seq}`);
      seq = event.seq;
      assert.deepEqual(JSON.parse(JSON.stringify(event)), event, 'JSON-serialisable');
    }
  });

  it('succeeds at once with an empty definition', async () => {
    const { handle, recorder } = await runDefinition(ws, definition([]), { providers: {} });
    const result = await handle.done;
    assert.equal(result.state, 'succeeded');
    assert.deepEqual(recorder.trace(), ['run.started', 'run.finished']);
  });

  it('fans out over forEach items with id[i] instances, the item as `as`, and aggregated outputs', async () => {
    const fake = new FakeProvider().on('scan', (c) => ({ kind: 'complete', outputs: { url: `https://${c.inputs.host as string}` } }));
    const { handle, recorder } = await runDefinition(ws, definition([
      act('scan', { forEach: { items: 'hosts', as: 'host', concurrency: 2 } }),
      act('report', { dependsOn: 'scan', inputs: [{ source: 'scan.url', target: 'urls' }, { source: 'scan.1.url', target: 'second' }] }),
    ]), { providers: { fake }, input: { hosts: ['a', 'b', 'c', 'd', 'e'] } });
    const result = await handle.done;
    assert.equal(result.state, 'succeeded');
    assert.deepEqual(fake.callsOf('scan').map((c) => c.key).sort(), ['scan[0]', 'scan[1]', 'scan[2]', 'scan[3]', 'scan[4]']);
    assert.ok(fake.maxActive <= 2, `forEach.concurrency 2, saw ${fake.maxActive}`);
    const report = fake.callsOf('report')[0];
    assert.deepEqual(report.inputs, { urls: ['https://a', 'https://b', 'https://c', 'https://d', 'https://e'], second: 'https://b' });
    const expanded = recorder.of('activity.expanded', 'scan')[0];
    assert.deepEqual(expanded.instances.map((i) => i.instance), [0, 1, 2, 3, 4]);
    assert.equal(result.snapshot.activities.scan.instances?.length, 5);
    assert.equal(fake.callsOf('scan')[3].idempotencyKey, `${handle.runId}/scan[3]`);
  });

  it('succeeds a forEach over an empty array at once', async () => {
    const fake = new FakeProvider();
    const { handle } = await runDefinition(ws, definition([act('scan', { forEach: { items: 'hosts', as: 'host' } }), act('next', { dependsOn: 'scan' })]),
      { providers: { fake }, input: { hosts: [] } });
    const result = await handle.done;
    assert.equal(result.state, 'succeeded');
    assert.deepEqual(result.snapshot.activities.scan.outputs, []);
    assert.equal(fake.callsOf('next').length, 1);
  });

  it('fails a forEach whose items are not an array, naming the source', async () => {
    const { handle, recorder } = await runDefinition(ws, definition([act('scan', { forEach: { items: 'hosts', as: 'host' } })]),
      { providers: { fake: new FakeProvider() }, input: { hosts: 'nope' } });
    assert.equal((await handle.done).state, 'failed');
    assert.match(recorder.of('activity.failed', 'scan')[0].error, /forEach.items 'hosts' is not an array \(it is string\)/);
  });

  it('never runs more than `concurrency` at once, and --concurrency overrides it', async () => {
    const many = Array.from({ length: 12 }, (_, i) => act(`a${i}`));
    const fake = new FakeProvider().otherwise(async () => { await new Promise((r) => setImmediate(r)); return { kind: 'complete' }; });
    const first = await runDefinition(ws, definition(many, { concurrency: 3 }), { providers: { fake } });
    assert.equal((await first.handle.done).state, 'succeeded');
    assert.equal(fake.maxActive, 3);
    const fake1 = new FakeProvider().otherwise(async () => { await new Promise((r) => setImmediate(r)); return { kind: 'complete' }; });
    const second = await runDefinition(ws, definition(many, { concurrency: 3 }), { providers: { fake: fake1 }, concurrency: 1 });
    assert.equal((await second.handle.done).state, 'succeeded');
    assert.equal(fake1.maxActive, 1);
  });

  it('starts a dependent the moment its dependency ends, without waiting for unrelated work (no tiers)', async () => {
    const fake = new FakeProvider().hold('slow');
    const { handle, recorder } = await runDefinition(ws, definition([
      act('slow'), act('fast'), act('afterFast', { dependsOn: 'fast' }), act('end', { dependsOn: ['slow', 'afterFast'] }),
    ]), { providers: { fake } });
    await recorder.waitForType('activity.succeeded', 'afterFast');
    assert.equal(recorder.of('activity.succeeded', 'slow').length, 0);
    (await fake.nextHeld('slow')).settle({ kind: 'complete' });
    assert.equal((await handle.done).state, 'succeeded');
  });
});

describe('engine: when', () => {
  let ws: TestWorkspace;
  beforeEach(() => { ws = testWorkspace(); });
  afterEach(() => ws.cleanup());

  it('skips success dependents of a failure with the reason, runs failure and always ones', async () => {
    const fake = new FakeProvider().on('build', () => ({ kind: 'fatal', error: 'compile error' }));
    const { handle, recorder } = await runDefinition(ws, definition([
      act('build'),
      act('deploy', { dependsOn: 'build' }),
      act('notify', { dependsOn: 'build', when: 'failure' }),
      act('cleanup', { dependsOn: 'deploy', when: 'always' }),
      act('after', { dependsOn: 'deploy', when: 'failure' }),
    ]), { providers: { fake } });
    const result = await handle.done;
    assert.equal(result.state, 'failed');
    assert.match(result.error!, /activity build failed: compile error/);
    assert.equal(recorder.of('activity.skipped', 'deploy')[0].reason, "dependency 'build' failed");
    assert.equal(fake.callsOf('notify').length, 1, 'when: failure runs after a failure');
    assert.equal(fake.callsOf('cleanup').length, 1, 'when: always runs after a skip');
    assert.equal(recorder.of('activity.skipped', 'after')[0].reason, 'no dependency failed');
  });

  it('skips failure handlers when everything succeeded', async () => {
    const fake = new FakeProvider();
    const { handle, recorder } = await runDefinition(ws, definition([
      act('build'), act('rollback', { dependsOn: 'build', when: 'failure' }), act('root', { when: 'failure' }),
    ]), { providers: { fake } });
    assert.equal((await handle.done).state, 'succeeded');
    assert.equal(recorder.of('activity.skipped', 'rollback')[0].reason, 'no dependency failed');
    assert.match(recorder.of('activity.skipped', 'root')[0].reason, /no dependency/);
    assert.equal(fake.callsOf('rollback').length, 0);
  });

  it('skips a success dependent as soon as one dependency fails, without waiting for the others', async () => {
    const fake = new FakeProvider().hold('slow').on('bad', () => ({ kind: 'fatal', error: 'x' }));
    const { handle, recorder } = await runDefinition(ws, definition([
      act('slow'), act('bad', { continueOnError: true }), act('join', { dependsOn: ['slow', 'bad'] }),
    ]), { providers: { fake } });
    const skipped = await recorder.waitForType('activity.skipped', 'join');
    assert.equal(skipped.reason, "dependency 'bad' failed");
    assert.equal(recorder.of('activity.succeeded', 'slow').length, 0);
    (await fake.nextHeld('slow')).settle({ kind: 'complete' });
    assert.equal((await handle.done).state, 'succeeded');
  });

  it('continueOnError: the failure does not fail the run; success dependents are skipped', async () => {
    const fake = new FakeProvider().on('flaky', () => ({ kind: 'fatal', error: 'nope' }));
    const { handle, recorder } = await runDefinition(ws, definition([
      act('flaky', { continueOnError: true }), act('next', { dependsOn: 'flaky' }), act('other'),
      act('handler', { dependsOn: 'flaky', when: 'failure' }),
    ]), { providers: { fake } });
    const result = await handle.done;
    assert.equal(result.state, 'succeeded');
    assert.equal(result.snapshot.activities.flaky.state, 'failed');
    assert.equal(recorder.of('activity.skipped', 'next')[0].reason, "dependency 'flaky' failed");
    assert.equal(fake.callsOf('other').length, 1);
    assert.equal(fake.callsOf('handler').length, 1);
  });

  it('fail-fast: no new start after a failure, running ones finish, always ones still run', async () => {
    const fake = new FakeProvider().hold('running').on('bad', () => ({ kind: 'fatal', error: 'boom' }));
    const { handle, recorder } = await runDefinition(ws, definition([
      act('running'), act('bad'),
      act('later', { dependsOn: 'running' }),
      act('finally', { dependsOn: ['running', 'bad'], when: 'always' }),
    ]), { providers: { fake } });
    const held = await fake.nextHeld('running');
    await recorder.waitForType('activity.failed', 'bad');
    held.settle({ kind: 'complete' });
    const result = await handle.done;
    assert.equal(result.state, 'failed');
    assert.equal(result.snapshot.activities.running.state, 'succeeded', 'a running activity finishes');
    assert.match(recorder.of('activity.skipped', 'later')[0].reason, /the run is failing \('bad' failed\)/);
    assert.equal(fake.callsOf('later').length, 0);
    assert.equal(fake.callsOf('finally').length, 1);
  });

  it('fail-fast cancels retrying and waiting units with the reason', async () => {
    const clock = new FakeClock();
    const fake = new FakeProvider()
      .on('retrier', () => ({ kind: 'retry', error: 'busy' }))
      .on('waiter', () => ({ kind: 'wait' }))
      .hold('bad');
    const { handle, recorder } = await runDefinition(ws, definition([
      act('retrier', { retry: { maxAttempts: 5, delayMs: 1000 } }), act('waiter'), act('bad'),
    ]), { providers: { fake }, clock });
    await recorder.waitForType('activity.retrying', 'retrier');
    await recorder.waitForType('activity.waiting', 'waiter');
    (await fake.nextHeld('bad')).settle({ kind: 'fatal', error: 'boom' });
    const result = await handle.done;
    assert.equal(result.state, 'failed');
    assert.match(recorder.of('activity.cancelled', 'retrier')[0].reason, /the run is failing/);
    assert.match(recorder.of('activity.cancelled', 'waiter')[0].reason, /the run is failing/);
    assert.equal(clock.pending, 0, 'the backoff timer was cleared');
  });
});

describe('engine: events and listeners', () => {
  let ws: TestWorkspace;
  beforeEach(() => { ws = testWorkspace(); });
  afterEach(() => ws.cleanup());

  it('reports a throwing listener and keeps delivering, in order, to every listener', async () => {
    const reported: { error: unknown; event: RunEvent }[] = [];
    const seen: number[] = [];
    const thrower = (event: RunEvent) => { if (event.type === 'activity.started') throw new Error('listener bug'); };
    const { handle, recorder } = await runDefinition(ws, definition([act('a'), act('b', { dependsOn: 'a' })]), {
      providers: { fake: new FakeProvider() },
      listeners: [thrower, (e) => seen.push(e.seq)],
      onListenerError: (error, event) => reported.push({ error, event }),
    });
    assert.equal((await handle.done).state, 'succeeded');
    assert.equal(reported.length, 2);
    assert.equal((reported[0].error as Error).message, 'listener bug');
    assert.deepEqual(seen, recorder.events.map((e) => e.seq));
    assert.deepEqual([...seen].sort((x, y) => x - y), seen);
  });

  it('delivers events produced by a listener after the current one, never re-entrantly', async () => {
    const order: string[] = [];
    let cancelled = false;
    const fake = new FakeProvider().hold('a');
    const started = await runDefinition(ws, definition([act('a'), act('b')]), { providers: { fake }, concurrency: 1 });
    started.handle.events.subscribe((e) => {
      order.push(`1:${e.type}`);
      if (e.type === 'activity.started' && !cancelled) { cancelled = true; started.handle.cancel({ graceMs: 0 }); }
    });
    started.handle.events.subscribe((e) => order.push(`2:${e.type}`));
    const result = await started.handle.done;
    assert.equal(result.state, 'cancelled');
    const i = order.indexOf('1:activity.started');
    assert.equal(order[i + 1], '2:activity.started', 'the second listener sees started before anyone sees the cancel');
    assert.equal(order[i + 2], '1:run.cancelling');
  });
});
