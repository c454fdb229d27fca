/** Semantic tokens through the protocol: full, delta and range, decoded against the legend. */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InitializeRequest, type SemanticTokens, type SemanticTokensDelta, type SemanticTokensLegend } from 'vscode-languageserver-protocol';
import { CLIENT_CAPABILITIES, SERVER_JS, startTestServer, TestServer } from './support/lspClient';
import { legend as serverLegend } from '../../server/features/semanticTokens';

const FLOW = `{
  "type": "flow",
  "pools": { "db": 2 },
  "output": { "url": "deploy.endpoint.href" },
  "activities": [
    { "id": "build", "type": "step", "inputs": ["cell", { "source": "build2.image", "target": "img" }] },
    { "id": "build2", "type": "step", "dependsOn": ["nope"], "acquires": { "db": 1 }, "hosts": ["web1"] },
    { "id": "deploy", "type": "step", "dependsOn": ["build", "build2"], "forEach": { "items": "build.list", "as": "item" } }
  ]
}
`;

interface Token { text: string; type: string; modifiers: string[]; line: number }

function decode(server: TestServer, uri: string, data: number[], legend: SemanticTokensLegend): Token[] {
  const tokens: Token[] = [];
  let line = 0;
  let character = 0;
  for (let i = 0; i < data.length; i += 5) {
    line += data[i];
    character = data[i] === 0 ? character + data[i + 1] : data[i + 1];
    const range = { start: { line, character }, end: { line, character: character + data[i + 2] } };
    const modifiers = legend.tokenModifiers.filter((_, bit) => data[i + 4] & (1 << bit));
    tokens.push({ text: server.textAt(uri, range), type: legend.tokenTypes[data[i + 3]], modifiers, line });
  }
  return tokens;
}

/** Applies semantic token edits to the previous data, as a client does. */
function applyDelta(previous: number[], delta: SemanticTokensDelta): number[] {
  const data = [...previous];
  for (const edit of [...delta.edits].sort((a, b) => b.start - a.start)) data.splice(edit.start, edit.deleteCount, ...(edit.data ?? []));
  return data;
}

describe('polish: semantic tokens (protocol)', () => {
  let server: TestServer;
  let uri: string;
  let legend: SemanticTokensLegend;

  before(async () => {
    server = await startTestServer({ files: { 'flow.orch.json': FLOW, 'step.activity.json': '{ "type": "step", "provider": "noop" }' } });
    uri = await server.open('flow.orch.json');
    legend = serverLegend;
  });
  after(async () => { await server?.shutdown(); });

  it('advertises the legend with full (delta) and range requests', async () => {
    // startTestServer keeps the initialize result to itself: initialize a server by hand.
    const child = spawn(process.execPath, [SERVER_JS, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const raw = new TestServer(child, mkdtempSync(join(tmpdir(), 'orch-lsp-')), {});
    try {
      const result = await raw.connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: CLIENT_CAPABILITIES });
      assert.deepEqual(result.capabilities.semanticTokensProvider, { legend: serverLegend, full: { delta: true }, range: true });
    } finally {
      await raw.shutdown();
    }
  });

  it('colours ids, types, sources, pools and hosts (not unknown names)', async () => {
    const full = await server.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri } });
    const tokens = decode(server, uri, full.data, legend).map((t) => `${t.text}:${t.type}${t.modifiers.length ? '+' + t.modifiers.join('+') : ''}`);
    assert.deepEqual(tokens, [
      'db:enumMember+declaration',
      'url:property+declaration', 'deploy:variable', 'endpoint.href:property',
      'build:variable+declaration', 'step:type', 'cell:parameter', 'build2:variable', 'image:property', 'img:property+declaration',
      'build2:variable+declaration', 'step:type', 'db:enumMember', 'web1:namespace',
      'deploy:variable+declaration', 'step:type', 'build:variable', 'build2:variable', 'build:variable', 'list:property', 'item:property+declaration',
    ]);
  });

  it('answers a delta request with edits that rebuild the new tokens', async () => {
    const full = await server.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri } });
    await server.edit(uri, { find: '"nope"', replace: '"build"' });
    const delta = await server.request<SemanticTokens | SemanticTokensDelta>('textDocument/semanticTokens/full/delta', { textDocument: { uri }, previousResultId: full.resultId });
    assert.ok('edits' in delta, 'a delta');
    const rebuilt = applyDelta(full.data, delta);
    const fresh = await server.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri } });
    assert.deepEqual(rebuilt, fresh.data);
    assert.ok(decode(server, uri, fresh.data, legend).some((t) => t.text === 'build' && t.line === server.positionOf(uri, '"dependsOn": ["build"]').line && t.type === 'variable'));
  });

  it('a range request covers only the range', async () => {
    const line = server.positionOf(uri, '"id": "deploy"').line;
    const range = await server.request<SemanticTokens>('textDocument/semanticTokens/range', { textDocument: { uri }, range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } } });
    const tokens = decode(server, uri, range.data, legend);
    assert.ok(tokens.length > 0 && tokens.every((t) => t.line === line));
  });

  it('activity definition and inventory files declare types and hosts', async () => {
    const defs = await server.open('more.activity.json', '[{ "type": "one", "provider": "noop" }, { "type": "two", "provider": "noop" }]');
    const a = await server.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri: defs } });
    assert.deepEqual(decode(server, defs, a.data, legend).map((t) => `${t.text}:${t.type}+${t.modifiers.join('+')}`), ['one:type+declaration', 'two:type+declaration']);
    const hosts = await server.open('orch.hosts.json', '{ "hosts": { "web1": { "host": "10.0.0.1", "username": "u" } } }');
    const h = await server.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri: hosts } });
    assert.deepEqual(decode(server, hosts, h.data, legend).map((t) => `${t.text}:${t.type}`), ['web1:namespace']);
  });
});
