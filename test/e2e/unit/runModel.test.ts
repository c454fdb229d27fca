import * as assert from 'node:assert';
import type { JournalEntry, PlannedActivity, RunEvent } from '../../../runtime/engine/events';
import { replay } from '../../../runtime/engine/replay';
import { applyEvent, createRun, markInterrupted, topologicalOrder, unitsIn, type RunView } from '../../../client/runs/runModel';

const plan = (id: string, dependsOn: string[] = [], extra: Partial<PlannedActivity> = {}): PlannedActivity => ({ id, type: 't', dependsOn, when: 'success', ...extra });

class Journal {
  seq = 0;
  time = 1000;
  readonly entries: JournalEntry[] = [];
  add(event: Record<string, unknown>): JournalEntry {
    const entry = { ...event, seq: ++this.seq, time: (this.time += 10), runId: 'r1' } as unknown as JournalEntry;
    this.entries.push(entry);
    return entry;
  }
}

function start(journal: Journal, activities: PlannedActivity[]): RunView {
  const started = journal.add({ type: 'run.started', journalVersion: 1, definition: { type: 'd', path: '/w/d.orch.json', hash: 'h' }, input: {}, concurrency: 8, activities, defs: [], pid: 1 });
  return createRun(started as Extract<RunEvent, { type: 'run.started' }>);
}

suite('runModel', () => {
  test('orders activities dependencies first, file order among equals, cycles last', () => {
    assert.deepStrictEqual(topologicalOrder([plan('d', ['b', 'c']), plan('c', ['a']), plan('b', ['a']), plan('a')]), ['a', 'c', 'b', 'd']);
    assert.deepStrictEqual(topologicalOrder([plan('x', ['y']), plan('y', ['x']), plan('z')]), ['z', 'x', 'y']);
    assert.deepStrictEqual(topologicalOrder([plan('a', ['a', 'missing'])]), ['a']);
  });

  test('folds attempts, retries and outputs, and reports what changed', () => {
    const j = new Journal();
    const run = start(j, [plan('a'), plan('b', ['a'])]);
    let change = applyEvent(run, j.add({ type: 'activity.started', activityId: 'a', attempt: 1, poll: 0, idempotencyKey: 'k', inputs: { x: 1 } }) as RunEvent);
    assert.deepStrictEqual([...change.activities], ['a']);
    assert.strictEqual(change.run, false);
    applyEvent(run, j.add({ type: 'activity.retrying', activityId: 'a', attempt: 1, error: 'boom', delayMs: 100 }) as RunEvent);
    applyEvent(run, j.add({ type: 'activity.started', activityId: 'a', attempt: 2, poll: 0, idempotencyKey: 'k' }) as RunEvent);
    applyEvent(run, j.add({ type: 'activity.succeeded', activityId: 'a', attempt: 2, outputs: { y: 2 }, durationMs: 50 }) as RunEvent);
    const a = run.activities.get('a')!;
    assert.strictEqual(a.state, 'succeeded');
    assert.deepStrictEqual(a.attempts.map((t) => [t.attempt, t.state, t.error]), [[1, 'retrying', 'boom'], [2, 'succeeded', undefined]]);
    assert.deepStrictEqual(a.outputs, { y: 2 });
    assert.deepStrictEqual(a.inputs, { x: 1 });
    change = applyEvent(run, j.add({ type: 'run.finished', state: 'succeeded', durationMs: 99, counts: {} }) as RunEvent);
    assert.strictEqual(change.run, true);
    assert.strictEqual(run.state, 'succeeded');
    assert.strictEqual(run.durationMs, 99);
  });

  test('ignores events it has seen (overlapping reads of a journal) and log lines', () => {
    const j = new Journal();
    const run = start(j, [plan('a')]);
    const e = j.add({ type: 'activity.started', activityId: 'a', attempt: 1, poll: 0, idempotencyKey: 'k' }) as RunEvent;
    assert.strictEqual(applyEvent(run, e).activities.size, 1);
    assert.strictEqual(applyEvent(run, e).activities.size, 0);
    assert.strictEqual(applyEvent(run, { type: 'activity.log', activityId: 'a', attempt: 1, stream: 'stdout', line: 'x', seq: 99, time: 1, runId: 'r1' }).activities.size, 0);
    assert.strictEqual(run.lastSeq, e.seq);
  });

  test('fan-out instances roll up into their activity, and waiting units are found', () => {
    const j = new Journal();
    const run = start(j, [plan('f', [], { fanOut: true })]);
    applyEvent(run, j.add({ type: 'activity.expanded', activityId: 'f', instances: [{ instance: 0 }, { instance: 1, host: 'web1' }] }) as RunEvent);
    applyEvent(run, j.add({ type: 'activity.started', activityId: 'f', instance: 1, host: 'web1', attempt: 1, poll: 0, idempotencyKey: 'k' }) as RunEvent);
    applyEvent(run, j.add({ type: 'activity.waiting', activityId: 'f', instance: 1, host: 'web1', attempt: 1, message: 'approve' }) as RunEvent);
    const f = run.activities.get('f')!;
    assert.deepStrictEqual(f.instances.map((u) => [u.key, u.state, u.host]), [['f[0]', 'pending', undefined], ['f[1]', 'waiting', 'web1']]);
    assert.strictEqual(f.state, 'waiting');
    assert.deepStrictEqual(unitsIn(run, ['waiting']).map((u) => u.key), ['f[1]']);
  });

  test('agrees with the engine\'s replay on every state, across a failure and a resume', () => {
    const j = new Journal();
    const run = start(j, [plan('a'), plan('b', ['a']), plan('c', ['b']), plan('f', [], { fanOut: true })]);
    const events: Record<string, unknown>[] = [
      { type: 'activity.started', activityId: 'a', attempt: 1, poll: 0, idempotencyKey: 'k' },
      { type: 'activity.succeeded', activityId: 'a', attempt: 1, outputs: {}, durationMs: 1 },
      { type: 'activity.expanded', activityId: 'f', instances: [{ instance: 0 }, { instance: 1 }] },
      { type: 'activity.started', activityId: 'f', instance: 0, attempt: 1, poll: 0, idempotencyKey: 'k' },
      { type: 'activity.succeeded', activityId: 'f', instance: 0, attempt: 1, outputs: {}, durationMs: 1 },
      { type: 'activity.started', activityId: 'b', attempt: 1, poll: 0, idempotencyKey: 'k' },
      { type: 'activity.failed', activityId: 'b', attempt: 1, error: 'no' },
      { type: 'activity.cancelled', activityId: 'f', instance: 1, reason: 'fail-fast' },
      { type: 'activity.failed', activityId: 'f', error: 'an instance was cancelled' },
      { type: 'activity.skipped', activityId: 'c', reason: 'dependency failed' },
      { type: 'run.finished', state: 'failed', durationMs: 5, counts: {} },
      { type: 'run.resumed', pid: 2, resume: 1, concurrency: 8 },
      { type: 'activity.pending', activityId: 'b', reason: 'resume' },
      { type: 'activity.pending', activityId: 'c', reason: 'resume' },
      { type: 'activity.pending', activityId: 'f', reason: 'resume' },
    ];
    for (const e of events) applyEvent(run, j.add(e) as RunEvent);
    const snapshot = replay(j.entries);
    assert.strictEqual(run.state, snapshot.state);
    assert.strictEqual(run.resumes, 1);
    for (const [id, activity] of Object.entries(snapshot.activities)) {
      assert.strictEqual(run.activities.get(id)!.state, activity.state, `state of ${id}`);
      (activity.instances ?? []).forEach((instance, i) => assert.strictEqual(run.activities.get(id)!.instances[i].state, instance.state, `state of ${id}[${i}]`));
    }
    assert.strictEqual(run.activities.get('f')!.instances[0].state, 'succeeded', 'a succeeded instance stays succeeded');
  });

  test('a running run without its process becomes interrupted', () => {
    const j = new Journal();
    const run = start(j, [plan('a')]);
    assert.strictEqual(markInterrupted(run), true);
    assert.strictEqual(run.state, 'interrupted');
    assert.strictEqual(markInterrupted(run), false);
  });
});
