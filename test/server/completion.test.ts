import { strict as assert } from 'node:assert';
import type { CompletionItem, CompletionList } from 'vscode-languageserver-protocol';
import { startTestServer, type TestServer } from './support/lspClient';
import { WORKSPACE } from './support/fixtures';

function item(list: CompletionList, label: string): CompletionItem {
  const found = list.items.find((i) => i.label === label);
  assert.ok(found, `no item "${label}" in ${JSON.stringify(list.items.map((i) => i.label))}`);
  return found;
}

function assertNoDuplicates(list: CompletionList): void {
  const labels = list.items.map((i) => i.label);
  assert.deepEqual(labels, [...new Set(labels)], 'no duplicate labels');
}

describe('language server: completion', () => {
  let server: TestServer;
  let uri: string;

  before(async () => {
    server = await startTestServer({ files: WORKSPACE });
    uri = await server.open('deploy.orch.json');
    await server.diagnosticsForCurrentVersion(uri);
  });
  after(() => server.shutdown());

  it('offers activity ids in dependsOn, with their type, never itself, a listed one, or one that would make a cycle', async () => {
    // notify depends on ingress; cleanup depends on notify.
    const list = await server.completion(uri, server.positionOf(uri, '["ingress"]', { delta: 2 }));
    assert.equal(list.isIncomplete, false);
    assertNoDuplicates(list);
    assert.deepEqual(server.labels(list).sort(), ['ingress', 'stage']);
    assert.equal(item(list, 'stage').detail, 'tenant.stage');
    // Accepting replaces the whole string literal.
    const text = server.applyCompletion(uri, list, item(list, 'stage'));
    assert.ok(text.includes('"dependsOn": ["stage"],\n      "hosts": ["web1"]'), text);
    // For stage (upstream of everything), every other activity would close a cycle.
    await server.edit(uri, { find: '"inputs": ["cell", "baseUrl"]', replace: '"dependsOn": [], "inputs": ["cell", "baseUrl"]' });
    const none = await server.completion(uri, server.positionOf(uri, '"dependsOn": []', { after: true, delta: -1 }));
    assert.deepEqual(server.labels(none), []);
    await server.edit(uri, { find: '"dependsOn": [], "inputs": ["cell", "baseUrl"]', replace: '"inputs": ["cell", "baseUrl"]' });
    // The documentation of an id is resolved on demand.
    const resolved = await server.request<CompletionItem>('completionItem/resolve', { ...item(list, 'stage'), data: { ...(item(list, 'stage').data as object), ...(list.itemDefaults?.data as object) } });
    assert.match(JSON.stringify(resolved.documentation), /tier 1/);
  });

  it('offers the workspace\'s activity types with their provider and description', async () => {
    const list = await server.completion(uri, server.positionOf(uri, '"tenant.ingress"', { delta: 1 }));
    assert.deepEqual(server.labels(list).sort(), ['tenant.ingress', 'tenant.stage']);
    assert.equal(item(list, 'tenant.stage').detail, 'provider shell');
    assert.match(JSON.stringify(item(list, 'tenant.stage').documentation), /Stages the tenant configuration/);
  });

  it('offers input sources: input properties, and outputs of upstream activities only', async () => {
    const list = await server.completion(uri, server.positionOf(uri, '"stage.configPath"', { delta: 3 }));
    assertNoDuplicates(list);
    const labels = server.labels(list);
    for (const expected of ['cell', 'baseUrl', 'region', 'stage.configPath', 'stage.version']) assert.ok(labels.includes(expected), `${expected} in ${labels}`);
    // ingress itself, notify and cleanup are downstream: never readable here.
    assert.ok(!labels.some((l) => l.startsWith('notify.') || l.startsWith('cleanup.') || l.startsWith('ingress.')), labels.join());
    assert.match(item(list, 'stage.configPath').detail!, /output of stage/);
    // cleanup reads from every ancestor, transitively.
    const cleanup = await server.completion(uri, server.positionOf(uri, '"inputs": ["cell"]', { delta: 12, occurrence: 0 }));
    const cleanupLabels = server.labels(cleanup);
    for (const expected of ['stage.configPath', 'ingress.endpoint', 'notify.configPath']) assert.ok(cleanupLabels.includes(expected), `${expected} in ${cleanupLabels}`);
    // The run's output may read any activity.
    const output = await server.completion(uri, server.positionOf(uri, '"ingress.endpoint"', { delta: 1 }));
    assert.ok(server.labels(output).includes('cleanup.version'));
  });

  it('offers input targets from the type\'s inputSchema, required first, without the ones already given', async () => {
    const list = await server.completion(uri, server.positionOf(uri, '"target": "config"', { delta: 11 }));
    // cell is given by the shorthand "cell"; config (being edited) and timeout remain; config is required.
    assert.deepEqual(server.labels(list), ['config', 'timeout']);
    const sorted = [...list.items].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label));
    assert.equal(sorted[0].label, 'config');
    assert.match(sorted[0].detail!, /required/);
  });

  it('offers pools in acquires, hosts in hosts, and enum values with their docs', async () => {
    await server.edit(uri, { find: '"acquires": { "slots": 1 }', replace: '"acquires": {  }' });
    const pools = await server.completion(uri, server.positionOf(uri, '"acquires": { ', { after: true }));
    assert.deepEqual(server.labels(pools), ['slots']);
    assert.ok(server.applyCompletion(uri, pools, pools.items[0]).includes('"acquires": { "slots": 1 }'));
    await server.edit(uri, { find: '"acquires": {  }', replace: '"acquires": { "slots": 1 }' });

    const hosts = await server.completion(uri, server.positionOf(uri, '"web1"', { delta: 1 }));
    assert.deepEqual(server.labels(hosts).sort(), ['web1', 'web2']);
    assert.equal(item(hosts, 'web1').detail, 'deploy@10.0.0.1');

    const when = await server.completion(uri, server.positionOf(uri, '"always"', { delta: 1 }));
    assert.deepEqual(server.labels(when).sort(), ['always', 'failure', 'success']);
    assert.match(JSON.stringify(item(when, 'failure').documentation), /failed/i);
  });

  it('offers property names with their docs and a value skeleton, not the ones already present', async () => {
    await server.edit(uri, { find: '"id": "notify",', replace: '"id": "notify",\n      ' });
    const position = server.positionOf(uri, '"id": "notify",\n      ', { after: true });
    const list = await server.completion(uri, position);
    assertNoDuplicates(list);
    const labels = server.labels(list);
    for (const present of ['id', 'type', 'dependsOn', 'hosts', 'inputs']) assert.ok(!labels.includes(present), `${present} is already there`);
    for (const expected of ['when', 'retry', 'timeoutMs', 'forEach', 'acquires', 'continueOnError', 'discriminator']) assert.ok(labels.includes(expected), `${expected} in ${labels}`);
    assert.match(JSON.stringify(item(list, 'when').documentation), /dependencies/);
    const text = server.applyCompletion(uri, list, item(list, 'when'));
    assert.ok(text.includes('"id": "notify",\n      "when": "success",\n      "type"'), text.slice(text.indexOf('"notify"') - 20, text.indexOf('"notify"') + 80));
    await server.edit(uri, { find: '"id": "notify",\n      ', replace: '"id": "notify",' });
  });

  it('offers a new-activity snippet with a free id between activities, and a whole definition in an empty file', async () => {
    await server.edit(uri, { find: '  ]\n}', replace: '  ,\n  ]\n}' });
    const list = await server.completion(uri, server.positionOf(uri, '  ,\n  ]\n}', { delta: 3 }));
    const snippet = item(list, 'New activity');
    assert.equal(snippet.insertTextFormat, 2);
    assert.match(snippet.textEditText ?? snippet.textEdit?.newText ?? '', /"id": "\$\{1:activity5\}"/);
    await server.edit(uri, { find: '  ,\n  ]\n}', replace: '  ]\n}' });

    const empty = await server.open('fresh.orch.json', '');
    const files = await server.completion(empty, { line: 0, character: 0 });
    const definition = item(files, 'New orchestration');
    const text = server.applyCompletion(empty, files, definition);
    assert.doesNotThrow(() => JSON.parse(text), text);
    assert.ok(JSON.parse(text).activities.length >= 1);
    const typeFile = await server.open('fresh.activity.json', '');
    assert.ok((await server.completion(typeFile, { line: 0, character: 0 })).items.length >= 1);
    await server.close(empty);
    await server.close(typeFile);
  });

  it('completes in half-typed text (an unterminated string in dependsOn)', async () => {
    const doc = await server.open('typing.orch.json', '{\n  "type": "t",\n  "activities": [\n    { "id": "first", "type": "tenant.stage" },\n    { "id": "second", "type": "tenant.stage", "dependsOn": ["f\n  ]\n}\n');
    const list = await server.completion(doc, server.positionOf(doc, '["f', { after: true }));
    assert.ok(server.labels(list).includes('first'), JSON.stringify(list.items.map((i) => i.label)));
    assert.ok(!server.labels(list).includes('second'));
    // Accepting closes the literal.
    const first = list.items.find((i) => i.label === 'first')!;
    assert.ok(server.applyCompletion(doc, list, first).includes('"dependsOn": ["first"\n'), server.applyCompletion(doc, list, first));
    await server.close(doc);
  });

  it('offers provider values and the provider\'s config properties in an activity definition', async () => {
    const type = await server.open('types/stage.activity.json');
    const providers = await server.completion(type, server.positionOf(type, '"shell"', { delta: 1 }));
    for (const p of ['shell', 'ssh', 'http', 'node', 'noop']) assert.ok(server.labels(providers).includes(p), `${p} in ${server.labels(providers)}`);
    assertNoDuplicates(providers);
    // config of a shell type: the command settings (command and args are there already).
    const config = await server.completion(type, server.positionOf(type, '"config": {', { after: true }));
    assert.deepEqual(server.labels(config).sort(), ['cwd', 'env']);
    await server.close(type);
  });

  it('answers null for JSON files that are not ours, so that other providers answer', async () => {
    const other = await server.open('package.json', '{ "name": "x" }');
    const result = await server.request('textDocument/completion', { textDocument: { uri: other }, position: { line: 0, character: 2 } });
    assert.equal(result, null);
    await server.close(other);
  });
});

describe('language server: completion beside VS Code\'s JSON support', () => {
  it('leaves schema-only items to the JSON extension when the client says it has our schemas', async () => {
    const withJson = await startTestServer({ files: WORKSPACE, initializationOptions: { jsonSchemaSupport: true } });
    try {
      const uri = await withJson.open('deploy.orch.json');
      // Property names: the JSON extension offers them from the same schema.
      await withJson.edit(uri, { find: '"id": "notify",', replace: '"id": "notify",\n      ' });
      const keys = await withJson.completion(uri, withJson.positionOf(uri, '"id": "notify",\n      ', { after: true }));
      assert.deepEqual(keys.items, []);
      // Domain items stay: nobody else knows them.
      const deps = await withJson.completion(uri, withJson.positionOf(uri, '["ingress"]', { delta: 2 }));
      assert.ok(withJson.labels(deps).includes('stage'));
      const hover = await withJson.hover(uri, withJson.positionOf(uri, '"when"', { delta: 2 }));
      assert.equal(hover, null, 'property docs come from the JSON extension');
      const typeHover = await withJson.hover(uri, withJson.positionOf(uri, '"tenant.ingress"', { delta: 2 }));
      assert.ok(typeHover, 'domain hovers stay');
    } finally {
      await withJson.shutdown();
    }
  });
});
