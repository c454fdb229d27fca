/**
 * Restricted Mode (the workspace is not trusted): every language feature works, running is refused with
 * an explanation, and nothing is written to the runs folder.
 */
import * as assert from 'node:assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { codeOf, diagnosticsOf, fixture, getApi, workspaceRoot } from './helpers';

suite('restricted mode', () => {
  test('the workspace is not trusted and the extension is active', async () => {
    assert.strictEqual(vscode.workspace.isTrusted, false, 'the harness opens this workspace untrusted');
    const api = await getApi();
    assert.ok(api.activationMs >= 0);
  });

  test('diagnostics still work', async () => {
    const uri = fixture('broken.orch.json');
    await vscode.window.showTextDocument(uri);
    const diagnostics = await diagnosticsOf(uri, (ds) => ds.some((d) => codeOf(d) === 'ORCH202'));
    assert.ok(diagnostics.some((d) => /compile/.test(d.message)));
  });

  test('completion still works', async () => {
    const uri = fixture('edit.orch.json');
    const document = await vscode.workspace.openTextDocument(uri);
    const at = document.getText().indexOf('"dependsOn": []') + '"dependsOn": ['.length;
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, document.positionAt(at));
    assert.ok(list.items.some((item) => (typeof item.label === 'string' ? item.label : item.label.label).includes('checkout')));
  });

  test('running is refused with an explanation, and nothing is written', async () => {
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('orch.run', fixture('pipeline.orch.json'), { interactive: false })),
      /Restricted Mode/,
    );
    const { service } = await getApi();
    await assert.rejects(service.start(fixture('pipeline.orch.json'), { interactive: false }), /Restricted Mode/);
    assert.ok(!existsSync(join(workspaceRoot(), '.orch', 'runs')), 'no run folder was created');
  });

  test('the graph can still be shown', async () => {
    const { graph } = await getApi();
    await vscode.commands.executeCommand('orch.showGraph', fixture('pipeline.orch.json'));
    assert.ok(graph.visible);
  });
});
