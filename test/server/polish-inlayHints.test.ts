/** Inlay hints through the protocol: `tier N` after each activity id, only in the requested range. */
import * as assert from 'node:assert/strict';
import type { InlayHint, Range } from 'vscode-languageserver-protocol';
import { startTestServer, type TestServer } from './support/lspClient';

const FLOW = `{
  "type": "flow",
  "activities": [
    { "id": "a", "type": "step" },
    { "id": "b", "type": "step", "dependsOn": ["a"] },
    { "id": "c", "type": "step", "dependsOn": ["b", "a"] },
    { "id": "x", "type": "step", "dependsOn": ["y"] },
    { "id": "y", "type": "step", "dependsOn": ["x"] },
    { "id": "after", "type": "step", "dependsOn": ["y"] },
    { "id": "a", "type": "step" }
  ]
}
`;

describe('polish: inlay hints (protocol)', () => {
  let server: TestServer;
  let uri: string;
  before(async () => {
    server = await startTestServer({ files: { 'flow.orch.json': FLOW } });
    uri = await server.open('flow.orch.json');
  });
  after(async () => { await server?.shutdown(); });

  const hints = (range: Range) => server.request<InlayHint[] | null>('textDocument/inlayHint', { textDocument: { uri }, range });
  const whole: Range = { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } };

  it('labels each activity with its 1-based tier, right after its id value', async () => {
    const all = (await hints(whole))!;
    assert.deepEqual(all.map((h) => h.label), ['tier 1', 'tier 2', 'tier 3', 'cycle', 'cycle', 'after a cycle']);
    assert.deepEqual(all[1].position, server.positionOf(uri, '"b"', { after: true }));
    assert.equal(all[1].paddingLeft, true);
    assert.match(String(all[2].tooltip), /^Tier 3/);
    assert.match(String(all[3].tooltip), /^On a dependency cycle/);
    assert.match(String(all[5].tooltip), /^Depends/);
  });

  it('answers only for the requested range', async () => {
    const line = server.positionOf(uri, '"id": "b"').line;
    const some = (await hints({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }))!;
    assert.deepEqual(some.map((h) => h.label), ['tier 2']);
  });

  it('follows edits and the orch.inlayHints.tiers setting', async () => {
    await server.edit(uri, { find: '"dependsOn": ["b", "a"]', replace: '"dependsOn": ["a"]' });
    assert.deepEqual((await hints(whole))!.slice(0, 3).map((h) => h.label), ['tier 1', 'tier 2', 'tier 2']);
    const refreshed = new Promise<void>((resolve) => server.connection.onRequest('workspace/inlayHint/refresh', () => { resolve(); return null; }));
    await server.updateSettings({ inlayHints: { tiers: false } });
    await refreshed;
    assert.deepEqual(await hints(whole), []);
  });

  it('a 10,000-activity document answers a screenful quickly', async () => {
    const items: string[] = [];
    for (let i = 0; i < 10000; i++) items.push(`    { "id": "a${i}", "type": "step"${i ? `, "dependsOn": ["a${i - 1}"]` : ''} }`);
    const big = await server.open('big.orch.json', `{\n  "type": "big",\n  "activities": [\n${items.join(',\n')}\n  ]\n}\n`);
    const refreshed = new Promise<void>((resolve) => server.connection.onRequest('workspace/inlayHint/refresh', () => { resolve(); return null; }));
    await server.updateSettings({});
    await refreshed;
    await server.diagnosticsForCurrentVersion(big);
    const started = performance.now();
    const got = await server.request<InlayHint[]>('textDocument/inlayHint', { textDocument: { uri: big }, range: { start: { line: 5003, character: 0 }, end: { line: 5053, character: 0 } } });
    const ms = performance.now() - started;
    assert.equal(got.length, 50);
    assert.equal(got[0].label, 'tier 5001');
    assert.ok(ms < 500, `${ms} ms`);
  });
});
