import assert from 'node:assert/strict';
import { appendFileSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeClock } from '../../../runtime/engine/clock';
import { readRun, resumeRun } from '../../../runtime/engine/engine';
import { JournalCorruptError, parseJournal, readJournal, truncateTorn } from '../../../runtime/engine/journal';
import { replay } from '../../../runtime/engine/replay';
import { FakeProvider } from '../support/fakes';
import { act, definition, Recorder, runDefinition, testWorkspace, type TestWorkspace } from '../support/harness';

describe('engine: journal', () => {
  let ws: TestWorkspace;
  beforeEach(() => { ws = testWorkspace(); });
  afterEach(() => ws.cleanup());

  it('holds every state change, one JSON event per line, all but log lines', async () => {
    const fake = new FakeProvider().on('a', (c) => { c.ctx.log('stdout', 'hello'); return { kind: 'complete', outputs: { x: 1 } }; });
    const { handle, recorder } = await runDefinition(ws, definition([act('a'), act('b', { dependsOn: 'a' })]), { providers: { fake } });
    await handle.done;
    const { entries, torn } = readJournal(join(handle.runDir, 'journal.jsonl'));
    assert.equal(torn, undefined);
    assert.deepEqual(entries, recorder.events.filter((e) => e.type !== 'activity.log'));
    assert.equal(recorder.of('activity.log').length, 1);
    assert.equal(readFileSync(join(handle.runDir, 'logs', 'a', 'attempt-1.log'), 'utf8'), 'hello\n');
    const summary = JSON.parse(readFileSync(join(handle.runDir, 'run.json'), 'utf8'));
    assert.equal(summary.state, 'succeeded');
    assert.deepEqual(summary.counts, { succeeded: 2 });
  });

  it('drops a torn last line, repairs the file, and refuses a damaged middle line', () => {
    const path = join(ws.dir, 'journal.jsonl');
    const a = JSON.stringify({ type: 'run.started', seq: 1, time: 1, runId: 'r1', journalVersion: 1, definition: { type: 't', path: 'p', hash: 'h' }, input: {}, concurrency: 1, activities: [{ id: 'x', type: 't', dependsOn: [], when: 'success' }], defs: [], pid: 1 });
    const b = JSON.stringify({ type: 'activity.pending', seq: 2, time: 2, runId: 'r1', activityId: 'x', reason: 'resume' });
    writeFileSync(path, `${a}\n${b}\n{"type":"activity.sta`);
    const contents = readJournal(path);
    assert.equal(contents.entries.length, 2);
    assert.equal(contents.torn, '{"type":"activity.sta');
    truncateTorn(path, contents);
    assert.equal(readFileSync(path, 'utf8'), `${a}\n${b}\n`);
    appendFileSync(path, `${b}`);
    const complete = readJournal(path);
    assert.equal(complete.entries.length, 3, 'a whole object without its newline is kept');
    truncateTorn(path, complete);
    assert.equal(readFileSync(path, 'utf8'), `${a}\n${b}\n${b}\n`);
    assert.throws(() => parseJournal(Buffer.from(`${a}\n{oops\n${b}\n`), 'j'), (e: unknown) => e instanceof JournalCorruptError && e.line === 2);
  });

  it('replays to the state the engine ended with', async () => {
    const clock = new FakeClock();
    const fake = new FakeProvider()
      .on('flaky', (c) => (c.attempt === 1 ? { kind: 'retry', error: 'once' } : { kind: 'complete', outputs: { n: c.attempt } }))
      .on('bad', () => ({ kind: 'fatal', error: 'x' }));
    const { handle, recorder } = await runDefinition(ws, definition([
      act('flaky', { retry: { maxAttempts: 2, delayMs: 5 } }),
      act('fan', { forEach: { items: 'xs', as: 'x' }, dependsOn: 'flaky' }),
      act('bad', { continueOnError: true }),
      act('skipped', { dependsOn: 'bad' }),
    ]), { providers: { fake }, clock, input: { xs: [1, 2, 3] } });
    await recorder.waitForType('activity.retrying', 'flaky');
    clock.advance(5);
    const result = await handle.done;
    const replayed = replay(readJournal(join(handle.runDir, 'journal.jsonl')).entries);
    assert.deepEqual(replayed, result.snapshot);
    assert.equal(replayed.state, 'succeeded');
    assert.equal(replayed.activities.fan.instances?.length, 3);
    assert.equal(replayed.activities.skipped.reason, "dependency 'bad' failed");
    assert.equal(replayed.activities.flaky.attempt, 2);
  });
});

describe('engine: resume', () => {
  let ws: TestWorkspace;
  beforeEach(() => { ws = testWorkspace(); });
  afterEach(() => ws.cleanup());

  /** A copy of a live run's folder, as a crash would leave it (the original keeps running here). */
  async function crashCopy(runDir: string, name: string): Promise<string> {
    const copy = join(ws.dir, 'crashed', name);
    cpSync(runDir, copy, { recursive: true });
    return copy;
  }

  it('marks in-flight attempts interrupted, re-runs what did not succeed and never what did', async () => {
    const fake = new FakeProvider().hold('b').hold('fan[1]').on('waiter', () => ({ kind: 'wait' }));
    const def = definition([
      act('a'),
      act('b', { dependsOn: 'a' }),
      act('fan', { forEach: { items: 'xs', as: 'x' }, dependsOn: 'a' }),
      act('c', { dependsOn: ['b', 'fan'] }),
      act('waiter'),
    ]);
    const first = await runDefinition(ws, def, { providers: { fake }, input: { xs: ['p', 'q', 'r'] } });
    const held = await fake.nextHeld('b');
    const heldFan = await fake.nextHeld('fan[1]');
    await first.recorder.waitForType('activity.succeeded', 'fan', 2);
    await first.recorder.waitForType('activity.waiting', 'waiter');
    await first.recorder.waitForType('activity.succeeded', 'fan', 0);
    const copy = await crashCopy(first.handle.runDir, 'one');
    const before = readRun({ journal: join(copy, 'journal.jsonl') } as never).snapshot;
    assert.equal(before.state, 'running');
    assert.equal(before.activities.b.state, 'running');

    const second = new FakeProvider();
    const recorder = new Recorder();
    const resumed = await resumeRun(copy, { providers: { fake: second }, listeners: [recorder.listener], watchControl: false, cwd: ws.dir });
    await recorder.waitForType('activity.interrupted', 'b');
    assert.equal(recorder.of('activity.interrupted', 'fan')[0].instance, 1);
    await recorder.waitForType('activity.started', 'c');
    assert.deepEqual(second.calls.map((c) => c.key).sort(), ['b', 'c', 'fan[1]'], 'a, fan[0], fan[2] succeeded before: not run again; the waiter keeps waiting');
    assert.equal(second.callsOf('b')[0].attempt, 2, 'attempt numbers continue');
    assert.equal(second.callsOf('b')[0].idempotencyKey, `${first.handle.runId}/b`);
    assert.deepEqual(await resumed.complete('waiter', { ok: 1 }), ['waiter']);
    const result = await resumed.done;
    assert.equal(result.state, 'succeeded');
    assert.equal(recorder.of('run.resumed')[0].resume, 1);
    assert.deepEqual(replay(readJournal(join(copy, 'journal.jsonl')).entries), result.snapshot);
    assert.deepEqual(result.snapshot.activities.fan.outputs, [{ from: 'fan[0]' }, { from: 'fan[1]' }, { from: 'fan[2]' }]);

    held.settle({ kind: 'complete' });
    heldFan.settle({ kind: 'complete' });
    first.handle.cancel({ graceMs: 0 });
    await first.handle.done;
  });

  it('re-runs failed and cancelled activities with a fresh retry budget, and refuses a succeeded run', async () => {
    let fail = true;
    const fake = new FakeProvider().on('a', () => (fail ? { kind: 'fatal', error: 'broken' } : { kind: 'complete' }));
    const first = await runDefinition(ws, definition([act('a'), act('b', { dependsOn: 'a' }), act('ok')]), { providers: { fake } });
    assert.equal((await first.handle.done).state, 'failed');
    fail = false;
    const recorder = new Recorder();
    const resumed = await resumeRun(first.handle.runDir, { providers: { fake }, listeners: [recorder.listener], watchControl: false });
    const result = await resumed.done;
    assert.equal(result.state, 'succeeded');
    assert.deepEqual(fake.calls.map((c) => c.key), ['a', 'ok', 'a', 'b']);
    assert.deepEqual(recorder.of('activity.pending').map((e) => e.activityId).sort(), ['a', 'b']);
    await assert.rejects(resumeRun(first.handle.runDir, { providers: { fake } }), /succeeded: there is nothing to resume/);
  });

  it('marks a run no process holds cancelled, leaving waiting units waiting for a later complete', async () => {
    const fake = new FakeProvider().hold('busy').on('gate', () => ({ kind: 'wait' }));
    const first = await runDefinition(ws, definition([act('gate'), act('busy'), act('after', { dependsOn: ['gate', 'busy'] })]), { providers: { fake } });
    const held = await fake.nextHeld('busy');
    await first.recorder.waitForType('activity.waiting', 'gate');
    const copy = await crashCopy(first.handle.runDir, 'two');
    const cancelled = await resumeRun(copy, { providers: { fake: new FakeProvider() }, watchControl: false, cancel: { reason: 'cancelled by orch cancel' } });
    const result = await cancelled.done;
    assert.equal(result.state, 'cancelled');
    assert.equal(result.snapshot.activities.gate.state, 'waiting');
    assert.equal(result.snapshot.activities.busy.state, 'cancelled');
    assert.equal(result.snapshot.activities.after.state, 'cancelled');
    const later = new FakeProvider();
    const resumed = await resumeRun(copy, { providers: { fake: later }, watchControl: false });
    await resumed.complete('gate', { ok: true });
    assert.equal((await resumed.done).state, 'succeeded');
    assert.deepEqual(later.calls.map((c) => c.key).sort(), ['after', 'busy']);
    held.settle({ kind: 'complete' });
    first.handle.cancel({ graceMs: 0 });
    await first.handle.done;
  });
});
