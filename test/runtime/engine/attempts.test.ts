import assert from 'node:assert/strict';
import { attemptPolicy, backoffDelay } from '../../../runtime/engine/attempts';
import { FakeClock } from '../../../runtime/engine/clock';
import { CompleteError } from '../../../runtime/engine/scheduler';
import { FakeProvider, hangingProvider } from '../support/fakes';
import { act, activityTypes, definition, runDefinition, testWorkspace, type TestWorkspace } from '../support/harness';

describe('engine: retry policy', () => {
  it('takes each field from the activity, else the type, else the definition defaults, else the format', () => {
    const policy = attemptPolicy(
      { id: 'a', type: 't', retry: { maxAttempts: 4 } },
      { type: 't', provider: 'x', retry: { delayMs: 250, backoff: 'fixed' }, timeoutMs: 900 },
      { retry: { delayMs: 5, maxDelayMs: 7000, jitter: false }, timeoutMs: 1 },
    );
    assert.deepEqual(policy, { maxAttempts: 4, backoff: 'fixed', delayMs: 250, maxDelayMs: 7000, jitter: false, timeoutMs: 900 });
    assert.deepEqual(attemptPolicy({ id: 'a', type: 't' }, undefined, undefined),
      { maxAttempts: 1, backoff: 'exponential', delayMs: 1000, maxDelayMs: 60000, jitter: true });
  });

  it('backs off exponentially, capped, with jitter in [delay/2, delay]', () => {
    const policy = { maxAttempts: 10, backoff: 'exponential' as const, delayMs: 1000, maxDelayMs: 5000, jitter: false };
    assert.deepEqual([1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n, Math.random)), [1000, 2000, 4000, 5000, 5000]);
    assert.equal(backoffDelay({ ...policy, backoff: 'fixed' }, 4, Math.random), 1000);
    const jittered = { ...policy, jitter: true };
    assert.equal(backoffDelay(jittered, 2, () => 0), 1000);
    assert.equal(backoffDelay(jittered, 2, () => 0.999999), 2000);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(jittered, 3, Math.random);
      assert.ok(d >= 2000 && d <= 4000, `jitter out of bounds: ${d}`);
    }
  });
});

describe('engine: attempts', () => {
  let ws: TestWorkspace;
  beforeEach(() => { ws = testWorkspace(); });
  afterEach(() => ws.cleanup());

  it('retries after exactly the backoff delays, then fails with the last error', async () => {
    const clock = new FakeClock();
    const fake = new FakeProvider().on('a', (c) => ({ kind: 'retry', error: `busy ${c.attempt}` }));
    const { handle, recorder } = await runDefinition(ws, definition([act('a', { retry: { maxAttempts: 3, delayMs: 1000, jitter: false } })]), { providers: { fake }, clock });
    const t0 = clock.now();
    const first = await recorder.waitForType('activity.retrying', 'a');
    assert.deepEqual([first.attempt, first.delayMs, first.error], [1, 1000, 'busy 1']);
    clock.advance(999);
    assert.equal(fake.calls.length, 1, 'not a millisecond early');
    clock.advance(1);
    const second = await recorder.next((e) => e.type === 'activity.retrying');
    assert.equal((second as { delayMs: number }).delayMs, 2000);
    clock.advance(2000);
    const result = await handle.done;
    assert.equal(result.state, 'failed');
    assert.deepEqual(recorder.of('activity.started', 'a').map((e) => e.time - t0), [0, 1000, 3000]);
    assert.equal(recorder.of('activity.failed', 'a')[0].error, 'busy 3 (after 3 attempts)');
    assert.deepEqual(fake.calls.map((c) => c.idempotencyKey), Array(3).fill(`${handle.runId}/a`));
  });

  it('uses the delay a RetryError asks for, and jitter stays within bounds', async () => {
    const clock = new FakeClock();
    const fake = new FakeProvider().on('a', (c) => (c.attempt === 1 ? { kind: 'retry', error: 'later', delayMs: 42 } : { kind: 'retry', error: 'again' }));
    const { recorder } = await runDefinition(ws, definition([act('a', { retry: { maxAttempts: 3, delayMs: 1000 } })]), { providers: { fake }, clock, random: () => 0.5 });
    assert.equal((await recorder.waitForType('activity.retrying', 'a')).delayMs, 42);
    clock.advance(42);
    const second = await recorder.next((e) => e.type === 'activity.retrying');
    assert.equal((second as { delayMs: number }).delayMs, 1500, 'exponential 2000 with jitter at 0.5 → 1500');
  });

  it('succeeds on a later attempt', async () => {
    const clock = new FakeClock();
    const fake = new FakeProvider().on('a', (c) => (c.attempt < 2 ? { kind: 'retry', error: 'flaky' } : { kind: 'complete', outputs: { ok: true } }));
    const { handle, recorder } = await runDefinition(ws, definition([act('a', { retry: { maxAttempts: 2, delayMs: 10, jitter: false } })]), { providers: { fake }, clock });
    await recorder.waitForType('activity.retrying', 'a');
    clock.advance(10);
    const result = await handle.done;
    assert.equal(result.state, 'succeeded');
    assert.equal(recorder.of('activity.succeeded', 'a')[0].attempt, 2);
    assert.equal(recorder.of('activity.succeeded', 'a')[0].durationMs, 10);
  });

  it('does not retry a FatalError', async () => {
    const fake = new FakeProvider().on('a', () => ({ kind: 'fatal', error: 'bad config' }));
    const { handle } = await runDefinition(ws, definition([act('a', { retry: { maxAttempts: 5 } })]), { providers: { fake } });
    assert.equal((await handle.done).state, 'failed');
    assert.equal(fake.calls.length, 1);
  });

  it('turns a thrown error and a malformed result into clear failures', async () => {
    const fake = new FakeProvider()
      .on('thrower', () => { throw new Error('kaboom'); })
      .on('weird', () => ({ kind: 'done' } as never));
    const { handle, recorder } = await runDefinition(ws, definition([act('thrower', { continueOnError: true }), act('weird', { continueOnError: true })]), { providers: { fake } });
    await handle.done;
    assert.match(recorder.of('activity.failed', 'thrower')[0].error, /provider fake failed: kaboom/);
    assert.match(recorder.of('activity.failed', 'weird')[0].error, /returned an invalid result: unknown kind "done"/);
  });

  it('aborts a timed-out attempt and counts it as a RetryError', async () => {
    const clock = new FakeClock();
    const hang = hangingProvider('fake');
    const { handle, recorder } = await runDefinition(ws, definition([act('a', { timeoutMs: 500, retry: { maxAttempts: 2, delayMs: 100, jitter: false } })]), { providers: { fake: hang }, clock });
    await recorder.waitForType('activity.started', 'a');
    clock.advance(500);
    const retrying = await recorder.waitForType('activity.retrying', 'a');
    assert.equal(retrying.error, 'timed out after 500 ms');
    assert.equal(hang.aborted, 1);
    clock.advance(100);
    await recorder.next((e) => e.type === 'activity.started');
    clock.advance(500);
    const result = await handle.done;
    assert.equal(result.state, 'failed');
    assert.match(recorder.of('activity.failed', 'a')[0].error, /timed out after 500 ms \(after 2 attempts\)/);
  });

  it('abandons an attempt whose provider ignores the abort, after the grace period', async () => {
    const clock = new FakeClock();
    const stubborn = hangingProvider('fake', { ignoreAbort: true });
    const { handle } = await runDefinition(ws, definition([act('a', { timeoutMs: 100 })]), { providers: { fake: stubborn }, clock, timeoutGraceMs: 50 });
    await clock.whenTimers(1);
    clock.advance(100);
    clock.advance(49);
    assert.equal(handle.snapshot().activities.a.state, 'running');
    clock.advance(1);
    const result = await handle.done;
    assert.equal(result.state, 'failed');
    assert.match(result.snapshot.activities.a.error!, /timed out after 100 ms/);
  });

  it('Schedule: polls again after the delay, handing the state on, inside the same attempt', async () => {
    const clock = new FakeClock();
    const fake = new FakeProvider().on('job', (c) => (c.poll < 2
      ? { kind: 'schedule', delayMs: 5000, state: { ticket: 7, poll: c.poll }, message: 'still running' }
      : { kind: 'complete', outputs: { done: true } }));
    const { handle, recorder } = await runDefinition(ws, definition([act('job')]), { providers: { fake }, clock });
    const scheduled = await recorder.waitForType('activity.scheduled', 'job');
    assert.deepEqual([scheduled.delayMs, scheduled.message, scheduled.poll], [5000, 'still running', 0]);
    clock.advance(4999);
    assert.equal(fake.calls.length, 1);
    clock.advance(1);
    await recorder.next((e) => e.type === 'activity.scheduled');
    clock.advance(5000);
    const result = await handle.done;
    assert.equal(result.state, 'succeeded');
    assert.deepEqual(fake.calls.map((c) => [c.attempt, c.poll, c.state]), [[1, 0, undefined], [1, 1, { ticket: 7, poll: 0 }], [1, 2, { ticket: 7, poll: 1 }]]);
    assert.deepEqual(result.snapshot.activities.job.outputs, { done: true });
  });

  it('Wait: parks the activity until complete() supplies outputs, then dependents run', async () => {
    const fake = new FakeProvider().on('approve', () => ({ kind: 'wait', message: 'needs a human' }));
    const { handle, recorder } = await runDefinition(ws, definition([
      { id: 'approve', type: 'gate' }, act('ship', { dependsOn: 'approve', inputs: ['approve.approved'] }),
    ]), { providers: { fake }, types: activityTypes([{ type: 'gate', provider: 'fake', outputSchema: { type: 'object', properties: { approved: { type: 'boolean' } }, required: ['approved'] } }]) });
    const waiting = await recorder.waitForType('activity.waiting', 'approve');
    assert.equal(waiting.message, 'needs a human');
    await assert.rejects(handle.complete('ship', {}), (e: unknown) => e instanceof CompleteError && /ship is not waiting \(it is pending\)/.test(e.message));
    await assert.rejects(handle.complete('approve', { approved: 'yes' }), /do not match the outputSchema of gate: approved: `approved` must be a boolean/);
    await assert.rejects(handle.complete('nope', {}), /no activity 'nope'/);
    assert.deepEqual(await handle.complete('approve', { approved: true }), ['approve']);
    const result = await handle.done;
    assert.equal(result.state, 'succeeded');
    assert.equal(recorder.of('activity.succeeded', 'approve')[0].completedBy, 'external');
    assert.deepEqual(fake.callsOf('ship')[0].inputs, { approved: true });
  });

  it('cancel: aborts running attempts, cancels the rest, and the run is cancelled', async () => {
    const hang = hangingProvider('fake');
    const { handle, recorder } = await runDefinition(ws, definition([act('a'), act('b'), act('c', { dependsOn: 'a' })]), { providers: { fake: hang } });
    await recorder.waitForType('activity.started', 'b');
    handle.cancel({ reason: 'user asked', graceMs: 1000 });
    const result = await handle.done;
    assert.equal(result.state, 'cancelled');
    assert.equal(result.error, 'user asked');
    assert.equal(hang.aborted, 2);
    assert.deepEqual(recorder.of('activity.cancelled').map((e) => e.activityId).sort(), ['a', 'b', 'c']);
    assert.equal(recorder.of('run.cancelling')[0].graceMs, 1000);
  });

  it('cancel: a provider that does not stop within the grace period is abandoned', async () => {
    const clock = new FakeClock();
    const stubborn = hangingProvider('fake', { ignoreAbort: true });
    const { handle, recorder } = await runDefinition(ws, definition([act('a')]), { providers: { fake: stubborn }, clock });
    await recorder.waitForType('activity.started', 'a');
    handle.cancel({ graceMs: 2000 });
    await recorder.waitForType('run.cancelling');
    clock.advance(2000);
    assert.equal((await handle.done).state, 'cancelled');
  });

  it('keeps the outputs of an attempt that completed despite the cancel', async () => {
    const fake = new FakeProvider().hold('a');
    const { handle, recorder } = await runDefinition(ws, definition([act('a'), act('b', { dependsOn: 'a' })]), { providers: { fake } });
    const held = await fake.nextHeld('a');
    handle.cancel();
    await recorder.waitForType('run.cancelling');
    held.settle({ kind: 'complete', outputs: { made: 1 } });
    const result = await handle.done;
    assert.equal(result.state, 'cancelled');
    assert.equal(result.snapshot.activities.a.state, 'succeeded');
    assert.equal(result.snapshot.activities.b.state, 'cancelled');
  });
});
