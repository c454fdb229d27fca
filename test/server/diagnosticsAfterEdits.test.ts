import { strict as assert } from 'node:assert';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { DEPLOY, WORKSPACE } from './support/fixtures';
import { startTestServer, type TestServer } from './support/lspClient';

/** A small deterministic generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const TOKENS = ['x', 'ghost', '\n', '\n    ', ' ', '"', ',', '{', '}', '[', ']', ':', '.', '😀', '"stage"', '"id": "a1", '];

/** The diagnostics as published, with the document's own URI (in related locations) made neutral. */
function comparable(published: PublishDiagnosticsParams): string {
  return JSON.stringify(published.diagnostics).split(published.uri).join('<self>');
}

describe('language server: diagnostics after incremental edits', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ files: WORKSPACE });
  });
  after(() => server.shutdown());

  // Edits are re-parsed incrementally and their positions read from the live text's line starts: each
  // result must be exactly what the same text gets when opened afresh (parsed whole, LineIndex).
  it('publishes for every edited version what a fresh open of the same text gets', async () => {
    const next = random(20261122);
    const uri = await server.open('edited.orch.json', DEPLOY);
    await server.diagnosticsForCurrentVersion(uri);
    for (let i = 0; i < 120; i++) {
      const text = server.text(uri);
      const at = Math.floor(next() * (text.length + 1));
      if (next() < 0.35 && at < text.length) await server.edit(uri, { offset: at, length: Math.min(text.length - at, 1 + Math.floor(next() * 3)), text: '' });
      else await server.edit(uri, { offset: at, text: TOKENS[Math.floor(next() * TOKENS.length)] });
      const edited = await server.diagnosticsForCurrentVersion(uri);
      const fresh = await server.open(`fresh-${i}.orch.json`, server.text(uri));
      const whole = await server.diagnosticsForCurrentVersion(fresh);
      await server.close(fresh);
      assert.equal(comparable(edited), comparable(whole), `after edit ${i}, text:\n${server.text(uri)}`);
    }
    await server.close(uri);
  });
});
