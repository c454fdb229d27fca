/**
 * Runs through the command API, in the extension host, with the real providers: the tree that results,
 * logs, failure and re-run, cancel, completion of a waiting activity, secrets, input, dispose, history.
 */
import * as assert from 'node:assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RunCommandResult } from '../../../client/commands/runCommands';
import { fixture, getApi, waitForRun, workspaceRoot } from './helpers';

const RUN_TIMEOUT = 60_000;

async function runAndWait(name: string, options: Record<string, unknown> = {}): Promise<RunCommandResult> {
  const result = await vscode.commands.executeCommand<RunCommandResult>('orch.run', fixture(name), { wait: true, interactive: false, ...options });
  assert.ok(result, `orch.run returned a result for ${name}`);
  return result;
}

async function treeOf(runId: string): Promise<{ label: string; description: string; children: string[] }[]> {
  const { runsTree } = await getApi();
  const runNode = runsTree.runNode(runId);
  const activities = await runsTree.getChildren(runNode);
  return Promise.all(activities.map(async (node) => {
    const item = runsTree.getTreeItem(node);
    const children = (await runsTree.getChildren(node)).map((c) => String(runsTree.getTreeItem(c).label));
    return { label: String(item.label), description: String(item.description), children };
  }));
}

suite('runs', () => {
  test('a run from the command API succeeds and the Runs view shows it', async () => {
    const { runsTree, store } = await getApi();
    const result = await runAndWait('pipeline.orch.json');
    assert.strictEqual(result.state, 'succeeded');
    assert.ok(result.runDir.startsWith(join(workspaceRoot(), '.orch', 'runs')), `journal in the workspace's runs folder: ${result.runDir}`);
    assert.ok(existsSync(join(result.runDir, 'journal.jsonl')));
    const roots = await runsTree.getChildren();
    assert.ok(roots.some((n) => n.kind === 'run' && n.runId === result.runId), 'the run is a root row');
    const runItem = runsTree.getTreeItem(runsTree.runNode(result.runId));
    assert.strictEqual(runItem.label, 'e2e.pipeline');
    assert.match(String(runItem.description), /^succeeded · /);
    const rows = await treeOf(result.runId);
    assert.deepStrictEqual(rows.map((r) => r.label), ['fetch', 'build', 'test', 'lint', 'publish'], 'activities in topological order');
    for (const row of rows) {
      assert.match(row.description, /succeeded/, `${row.label}: ${row.description}`);
      assert.deepStrictEqual(row.children, ['attempt 1']);
    }
    const build = store.get(result.runId)!.view.activities.get('build')!;
    assert.deepStrictEqual(build.outputs, { result: 'sources-done-done' }, 'build read fetch.result');
  });

  test('Open Run Log shows an attempt\'s output and the run\'s timeline', async () => {
    const { runsTree } = await getApi();
    const result = await runAndWait('pipeline.orch.json');
    const activity = runsTree.activityNode(result.runId, 'fetch');
    const uri = await vscode.commands.executeCommand<vscode.Uri>('orch.openRunLog', activity);
    const text = (await vscode.workspace.openTextDocument(uri)).getText();
    assert.match(text, /hello from fetch/);
    const timeline = await vscode.commands.executeCommand<vscode.Uri>('orch.openRunLog', runsTree.runNode(result.runId));
    const timelineText = (await vscode.workspace.openTextDocument(timeline)).getText();
    assert.match(timelineText, /run started: e2e\.pipeline/);
    assert.match(timelineText, /publish succeeded/);
    assert.match(timelineText, /run succeeded/);
  });

  test('a failed run, then Re-run Failed runs only what did not succeed', async () => {
    const { store } = await getApi();
    const first = await runAndWait('flaky.orch.json');
    assert.strictEqual(first.state, 'failed');
    let view = store.get(first.runId)!.view;
    assert.strictEqual(view.activities.get('setup')!.state, 'succeeded');
    assert.strictEqual(view.activities.get('flaky')!.state, 'failed');
    assert.match(view.activities.get('flaky')!.error ?? '', /exit code 1/);
    assert.notStrictEqual(view.activities.get('report')!.state, 'succeeded');
    const setupEnded = view.activities.get('setup')!.endedAt;
    const again = await vscode.commands.executeCommand<RunCommandResult>('orch.rerunFailed', first.runId, { wait: true, interactive: false });
    assert.strictEqual(again.runId, first.runId, 'the same run continues');
    assert.strictEqual(again.state, 'succeeded');
    view = store.get(first.runId)!.view;
    assert.strictEqual(view.activities.get('setup')!.endedAt, setupEnded, 'setup did not run again');
    assert.strictEqual(view.activities.get('setup')!.attempts.length, 1);
    assert.deepStrictEqual(view.activities.get('flaky')!.attempts.map((a) => a.state), ['failed', 'succeeded']);
    assert.deepStrictEqual(view.activities.get('report')!.outputs, { result: 'yes-done' });
  });

  test('cancelling a long run stops its activity', async () => {
    const started = await vscode.commands.executeCommand<RunCommandResult>('orch.run', fixture('slow.orch.json'), { interactive: false });
    await waitForRun(started.runId, (run) => run.activities.get('wait')!.state === 'running', RUN_TIMEOUT, 'the sleep activity running');
    const cancelled = await vscode.commands.executeCommand<boolean>('orch.cancel', started.runId);
    assert.strictEqual(cancelled, true);
    const view = await waitForRun(started.runId, (run) => run.state !== 'running', RUN_TIMEOUT, 'the run ending');
    assert.strictEqual(view.state, 'cancelled');
    assert.strictEqual(view.activities.get('wait')!.state, 'cancelled');
    assert.ok((view.durationMs ?? Infinity) < 60_000, 'the 300 s sleep was stopped');
    assert.notStrictEqual(view.activities.get('finish')!.state, 'succeeded');
  });

  test('a waiting activity is completed from the editor', async () => {
    const started = await vscode.commands.executeCommand<RunCommandResult>('orch.run', fixture('approval.orch.json'), { interactive: false });
    await waitForRun(started.runId, (run) => run.activities.get('approve')!.state === 'waiting', RUN_TIMEOUT, 'the approval waiting');
    const completed = await vscode.commands.executeCommand<string[]>('orch.completeActivity', started.runId, 'approve', { approvedBy: 'ada' });
    assert.deepStrictEqual(completed, ['approve']);
    const view = await waitForRun(started.runId, (run) => run.state !== 'running', RUN_TIMEOUT, 'the run ending');
    assert.strictEqual(view.state, 'succeeded');
    assert.strictEqual(view.activities.get('approve')!.completedBy, 'external');
    assert.deepStrictEqual(view.activities.get('release')!.outputs, { result: 'ada-done' });
  });

  test('secrets come from SecretStorage and never reach the journal or logs', async () => {
    const secret = `s3cr3t-${Date.now()}`;
    assert.strictEqual(await vscode.commands.executeCommand('orch.setSecret', 'E2E_TOKEN', secret), true);
    const result = await runAndWait('secret.orch.json');
    assert.strictEqual(result.state, 'succeeded');
    const files: string[] = [];
    const walk = (dir: string) => { for (const e of readdirSync(dir, { withFileTypes: true })) { if (e.isDirectory()) walk(join(dir, e.name)); else files.push(join(dir, e.name)); } };
    walk(result.runDir);
    for (const file of files) assert.ok(!readFileSync(file, 'utf8').includes(secret), `${file} does not hold the secret`);
    const { store } = await getApi();
    assert.deepStrictEqual(store.get(result.runId)!.view.activities.get('login')!.outputs, { result: '***-done' });
    assert.strictEqual(await vscode.commands.executeCommand('orch.deleteSecret', 'E2E_TOKEN'), true);
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('orch.run', fixture('secret.orch.json'), { interactive: false })),
      /E2E_TOKEN/, 'a missing secret refuses the run, naming it',
    );
  });

  test('Run with Input uses the given input and remembers it; a bad input is refused', async () => {
    const { store } = await getApi();
    const result = await vscode.commands.executeCommand<RunCommandResult>('orch.runWithInput', fixture('release.orch.json'), { input: { environment: 'staging', dryRun: true }, wait: true, interactive: false });
    assert.strictEqual(result.state, 'succeeded');
    const view = store.get(result.runId)!.view;
    assert.deepStrictEqual(view.input, { replicas: 2, environment: 'staging', dryRun: true }, 'defaults merged under the given input');
    assert.deepStrictEqual(view.activities.get('deploy')!.outputs, { result: 'staging-done' });
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('orch.runWithInput', fixture('release.orch.json'), { input: { environment: 'moon' }, interactive: false })),
      /environment/,
    );
  });

  test('Dispose runs the dispose counterparts in reverse order', async () => {
    const { store } = await getApi();
    const deployed = await runAndWait('infra.orch.json');
    assert.strictEqual(deployed.state, 'succeeded');
    const disposal = await vscode.commands.executeCommand<RunCommandResult>('orch.dispose', deployed.runId, { wait: true, interactive: false });
    assert.strictEqual(disposal.state, 'succeeded');
    const view = store.get(disposal.runId)!.view;
    assert.strictEqual(view.disposeOf, deployed.runId);
    const order = [...view.activities.values()].filter((a) => a.startedAt !== undefined).sort((a, b) => a.startedAt! - b.startedAt!).map((a) => a.planned.type);
    assert.deepStrictEqual(order, ['e2e.noop', 'e2e.echo'], 'the service goes before the network');
  });

  test('Delete Run removes its folder and its row', async () => {
    const { runsTree, store } = await getApi();
    const result = await runAndWait('pipeline.orch.json');
    assert.strictEqual(await vscode.commands.executeCommand('orch.deleteRun', result.runId), true);
    assert.ok(!existsSync(result.runDir));
    assert.strictEqual(store.get(result.runId), undefined);
    assert.ok(!(await runsTree.getChildren()).some((n) => n.kind === 'run' && n.runId === result.runId));
  });

  test('a run started outside the editor (the CLI) appears and follows its journal', async () => {
    const { store } = await getApi();
    // The engine in this process but not through the extension: what `orch run` does in a terminal.
    const { startRun } = await import('../../../runtime/engine/engine');
    const { createShellProvider } = await import('../../../runtime/providers/shell/shellProvider');
    const { createNoopProvider } = await import('../../../runtime/providers/noop/noopProvider');
    const handle = await startRun({
      definitionPath: fixture('pipeline.orch.json').fsPath,
      runsDir: join(workspaceRoot(), '.orch', 'runs'),
      cwd: workspaceRoot(),
      providers: { shell: createShellProvider(), noop: createNoopProvider() },
    });
    const finished = await handle.done;
    assert.strictEqual(finished.state, 'succeeded');
    const view = await waitForRun(handle.runId, (run) => run.state === 'succeeded', RUN_TIMEOUT, 'the journal read from disk');
    assert.strictEqual(store.get(handle.runId)!.live, false, 'followed from the folder, not from live events');
    assert.deepStrictEqual([...view.activities.values()].map((a) => a.state), ['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
  });

  test('New Orchestration writes a runnable definition from a template', async () => {
    const folder = vscode.Uri.file(workspaceRoot());
    const uri = await vscode.commands.executeCommand<vscode.Uri>('orch.newOrchestration', folder, 'pipeline', 'generated');
    assert.ok(uri && uri.path.endsWith('generated.orch.json'));
    assert.ok(existsSync(join(workspaceRoot(), 'generated.activity.json')));
    const result = await runAndWait('generated.orch.json');
    assert.strictEqual(result.state, 'succeeded');
  });
});
