/** The extension activates quickly in a real VS Code and contributes every command it declares. */
import * as assert from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, getApi } from './helpers';

suite('activation', () => {
  test('activates and reports its activation time', async () => {
    const api = await getApi();
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, 'the extension is active');
    console.log(`activation took ${api.activationMs} ms`);
    // Activation only wires things: anything slow (server, scans) happens after it.
    assert.ok(api.activationMs < 1000, `activation took ${api.activationMs} ms`);
  });

  test('registers every command of its manifest', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const manifest = JSON.parse(readFileSync(join(extension.extensionPath, 'package.json'), 'utf8')) as { contributes?: { commands?: { command: string }[] } };
    const declared = (manifest.contributes?.commands ?? []).map((c) => c.command);
    assert.ok(declared.includes('orch.run'), 'the manifest declares orch.run');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((c) => !registered.has(c));
    assert.deepStrictEqual(missing, [], 'every declared command is registered');
    for (const id of ['orch.run', 'orch.runWithInput', 'orch.showGraph', 'orch.resume', 'orch.rerunFailed', 'orch.cancel', 'orch.completeActivity',
      'orch.dispose', 'orch.openRunLog', 'orch.newOrchestration', 'orch.validateWorkspace', 'orch.setSecret', 'orch.deleteSecret',
      'orch.revealActivity', 'orch.deleteRun']) {
      assert.ok(registered.has(id), `${id} is registered`);
    }
  });

  test('the language client is running', async () => {
    const client = await (await getApi()).languageClient;
    assert.ok(client, 'the language client started');
    assert.ok(client.isRunning(), 'the language client is running');
  });
});
