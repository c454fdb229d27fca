/**
 * A provider that runs attempts elsewhere (distributed mode's agents) reports them through
 * ProcessorContext.remote; the engine must journal them as a local run's steps, numbered as the run
 * numbers attempts, and apply no timeout of its own.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FakeClock } from '../../../runtime/engine/clock';
import { readJournal } from '../../../runtime/engine/journal';
import type { ProcessorContext, ProcessorResult, Provider } from '../../../runtime/engine/provider';
import { replay } from '../../../runtime/engine/replay';
import { logFile, runPaths } from '../../../runtime/engine/runFolder';
import { mapSecretStore } from '../../../runtime/engine/secrets';
import type { ActivityDefinition } from '../../../runtime/model/types';
import { act, definition, runDefinition, testWorkspace, type TestWorkspace } from '../support/harness';

type Script = (ctx: ProcessorContext) => Promise<ProcessorResult>;

function remoteProvider(script: Script): Provider & { contexts: ProcessorContext[] } {
  const contexts: ProcessorContext[] = [];
  return {
    name: 'remote',
    runsAttempts: true,
    contexts,
    execute(ctx) {
      contexts.push(ctx);
      return script(ctx);
    },
  };
}

const types: ActivityDefinition[] = [{ type: 'far', provider: 'remote', outputSchema: { openAPIV3Schema: { type: 'object', properties: { n: { type: 'number' } } } } }];

describe('engine: attempts run elsewhere (runsAttempts)', () => {
  let ws: TestWorkspace;
  beforeEach(() => { ws = testWorkspace(); });
  afterEach(() => ws.cleanup());

  it('journals remote starts, retries, polls and logs with the agent, numbered as the run numbers attempts', async () => {
    const provider = remoteProvider(async (ctx) => {
      const remote = ctx.remote!;
      assert.equal(remote.policy.maxAttempts, 3);
      remote.started(1, 0, 'agent-a', 1);
      remote.log(1, 'stdout', 'first try');
      remote.retrying(1, 'busy', 250);
      remote.started(2, 0, 'agent-b', 1);
      remote.scheduled(2, 0, 100, 'still going');
      remote.started(2, 1, 'agent-b', 1);
      remote.started(2, 1, 'agent-c', 2);
      remote.log(2, 'stdout', 'done now');
      return { kind: 'complete', outputs: { n: 7 } };
    });
    const { handle, recorder } = await runDefinition(ws, definition([act('a', { type: 'far', retry: { maxAttempts: 3 }, timeoutMs: 1 })]), { providers: { remote: provider }, types });
    const result = await handle.done;
    assert.equal(result.state, 'succeeded');
    const steps = recorder.events.filter((e) => e.type.startsWith('activity.') && e.type !== 'activity.log').map((e) => {
      const x = e as { type: string; attempt?: number; poll?: number; agent?: string; delivery?: number; delayMs?: number };
      return [x.type, x.attempt, x.poll, x.agent, x.delivery, x.delayMs].filter((v) => v !== undefined).join(' ');
    });
    assert.deepEqual(steps, [
      'activity.started 1 0',
      'activity.started 1 0 agent-a 1',
      'activity.retrying 1 250',
      'activity.started 2 0 agent-b 1',
      'activity.scheduled 2 0 100',
      'activity.started 2 1 agent-b 1',
      'activity.started 2 1 agent-c 2',
      'activity.succeeded 2',
    ]);
    // Attempts' logs land in their own files, as for a local run.
    const logs = recorder.events.filter((e) => e.type === 'activity.log').map((e) => `${(e as { attempt: number }).attempt}:${(e as { line: string }).line}`);
    assert.deepEqual(logs, ['1:first try', '2:done now']);
    const paths = runPaths(handle.runDir);
    const snapshot = replay(readJournal(paths.journal).entries);
    assert.equal(snapshot.activities.a.agent, 'agent-c');
    assert.equal(snapshot.activities.a.attempt, 2);
    assert.match(readFileSync(logFile(paths, 'a', undefined, 2), 'utf8'), /done now/);
  });

  it('applies no timeout of its own: the remote side times attempts out', async () => {
    const clock = new FakeClock();
    let finish!: (r: ProcessorResult) => void;
    const provider = remoteProvider(() => new Promise((resolve) => { finish = resolve; }));
    const { handle, recorder } = await runDefinition(ws, definition([act('a', { type: 'far', timeoutMs: 50 })]), { providers: { remote: provider }, types, clock });
    await recorder.waitForType('activity.started', 'a');
    clock.advance(10_000);
    assert.equal(provider.contexts[0].signal.aborted, false, 'the engine must not abort a remote attempt loop on timeoutMs');
    finish({ kind: 'fatal', error: 'timed out after 50 ms (after 1 attempts)' });
    const result = await handle.done;
    assert.equal(result.state, 'failed');
  });

  it('hands the remote side secret references instead of the values', async () => {
    const provider = remoteProvider(async (ctx) => {
      assert.equal(ctx.inputs.password, 'hunter2-long-value', 'the context holds the resolved value in memory');
      assert.deepEqual(ctx.remote!.references(ctx.inputs), { password: '${secret:DB_PASSWORD}', note: 'uses ${secret:DB_PASSWORD} twice: ${secret:DB_PASSWORD}' });
      return { kind: 'complete', outputs: {} };
    });
    const def = definition([act('a', { type: 'far', inputs: [
      { value: '${secret:DB_PASSWORD}', target: 'password' },
      { value: 'uses ${secret:DB_PASSWORD} twice: ${secret:DB_PASSWORD}', target: 'note' },
    ] })]);
    const { handle } = await runDefinition(ws, def, { providers: { remote: provider }, types, secrets: mapSecretStore({ DB_PASSWORD: 'hunter2-long-value' }) });
    const result = await handle.done;
    assert.equal(result.state, 'succeeded', result.error);
    assert.equal(provider.contexts.length, 1);
  });

  it('lets a remote attempt loop that is backing off finish when the run fails fast', async () => {
    let finishB!: (r: ProcessorResult) => void;
    let bRetrying!: () => void;
    const retrying = new Promise<void>((resolve) => { bRetrying = resolve; });
    const provider = remoteProvider(async (ctx) => {
      if (ctx.activityId === 'a') {
        await retrying;
        return { kind: 'fatal', error: 'broken' };
      }
      ctx.remote!.started(1, 0, 'agent', 1);
      ctx.remote!.retrying(1, 'busy', 1000);
      bRetrying();
      return new Promise((resolve) => { finishB = resolve; });
    });
    const { handle, recorder } = await runDefinition(ws, definition([act('a', { type: 'far' }), act('b', { type: 'far', retry: { maxAttempts: 2 } }), act('c', { type: 'far', dependsOn: 'b' })]), { providers: { remote: provider }, types });
    await recorder.waitForType('activity.failed', 'a');
    assert.equal(recorder.of('activity.cancelled', 'b').length, 0, 'b is still running elsewhere');
    finishB({ kind: 'complete', outputs: { n: 1 } });
    const result = await handle.done;
    assert.equal(result.state, 'failed');
    assert.equal(recorder.of('activity.succeeded', 'b').length, 1);
    assert.equal(recorder.of('activity.skipped', 'c').length, 1);
  });
});
