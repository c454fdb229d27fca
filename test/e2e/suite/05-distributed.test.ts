/**
 * Distributed mode from the editor: with `orch.nats.url` set, a run's activities execute on an `orch agent`
 * (a real nats-server with JetStream, the agent from the CLI bundle the extension ships), and the Runs view,
 * the graph's hover and the journal name the agent of each attempt. An unreachable server refuses the run.
 */
import * as assert from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RunCommandResult } from '../../../client/commands/runCommands';
import { runSnapshotMessage } from '../../../client/graph/runMessages';
import { startNatsServer, type NatsServer } from '../../support/natsServer';
import { freePort, LOOPBACK } from '../../support/serverProcess';
import { OrchAgent } from '../harness/orchAgent';
import { EXTENSION_ID, fixture, getApi, workspaceRoot } from './helpers';

const AGENT = 'e2e-agent';
const DEFINITION = 'distributed.orch.json';
const ACTIVITIES = ['greet', 'settle'];
/** connectNats (runtime/distributed/connection.ts) gives an unreachable server 15 s before it gives up. */
const CONNECT_TIMEOUT_MS = 15_000;

function natsConfig(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('orch.nats', fixture(DEFINITION));
}

/** Workspace settings: they live in this test's copy of the fixture workspace, so the UI phase never sees them. */
async function setNatsUrl(url: string | undefined): Promise<void> {
  await natsConfig().update('url', url, vscode.ConfigurationTarget.Workspace);
  assert.strictEqual(natsConfig().get<string>('url', ''), url ?? '', 'the extension host reads the new orch.nats.url');
}

function runsFolder(): string {
  return join(workspaceRoot(), '.orch', 'runs');
}

function runFolders(): string[] {
  return existsSync(runsFolder()) ? readdirSync(runsFolder()).sort() : [];
}

interface JournalLine { type: string; activityId?: string; agent?: string; delivery?: number; attempt?: number }

function journal(runDir: string): JournalLine[] {
  return readFileSync(join(runDir, 'journal.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as JournalLine);
}

suite('distributed mode (orch.nats.url)', () => {
  let nats: NatsServer | undefined;
  let agent: OrchAgent | undefined;
  /** The port of the refused run, for the check that nothing keeps dialling it. */
  let refusedPort: number | undefined;
  let listener: Server | undefined;

  suiteSetup(async function () {
    this.timeout(90_000);
    await getApi();
    nats = await startNatsServer();
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is installed`);
    agent = await OrchAgent.start({
      // The CLI bundle of the extension under test (the VSIX's copy in the harness).
      cli: join(extension.extensionPath, 'dist', 'cli.js'),
      natsUrl: nats.url,
      name: AGENT,
      types: ['e2e.echo', 'e2e.noop'],
      defs: [workspaceRoot()],
      cwd: workspaceRoot(),
    });
  });

  suiteTeardown(async function () {
    this.timeout(60_000);
    listener?.close();
    await setNatsUrl(undefined);
    const status = await agent?.stop();
    if (agent && status !== 0) console.log(`orch agent exited with ${String(status)}:\n${agent.output()}`);
    await nats?.stop();
  });

  test('a run started from the editor executes on the agent, and the Runs view, graph and journal name it', async () => {
    const { store, runsTree } = await getApi();
    await setNatsUrl(nats!.url);
    const result = await vscode.commands.executeCommand<RunCommandResult>('orch.run', fixture(DEFINITION), { wait: true, interactive: false });
    assert.ok(result, 'orch.run returned a result');
    const view = store.get(result.runId)!.view;
    assert.strictEqual(result.state, 'succeeded', `run ${result.runId}: ${view.error ?? ''}\nagent output:\n${agent!.output()}`);

    // The run model: each activity ran once, on the agent, with the outputs embedded mode gives.
    for (const id of ACTIVITIES) {
      const activity = view.activities.get(id)!;
      assert.strictEqual(activity.state, 'succeeded', id);
      assert.deepStrictEqual(activity.attempts.map((a) => a.agent), [AGENT], `${id} ran once, on ${AGENT}`);
    }
    assert.deepStrictEqual(view.activities.get('greet')!.outputs, { result: 'remote-done' });
    assert.deepStrictEqual(view.activities.get('settle')!.outputs, { value: 'remote-done' }, 'settle read greet.result');

    // The Runs view: each attempt row says where it ran, in its description and its tooltip.
    for (const id of ACTIVITIES) {
      const attempts = await runsTree.getChildren(runsTree.activityNode(result.runId, id));
      assert.strictEqual(attempts.length, 1, `${id}: one attempt row`);
      const item = runsTree.getTreeItem(attempts[0]);
      assert.strictEqual(item.label, 'attempt 1');
      assert.match(String(item.description), new RegExp(`^succeeded · on ${AGENT}\\b`), `${id}: ${String(item.description)}`);
      const resolved = runsTree.resolveTreeItem(item, attempts[0]);
      const tooltip = resolved.tooltip instanceof vscode.MarkdownString ? resolved.tooltip.value : String(resolved.tooltip);
      // The tooltip is Markdown, with punctuation escaped.
      assert.match(tooltip, /Agent: e2e\\?-agent/, `${id} tooltip: ${tooltip}`);
    }

    // The graph's hover: each node's run info carries the agent.
    const snapshot = runSnapshotMessage(view);
    for (const id of ACTIVITIES) assert.strictEqual(snapshot.nodes[id]?.agent, AGENT, `graph node ${id}`);

    // The agent really ran them: its own NDJSON events, one started and one finished (complete) per activity.
    for (const id of ACTIVITIES) {
      const finished = await agent!.waitFor((l) => l.event === 'finished' && l.runId === result.runId && l.unitKey === id, 30_000, `the agent's finished line for ${id}`);
      assert.strictEqual(finished.outcome, 'complete', JSON.stringify(finished));
      const started = agent!.lines.filter((l) => l.event === 'started' && l.runId === result.runId && l.unitKey === id);
      assert.deepStrictEqual(started.map((l) => l.delivery), [1], `${id}: delivered once`);
    }

    // The journal on disk: every started attempt that an agent took is signed by the agent.
    const lines = journal(result.runDir);
    for (const id of ACTIVITIES) {
      const taken = lines.filter((l) => l.type === 'activity.started' && l.activityId === id && l.agent !== undefined);
      assert.deepStrictEqual(taken.map((l) => [l.agent, l.delivery, l.attempt]), [[AGENT, 1, 1]], `${id}: activity.started with the agent`);
    }
    assert.strictEqual(lines.filter((l) => l.type === 'activity.succeeded').length, ACTIVITIES.length);

    // The agent's output streamed back into the run's log.
    const log = await vscode.commands.executeCommand<vscode.Uri>('orch.openRunLog', runsTree.activityNode(result.runId, 'greet'));
    assert.match((await vscode.workspace.openTextDocument(log)).getText(), /hello from greet/);
  });

  test('an unreachable orch.nats.url refuses the run with a clear error, and no run is left', async function () {
    this.timeout(CONNECT_TIMEOUT_MS + 45_000);
    const { store, service } = await getApi();
    refusedPort = await freePort();
    const url = `nats://${LOOPBACK}:${refusedPort}`;
    await setNatsUrl(url);
    const foldersBefore = runFolders();
    const started = Date.now();
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('orch.run', fixture(DEFINITION), { wait: true, interactive: false })),
      (error: Error) => {
        assert.match(error.message, /orch\.nats\.url/, `names the setting: ${error.message}`);
        assert.ok(error.message.includes(`cannot reach NATS at ${url}`), `names the server: ${error.message}`);
        return true;
      },
    );
    console.log(`distributed: an unreachable NATS server was reported after ${Date.now() - started} ms`);
    assert.deepStrictEqual(store.running().map((r) => r.view.runId), [], 'no run is running');
    assert.deepStrictEqual(runFolders(), foldersBefore, 'no run folder was created');
    for (const record of store.all()) assert.strictEqual(service.handle(record.view.runId), undefined, `no live handle for ${record.view.runId}`);
  });

  test('a refused run leaves nothing dialling the unreachable server', async function () {
    if (refusedPort === undefined) this.skip();
    // nats.js retries its first connection every 250-500 ms (reconnectTimeWait + jitter) for as long as
    // the attempt lives: a server that appears on the port now is dialled within that time by a leaked
    // attempt. Two seconds is four such periods; no connection in that window means no attempt is left.
    const dialled: number[] = [];
    listener = createServer((socket) => { dialled.push(Date.now()); socket.destroy(); });
    await new Promise<void>((resolve, reject) => { listener!.once('error', reject); listener!.listen(refusedPort, LOOPBACK, () => resolve()); });
    const firstDial = new Promise<boolean>((resolve) => {
      listener!.once('connection', () => resolve(true));
      setTimeout(() => resolve(false), 2_000);
    });
    assert.strictEqual(await firstDial, false,
      `something in the extension host kept connecting to ${LOOPBACK}:${refusedPort} after the run was refused (a connect attempt of connectNats that outlived its timeout)`);
  });
});
