/** Document and range formatting through the protocol, with the editor's options. */
import * as assert from 'node:assert/strict';
import type { FormattingOptions, TextEdit } from 'vscode-languageserver-protocol';
import { startTestServer, type TestServer } from './support/lspClient';

const UGLY = '{"type":"flow", // the name\n"activities":[{"id":"a","type":"step"},\n\n{"id":"b","type":"step","dependsOn":["a"]}]}\n\n\n';

describe('polish: formatting (protocol)', () => {
  let server: TestServer;
  let uri: string;
  before(async () => {
    server = await startTestServer();
    uri = await server.open('flow.orch.json', UGLY);
  });
  after(async () => { await server?.shutdown(); });

  async function format(options: FormattingOptions, text = UGLY): Promise<string> {
    const edits = await server.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options });
    return server.applyTextEdits(text, edits);
  }

  it('formats with 2 spaces, keeping comments, trimming the final newlines', async () => {
    assert.equal(await format({ tabSize: 2, insertSpaces: true, trimFinalNewlines: true, insertFinalNewline: true }), [
      '{',
      '  "type": "flow", // the name',
      '  "activities": [',
      '    {',
      '      "id": "a",',
      '      "type": "step"',
      '    },',
      '    {',
      '      "id": "b",',
      '      "type": "step",',
      '      "dependsOn": [',
      '        "a"',
      '      ]',
      '    }',
      '  ]',
      '}',
      '',
    ].join('\n'));
  });

  it('formats with 4 spaces and with tabs', async () => {
    const four = await format({ tabSize: 4, insertSpaces: true, trimFinalNewlines: true, insertFinalNewline: true });
    assert.match(four, /^\{\n {4}"type": "flow", \/\/ the name\n {4}"activities": \[\n {8}\{\n {12}"id": "a",/);
    const tabs = await format({ tabSize: 4, insertSpaces: false, trimFinalNewlines: true, insertFinalNewline: true });
    assert.match(tabs, /^\{\n\t"type": "flow", \/\/ the name\n\t"activities": \[\n\t\t\{\n\t\t\t"id": "a",/);
  });

  it('leaves the end of the file alone unless told, and can remove or add the final newline', async () => {
    assert.ok((await format({ tabSize: 2, insertSpaces: true })).endsWith('}\n\n\n'));
    assert.ok((await format({ tabSize: 2, insertSpaces: true, trimFinalNewlines: true })).endsWith('}\n'));
    const noNewline = '{"type":"flow","activities":[]}';
    const doc = await server.open('bare.orch.json', noNewline);
    const run = async (options: FormattingOptions) => server.applyTextEdits(noNewline, await server.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri: doc }, options }));
    assert.ok((await run({ tabSize: 2, insertSpaces: true })).endsWith('[]\n}'));
    assert.ok((await run({ tabSize: 2, insertSpaces: true, insertFinalNewline: true })).endsWith('[]\n}\n'));
  });

  it('keeps the line structure when the client passes keepLines (json.format.keepLines)', async () => {
    const kept = await format({ tabSize: 2, insertSpaces: true, keepLines: true });
    assert.equal(kept, '{ "type": "flow", // the name\n  "activities": [ { "id": "a", "type": "step" },\n\n    { "id": "b", "type": "step", "dependsOn": [ "a" ] } ] }\n\n\n');
  });

  it('formats a range only', async () => {
    const line = server.positionOf(uri, '{"id":"b"').line;
    const edits = await server.request<TextEdit[]>('textDocument/rangeFormatting', {
      textDocument: { uri },
      range: { start: { line, character: 0 }, end: { line, character: 20 } },
      options: { tabSize: 2, insertSpaces: true },
    });
    const out = server.applyTextEdits(UGLY, edits);
    assert.ok(out.startsWith('{"type":"flow", // the name\n"activities":[{"id":"a","type":"step"},'), out);
    assert.ok(out.includes('"id": "b"'), out);
    assert.ok(out.endsWith('\n\n\n'));
  });

  it('says nothing about documents that are not ours', async () => {
    const plain = await server.open('package.json', '{"a":1}');
    assert.equal(await server.request('textDocument/formatting', { textDocument: { uri: plain }, options: { tabSize: 2, insertSpaces: true } }), null);
  });
});
