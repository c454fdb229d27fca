import { strict as assert } from 'node:assert';
import { ResponseError } from 'vscode-languageserver-protocol';
import { startTestServer, type TestServer } from './support/lspClient';
import { DEPLOY, WORKSPACE } from './support/fixtures';

const FAN_OUT = `{
  "type": "fan",
  "schema": { "properties": { "hostsList": { "type": "array" } } },
  "output": { "all": "collect.result", "first": "list.items" },
  "activities": [
    { "id": "list", "type": "tenant.stage", "inputs": ["cell"] },
    { "id": "each", "type": "tenant.stage", "dependsOn": "list", "forEach": { "items": "list.items", "as": "cell" } },
    { "id": "collect", "type": "tenant.stage", "dependsOn": ["each", "list"], "inputs": [{ "source": "list.items.0", "target": "cell" }] }
  ]
}
`;

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof ResponseError, String(e));
    return e.message;
  }
  assert.fail('expected the request to be refused');
}

describe('language server: rename', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ files: { ...WORKSPACE, 'fan.orch.json': FAN_OUT } });
  });
  after(() => server.shutdown());

  it('renames an activity id everywhere in its file: declaration, dependsOn, sources, forEach.items, output', async () => {
    const uri = await server.open('fan.orch.json');
    const position = server.positionOf(uri, '"id": "list"', { delta: 8 });
    const prepared = await server.prepareRename(uri, position);
    assert.ok(prepared && 'placeholder' in prepared);
    assert.equal(prepared.placeholder, 'list');
    assert.equal(server.textAt(uri, prepared.range), 'list');
    const edit = await server.rename(uri, position, 'inventory');
    const texts = server.applyEdit(edit!);
    assert.deepEqual([...texts.keys()], [uri]);
    const after = texts.get(uri)!;
    assert.equal(after, FAN_OUT
      .replace('"first": "list.items"', '"first": "inventory.items"')
      .replace('"id": "list"', '"id": "inventory"')
      .replace('"dependsOn": "list"', '"dependsOn": "inventory"')
      .replace('"items": "list.items"', '"items": "inventory.items"')
      .replace('["each", "list"]', '["each", "inventory"]')
      .replace('"source": "list.items.0"', '"source": "inventory.items.0"'));
    // Versioned for an open document, so that a stale edit is refused by the editor.
    assert.equal((edit!.documentChanges![0] as { textDocument: { version: number } }).textDocument.version, server.version(uri));
    // Renaming from a use works the same.
    const fromUse = await server.rename(uri, server.positionOf(uri, '["each", "list"]', { delta: 11 }), 'inventory');
    assert.equal(server.applyEdit(fromUse!).get(uri), after);
    await server.close(uri);
  });

  it('refuses invalid new names and places that name nothing renamable, with the reason', async () => {
    const uri = await server.open('fan.orch.json');
    const position = server.positionOf(uri, '"id": "each"', { delta: 8 });
    assert.match(await refusal(server.rename(uri, position, '9lives')), /not a valid activity id/);
    assert.match(await refusal(server.rename(uri, position, 'has space')), /not a valid activity id/);
    assert.match(await refusal(server.rename(uri, position, 'collect')), /already exists/);
    assert.match(await refusal(server.rename(uri, position, 'hostsList')), /input property/);
    assert.match(await refusal(server.prepareRename(uri, server.positionOf(uri, '"type": "fan"', { delta: 2 }))), /Only activity ids, activity types and pools/);
    assert.match(await refusal(server.prepareRename(uri, server.positionOf(uri, '"as": "cell"', { delta: 8 }))), /Only activity ids/);
    await server.close(uri);
  });

  it('renames an activity type across the workspace, in files that are not open too', async () => {
    const deploy = await server.open('deploy.orch.json');
    const position = server.positionOf(deploy, '"tenant.stage"', { delta: 3 });
    assert.match(await refusal(server.rename(deploy, position, 'tenant.ingress')), /already defined in ingress\.activity\.json/);
    const edit = await server.rename(deploy, position, 'tenant.prepare');
    const texts = server.applyEdit(edit!);
    const names = [...texts.keys()].map((u) => u.split('/').pop()).sort();
    assert.deepEqual(names, ['deploy.orch.json', 'fan.orch.json', 'stage.activity.json']);
    assert.equal(texts.get(deploy), DEPLOY.replaceAll('"tenant.stage"', '"tenant.prepare"'));
    assert.equal(texts.get(server.uri('fan.orch.json')), FAN_OUT.replaceAll('"tenant.stage"', '"tenant.prepare"'));
    assert.ok(texts.get(server.uri('types/stage.activity.json'))!.includes('"type": "tenant.prepare"'));
    // Files that are not open are edited without a version.
    const changes = edit!.documentChanges as { textDocument: { uri: string; version: number | null } }[];
    assert.equal(changes.find((c) => c.textDocument.uri === server.uri('fan.orch.json'))!.textDocument.version, null);
    // A type name with characters JSON escapes is written as a proper literal.
    const quoted = await server.rename(deploy, position, 'say "hi"');
    assert.ok(server.applyEdit(quoted!).get(deploy)!.includes('"type": "say \\"hi\\""'));
    await server.close(deploy);
  });

  it('renames a pool in its file', async () => {
    const deploy = await server.open('deploy.orch.json');
    const edit = await server.rename(deploy, server.positionOf(deploy, '"slots": 1', { delta: 2 }), 'lanes');
    const after = server.applyEdit(edit!).get(deploy)!;
    assert.equal(after, DEPLOY.replace('"pools": { "slots": 2 }', '"pools": { "lanes": 2 }').replace('"acquires": { "slots": 1 }', '"acquires": { "lanes": 1 }'));
    await server.close(deploy);
  });
});
