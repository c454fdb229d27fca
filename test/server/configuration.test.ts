import { strict as assert } from 'node:assert';
import { startTestServer } from './support/lspClient';
import { WORKSPACE } from './support/fixtures';

const BROKEN = '{ "type": "x", "activities": [ { "id": "a", "type": "tenant.stage", "inputs": ["cell"], "dependsOn": ["ghost"] } ] }';

describe('language server: settings', () => {
  it('reads orch.* through workspace/configuration and applies changes without a restart', async () => {
    const server = await startTestServer({ files: { ...WORKSPACE, 'disk.orch.json': BROKEN }, settings: { docsBaseUrl: 'https://docs.example.com/orch/' } });
    try {
      const disk = server.uri('disk.orch.json');
      const first = await server.waitForDiagnostics(disk, (p) => p.diagnostics.length > 0);
      assert.equal(first.diagnostics[0].codeDescription?.href, 'https://docs.example.com/orch/diagnostics.md#orch202');
      assert.ok(server.registrations.some((r) => r.method === 'workspace/didChangeConfiguration'), 'registered for configuration changes');
      assert.ok(server.registrations.some((r) => r.method === 'workspace/didChangeWatchedFiles'), 'registered file watchers');

      const open = await server.open('open.orch.json', BROKEN);
      await server.waitForDiagnostics(open, (p) => p.diagnostics.length > 0);

      // Workspace-wide checking off: files that are not open are cleared, open ones stay.
      await server.updateSettings({ validation: { workspace: false } });
      await server.waitForDiagnostics(disk, (p) => p.diagnostics.length === 0);
      assert.ok(server.diagnostics.get(open)!.diagnostics.length > 0);

      // Validation off: everything is cleared; on again: everything is back, with the default docs link.
      await server.updateSettings({ validation: { enable: false } });
      await server.waitForDiagnostics(open, (p) => p.diagnostics.length === 0);
      await server.updateSettings({});
      const back = await server.waitForDiagnostics(disk, (p) => p.diagnostics.length > 0);
      assert.match(back.diagnostics[0].codeDescription!.href, /\/diagnostics\.md#orch202$/);
      assert.ok(!back.diagnostics[0].codeDescription!.href.startsWith('https://docs.example.com'));
      await server.waitForDiagnostics(open, (p) => p.diagnostics.length > 0);

      // Snippets off: no snippet items.
      await server.updateSettings({ completion: { snippets: false } });
      const empty = await server.open('fresh.orch.json', '');
      const status = await server.request<{ state: string }>('orch/status', undefined);
      assert.equal(status.state, 'ready');
      assert.deepEqual((await server.completion(empty, { line: 0, character: 0 })).items, []);
    } finally {
      await server.shutdown();
    }
  });

  it('ignores settings of the wrong type, keeping the defaults', async () => {
    const server = await startTestServer({ files: { 'disk.orch.json': BROKEN }, settings: { validation: { enable: 'yes', debounceMs: -5 }, docsBaseUrl: 42 } });
    try {
      const published = await server.waitForDiagnostics(server.uri('disk.orch.json'), (p) => p.diagnostics.length > 0);
      assert.match(published.diagnostics[0].codeDescription!.href, /^https:\/\//);
    } finally {
      await server.shutdown();
    }
  });
});
