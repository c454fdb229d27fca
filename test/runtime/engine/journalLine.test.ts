import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JournalEntry } from '../../../runtime/engine/events';
import { journalLine } from '../../../runtime/engine/journal';
import { FakeProvider } from '../support/fakes';
import { act, definition, runDefinition, testWorkspace, type TestWorkspace } from '../support/harness';

const stamps = { seq: 7, time: 1767225600123, runId: '20260101-000000-abcd' };

/** Events as the engine makes them: the hand-written lines must be JSON.stringify's, byte for byte. */
const cases: Record<string, JournalEntry> = {
  'started, first poll': { type: 'activity.started', activityId: 'build', attempt: 1, poll: 0, idempotencyKey: 'r/build', inputs: { a: 1, s: 'x"y\\z\n\u2028', n: null, list: [1, { b: true }] }, ...stamps },
  'started, no inputs (a re-poll)': { type: 'activity.started', activityId: 'build', attempt: 2, poll: 3, idempotencyKey: 'r/build', ...stamps },
  'started, inputs property left undefined': { type: 'activity.started', activityId: 'build', attempt: 1, poll: 0, idempotencyKey: 'r/build', inputs: undefined, ...stamps },
  'started, remote without agent': { type: 'activity.started', activityId: 'build', attempt: 1, poll: 0, idempotencyKey: 'r/build', agent: undefined, delivery: undefined, ...stamps },
  'started, remote with agent': { type: 'activity.started', activityId: 'build', attempt: 1, poll: 0, idempotencyKey: 'r/build', agent: 'agent-1', delivery: 2, ...stamps },
  'started, an instance on a host': { type: 'activity.started', activityId: 'deploy', instance: 3, host: 'web-1', attempt: 1, poll: 0, idempotencyKey: 'r/deploy[3]', inputs: {}, ...stamps },
  'started, odd id and key': { type: 'activity.started', activityId: 'a-b_c', attempt: 1, poll: 0, idempotencyKey: 'r/"quoted"\u0001', inputs: {}, ...stamps },
  'started, astral and lone surrogates': { type: 'activity.started', activityId: 'a', attempt: 1, poll: 0, idempotencyKey: 'r/😀\ud800x\udfff', inputs: { s: '\udc00' }, ...stamps },
  'started, characters JSON leaves alone': { type: 'activity.started', activityId: 'é\u007f\u2028', attempt: 1, poll: 0, idempotencyKey: 'r/ü/[0]', inputs: {}, ...stamps },
  'started, fractional time': { type: 'activity.started', activityId: 'a', attempt: 1, poll: 0, idempotencyKey: 'k', inputs: {}, seq: 1, time: 1.5, runId: 'r' },
  'started, negative zero': { type: 'activity.started', activityId: 'a', attempt: 1, poll: -0, idempotencyKey: 'k', inputs: {}, seq: 1, time: 0, runId: 'r' },
  'succeeded': { type: 'activity.succeeded', activityId: 'build', attempt: 1, outputs: { out: 'v', deep: { list: [1, 2, 'three'] } }, durationMs: 12, ...stamps },
  'succeeded, empty outputs': { type: 'activity.succeeded', activityId: 'build', attempt: 1, outputs: {}, durationMs: 0, ...stamps },
  'succeeded, outputs with toJSON': { type: 'activity.succeeded', activityId: 'build', attempt: 1, outputs: { when: new Date(0) }, durationMs: 1, ...stamps },
  'succeeded, outputs undefined': { type: 'activity.succeeded', activityId: 'build', attempt: 1, outputs: undefined, durationMs: 1, ...stamps },
  'succeeded, completed from outside': { type: 'activity.succeeded', activityId: 'build', attempt: 1, outputs: {}, durationMs: 1, completedBy: 'external', ...stamps },
  'succeeded, aggregate without attempt': { type: 'activity.succeeded', activityId: 'fan', outputs: [{}, {}], durationMs: 4, ...stamps },
  'succeeded, an instance': { type: 'activity.succeeded', activityId: 'fan', instance: 0, attempt: 1, outputs: {}, durationMs: 4, ...stamps },
  'succeeded, non-finite duration': { type: 'activity.succeeded', activityId: 'a', attempt: 1, outputs: {}, durationMs: NaN, ...stamps },
  'failed (always JSON.stringify)': { type: 'activity.failed', activityId: 'a', attempt: 1, error: 'boom "x"', durationMs: 3, ...stamps },
};

describe('engine: journal lines', () => {
  for (const [name, event] of Object.entries(cases)) {
    it(`writes ${name} as JSON.stringify does`, () => {
      assert.equal(journalLine(event), JSON.stringify(event));
    });
  }

  describe('in a run', () => {
    let ws: TestWorkspace;
    beforeEach(() => { ws = testWorkspace(); });
    afterEach(() => ws.cleanup());

    it('has every line of the journal equal to JSON.stringify of its event', async () => {
      const fake = new FakeProvider()
        .on('a', () => ({ kind: 'complete', outputs: { x: 1, s: 'é\n' } }))
        .on('b', () => ({ kind: 'complete' }));
      const { handle, recorder } = await runDefinition(ws, definition([
        act('a'), act('b', { dependsOn: 'a', inputs: [{ source: 'a.x', target: 'x' }, { value: 'v', target: 'y' }] }), act('c', { dependsOn: ['a', 'b'] }),
      ]), { providers: { fake } });
      const result = await handle.done;
      assert.equal(result.state, 'succeeded');
      const lines = readFileSync(join(handle.runDir, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean);
      const journaled = recorder.events.filter((e) => e.type !== 'activity.log');
      assert.equal(lines.length, journaled.length);
      lines.forEach((line, i) => assert.equal(line, JSON.stringify(journaled[i])));
    });
  });
});
