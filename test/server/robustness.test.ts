/**
 * The server under abuse: thousands of seeded random edits (deletions, brackets, quotes, commas,
 * garbage, lone UTF-16 surrogates), 10,000-deep nesting and a 5 MB definition. Every request must be
 * answered (a result, or a deliberate refusal), diagnostics must keep up with the latest version, and
 * the process must stay alive. The slowest request is printed.
 */
import { strict as assert } from 'node:assert';
import { ResponseError, type Position } from 'vscode-languageserver-protocol';
import { generateWorkload, seededRandom } from '../../bench/generate';
import { startTestServer, type TestServer } from './support/lspClient';
import { WORKSPACE } from './support/fixtures';

const SEED = 20240611;
const EDITS = 3000;
/** A request after every this many edits. */
const REQUEST_EVERY = 4;
/** Diagnostics must have caught up after every this many edits. */
const SYNC_EVERY = 150;
/** Longer than any request may take: reaching it means the server hangs. */
const HANG_MS = 15000;

const TOKENS = ['{', '}', '[', ']', '"', ',', ':', ' ', '\n', 'null', 'true', '-', '0', '1e9', '"dependsOn": [', '"id": "', '"type": "', '"inputs": [', '"source": "',
  '\\', '\\u', '/*', '*/', '//', '\uD800', '\uDC00', '\uDBFF\uDFFF', '😀', '\u0000', '\t', '"__proto__": 1', '"stage.configPath"', '"ingress"', '.', '..', '$', '${secret:X}'];

interface Slowest { method: string; ms: number; note: string }

describe('language server: robustness', function () {
  this.timeout(120000);
  let server: TestServer;
  let slowest: Slowest = { method: '', ms: 0, note: '' };
  let requests = 0;

  before(async () => {
    server = await startTestServer({ files: WORKSPACE });
  });
  after(async () => {
    console.log(`      ${requests} requests answered; slowest: ${slowest.method} ${slowest.ms.toFixed(1)} ms (${slowest.note})`);
    await server.shutdown();
  });

  /** A request that must be answered within HANG_MS; a ResponseError counts as an answer unless it is an internal error. */
  async function ask(method: string, params: unknown, note: string): Promise<unknown> {
    const started = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hang = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${method} did not answer within ${HANG_MS} ms (${note})`)), HANG_MS); });
    try {
      return await Promise.race([server.request(method, params), hang]).catch((e) => {
        if (e instanceof ResponseError && e.code !== -32603) return e;
        throw new Error(`${method} failed (${note}): ${e instanceof Error ? e.message : String(e)}\n${server.errorOutput.slice(-2000)}`);
      });
    } finally {
      clearTimeout(timer);
      const took = performance.now() - started;
      requests++;
      if (took > slowest.ms) slowest = { method, ms: took, note };
    }
  }

  async function askEverything(uri: string, position: Position, note: string): Promise<void> {
    const doc = { textDocument: { uri } };
    await ask('textDocument/completion', { ...doc, position }, note);
    await ask('textDocument/hover', { ...doc, position }, note);
    await ask('textDocument/definition', { ...doc, position }, note);
    await ask('textDocument/references', { ...doc, position, context: { includeDeclaration: true } }, note);
    await ask('textDocument/prepareRename', { ...doc, position }, note);
    await ask('textDocument/documentSymbol', doc, note);
    await ask('orch/graph', { uri }, note);
  }

  it('answers every request through thousands of random edits', async () => {
    const random = seededRandom(SEED);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
    const uri = await server.open('deploy.orch.json');
    const original = server.text(uri);
    const methods = ['textDocument/completion', 'textDocument/hover', 'textDocument/definition', 'textDocument/references', 'textDocument/documentSymbol', 'textDocument/prepareRename', 'textDocument/foldingRange', 'textDocument/semanticTokens/full', 'textDocument/inlayHint', 'textDocument/codeAction', 'textDocument/codeLens', 'textDocument/selectionRange', 'textDocument/documentLink', 'textDocument/formatting', 'orch/graph'];
    for (let i = 1; i <= EDITS; i++) {
      const text = server.text(uri);
      const at = Math.floor(random() * (text.length + 1));
      const r = random();
      if (i % 500 === 0) await server.setText(uri, original);
      else if (r < 0.35 && text.length) await server.edit(uri, { offset: at, length: Math.min(text.length - at, 1 + Math.floor(random() * 12)), text: '' });
      else if (r < 0.85) await server.edit(uri, { offset: at, text: pick(TOKENS) });
      else await server.edit(uri, { offset: at, length: Math.min(text.length - at, Math.floor(random() * 4)), text: String.fromCharCode(...Array.from({ length: 1 + Math.floor(random() * 6) }, () => Math.floor(random() * 0x10000))) });
      if (i % REQUEST_EVERY === 0) {
        const current = server.text(uri);
        const position = server.positionAt(uri, Math.floor(random() * (current.length + 1)));
        const method = pick(methods);
        const range = { start: { line: 0, character: 0 }, end: server.positionAt(uri, current.length) };
        const params = method === 'textDocument/references' ? { textDocument: { uri }, position, context: { includeDeclaration: true } }
          : method === 'textDocument/inlayHint' ? { textDocument: { uri }, range }
          : method === 'textDocument/codeAction' ? { textDocument: { uri }, range: { start: position, end: position }, context: { diagnostics: server.diagnostics.get(uri)?.diagnostics ?? [] } }
          : method === 'textDocument/selectionRange' ? { textDocument: { uri }, positions: [position] }
          : method === 'textDocument/formatting' ? { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } }
          : method === 'orch/graph' ? { uri }
          : { textDocument: { uri }, position };
        await ask(method, params, `edit ${i}`);
      }
      if (i % SYNC_EVERY === 0) {
        await server.diagnosticsForCurrentVersion(uri);
        assert.ok(!server.hasExited, 'the server is alive');
      }
    }
    await server.diagnosticsForCurrentVersion(uri);
    assert.ok(!server.hasExited);
    await server.close(uri);
  });

  it('survives 10,000-deep nesting, closed and unclosed', async () => {
    for (const [name, text] of [
      ['deep-closed.orch.json', '{ "type": "deep", "activities": ' + '['.repeat(10000) + ']'.repeat(10000) + ' }'],
      ['deep-open.orch.json', '{ "type": "deep", "activities": [' + '{ "x": ['.repeat(10000)],
      ['deep-objects.orch.json', '{ "activities": [ { "id": "a", "type": ' + '{ "a": '.repeat(10000) + '1' + ' }'.repeat(10000) + ' } ] }'],
    ] as const) {
      const uri = await server.open(name, text);
      const published = await server.diagnosticsForCurrentVersion(uri);
      assert.ok(published.diagnostics.length >= 1, `${name} has problems`);
      await askEverything(uri, server.positionAt(uri, Math.floor(text.length / 2)), name);
      await askEverything(uri, server.positionAt(uri, text.length), `${name} end`);
      // An edit deep inside.
      await server.edit(uri, { offset: Math.floor(text.length / 2), text: '"' });
      await server.diagnosticsForCurrentVersion(uri);
      await server.close(uri);
    }
  });

  it('survives a 5 MB definition, and invalid UTF-16 in keys and values', async () => {
    const workload = generateWorkload(25000, 7);
    assert.ok(workload.definition.length > 5_000_000, `${workload.definition.length} bytes`);
    await server.writeFile('big/types.activity.json', workload.activityDefinitions);
    const uri = await server.open('big/big.orch.json', workload.definition);
    const published = await server.diagnosticsForCurrentVersion(uri);
    assert.deepEqual(published.diagnostics.filter((d) => d.severity === 1), [], 'the generated definition is valid');
    // Just inside the first id of a dependsOn in the middle of the file.
    const dependsOn = server.offsetOf(uri, '"dependsOn": [', 12000);
    const middle = workload.definition.indexOf('"', dependsOn + '"dependsOn": ['.length) + 1;
    await askEverything(uri, server.positionAt(uri, middle), '5 MB');
    await server.edit(uri, { offset: middle, text: 'x' });
    const edited = await server.diagnosticsForCurrentVersion(uri);
    assert.ok(edited.diagnostics.some((d) => d.code === 'ORCH202'), 'the edit made an unknown dependency');
    await server.close(uri);

    const surrogates = '{ "type": "s\uD800", "activities": [ { "id": "a\uDC00", "type": "\uDBFF", "dependsOn": ["\uD800\uD800"], "inputs": ["\uDFFF.x"] } ], "\uD83D": 1 }';
    const s = await server.open('surrogates.orch.json', surrogates);
    await server.diagnosticsForCurrentVersion(s);
    for (let offset = 0; offset <= surrogates.length; offset += 7) await askEverything(s, server.positionAt(s, offset), `surrogates @${offset}`);
    const rename = await ask('textDocument/rename', { textDocument: { uri: s }, position: server.positionAt(s, surrogates.indexOf('a\uDC00') + 1), newName: 'b' }, 'rename with surrogates');
    assert.ok(rename instanceof ResponseError || rename !== undefined);
    await server.close(s);
    assert.ok(!server.hasExited);
  });
});
