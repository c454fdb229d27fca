import { strict as assert } from 'node:assert';
import { GraphChangedNotification, GraphRequest, type GraphChangedParams, type GraphResult } from '../../server/protocol';
import { startTestServer, type TestServer } from './support/lspClient';
import { WORKSPACE } from './support/fixtures';

describe('language server: orch/graph', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ files: WORKSPACE });
  });
  after(() => server.shutdown());

  it('gives the webview the nodes with tier, type and problems, the edges, tiers and cycles', async () => {
    const uri = await server.open('deploy.orch.json');
    const graph = await server.connection.sendRequest(GraphRequest, { uri });
    assert.equal(graph.ok, true);
    assert.equal(graph.version, 1);
    assert.equal(graph.type, 'tenant.deploy');
    assert.deepEqual(graph.nodes.map((n) => [n.id, n.tier, n.type, n.provider]), [
      ['stage', 1, 'tenant.stage', 'shell'], ['ingress', 2, 'tenant.ingress', 'http'], ['notify', 3, 'tenant.stage', 'shell'], ['cleanup', 4, 'tenant.stage', 'shell'],
    ]);
    assert.deepEqual(graph.edges.map((e) => `${e.from}->${e.to}`), ['stage->ingress', 'ingress->notify', 'notify->cleanup']);
    assert.deepEqual(graph.tiers, [['stage'], ['ingress'], ['notify'], ['cleanup']]);
    assert.equal(server.textAt(uri, graph.nodes[1].idRange!), '"ingress"');
    assert.equal(graph.nodes[2].hosts[0], 'web1');
    assert.equal(graph.nodes[3].when, 'always');

    // A cycle, and a problem inside an activity: both reach the graph, after the edit, with a notification.
    const changed = new Promise<GraphChangedParams>((resolve) => {
      const listener = server.connection.onNotification(GraphChangedNotification, (params) => {
        if (params.uri === uri && params.version === 2) { listener.dispose(); resolve(params); }
      });
    });
    await server.edit(uri, { find: '"inputs": ["cell", "baseUrl"]', replace: '"dependsOn": ["cleanup"], "inputs": ["cell", "baseUrl"]' });
    await changed;
    const cyclic: GraphResult = await server.connection.sendRequest(GraphRequest, { uri });
    assert.equal(cyclic.version, 2);
    assert.equal(cyclic.cycles.length, 1);
    assert.deepEqual([...cyclic.cycles[0]].sort(), ['cleanup', 'ingress', 'notify', 'stage', 'stage'].sort());
    assert.ok(cyclic.edges.some((e) => e.cycle), 'the edges of the cycle are marked: ' + JSON.stringify({ edges: cyclic.edges.map((e) => [e.from, e.to, e.cycle]), cycles: cyclic.cycles }));
    assert.ok(cyclic.nodes.every((n) => n.tier === 0), 'no tier on a cycle');
    assert.ok(cyclic.nodes.some((n) => n.problems.some((p) => p.code === 'ORCH205')), JSON.stringify(cyclic.nodes.map((n) => [n.id, n.problems.map((p) => p.code)]).concat([cyclic.problems.map((p) => p.code)])));
    assert.ok(cyclic.counts.errors >= 1);
    await server.close(uri);
  });

  it('answers ok: false for documents that are not orchestrations', async () => {
    const types = await server.connection.sendRequest(GraphRequest, { uri: server.uri('types/stage.activity.json') });
    assert.equal(types.ok, false);
    const unknown = await server.connection.sendRequest(GraphRequest, { uri: server.uri('nothing.orch.json') });
    assert.equal(unknown.ok, false);
  });
});
