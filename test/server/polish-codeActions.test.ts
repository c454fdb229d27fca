/**
 * Code actions through the protocol: each quick fix is applied to the text as an editor would, the
 * document is changed to the result, and the diagnostic it fixes must be gone from the next
 * diagnostics; the source action sorts the activities.
 */
import * as assert from 'node:assert/strict';
import type { CodeAction, Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { CLIENT_CAPABILITIES, startTestServer, type TestServer } from './support/lspClient';

const DEFS = {
  'step.activity.json': JSON.stringify({
    type: 'step', provider: 'noop',
    inputSchema: { type: 'object', properties: { artifact: {}, image: {} } },
    outputSchema: { type: 'object', properties: { image: { type: 'string' }, list: { type: 'array' } } },
  }, null, 2),
  'build.activity.json': JSON.stringify({
    type: 'build', provider: 'noop',
    inputSchema: { type: 'object', required: ['cell', 'image'], properties: { cell: { type: 'string' }, image: { type: 'string' } } },
  }, null, 2),
};

function orch(activities: string[], extra = ''): string {
  return `{\n  "type": "flow",${extra}\n  "activities": [\n${activities.join(',\n')}\n  ]\n}\n`;
}

describe('polish: code actions (protocol)', function () {
  let server: TestServer;
  let counter = 0;

  before(async () => { server = await startTestServer({ files: DEFS }); });
  after(async () => { await server?.shutdown(); });

  async function openDoc(text: string): Promise<{ uri: string; diagnostics: PublishDiagnosticsParams }> {
    const uri = await server.open(`flow${counter++}.orch.json`, text);
    return { uri, diagnostics: await server.diagnosticsForCurrentVersion(uri) };
  }

  async function actionsFor(uri: string, diagnostic: Diagnostic, diagnostics: Diagnostic[] = [diagnostic]): Promise<CodeAction[]> {
    return server.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics, only: ['quickfix'] } });
  }

  function find(params: PublishDiagnosticsParams, code: string): Diagnostic {
    const found = params.diagnostics.find((d) => d.code === code);
    assert.ok(found, `no ${code} in ${JSON.stringify(params.diagnostics.map((d) => `${d.code} ${d.message}`))}`);
    return found;
  }

  /** Applies an action's edit to the open document (resolving it first if needed); returns the new diagnostics. */
  async function apply(uri: string, action: CodeAction): Promise<{ text: string; diagnostics: PublishDiagnosticsParams }> {
    const resolved = action.edit ? action : await server.request<CodeAction>('codeAction/resolve', action);
    assert.ok(resolved.edit, `${action.title} has no edit`);
    const text = server.applyEdit(resolved.edit).get(uri);
    assert.ok(text !== undefined, `${action.title} does not edit ${uri}`);
    await server.setText(uri, text);
    return { text, diagnostics: await server.diagnosticsForCurrentVersion(uri) };
  }

  const codes = (params: PublishDiagnosticsParams) => params.diagnostics.map((d) => d.code);

  it('ORCH202: replaces an unknown dependency with the did-you-mean suggestion (preferred)', async () => {
    const { uri, diagnostics } = await openDoc(orch([
      '    { "id": "build", "type": "step" }',
      '    { "id": "test", "type": "step", "dependsOn": ["biuld"] }',
    ]));
    const actions = await actionsFor(uri, find(diagnostics, 'ORCH202'));
    assert.deepEqual(actions.map((a) => a.title), ["Change to 'build'", "Remove 'biuld' from the dependsOn of 'test'"]);
    assert.equal(actions[0].isPreferred, true);
    assert.equal(actions[0].kind, 'quickfix');
    assert.equal(actions[0].diagnostics?.[0].code, 'ORCH202');
    const after = await apply(uri, actions[0]);
    assert.match(after.text, /"dependsOn": \["build"\]/);
    assert.ok(!codes(after.diagnostics).includes('ORCH202'));
  });

  it('ORCH202: removing a middle entry of a multi-line dependsOn keeps the commas and lines right', async () => {
    const { uri, diagnostics } = await openDoc(orch([
      '    { "id": "a", "type": "step" }',
      '    { "id": "b", "type": "step" }',
      '    {\n      "id": "c",\n      "type": "step",\n      "dependsOn": [\n        "a",\n        "zzz",\n        "b"\n      ]\n    }',
    ]));
    const actions = await actionsFor(uri, find(diagnostics, 'ORCH202'));
    const remove = actions.find((a) => a.title.startsWith('Remove'))!;
    const after = await apply(uri, remove);
    assert.match(after.text, /"dependsOn": \[\n {8}"a",\n {8}"b"\n {6}\]/);
    assert.deepEqual(codes(after.diagnostics), []);
  });

  it('ORCH202: removing the only entry of a string dependsOn removes the property', async () => {
    const { uri, diagnostics } = await openDoc(orch(['    {\n      "id": "a",\n      "type": "step",\n      "dependsOn": "nothing-like-it"\n    }']));
    const [remove] = await actionsFor(uri, find(diagnostics, 'ORCH202'));
    const after = await apply(uri, remove);
    assert.equal(after.text, orch(['    {\n      "id": "a",\n      "type": "step"\n    }']));
    assert.deepEqual(codes(after.diagnostics), []);
  });

  it('ORCH401: adds the read activity to dependsOn (creating it, converting a string, appending)', async () => {
    const { uri, diagnostics } = await openDoc(orch([
      '    { "id": "a", "type": "step" }',
      '    { "id": "z", "type": "step" }',
      '    {\n      "id": "b",\n      "type": "step",\n      "inputs": ["a.image"]\n    }',
      '    { "id": "c", "type": "step", "dependsOn": "z", "inputs": ["a.image"] }',
    ]));
    const [first] = await actionsFor(uri, find(diagnostics, 'ORCH401'));
    assert.equal(first.title, "Add 'a' to the dependsOn of 'b'");
    const once = await apply(uri, first);
    assert.match(once.text, /"type": "step",\n {6}"dependsOn": \["a"\],\n {6}"inputs": \["a.image"\]/);
    const [second] = await actionsFor(uri, find(once.diagnostics, 'ORCH401'));
    const twice = await apply(uri, second);
    assert.match(twice.text, /"dependsOn": \["z", "a"\]/);
    assert.deepEqual(codes(twice.diagnostics), []);
  });

  it('ORCH205: removes the edge that closes a cycle', async () => {
    const { uri, diagnostics } = await openDoc(orch([
      '    { "id": "a", "type": "step", "dependsOn": ["c"] }',
      '    { "id": "b", "type": "step", "dependsOn": ["a"] }',
      '    { "id": "c", "type": "step", "dependsOn": ["b"] }',
    ]));
    const actions = await actionsFor(uri, find(diagnostics, 'ORCH205'));
    assert.equal(actions.length, 3);
    const preferred = actions.find((a) => a.isPreferred)!;
    const after = await apply(uri, preferred);
    assert.ok(!codes(after.diagnostics).includes('ORCH205'), after.text);
  });

  it('ORCH405: adds the missing required inputs, reading the run input the schema declares', async () => {
    const { uri, diagnostics } = await openDoc(orch([
      '    { "id": "s", "type": "step" }',
      '    {\n      "id": "b",\n      "type": "build",\n      "dependsOn": ["s"]\n    }',
    ], '\n  "schema": { "type": "object", "properties": { "cell": { "type": "string" } } },'));
    const [action] = await actionsFor(uri, find(diagnostics, 'ORCH405'));
    const after = await apply(uri, action);
    assert.match(after.text, /"inputs": \[\n {8}\{ "source": "cell", "target": "cell" \},\n {8}\{ "source": "s.image", "target": "image" \}\n {6}\]/);
    assert.deepEqual(codes(after.diagnostics), []);
  });

  it('ORCH201: renames a duplicate id to a free one', async () => {
    const { uri, diagnostics } = await openDoc(orch(['    { "id": "build", "type": "step" }', '    { "id": "build", "type": "step" }']));
    const [action] = await actionsFor(uri, find(diagnostics, 'ORCH201'));
    assert.equal(action.title, "Rename this activity to 'build-2'");
    const after = await apply(uri, action);
    assert.deepEqual(codes(after.diagnostics), []);
  });

  it('ORCH301: creates the missing ActivityDefinition beside the orchestration', async () => {
    const { uri, diagnostics } = await openDoc(orch([
      '    { "id": "d", "type": "deploy.web", "inputs": [{ "value": 2, "target": "replicas" }] }',
      '    { "id": "u", "type": "step", "dependsOn": ["d"], "inputs": [{ "source": "d.url", "target": "artifact" }] }',
    ]));
    const actions = await actionsFor(uri, find(diagnostics, 'ORCH301'));
    const create = actions.find((a) => a.title === "Create deploy.web.activity.json defining 'deploy.web'");
    assert.ok(create?.edit?.documentChanges, JSON.stringify(actions.map((a) => a.title)));
    const newUri = server.uri('deploy.web.activity.json');
    assert.deepEqual(create.edit.documentChanges[0], { kind: 'create', uri: newUri, options: { overwrite: false, ignoreIfExists: false } });
    const created = server.applyEdit(create.edit).get(newUri)!;
    const definition = JSON.parse(created);
    assert.deepEqual({ type: definition.type, provider: definition.provider }, { type: 'deploy.web', provider: 'shell' });
    assert.deepEqual(definition.inputSchema, { type: 'object', required: ['replicas'], properties: { replicas: { type: 'integer' } } });
    assert.deepEqual(definition.outputSchema, { type: 'object', properties: { url: {} } });
    // The editor saves the new file: the orchestration is re-checked without the warning.
    await server.writeFile('deploy.web.activity.json', created);
    await server.waitForDiagnostics(uri, (p) => !codes(p).includes('ORCH301'));
  });

  it('offers nothing for a range without diagnostics, and nothing for other documents', async () => {
    const { uri } = await openDoc(orch(['    { "id": "a", "type": "step" }']));
    const none = await server.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [] } });
    assert.deepEqual(none, []);
    const plain = await server.open('plain.json', '{ "a": [1, 2] }');
    const notOurs = await server.request<CodeAction[] | null>('textDocument/codeAction', { textDocument: { uri: plain }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 5 } }, context: { diagnostics: [], only: ['source'] } });
    assert.equal(notOurs, null);
  });

  it('source.sortActivities: sorts in topological order, resolved lazily, and says why when it cannot', async () => {
    const { uri } = await openDoc(orch([
      '    // deploys last\n    { "id": "deploy", "type": "step", "dependsOn": ["build"] }',
      '    { "id": "build", "type": "step" } // first',
    ]));
    const request = (only: string[]) => server.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only } });
    const [sort] = await request(['source']);
    assert.equal(sort.title, 'Sort activities in topological order');
    assert.equal(sort.kind, 'source.sortActivities');
    assert.equal(sort.edit, undefined);
    const after = await apply(uri, sort);
    assert.equal(after.text, orch(['    { "id": "build", "type": "step" }, // first\n    // deploys last\n    { "id": "deploy", "type": "step", "dependsOn": ["build"] }']));
    // Only the comments' warnings remain.
    assert.deepEqual(codes(after.diagnostics).filter((c) => c !== 'ORCH002'), []);
    // Already sorted: nothing to offer (this client cannot show disabled actions).
    assert.deepEqual(await request(['source.sortActivities']), []);
    assert.deepEqual(await request(['source']), []);
  });

  it('source.sortActivities: a client that shows disabled actions learns why there is nothing to do', async () => {
    const capabilities = structuredClone(CLIENT_CAPABILITIES);
    capabilities.textDocument!.codeAction!.disabledSupport = true;
    const other = await startTestServer({ files: DEFS, capabilities });
    try {
      const request = async (text: string) => {
        const uri = await other.open(`sort${counter++}.orch.json`, text);
        return other.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.sortActivities'] } });
      };
      const [sorted] = await request(orch(['    { "id": "a", "type": "step" }', '    { "id": "b", "type": "step", "dependsOn": "a" }']));
      assert.equal(sorted.disabled?.reason, 'The activities are already in topological order.');
      const [cyclic] = await request(orch(['    { "id": "a", "type": "step", "dependsOn": "b" }', '    { "id": "b", "type": "step", "dependsOn": "a" }']));
      assert.match(cyclic.disabled?.reason ?? '', /dependency cycle/);
    } finally {
      await other.shutdown();
    }
  });
});
