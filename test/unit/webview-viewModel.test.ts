import assert from 'node:assert/strict';
import { parseHostMessage } from '../../client/graph/protocol';
import { buildViewModel, edgeKey, structureKey, toLayoutGraph } from '../../media/graph/viewModel';
import { BROKEN, graphMessage, PIPELINE, type SampleDefinition } from '../webview/samples';

describe('webview view model', () => {
  it('the sample messages are valid host messages (the page would accept them)', () => {
    for (const def of [PIPELINE, BROKEN]) assert.ok(parseHostMessage(graphMessage(def)), def.type);
  });

  it('keeps file order, details and the definition header', () => {
    const model = buildViewModel(graphMessage(PIPELINE));
    assert.deepEqual(model.nodes.map((n) => n.id), PIPELINE.activities.map((a) => a.id));
    assert.equal(model.title, 'batch.orders-report');
    assert.equal(model.fileName, 'pipeline.orch.json');
    assert.deepEqual(model.byId.get('transform')?.inputs.slice(0, 1), ['ordersFile ← extract-orders.file']);
    assert.equal(model.byId.get('cleanup')?.when, 'always');
    assert.equal(model.byId.get('cleanup')?.tier, 4);
    assert.equal(model.edges.length, 6);
    assert.equal(model.stale, false);
  });

  it('puts a problem inside a dependsOn entry on its edge, the others on the node', () => {
    const model = buildViewModel(graphMessage(BROKEN));
    const cycleEdge = model.edges.find((e) => e.from === 'deploy' && e.to === 'verify')!;
    assert.deepEqual(cycleEdge.problems.map((p) => p.code), ['ORCH203']);
    assert.equal(cycleEdge.severity, 'error');
    assert.deepEqual(model.byId.get('verify')!.problems, [], 'claimed by the edge');
    assert.equal(model.byId.get('notify')!.severity, 'error');
    assert.deepEqual(model.byId.get('notify')!.problems.map((p) => p.code), ['ORCH201']);
    assert.equal(model.stale, true);
    assert.deepEqual(model.problems.map((p) => p.code), ['ORCH001']);
  });

  it('marks the nodes and edges of a cycle, and nothing else', () => {
    const model = buildViewModel(graphMessage(BROKEN));
    assert.deepEqual(model.nodes.filter((n) => n.cycle).map((n) => n.id).sort(), ['deploy', 'verify']);
    assert.deepEqual(model.edges.filter((e) => e.cycle).map((e) => `${e.from}>${e.to}`).sort(), ['deploy>verify', 'verify>deploy']);
  });

  it('draws a self-dependency the server reports only as a cycle as a loop edge', () => {
    const message = graphMessage({ type: 't', activities: [{ id: 'a', type: 'x' }, { id: 'b', type: 'x', dependsOn: ['a'] }] });
    message.graph.cycles = [['b', 'b']];
    const model = buildViewModel(message);
    assert.ok(model.edges.some((e) => e.from === 'b' && e.to === 'b' && e.cycle));
    assert.equal(model.byId.get('b')!.cycle, true);
    assert.equal(model.byId.get('a')!.cycle, false);
  });

  it('ignores duplicate nodes and edges to unknown ids (a message from another version)', () => {
    const message = graphMessage(PIPELINE);
    message.graph.nodes.push({ ...message.graph.nodes[0] });
    message.graph.edges.push({ from: 'ghost', to: 'transform', range: message.graph.edges[0].range });
    message.graph.edges.push({ ...message.graph.edges[0] });
    const model = buildViewModel(message);
    assert.equal(model.nodes.length, 6);
    assert.equal(model.edges.length, 6);
  });

  it('reads the fields the protocol parser does not check defensively (a host of another version)', () => {
    const message = graphMessage(PIPELINE);
    const raw = JSON.parse(JSON.stringify(message));
    raw.graph.nodes[0].hosts = 'web-1';
    raw.graph.nodes[0].problems = [{ severity: 'fatal', message: 'x' }, null, { severity: 'error', code: 'ORCH9', message: 'ok', range: raw.graph.edges[0].range }];
    raw.graph.nodes[1].type = 42;
    raw.details['transform'] = { inputs: 'not a list' };
    delete raw.graph.edges[0].range;
    const parsed = parseHostMessage(raw);
    assert.ok(parsed && parsed.type === 'graph');
    const model = buildViewModel(parsed);
    assert.deepEqual(model.byId.get('extract-orders')!.hosts, []);
    assert.deepEqual(model.byId.get('extract-orders')!.problems.map((p) => p.code), ['ORCH9']);
    assert.equal(model.byId.get('extract-customers')!.type, undefined);
    assert.deepEqual(model.byId.get('transform')!.inputs, []);
    assert.deepEqual(model.edges[0].problems, []);
  });

  it('converts tiers for the shared layout: 0-based, -1 on a cycle', () => {
    const layout = toLayoutGraph(buildViewModel(graphMessage(BROKEN)));
    const tiers = Object.fromEntries(layout.nodes.map((n) => [n.id, n.tier]));
    assert.deepEqual(tiers, { build: 0, package: 1, deploy: -1, verify: -1, notify: -1, docs: 1 });
    assert.equal(layout.nodes.find((n) => n.id === 'deploy')!.discriminator, 'deploy');
  });

  describe('structure key', () => {
    const key = (def: SampleDefinition) => structureKey(buildViewModel(graphMessage(def)));
    const base = key(PIPELINE);

    it('does not change with text that keeps the shape: types, inputs, problems, order', () => {
      const edited: SampleDefinition = {
        ...PIPELINE,
        activities: [...PIPELINE.activities].reverse().map((a) => ({ ...a, type: `${a.type}.v2`, inputs: [], problems: [] })),
      };
      assert.equal(key(edited), base);
    });

    it('changes with an added activity, a removed edge or a renamed id', () => {
      assert.notEqual(key({ ...PIPELINE, activities: [...PIPELINE.activities, { id: 'report', type: 'x', dependsOn: ['cleanup'] }] }), base);
      assert.notEqual(key({ ...PIPELINE, activities: PIPELINE.activities.map((a) => (a.id === 'cleanup' ? { ...a, dependsOn: ['transmit-warehouse'] } : a)) }), base);
      assert.notEqual(key({ ...PIPELINE, activities: PIPELINE.activities.map((a) => (a.id === 'cleanup' ? { ...a, id: 'cleanup2' } : a)) }), base);
    });

    it('is not fooled by ids that contain the separators of another split', () => {
      const a = structureKey({ nodes: [{ id: 'a' }, { id: 'b' }] as never, edges: [{ from: 'a', to: 'b' }] as never });
      const b = structureKey({ nodes: [{ id: 'a' }, { id: 'b' }] as never, edges: [{ from: 'b', to: 'a' }] as never });
      assert.notEqual(a, b);
      assert.notEqual(edgeKey('a', 'b'), edgeKey('b', 'a'));
    });
  });
});
