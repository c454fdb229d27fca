import { strict as assert } from 'node:assert';
import { SymbolKind, type DocumentSymbol, type SymbolInformation } from 'vscode-languageserver-protocol';
import { startTestServer, type TestServer } from './support/lspClient';
import { WORKSPACE } from './support/fixtures';

function child(symbol: DocumentSymbol, name: string): DocumentSymbol {
  const found = symbol.children?.find((c) => c.name === name);
  assert.ok(found, `no child ${name} of ${symbol.name}: ${symbol.children?.map((c) => c.name)}`);
  return found;
}

describe('language server: symbols', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ files: WORKSPACE });
  });
  after(() => server.shutdown());

  it('shows the domain: the definition holding its activities (type and tier), pools and outputs', async () => {
    const uri = await server.open('deploy.orch.json');
    const [root, ...rest] = await server.documentSymbols(uri);
    assert.equal(rest.length, 0);
    assert.equal(root.name, 'tenant.deploy');
    assert.equal(root.kind, SymbolKind.Module);
    const activities = child(root, 'activities');
    assert.deepEqual(activities.children!.map((a) => [a.name, a.detail]), [
      ['stage', 'tenant.stage · tier 1'],
      ['ingress', 'tenant.ingress · tier 2'],
      ['notify', 'tenant.stage · tier 3'],
      ['cleanup', 'tenant.stage · tier 4'],
    ]);
    const ingress = child(activities, 'ingress');
    assert.equal(server.textAt(uri, ingress.selectionRange), '"ingress"');
    assert.deepEqual(ingress.children!.map((c) => [c.name, c.detail]), [['cell', '← cell'], ['config', '← stage.configPath'], ['stage', 'depends on']]);
    assert.deepEqual(child(root, 'pools').children!.map((p) => [p.name, p.detail]), [['slots', 'capacity 2']]);
    assert.deepEqual(child(root, 'output').children!.map((p) => [p.name, p.detail]), [['url', '← ingress.endpoint']]);
    // Edits are reflected (a new tier).
    await server.edit(uri, { find: '"dependsOn": "notify"', replace: '"dependsOn": "stage"' });
    const [updated] = await server.documentSymbols(uri);
    assert.equal(child(child(updated, 'activities'), 'cleanup').detail, 'tenant.stage · tier 2');
    await server.close(uri);
  });

  it('lists the types of an activity definitions file and the hosts of an inventory', async () => {
    const types = await server.open('types/ingress.activity.json');
    const [type] = await server.documentSymbols(types);
    assert.equal(type.name, 'tenant.ingress');
    assert.equal(type.detail, 'provider http');
    assert.deepEqual(type.children!.map((c) => [c.name, c.detail]), [['cell', 'input · required'], ['config', 'input · required'], ['timeout', 'input'], ['endpoint', 'output']]);
    const hosts = await server.open('orch.hosts.json');
    assert.deepEqual((await server.documentSymbols(hosts)).map((h) => [h.name, h.detail]), [['web1', 'deploy@10.0.0.1'], ['web2', 'deploy@10.0.0.2:2222']]);
  });

  it('survives broken text: symbols of what can be read', async () => {
    const uri = await server.open('broken.orch.json', '{ "type": "b", "activities": [ { "id": "a", "type": "t" }, { "id": ');
    const symbols = await server.documentSymbols(uri);
    assert.equal(symbols[0].name, 'b');
    assert.ok(child(symbols[0], 'activities').children!.some((c) => c.name === 'a'));
    await server.close(uri);
  });

  it('finds activity ids and types across the workspace, fuzzily, best first', async () => {
    const results = (await server.workspaceSymbols('ingr')) as SymbolInformation[];
    assert.deepEqual(results.slice(0, 2).map((s) => s.name).sort(), ['ingress', 'tenant.ingress']);
    const fuzzy = (await server.workspaceSymbols('tnstg')) as SymbolInformation[];
    assert.equal(fuzzy[0].name, 'tenant.stage');
    assert.equal(fuzzy[0].kind, SymbolKind.Class);
    assert.ok(fuzzy[0].location.uri.endsWith('types/stage.activity.json'));
    const ids = (await server.workspaceSymbols('clean')) as SymbolInformation[];
    assert.equal(ids[0].name, 'cleanup');
    assert.match(ids[0].containerName!, /tenant\.deploy/);
    assert.deepEqual(await server.workspaceSymbols('qqqqqq'), []);
  });
});
