/** Code lenses through the protocol: definition commands on the `type` line, upstream/downstream counts on activities. */
import * as assert from 'node:assert/strict';
import type { CodeLens } from 'vscode-languageserver-protocol';
import { startTestServer, type TestServer } from './support/lspClient';

const FLOW = `{
  "type": "flow",
  "activities": [
    { "id": "a", "type": "step" },
    { "id": "b", "type": "step", "dependsOn": ["a"] },
    { "id": "c", "type": "step", "dependsOn": ["a"] },
    {
      "id": "d",
      "type": "step",
      "dependsOn": ["b", "c"]
    },
    { "id": "lonely", "type": "step" }
  ]
}
`;

describe('polish: code lens (protocol)', () => {
  let server: TestServer;
  before(async () => { server = await startTestServer({ files: { 'flow.orch.json': FLOW, 'step.activity.json': '{ "type": "step", "provider": "noop" }' } }); });
  after(async () => { await server?.shutdown(); });

  const lenses = (uri: string) => server.request<CodeLens[] | null>('textDocument/codeLens', { textDocument: { uri } });
  const resolve = (lens: CodeLens) => server.request<CodeLens>('codeLens/resolve', lens);

  it('puts Run, Show graph and Dispose on the definition type line, with the document URI', async () => {
    const uri = await server.open('flow.orch.json');
    const all = (await lenses(uri))!;
    const definition = all.filter((l) => l.command);
    assert.deepEqual(definition.map((l) => [l.command!.title, l.command!.command, l.command!.arguments]), [
      ['Run orchestration', 'orch.run', [uri]],
      ['Show graph', 'orch.showGraph', [uri]],
      ['Dispose', 'orch.dispose', [uri]],
    ]);
    for (const lens of definition) assert.equal(lens.range.start.line, server.positionOf(uri, '"type": "flow"').line);
  });

  it('resolves "N upstream · M downstream" on each activity, with the ids to reveal', async () => {
    const uri = server.uri('flow.orch.json');
    const unresolved = (await lenses(uri))!.filter((l) => !l.command);
    assert.equal(unresolved.length, 5);
    const resolved = await Promise.all(unresolved.map(resolve));
    const byLine = (id: string) => resolved.find((l) => l.range.start.line === server.positionOf(uri, `"id": "${id}"`).line)!;
    assert.equal(byLine('a').command!.title, '0 upstream · 3 downstream');
    assert.deepEqual(byLine('a').command!.arguments, [uri, ['b', 'c', 'd']]);
    assert.equal(byLine('a').command!.command, 'orch.revealActivities');
    assert.equal(byLine('b').command!.title, '1 upstream · 1 downstream');
    assert.deepEqual(byLine('b').command!.arguments, [uri, ['a', 'd']]);
    assert.equal(byLine('d').command!.title, '3 upstream · 0 downstream');
    assert.equal(byLine('lonely').command!.title, '0 upstream · 0 downstream');
    // Nothing to reveal: a label, not a link.
    assert.equal(byLine('lonely').command!.command, '');
  });

  it('an inactive definition gets a label instead of Run', async () => {
    const uri = await server.open('inactive.orch.json', FLOW.replace('"type": "flow",', '"type": "flow",\n  "active": false,'));
    const [first] = (await lenses(uri))!;
    assert.equal(first.command!.title, 'Inactive (set "active": true to run)');
    assert.equal(first.command!.command, '');
  });

  it('follows the orch.codeLens.enable setting, and says nothing about other files', async () => {
    const uri = server.uri('flow.orch.json');
    // The server pulls the settings, then asks the client to refresh its lenses: wait for that request.
    const refreshed = () => new Promise<void>((resolve) => server.connection.onRequest('workspace/codeLens/refresh', () => { resolve(); return null; }));
    let refresh = refreshed();
    await server.updateSettings({ codeLens: { enable: false } });
    await refresh;
    assert.deepEqual(await lenses(uri), []);
    refresh = refreshed();
    await server.updateSettings({});
    await refresh;
    assert.equal((await lenses(uri))!.length, 8);
    const activity = await server.open('step.activity.json');
    assert.deepEqual(await lenses(activity), []);
    const plain = await server.open('other.json', '{}');
    assert.equal(await lenses(plain), null);
  });
});
