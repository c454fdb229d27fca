/**
 * Run folders are files in the workspace: a journal, a control request or a run id may have been
 * written by someone else. None of their fields may reach Object.prototype, a path outside the run,
 * or crash a reader; each is refused with its line.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { controlRequest, ControlWatcher, newRequestId, sendControl } from '../../../runtime/engine/control';
import { readRun, resumeRun } from '../../../runtime/engine/engine';
import { journalEntryProblem } from '../../../runtime/engine/entryCheck';
import { JournalCorruptError, parseJournal } from '../../../runtime/engine/journal';
import { replay } from '../../../runtime/engine/replay';
import { createRunFolder, listRuns, runPaths } from '../../../runtime/engine/runFolder';
import { FakeProvider } from '../support/fakes';
import { act, definition, runDefinition, testWorkspace, type TestWorkspace } from '../support/harness';

const started = (over: Record<string, unknown> = {}) => ({
  type: 'run.started', seq: 1, time: 1, runId: 'r1', journalVersion: 1, definition: { type: 't', path: 'p', hash: 'h' },
  input: {}, concurrency: 1, activities: [{ id: 'a', type: 't', dependsOn: [], when: 'success' }], defs: [], pid: 1, ...over,
});
const lines = (...entries: unknown[]) => Buffer.from(entries.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('\n') + '\n');

describe('engine: hostile run folders', () => {
  let ws: TestWorkspace;
  beforeEach(() => { ws = testWorkspace(); });
  afterEach(() => ws.cleanup());

  it('refuses an event for __proto__ without touching Object.prototype', () => {
    const polluting = { type: 'activity.failed', activityId: '__proto__', error: 'polluted', seq: 2, time: 2, runId: 'r1' };
    // `__proto__` is a valid id by the format's syntax, so the shape check lets it through: replay must cope.
    assert.equal(journalEntryProblem(polluting), undefined);
    const snapshot = replay(parseJournal(lines(started(), polluting)).entries);
    assert.equal(({} as Record<string, unknown>).error, undefined, 'Object.prototype stays clean');
    assert.equal(Object.keys(snapshot.activities).join(), 'a');
    assert.equal('constructor' in snapshot.activities, false);
  });

  it('keeps an activity named __proto__ or constructor as an ordinary activity', () => {
    const snapshot = replay(parseJournal(lines(
      started({ activities: [{ id: '__proto__', type: 't', dependsOn: [], when: 'success' }, { id: 'constructor', type: 't', dependsOn: [], when: 'success' }] }),
      { type: 'activity.failed', activityId: '__proto__', error: 'boom', seq: 2, time: 2, runId: 'r1' },
    )).entries);
    assert.deepEqual(Object.keys(snapshot.activities), ['__proto__', 'constructor']);
    assert.equal(snapshot.activities['__proto__'].state, 'failed');
    assert.equal(snapshot.activities['constructor' as string].state, 'pending');
    assert.equal(({} as Record<string, unknown>).state, undefined);
  });

  it('refuses lines of the wrong shape with their line number, even the last one', () => {
    const cases: [unknown, RegExp][] = [
      [{ type: 'activity.failed', activityId: '../../etc', error: 'x', seq: 2, time: 2, runId: 'r1' }, /activityId.*not an activity id/],
      [{ type: 'activity.expanded', activityId: 'a', seq: 2, time: 2, runId: 'r1' }, /instances/],
      [{ type: 'activity.started', activityId: 'a', seq: 2, time: 2, runId: 'r1', poll: 0 }, /attempt/],
      [{ type: 'activity.started', activityId: 'a', instance: -1, attempt: 1, poll: 0, seq: 2, time: 2, runId: 'r1' }, /instance/],
      [{ type: 'run.finished', state: 'exploded', seq: 2, time: 2, runId: 'r1', durationMs: 1, counts: {} }, /state/],
      [{ type: 'activity.log', activityId: 'a', seq: 2, time: 2, runId: 'r1' }, /log event/],
      [{ type: 'something.new', seq: 2, time: 2, runId: 'r1' }, /unknown event type/],
      [{ type: 'activity.pending', activityId: 'a', reason: 'x', seq: '2', time: 2, runId: 'r1' }, /seq/],
    ];
    for (const [bad, message] of cases) {
      for (const buffer of [lines(started(), bad, started({ seq: 3 })), lines(started(), bad)]) {
        assert.throws(() => parseJournal(buffer, 'j'), (e: unknown) => e instanceof JournalCorruptError && e.line === 2 && message.test(e.message), JSON.stringify(bad));
      }
    }
  });

  it('refuses run.started without its activities, and a run id that is a path', () => {
    assert.throws(() => parseJournal(lines({ type: 'run.started', seq: 1, time: 1, runId: 'r1' }, started({ seq: 2 }))), /definition/);
    assert.throws(() => parseJournal(lines(started({ activities: 'a' }), started({ seq: 2 }))), /activities/);
    for (const runId of ['../../../home', '.', '..', 'a/b', '', 'x'.repeat(200)]) {
      assert.throws(() => parseJournal(lines(started({ runId }), started({ seq: 2 }))), /runId/, runId);
    }
  });

  it('resume of a journal whose run id climbs out of the temp folder is refused before anything runs', async () => {
    const fake = new FakeProvider().on('a', () => ({ kind: 'fatal', error: 'first time' }));
    const { handle } = await runDefinition(ws, definition([act('a')]), { providers: { fake } });
    await handle.done;
    const { contents } = readRun(runPaths(handle.runDir));
    const tampered = contents.entries.map((e) => ({ ...e, runId: '../../../../victim' }));
    writeFileSync(join(handle.runDir, 'journal.jsonl'), tampered.map((e) => JSON.stringify(e)).join('\n') + '\n');
    await assert.rejects(resumeRun(handle.runDir, { providers: { fake } }), (e: unknown) => e instanceof JournalCorruptError && /runId/.test((e as Error).message));
  });

  it('refuses to create a run folder for a run id that is not one folder name', () => {
    for (const runId of ['../escape', '..', 'a/b', '/abs']) {
      assert.throws(() => createRunFolder(ws.runsDir, runId), /not a valid run id/, runId);
    }
    assert.equal(existsSync(join(ws.dir, 'escape')), false);
  });

  it('control requests: the answer is named after the request file, and malformed requests get a clear answer', async () => {
    const dir = join(ws.dir, 'control');
    mkdirSync(dir);
    const handled: unknown[] = [];
    const watcher = new ControlWatcher(dir, async (request) => { handled.push(request); return { ok: true, message: 'done' }; });
    watcher.start();
    try {
      // A request file whose content names another id: the answer stays beside it.
      writeFileSync(join(dir, '0-evil.request.json'), JSON.stringify({ id: '../../escaped', kind: 'cancel', reason: 'r' }));
      const malformed = await sendControl(dir, { id: newRequestId(), kind: 'complete', target: 'a' } as never, 10_000);
      assert.deepEqual(malformed, { ok: false, message: 'malformed control request: "outputs" must be a JSON object' });
      const good = await sendControl(dir, { id: newRequestId(), kind: 'complete', target: 'a', outputs: { x: 1 } }, 10_000);
      assert.deepEqual(good, { ok: true, message: 'done' });
      // Requests are handled one at a time in name order: the earlier file was answered by now.
      assert.equal(handled.length, 2, 'the escaping request (a valid cancel) and the good one');
      assert.deepEqual(handled[0], { id: '0-evil', kind: 'cancel', reason: 'r' });
      assert.deepEqual(readdirSync(dir), ['0-evil.response.json']);
      assert.equal(existsSync(join(ws.dir, 'escaped.response.json')), false);
    } finally {
      watcher.stop();
    }
    assert.equal(typeof controlRequest('nope', 'id'), 'string');
    assert.equal(typeof controlRequest({ kind: 'cancel', graceMs: -1 }, 'id'), 'string');
  });
});

describe('engine: listing runs with damaged folders', () => {
  let ws: TestWorkspace;
  beforeEach(() => { ws = testWorkspace(); });
  afterEach(() => ws.cleanup());

  it('lists a run whose run.json is missing or damaged from its journal, and reports what it cannot read', async () => {
    const fake = new FakeProvider().on('a', () => ({ kind: 'complete', outputs: {} }));
    const { handle } = await runDefinition(ws, definition([act('a')]), { providers: { fake } });
    await handle.done;
    writeFileSync(join(handle.runDir, 'run.json'), '{"runId": 5, "state": {}}');
    mkdirSync(join(ws.runsDir, 'junk'));
    writeFileSync(join(ws.runsDir, 'junk', 'run.json'), 'not json');
    mkdirSync(join(ws.runsDir, 'torn'));
    writeFileSync(join(ws.runsDir, 'torn', 'journal.jsonl'), `${JSON.stringify(started({ runId: 'torn' }))}\n{"oops\n${JSON.stringify(started({ seq: 2 }))}\n`);
    mkdirSync(join(ws.runsDir, 'empty-folder'));
    const damaged: string[] = [];
    const runs = listRuns(ws.runsDir, (dir, reason) => damaged.push(`${dir.slice(ws.runsDir.length + 1)}: ${reason}`));
    assert.deepEqual(runs.map((r) => [r.summary.runId, r.summary.state, r.summary.counts]), [[handle.runId, 'succeeded', { succeeded: 1 }]]);
    assert.equal(damaged.length, 2);
    assert.match(damaged.find((d) => d.startsWith('junk'))!, /not a run summary/);
    assert.match(damaged.find((d) => d.startsWith('torn'))!, /journal.jsonl:2: the journal is damaged/);
  });
});

describe('engine: secrets in files a crash leaves behind', () => {
  let ws: TestWorkspace;
  beforeEach(() => { ws = testWorkspace(); });
  afterEach(() => ws.cleanup());

  it('resume removes the inputs files of attempts a dead process never cleaned up', async () => {
    const workRoot = join(ws.dir, 'work');
    let left = '';
    // The first attempt writes its inputs file as the shell provider does and "dies" before removing it.
    const fake = new FakeProvider().on('a', (c) => {
      if (!left) {
        mkdirSync(c.ctx.workDir, { recursive: true });
        left = join(c.ctx.workDir, 'inputs.json');
        writeFileSync(left, '{"password":"hunter2"}');
        return { kind: 'fatal', error: 'crashed' };
      }
      assert.equal(existsSync(left), false, 'gone before the next attempt starts');
      return { kind: 'complete', outputs: {} };
    });
    const { handle } = await runDefinition(ws, definition([act('a')]), { providers: { fake }, workRoot });
    assert.equal((await handle.done).state, 'failed');
    assert.equal(existsSync(left), true);
    const resumed = await resumeRun(handle.runDir, { providers: { fake }, workRoot, watchControl: false });
    assert.equal((await resumed.done).state, 'succeeded');
    assert.equal(existsSync(left), false);
  });
});
