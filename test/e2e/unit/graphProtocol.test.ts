import * as assert from 'node:assert';
import { parseHostMessage, parseWebviewMessage } from '../../../client/graph/protocol';
import { runCriticalPath } from '../../../client/graph/runMessages';
import { applyEvent, createRun } from '../../../client/runs/runModel';
import type { RunEvent } from '../../../runtime/engine/events';

suite('graph protocol', () => {
  test('accepts the webview\'s messages', () => {
    assert.deepStrictEqual(parseWebviewMessage({ type: 'ready', protocol: 1 }), { type: 'ready', protocol: 1 });
    assert.deepStrictEqual(parseWebviewMessage({ type: 'reveal', activityId: 'build-2' }), { type: 'reveal', activityId: 'build-2' });
    assert.deepStrictEqual(parseWebviewMessage({ type: 'export', format: 'png', data: 'iVBORw0KGgo=' }), { type: 'export', format: 'png', data: 'iVBORw0KGgo=' });
    assert.deepStrictEqual(parseWebviewMessage({ type: 'action', action: 'rerunFailed', runId: 'r1' }), { type: 'action', action: 'rerunFailed', runId: 'r1' });
    assert.strictEqual(parseWebviewMessage({ type: 'rendered', uri: 'file:///a', nodes: 3, edges: 2, layoutMs: 1, totalMs: 5, fallback: true })?.type, 'rendered');
  });

  test('refuses anything else', () => {
    for (const bad of [
      null, 'ready', [], {}, { type: 'nope' }, { type: 'ready' }, { type: 'reveal', activityId: '../x' }, { type: 'reveal', activityId: 42 },
      { type: 'export', format: 'gif', data: 'x' }, { type: 'export', format: 'png', data: 'not base64!' }, { type: 'export', format: 'svg', data: '' },
      { type: 'action', action: 'rm -rf' }, { type: 'rendered', uri: 'u', nodes: '3', edges: 2, layoutMs: 1, totalMs: 1 }, { type: 'log', level: 'fatal', message: 'x' },
    ]) assert.strictEqual(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
  });

  test('checks the host\'s messages too', () => {
    assert.ok(parseHostMessage({ type: 'run', run: null, nodes: {} }));
    assert.ok(parseHostMessage({ type: 'runUpdate', runId: 'r', nodes: { a: { state: 'running', attempt: 1, startedAt: 5 } } }));
    assert.strictEqual(parseHostMessage({ type: 'runUpdate', runId: 'r', nodes: { a: { state: 'exploded', attempt: 1 } } }), undefined);
    assert.ok(parseHostMessage({ type: 'highlight', activityId: null }));
    assert.strictEqual(parseHostMessage({ type: 'command', command: 'eval' }), undefined);
  });

  test('the critical path follows the longest chain of durations', () => {
    let seq = 0;
    const e = (event: Record<string, unknown>) => ({ ...event, seq: ++seq, time: 0, runId: 'r' }) as unknown as RunEvent;
    const started = e({ type: 'run.started', journalVersion: 1, definition: { type: 'd', path: 'p', hash: 'h' }, input: {}, concurrency: 2, defs: [], pid: 1,
      activities: [{ id: 'a', type: 't', dependsOn: [], when: 'success' }, { id: 'slow', type: 't', dependsOn: ['a'], when: 'success' }, { id: 'fast', type: 't', dependsOn: ['a'], when: 'success' }, { id: 'end', type: 't', dependsOn: ['slow', 'fast'], when: 'success' }] });
    const run = createRun(started as Extract<RunEvent, { type: 'run.started' }>);
    for (const [id, ms] of [['a', 10], ['slow', 100], ['fast', 5], ['end', 1]] as const) applyEvent(run, e({ type: 'activity.succeeded', activityId: id, outputs: {}, durationMs: ms }));
    assert.deepStrictEqual(runCriticalPath(run), ['a', 'slow', 'end']);
  });
});
