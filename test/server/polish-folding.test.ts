/** Folding ranges and selection ranges through the protocol. */
import * as assert from 'node:assert/strict';
import type { FoldingRange, SelectionRange } from 'vscode-languageserver-protocol';
import { startTestServer, type TestServer } from './support/lspClient';

const FLOW = `{
  // #region header
  "type": "flow",
  // #endregion
  /*
   * The steps.
   */
  "activities": [
    // one
    // two
    {
      "id": "build",
      "type": "step",
      "inputs": [{ "source": "cell.name", "target": "cell" }]
    },
    { "id": "deploy", "type": "step", "dependsOn": [
      "build"
    ] }
  ]
}
`;

describe('polish: folding and selection ranges (protocol)', () => {
  let server: TestServer;
  let uri: string;
  before(async () => {
    server = await startTestServer({ files: { 'flow.orch.json': FLOW } });
    uri = await server.open('flow.orch.json');
  });
  after(async () => { await server?.shutdown(); });

  const lineOf = (needle: string) => server.positionOf(uri, needle).line;

  it('folds objects and arrays spanning lines (closing brackets stay visible), comments and regions', async () => {
    const ranges = (await server.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri } }))!;
    const folds = ranges.map((r) => `${r.startLine}-${r.endLine}${r.kind ? ':' + r.kind : ''}`);
    assert.deepEqual(folds, [
      `0-${lineOf('\n}') }`,
      `${lineOf('#region')}-${lineOf('#endregion')}:region`,
      `${lineOf('/*')}-${lineOf('*/')}:comment`,
      `${lineOf('"activities"')}-${lineOf('\n  ]')}`,
      `${lineOf('// one')}-${lineOf('// two')}:comment`,
      `${lineOf('{\n      "id": "build"')}-${lineOf('"inputs"')}`,
      // The object and its array open on one line: the object folds (its `] }` line too).
      `${lineOf('"id": "deploy"')}-${lineOf('] }')}`,
    ]);
  });

  it('honours the client range limit by keeping the outer folds', async () => {
    const capped = await startTestServer({ files: { 'flow.orch.json': FLOW }, capabilities: { textDocument: { foldingRange: { rangeLimit: 2, lineFoldingOnly: true } } } });
    try {
      const u = await capped.open('flow.orch.json');
      const ranges = (await capped.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri: u } }))!;
      assert.equal(ranges.length, 2);
      assert.equal(ranges[0].startLine, 0);
    } finally {
      await capped.shutdown();
    }
  });

  it('labels collapsed activities when the client shows collapsed text', async () => {
    const rich = await startTestServer({ files: { 'flow.orch.json': FLOW }, capabilities: { textDocument: { foldingRange: { lineFoldingOnly: false, foldingRange: { collapsedText: true } } } } });
    try {
      const u = await rich.open('flow.orch.json');
      const ranges = (await rich.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri: u } }))!;
      const build = ranges.find((r) => r.collapsedText === '{ build: step }');
      assert.ok(build, JSON.stringify(ranges));
      assert.equal(build.startLine, rich.positionOf(u, '{\n      "id": "build"').line);
      // Without line-only folding, the fold starts after the brace and ends before the closing one.
      assert.equal(build.startCharacter, rich.positionOf(u, '{\n      "id": "build"').character + 1);
    } finally {
      await rich.shutdown();
    }
  });

  it('expands the selection from a source segment to the string, property, object and up', async () => {
    const position = server.positionOf(uri, 'cell.name', { delta: 6 });
    const [range] = (await server.request<SelectionRange[]>('textDocument/selectionRange', { textDocument: { uri }, positions: [position] }))!;
    const texts: string[] = [];
    for (let r: SelectionRange | undefined = range; r; r = r.parent) texts.push(server.textAt(uri, r.range));
    assert.deepEqual(texts.slice(0, 5), ['name', 'cell.name', '"cell.name"', '"source": "cell.name"', '{ "source": "cell.name", "target": "cell" }']);
    assert.equal(texts[texts.length - 1], server.text(uri).trimEnd());
    // Each range contains the one before.
    for (let i = 1; i < texts.length; i++) assert.ok(texts[i].includes(texts[i - 1]));
  });

  it('answers one chain per position, from a key too', async () => {
    const positions = [server.positionOf(uri, '"dependsOn"', { delta: 2 }), server.positionOf(uri, '"type": "flow"', { delta: 1 })];
    const ranges = (await server.request<SelectionRange[]>('textDocument/selectionRange', { textDocument: { uri }, positions }))!;
    assert.equal(ranges.length, 2);
    assert.equal(server.textAt(uri, ranges[0].range), 'dependsOn');
    assert.equal(server.textAt(uri, ranges[0].parent!.range), '"dependsOn"');
    assert.ok(server.textAt(uri, ranges[0].parent!.parent!.range).startsWith('"dependsOn": ['));
    assert.equal(server.textAt(uri, ranges[1].range), 'type');
  });
});
