import { strict as assert } from 'node:assert';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { startTestServer, type TestServer } from './support/lspClient';
import { WORKSPACE } from './support/fixtures';

const codes = (p: PublishDiagnosticsParams) => p.diagnostics.map((d) => d.code).sort();

describe('language server: diagnostics', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({
      files: {
        ...WORKSPACE,
        'broken/dup.orch.json': '{ "type": "dup", "activities": [ { "id": "a", "type": "tenant.stage", "inputs": ["cell"] }, { "id": "a", "type": "tenant.stage", "inputs": ["cell"] } ] }',
        'package.json': '{ "name": "x", "version": 1 }',
      },
    });
  });
  after(() => server.shutdown());

  it('checks files that are not open at start-up, so the whole workspace shows its problems', async () => {
    const uri = server.uri('broken/dup.orch.json');
    const published = await server.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0);
    assert.equal(published.version, undefined);
    const duplicate = published.diagnostics.find((d) => d.code === 'ORCH201');
    assert.ok(duplicate, JSON.stringify(published.diagnostics));
    assert.equal(duplicate.source, 'orch');
    assert.match(duplicate.codeDescription!.href, /diagnostics\.md#orch201$/);
    // The second "a" is the duplicate; the first is the related location.
    assert.equal(server.textAt(uri, duplicate.range), '"a"');
    const related = duplicate.relatedInformation?.[0];
    assert.ok(related, 'related information to the first declaration');
    assert.equal(related.location.uri, uri);
    assert.ok(related.location.range.start.character < duplicate.range.start.character);
    const valid = await server.waitForDiagnostics(server.uri('deploy.orch.json'));
    assert.deepEqual(valid.diagnostics, []);
    // Not ours: never published.
    assert.equal(server.diagnostics.get(server.uri('package.json')), undefined);
    assert.ok(server.status && server.status.errors >= 1, JSON.stringify(server.status));
  });

  it('publishes on open with the version, and again for each incremental change', async () => {
    const uri = await server.open('open1.orch.json', '{ "type": "o", "activities": [ { "id": "a", "type": "tenant.stage", "dependsOn": ["b"], "inputs": ["cell"] } ] }');
    const first = await server.diagnosticsForCurrentVersion(uri);
    assert.equal(first.version, 1);
    const unknown = first.diagnostics.find((d) => d.code === 'ORCH202');
    assert.ok(unknown, JSON.stringify(first.diagnostics));
    assert.equal(server.textAt(uri, unknown.range), '"b"');
    assert.ok(unknown.data, 'data is passed through for quick fixes');
    // Incremental edit: add activity b; the unknown dependency disappears.
    await server.edit(uri, { find: ' ] }', replace: ', { "id": "b", "type": "tenant.stage", "inputs": ["cell"] } ] }' });
    const second = await server.diagnosticsForCurrentVersion(uri);
    assert.equal(second.version, 2);
    assert.deepEqual(second.diagnostics.filter((d) => d.code === 'ORCH202'), []);
    await server.close(uri);
  });

  it('never leaves stale diagnostics: after rapid edits the last ones match the final text', async () => {
    const uri = await server.open('rapid.orch.json', '{ "type": "r", "activities": [ { "id": "a", "type": "tenant.stage", "inputs": ["cell"], "dependsOn": [] } ] }');
    await server.diagnosticsForCurrentVersion(uri);
    const logStart = server.diagnosticsLog.length;
    // 60 edits without waiting: type an unknown id letter by letter, then delete it again, then add a bad one.
    const at = server.offsetOf(uri, '[] }') + 1;
    const word = 'zzzzzzzzzzzzzzzzzzzz';
    await server.edit(uri, { offset: at, text: '"' });
    for (let i = 0; i < word.length; i++) await server.edit(uri, { offset: at + 1 + i, text: word[i] });
    await server.edit(uri, { offset: at + 1 + word.length, text: '"' });
    for (let i = 0; i < word.length; i++) await server.edit(uri, { offset: at + 1 + word.length - 1 - i, length: 1, text: '' });
    await server.edit(uri, { offset: at + 1, text: 'nope' });
    const final = await server.diagnosticsForCurrentVersion(uri);
    assert.equal(server.text(uri).includes('["nope"]'), true);
    assert.deepEqual(codes(final), ['ORCH202']);
    assert.equal(server.textAt(uri, final.diagnostics[0].range), '"nope"');
    // Versions only ever increase: no result for an older text arrives after a newer one.
    const versions = server.diagnosticsLog.slice(logStart).filter((p) => p.uri === uri).map((p) => p.version!);
    assert.deepEqual(versions, [...versions].sort((a, b) => a - b));
    assert.ok(versions.length < 44, `edits were coalesced (${versions.length} publications for 44 edits)`);
    await server.close(uri);
  });

  it('on close, falls back to the file on disk (or clears a document that has none)', async () => {
    const uri = server.uri('deploy.orch.json');
    await server.open('deploy.orch.json');
    await server.edit(uri, { find: '"dependsOn": ["stage"]', replace: '"dependsOn": ["ghost"]' });
    const edited = await server.diagnosticsForCurrentVersion(uri);
    assert.ok(edited.diagnostics.some((d) => d.code === 'ORCH202'));
    const reverted = server.nextDiagnostics(uri);
    await server.close(uri);
    const afterClose = await reverted;
    assert.equal(afterClose.version, undefined);
    assert.deepEqual(afterClose.diagnostics, [], 'the disk content is valid');

    const untitled = 'untitled:Untitled-1';
    await server.open(untitled, '{ "$schema": "https://orchestration-studio.dev/schemas/orchestration-definition.schema.json", "type": 1, "activities": [] }');
    const shown = await server.waitForDiagnostics(untitled, (p) => p.diagnostics.length > 0);
    assert.ok(shown.diagnostics.some((d) => d.code === 'ORCH101'), JSON.stringify(shown.diagnostics));
    const cleared = server.nextDiagnostics(untitled);
    await server.close(untitled);
    assert.deepEqual((await cleared).diagnostics, []);
  });

  it('re-checks the orchestrations using a type when its definition changes (open, or on disk)', async () => {
    const deploy = await server.open('deploy.orch.json');
    await server.diagnosticsForCurrentVersion(deploy);
    const typeUri = await server.open('types/stage.activity.json');
    // A new required input that no activity of tenant.stage supplies.
    await server.edit(typeUri, { find: '"required": ["cell"]', replace: '"required": ["cell", "token"]' });
    const rechecked = await server.waitForDiagnostics(deploy, (p) => p.diagnostics.some((d) => d.code === 'ORCH405'));
    assert.equal(rechecked.version, server.version(deploy));
    assert.ok(rechecked.diagnostics.filter((d) => d.code === 'ORCH405').length >= 3, 'every activity of the type');
    // Undo: the problems go away again.
    await server.edit(typeUri, { find: '"required": ["cell", "token"]', replace: '"required": ["cell"]' });
    await server.waitForDiagnostics(deploy, (p) => !p.diagnostics.some((d) => d.code === 'ORCH405'));
    await server.close(typeUri);
    await server.close(deploy);

    // A file changed on disk (watcher notification) re-checks a file that is not open either.
    const other = 'other.orch.json';
    const otherUri = await server.writeFile(other, '{ "type": "other", "activities": [ { "id": "x", "type": "brand.new", "inputs": [] } ] }');
    const unknownType = await server.waitForDiagnostics(otherUri, (p) => p.diagnostics.some((d) => d.code === 'ORCH301'));
    assert.equal(unknownType.version, undefined);
    await server.writeFile('types/new.activity.json', '{ "type": "brand.new", "provider": "noop" }');
    await server.waitForDiagnostics(otherUri, (p) => !p.diagnostics.some((d) => d.code === 'ORCH301'));
    await server.deleteFile('types/new.activity.json');
    await server.waitForDiagnostics(otherUri, (p) => p.diagnostics.some((d) => d.code === 'ORCH301'));
    // Deleted on disk: its own diagnostics are cleared.
    await server.deleteFile(other);
    await server.waitForDiagnostics(otherUri, (p) => p.diagnostics.length === 0);
  });

  it('checks a plain .json file whose $schema names one of our schemas, and ignores other JSON', async () => {
    const uri = await server.open('custom/pipeline.json', JSON.stringify({ $schema: '../schemas/orchestration-definition.schema.json', type: 'p', activities: [{ id: 'a', type: 'tenant.stage', dependsOn: 'a', inputs: ['cell'] }] }));
    const published = await server.diagnosticsForCurrentVersion(uri);
    assert.ok(published.diagnostics.some((d) => d.code === 'ORCH203'), JSON.stringify(published.diagnostics));
    const plain = await server.open('tsconfig.json', '{ "compilerOptions": { "strict": true }, }');
    // Something was published for the definition opened after it... and nothing for the plain file.
    const marker = await server.open('after.orch.json', '{ "type": "after", "activities": [] }');
    await server.diagnosticsForCurrentVersion(marker);
    assert.equal(server.diagnostics.get(plain), undefined);
    // Removing the $schema makes it a plain file: its diagnostics are cleared.
    await server.setText(uri, '{ "type": "p" }');
    await server.waitForDiagnostics(uri, (p) => p.diagnostics.length === 0);
    for (const u of [uri, plain, marker]) await server.close(u);
  });
});
