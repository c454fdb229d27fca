import assert from 'node:assert/strict';
import { ACTIVITY_RUN_STATES, parseHostMessage, type NodeRunInfo } from '../../client/graph/protocol';
import { criticalPath, longestChain } from '../../media/graph/criticalPath';
import { attemptLabel, durationOf, formatDuration, isLive, nextTickDelay, RunModel, stateClass } from '../../media/graph/runState';
import { nodeClass } from '../../media/graph/scene';
import { nodeTooltip } from '../../media/graph/tooltipContent';
import { buildViewModel } from '../../media/graph/viewModel';
import { graphMessage, PIPELINE, runMessage } from '../webview/samples';

const T0 = 1_700_000_000_000;
const done = (startedAt: number, ms: number, state: NodeRunInfo['state'] = 'succeeded'): NodeRunInfo => ({ state, attempt: 1, startedAt: T0 + startedAt, endedAt: T0 + startedAt + ms });

describe('webview run state', () => {
  it('gives every activity state its own class, and `state-none` without a run', () => {
    const classes = ACTIVITY_RUN_STATES.map(stateClass);
    assert.equal(new Set(classes).size, ACTIVITY_RUN_STATES.length);
    assert.equal(stateClass('waiting-for-pool'), 'state-waiting-for-pool');
    assert.equal(stateClass(undefined), 'state-none');
  });

  it('builds the node class from state, problems, cycle and overlay flags', () => {
    const model = buildViewModel(graphMessage(PIPELINE));
    const archive = model.byId.get('transmit-archive')!;
    const c = nodeClass(archive, { state: 'failed', attempt: 3 }, { critical: true, highlighted: true }).split(' ');
    for (const expected of ['node', 'state-failed', 'sev-warning', 'critical', 'highlighted']) assert.ok(c.includes(expected), expected);
    assert.ok(!c.includes('dimmed') && !c.includes('cycle'));
    assert.ok(nodeClass(model.byId.get('transform')!, undefined).split(' ').includes('state-none'));
  });

  it('applies a snapshot, then updates for the same run only', () => {
    const run = new RunModel();
    const changed = run.applySnapshot(runMessage('r1', 'running', T0, { a: { state: 'running', attempt: 1, startedAt: T0 }, b: { state: 'pending', attempt: 0 } }));
    assert.deepEqual([...changed].sort(), ['a', 'b']);
    assert.deepEqual(run.applyUpdate({ type: 'runUpdate', runId: 'r0', nodes: { a: { state: 'failed', attempt: 1 } } }), undefined, 'a late update of an older run');
    assert.equal(run.nodes.get('a')!.state, 'running');
    const updated = run.applyUpdate({ type: 'runUpdate', runId: 'r1', state: 'succeeded', endedAt: T0 + 5000, criticalPath: ['a'], nodes: { a: done(0, 4000) } });
    assert.deepEqual([...updated!], ['a']);
    assert.equal(run.run!.state, 'succeeded');
    assert.deepEqual(run.run!.criticalPath, ['a']);
    const cleared = run.applySnapshot({ type: 'run', run: null, nodes: {} });
    assert.deepEqual([...cleared].sort(), ['a', 'b'], 'every node drawn with the old run is redrawn');
    assert.equal(run.nodes.size, 0);
  });

  it('lists as live only the activities whose duration grows while the run runs', () => {
    const run = new RunModel();
    run.applySnapshot(runMessage('r', 'running', T0, {
      a: { state: 'running', attempt: 1, startedAt: T0 }, b: { state: 'retrying', attempt: 2, startedAt: T0 }, c: { state: 'waiting', attempt: 1, startedAt: T0 },
      d: { state: 'pending', attempt: 0 }, e: done(0, 10), f: { state: 'running', attempt: 1 },
    }));
    assert.deepEqual(run.liveIds().sort(), ['a', 'b', 'c']);
    assert.ok(isLive('waiting') && !isLive('waiting-for-pool') && !isLive(undefined));
    run.applyUpdate({ type: 'runUpdate', runId: 'r', state: 'interrupted', endedAt: T0 + 7000, nodes: {} });
    assert.deepEqual(run.liveIds(), [], 'an ended run stops the clock');
    assert.equal(run.clock(T0 + 99_000), T0 + 7000, 'durations freeze at the run\'s end');
  });

  it('measures durations: finished, running against the clock, not started', () => {
    assert.equal(durationOf(done(0, 1234), T0 + 10_000), 1234);
    assert.equal(durationOf({ state: 'running', attempt: 1, startedAt: T0 }, T0 + 2500), 2500);
    assert.equal(durationOf({ state: 'pending', attempt: 0 }, T0), undefined);
    assert.equal(durationOf({ state: 'failed', attempt: 1, startedAt: T0 }, T0 + 5), undefined, 'ended without an end time: unknown');
    assert.equal(durationOf(undefined, T0), undefined);
  });

  it('formats durations compactly', () => {
    const cases: [number | undefined, string][] = [
      [undefined, ''], [0, '0 ms'], [999, '999 ms'], [1000, '1.0 s'], [9_999, '9.9 s'], [10_000, '10 s'], [59_999, '59 s'],
      [60_000, '1m 00s'], [3_599_000, '59m 59s'], [3_600_000, '1h 00m'], [90_061_000, '1d 01h'],
    ];
    for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, String(ms));
  });

  it('ticks as often as the shortest duration\'s text changes', () => {
    assert.equal(nextTickDelay([]), 1000);
    assert.equal(nextTickDelay([1234]), 66);
    assert.equal(nextTickDelay([12_345]), 655);
    assert.equal(nextTickDelay([12_345, 2_050]), 50);
    assert.ok(nextTickDelay([2_099.9]) >= 16, 'never a busy loop');
  });

  it('labels the attempt after a retry, and fan-out progress', () => {
    assert.equal(attemptLabel({ state: 'running', attempt: 1 }), '');
    assert.equal(attemptLabel({ state: 'retrying', attempt: 3 }), 'attempt 3');
    assert.equal(attemptLabel({ state: 'running', attempt: 1, instances: { done: 3, total: 10 } }), '3/10');
    assert.equal(attemptLabel(undefined), '');
  });

  it('the hover shows inputs, the run and the last outputs, cut to a readable size', () => {
    const node = buildViewModel(graphMessage(PIPELINE)).byId.get('transform')!;
    const outputs = { file: '/data/out.parquet', rows: 1204, blob: 'x'.repeat(5000) };
    const tip = nodeTooltip(node, { ...done(0, 14_200), outputs }, T0 + 60_000);
    assert.equal(tip.title, 'transform');
    assert.equal(tip.subtitle, 'batch.join');
    assert.deepEqual(tip.inputs.slice(0, 1), ['ordersFile ← extract-orders.file']);
    assert.ok(tip.rows.some(([k, v]) => k === 'duration' && v === '14 s'));
    assert.ok(tip.outputs!.startsWith('{\n  "file": "/data/out.parquet"'));
    assert.ok(tip.outputs!.length < 1300 && tip.outputs!.includes('more characters'));
    assert.equal(nodeTooltip(node, undefined, T0).outputs, undefined);
  });
});

describe('webview critical path', () => {
  const model = buildViewModel(graphMessage(PIPELINE));
  const nodes = new Map<string, NodeRunInfo>([
    ['extract-orders', done(0, 2000)], ['extract-customers', done(0, 3000)], ['transform', done(3000, 10_000)],
    ['transmit-warehouse', done(13_000, 5000)], ['transmit-archive', done(13_000, 9000, 'failed')], ['cleanup', done(22_000, 500)],
  ]);

  it('is the longest chain by duration when the host sent none', () => {
    assert.deepEqual(longestChain(model, nodes, T0), ['extract-customers', 'transform', 'transmit-archive', 'cleanup']);
    const path = criticalPath(model, nodes, undefined, T0);
    assert.equal(path.totalMs, 22_500);
    assert.equal(path.edges.size, 3);
  });

  it('uses the host\'s path when there is one (ids the graph no longer has are dropped)', () => {
    const path = criticalPath(model, nodes, ['extract-orders', 'transform', 'gone', 'transmit-warehouse'], T0);
    assert.deepEqual([...path.nodes], ['extract-orders', 'transform', 'transmit-warehouse']);
    assert.equal(path.edges.size, 2);
  });

  it('is empty without durations, and ignores edges of cycles', () => {
    assert.deepEqual(longestChain(model, new Map(), T0), []);
    const cyclic = buildViewModel(graphMessage({ type: 't', activities: [{ id: 'a', type: 'x', dependsOn: ['b'] }, { id: 'b', type: 'x', dependsOn: ['a'] }, { id: 'c', type: 'x' }] }));
    // A chain through the cycle would be a -> b (12 ms); the cycle's edges do not count, so b alone is longest.
    assert.deepEqual(longestChain(cyclic, new Map([['a', done(0, 5)], ['b', done(0, 7)], ['c', done(0, 1)]]), T0), ['b']);
  });

  it('the sample run messages pass the protocol\'s check', () => {
    assert.ok(parseHostMessage(runMessage('r', 'succeeded', T0, Object.fromEntries(nodes), { endedAt: T0 + 30_000, criticalPath: ['transform'] })));
  });
});
