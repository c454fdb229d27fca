/** Language features through the real editor: diagnostics, completion, rename, the Definitions view. */
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { codeOf, diagnosticsOf, fixture, getApi, waitUntil } from './helpers';

suite('language features', () => {
  test('reports the problems of a broken definition', async () => {
    const uri = fixture('broken.orch.json');
    await vscode.window.showTextDocument(uri);
    const diagnostics = await diagnosticsOf(uri, (ds) => ['ORCH201', 'ORCH202', 'ORCH205'].every((code) => ds.some((d) => codeOf(d) === code)));
    const unknown = diagnostics.find((d) => codeOf(d) === 'ORCH202')!;
    assert.strictEqual(unknown.severity, vscode.DiagnosticSeverity.Error);
    assert.match(unknown.message, /compile/);
    const document = await vscode.workspace.openTextDocument(uri);
    assert.strictEqual(document.getText(unknown.range).replace(/"/g, ''), 'compile', 'the unknown dependency is underlined');
  });

  test('a valid definition has no errors', async () => {
    const uri = fixture('pipeline.orch.json');
    await vscode.window.showTextDocument(uri);
    // The server publishes for every definition; wait for this one's (possibly empty) report settling.
    await (await getApi()).languageClient;
    const errors = vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.deepStrictEqual(errors.map((d) => `${codeOf(d)} ${d.message}`), []);
  });

  test('completes activity ids in dependsOn', async () => {
    const uri = fixture('edit.orch.json');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const text = document.getText();
    const at = text.indexOf('"dependsOn": []') + '"dependsOn": ['.length;
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, document.positionAt(at));
    const labels = list.items.map((item) => (typeof item.label === 'string' ? item.label : item.label.label).replace(/"/g, ''));
    assert.ok(labels.includes('checkout'), `completion offers checkout (got ${labels.slice(0, 20).join(', ')})`);
    assert.ok(labels.includes('compile'), 'completion offers compile');
    assert.ok(!labels.includes('package'), 'an activity cannot depend on itself');
  });

  test('renames an activity id with its references', async () => {
    const uri = fixture('edit.orch.json');
    const document = await vscode.workspace.openTextDocument(uri);
    const at = document.getText().indexOf('"checkout"') + 2;
    const edit = await vscode.commands.executeCommand<vscode.WorkspaceEdit>('vscode.executeDocumentRenameProvider', uri, document.positionAt(at), 'fetch_sources');
    const edits = edit.get(uri);
    assert.strictEqual(edits.length, 2, 'the id and the dependsOn reference');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const after = document.getText();
    assert.strictEqual((after.match(/fetch_sources/g) ?? []).length, 2);
    assert.ok(!after.includes('checkout'));
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('the Definitions view lists orchestrations and types with problem counts', async () => {
    const { definitionsTree } = await getApi();
    const groups = await definitionsTree.getChildren();
    assert.deepStrictEqual(groups.map((g) => (definitionsTree.getTreeItem(g).label as string)), ['Orchestrations', 'Activity Types']);
    const orchestrations = await definitionsTree.getChildren(groups[0]);
    const labels = orchestrations.map((n) => definitionsTree.getTreeItem(n).label);
    for (const name of ['e2e.pipeline', 'e2e.broken', 'e2e.slow']) assert.ok(labels.includes(name), `${name} is listed`);
    const broken = orchestrations.find((n) => definitionsTree.getTreeItem(n).label === 'e2e.broken')!;
    await waitUntil(vscode.languages.onDidChangeDiagnostics, () => /error/.test(String(definitionsTree.getTreeItem(broken).description)), 30_000, 'problem count of broken.orch.json');
    const types = (await definitionsTree.getChildren(groups[1])).map((n) => definitionsTree.getTreeItem(n).label);
    assert.ok(types.includes('e2e.echo') && types.includes('e2e.sleep'), `types listed: ${types.join(', ')}`);
  });

  test('Validate Workspace reports the broken definition', async () => {
    const report = await vscode.commands.executeCommand<{ files: number; errors: number; problems: Record<string, unknown[]> }>('orch.validateWorkspace', { quiet: true });
    assert.ok(report.files >= 8, `${report.files} files validated`);
    assert.ok(report.errors >= 3, `${report.errors} errors`);
    assert.ok(Object.keys(report.problems).some((file) => file.endsWith('broken.orch.json')));
    assert.ok(!Object.keys(report.problems).some((file) => file.endsWith('pipeline.orch.json')), 'pipeline.orch.json is clean');
  });
});
