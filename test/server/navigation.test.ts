import { strict as assert } from 'node:assert';
import type { Hover, Location } from 'vscode-languageserver-protocol';
import { startTestServer, type TestServer } from './support/lspClient';
import { WORKSPACE } from './support/fixtures';

function markdown(hover: Hover | null): string {
  assert.ok(hover, 'a hover');
  const contents = hover.contents as { kind: string; value: string };
  assert.equal(contents.kind, 'markdown');
  return contents.value;
}

describe('language server: hover, definition, references', () => {
  let server: TestServer;
  let uri: string;
  const texts = (locations: Location[]) => locations.map((l) => `${l.uri.split('/').pop()}:${server.textAt(l.uri, l.range)}`);

  before(async () => {
    server = await startTestServer({ files: WORKSPACE });
    uri = await server.open('deploy.orch.json');
    await server.diagnosticsForCurrentVersion(uri);
  });
  after(() => server.shutdown());

  describe('hover', () => {
    it('on a type: description, provider, and the input and output schemas as tables', async () => {
      const text = markdown(await server.hover(uri, server.positionOf(uri, '"tenant.ingress"', { delta: 3 })));
      assert.match(text, /\*\*activity type\*\* `tenant\.ingress` · provider `http`/);
      assert.match(text, /Applies ingress routing/);
      assert.match(text, /\| `config` \| string \| yes \| The staged configuration \|/);
      assert.match(text, /\*\*Outputs\*\*[\s\S]*\| `endpoint` \| string \|/);
    });

    it('on a dependsOn id or a source: the activity, its type, 1-based tier and inputs', async () => {
      const dep = markdown(await server.hover(uri, server.positionOf(uri, '["ingress"]', { delta: 3 })));
      assert.match(dep, /\*\*activity\*\* `ingress` · type `tenant\.ingress` · tier 2/);
      assert.match(dep, /\| `config` \| `stage\.configPath` \|/);
      const source = markdown(await server.hover(uri, server.positionOf(uri, '"stage.configPath"', { delta: 2 })));
      assert.match(source, /\*\*activity\*\* `stage` · type `tenant\.stage` · tier 1/);
      const output = markdown(await server.hover(uri, server.positionOf(uri, '"stage.configPath"', { delta: 9 })));
      assert.match(output, /\*\*output\*\* `configPath` of `stage`/);
      assert.match(output, /Where the configuration was written/);
    });

    it('on a property name: its schema docs; on an enum value: its description', async () => {
      const key = await server.hover(uri, server.positionOf(uri, '"when"', { delta: 2 }));
      assert.match(markdown(key), /dependencies have finished/);
      assert.equal(server.textAt(uri, key!.range!), '"when"');
      assert.match(markdown(await server.hover(uri, server.positionOf(uri, '"always"', { delta: 2 }))), /whatever their outcome/);
    });

    it('on pools, hosts, input properties and targets', async () => {
      assert.match(markdown(await server.hover(uri, server.positionOf(uri, '"slots": 1', { delta: 2 }))), /capacity 2/);
      assert.match(markdown(await server.hover(uri, server.positionOf(uri, '["web1"]', { delta: 3 }))), /deploy@10\.0\.0\.1/);
      assert.match(markdown(await server.hover(uri, server.positionOf(uri, '"cell"', { delta: 2, occurrence: 3 }))), /The cell to deploy into/);
      assert.match(markdown(await server.hover(uri, server.positionOf(uri, '"target": "config"', { delta: 12 }))), /The staged configuration/);
    });
  });

  describe('definition and declaration', () => {
    it('goes from an id to its activity, from a type to its ActivityDefinition', async () => {
      assert.deepEqual(texts(await server.definition(uri, server.positionOf(uri, '["stage"]', { delta: 3 }))), ['deploy.orch.json:stage']);
      const decl = await server.definition(uri, server.positionOf(uri, '"stage.configPath"', { delta: 2 }));
      assert.equal(decl[0].range.start.line, server.positionOf(uri, '"id": "stage"').line);
      assert.deepEqual(texts(await server.definition(uri, server.positionOf(uri, '"tenant.ingress"', { delta: 3 }))), ['ingress.activity.json:tenant.ingress']);
      assert.deepEqual(texts(await server.declaration(uri, server.positionOf(uri, '"tenant.ingress"', { delta: 3 }))), ['ingress.activity.json:tenant.ingress']);
    });

    it('goes from a pool to pools, a host to the inventory, a source to the schemas that declare it', async () => {
      assert.deepEqual(texts(await server.definition(uri, server.positionOf(uri, '"slots": 1', { delta: 2 }))), ['deploy.orch.json:slots']);
      const pool = await server.definition(uri, server.positionOf(uri, '"slots": 1', { delta: 2 }));
      assert.equal(pool[0].range.start.line, server.positionOf(uri, '"pools"').line);
      assert.deepEqual(texts(await server.definition(uri, server.positionOf(uri, '["web1"]', { delta: 3 }))), ['orch.hosts.json:web1']);
      assert.deepEqual(texts(await server.definition(uri, server.positionOf(uri, '"stage.configPath"', { delta: 9 }))), ['stage.activity.json:configPath']);
      const input = await server.definition(uri, server.positionOf(uri, '"baseUrl"', { delta: 2, occurrence: 1 }));
      assert.deepEqual(texts(input), ['deploy.orch.json:baseUrl']);
      assert.equal(input[0].range.start.line, server.positionOf(uri, '"baseUrl": { "type"').line);
    });

    it('answers nothing where nothing is named', async () => {
      assert.deepEqual(await server.definition(uri, server.positionOf(uri, '"description"', { delta: 3 })), []);
    });
  });

  describe('references', () => {
    it('finds every use of an id: dependsOn, sources, output, forEach.items, and the declaration when asked', async () => {
      const withDecl = await server.references(uri, server.positionOf(uri, '"id": "ingress"', { delta: 9 }), true);
      assert.deepEqual(texts(withDecl), ['deploy.orch.json:ingress', 'deploy.orch.json:ingress', 'deploy.orch.json:ingress']);
      const lines = withDecl.map((l) => l.range.start.line);
      assert.equal(lines[0], server.positionOf(uri, '"id": "ingress"').line, 'the declaration first');
      assert.ok(lines.includes(server.positionOf(uri, '"url": "ingress.endpoint"').line), 'the output source');
      const without = await server.references(uri, server.positionOf(uri, '["ingress"]', { delta: 3 }), false);
      assert.equal(without.length, 2);
    });

    it('finds the uses of a type across the workspace, and of pools and hosts', async () => {
      const other = await server.writeFile('more/other.orch.json', '{ "type": "other", "activities": [ { "id": "s", "type": "tenant.stage", "inputs": [{ "value": 1, "target": "cell" }], "hosts": ["web1"] } ] }');
      await server.waitForDiagnostics(other);
      const types = await server.references(uri, server.positionOf(uri, '"tenant.stage"', { delta: 3 }), true);
      assert.deepEqual(texts(types).sort(), ['deploy.orch.json:tenant.stage', 'deploy.orch.json:tenant.stage', 'deploy.orch.json:tenant.stage', 'other.orch.json:tenant.stage', 'stage.activity.json:tenant.stage'].sort());
      assert.deepEqual(texts(await server.references(uri, server.positionOf(uri, '"slots": 2', { delta: 2 }), true)), ['deploy.orch.json:slots', 'deploy.orch.json:slots']);
      const hosts = await server.references(uri, server.positionOf(uri, '["web1"]', { delta: 3 }), true);
      assert.deepEqual(texts(hosts).sort(), ['deploy.orch.json:web1', 'orch.hosts.json:web1', 'other.orch.json:web1']);
      await server.deleteFile('more/other.orch.json');
    });
  });
});
