/**
 * The extension's entry point. Activation only wires things together: the language server starts in
 * the background, run history and workspace definitions are read when a view or command first needs
 * them, and the time activation took is written to the output channel. What activate() returns is the
 * extension's API (used by the in-host tests and by other extensions).
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { GraphChangedNotification, GraphRequest } from '../server/protocol';
import { deleteSecretCommand, setSecretCommand } from './commands/secretCommands';
import { openRunLogCommand } from './commands/logCommands';
import { newOrchestrationCommand } from './commands/newOrchestration';
import { registerCommand } from './commands/register';
import { revealActivitiesCommand, revealActivityCommand } from './commands/revealCommands';
import {
  cancelCommand, completeActivityCommand, deleteRunCommand, disposeCommand, rerunFailedCommand, resumeCommand, runCommand,
  runWithInputCommand, type RunCommandDeps,
} from './commands/runCommands';
import { orchestrationTarget, asRunsNode } from './commands/targets';
import { validateWorkspaceCommand } from './commands/validateWorkspace';
import { DefinitionsTreeProvider } from './definitions/definitionsTree';
import { WorkspaceDefinitions } from './definitions/workspaceDefinitions';
import { GraphPanel, type GraphSource } from './graph/panel';
import { VIEW_COMMANDS, type WebviewAction } from './graph/protocol';
import { LastInputs } from './input/lastInputs';
import { startLanguageClient } from './language/client';
import { RunLogProvider, LOG_SCHEME } from './runs/runLogs';
import { registerRunProgress } from './runs/runProgress';
import { RunService } from './runs/runService';
import { RunStore } from './runs/runStore';
import { RunsTreeProvider } from './runs/runsTree';
import { OrchSecrets } from './secrets/secretStorage';
import { RunStatusBar } from './status/runStatusBar';

export const OUTPUT_CHANNEL = 'Orchestration Studio';

export interface OrchestrationStudioApi {
  /** Milliseconds activate() took. */
  readonly activationMs: number;
  readonly store: RunStore;
  readonly service: RunService;
  readonly runsTree: RunsTreeProvider;
  readonly runsView: vscode.TreeView<import('./runs/runsTree').RunsNode>;
  readonly definitions: WorkspaceDefinitions;
  readonly definitionsTree: DefinitionsTreeProvider;
  readonly graph: GraphPanel;
  readonly secrets: OrchSecrets;
  /** The running language client (undefined when it could not start). */
  readonly languageClient: Promise<LanguageClient | undefined>;
}

export function activate(context: vscode.ExtensionContext): OrchestrationStudioApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel(OUTPUT_CHANNEL, { log: true });
  context.subscriptions.push(log);

  const languageClient: Promise<LanguageClient | undefined> = startLanguageClient(context).catch((error: unknown) => {
    log.error(`the language server did not start: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    void vscode.window.showErrorMessage(`Orchestration Studio: the language server did not start (${error instanceof Error ? error.message : String(error)}). Validation and completion are unavailable.`, 'Show Log')
      .then((choice) => { if (choice) log.show(true); });
    return undefined;
  });

  const definitions = new WorkspaceDefinitions();
  const store = new RunStore(log);
  const secrets = new OrchSecrets(context.secrets, context.globalState);
  const service = new RunService(store, secrets, definitions, log);
  const lastInputs = new LastInputs(context.workspaceState);
  const runsTree = new RunsTreeProvider(store);
  const definitionsTree = new DefinitionsTreeProvider(definitions);
  const runsView = vscode.window.createTreeView('orch.runs', { treeDataProvider: runsTree, showCollapseAll: true });
  const definitionsView = vscode.window.createTreeView('orch.definitions', { treeDataProvider: definitionsTree, showCollapseAll: true });
  const logs = new RunLogProvider(store);
  context.subscriptions.push(
    definitions, store, service, runsTree, definitionsTree, runsView, definitionsView, logs,
    new RunStatusBar(store),
    registerRunProgress(service, store),
    vscode.workspace.registerTextDocumentContentProvider(LOG_SCHEME, logs),
  );

  const graphChanged = new vscode.EventEmitter<string>();
  context.subscriptions.push(graphChanged);
  void languageClient.then((client) => {
    if (client) context.subscriptions.push(client.onNotification(GraphChangedNotification, (params) => graphChanged.fire(params.uri)));
  });
  const source: GraphSource = {
    graph: async (uri) => {
      const client = await languageClient;
      return client ? client.sendRequest(GraphRequest, { uri }) : undefined;
    },
    onDidChangeGraph: (listener) => graphChanged.event(listener),
  };
  const deps: RunCommandDeps = { service, store, definitions, lastInputs };
  const actions: Record<WebviewAction, (definition: vscode.Uri, runId?: string) => Thenable<unknown>> = {
    run: (definition) => vscode.commands.executeCommand('orch.run', definition),
    rerunFailed: (_definition, runId) => vscode.commands.executeCommand('orch.rerunFailed', runId ? runsTree.runNode(runId) : undefined),
    resume: (_definition, runId) => vscode.commands.executeCommand('orch.resume', runId ? runsTree.runNode(runId) : undefined),
    cancel: (_definition, runId) => vscode.commands.executeCommand('orch.cancel', runId ? runsTree.runNode(runId) : undefined),
  };
  const graph = new GraphPanel({ context, store, source, log, runAction: async (action, definition, runId) => actions[action](definition, runId) });
  context.subscriptions.push(graph);

  const command = (id: string, handler: (...args: unknown[]) => unknown) => context.subscriptions.push(registerCommand(log, id, handler));
  command('orch.run', (...args) => runCommand(deps, ...args));
  command('orch.runWithInput', (...args) => runWithInputCommand(deps, ...args));
  command('orch.resume', (...args) => resumeCommand(deps, ...args));
  command('orch.rerunFailed', (...args) => rerunFailedCommand(deps, ...args));
  command('orch.cancel', (...args) => cancelCommand(deps, ...args));
  command('orch.completeActivity', (...args) => completeActivityCommand(deps, ...args));
  command('orch.dispose', (...args) => disposeCommand(deps, ...args));
  command('orch.deleteRun', (...args) => deleteRunCommand(deps, ...args));
  command('orch.openRunLog', (...args) => openRunLogCommand(store, ...args));
  command('orch.revealActivity', (...args) => revealActivityCommand(store, ...args));
  command('orch.revealActivities', (...args) => revealActivitiesCommand(...args));
  command('orch.newOrchestration', (...args) => newOrchestrationCommand(...args));
  command('orch.validateWorkspace', (...args) => validateWorkspaceCommand(definitions, log, args[0] === true || (typeof args[0] === 'object' && args[0] !== null && (args[0] as { quiet?: boolean }).quiet === true)));
  command('orch.setSecret', (...args) => setSecretCommand(secrets, ...args));
  command('orch.deleteSecret', (...args) => deleteSecretCommand(secrets, ...args));
  command('orch.refreshRuns', async () => { await store.rescan(); runsTree.refreshAll(); });
  command('orch.showGraph', async (...args) => {
    const node = asRunsNode(args[0]);
    if (node && node.kind !== 'folder') {
      const record = store.get(node.runId);
      if (!record) return undefined;
      await graph.show(vscode.Uri.file(record.view.definition.path), { runId: record.view.disposeOf ? undefined : node.runId });
      return graph.shownUri;
    }
    const uri = await orchestrationTarget(args[0], definitions, 'show as a graph');
    if (!uri) return undefined;
    await graph.show(uri);
    return uri;
  });
  for (const viewCommand of VIEW_COMMANDS) command(`orch.graph.${viewCommand}`, () => graph.command(viewCommand));

  // The history is read right after activation, off its path: the status bar then counts CLI runs too.
  const load = setTimeout(() => void store.ensureLoaded(), 0);
  context.subscriptions.push({ dispose: () => clearTimeout(load) });

  const activationMs = Math.round((performance.now() - started) * 10) / 10;
  log.info(`activated in ${activationMs} ms (VS Code ${vscode.version}, ${vscode.env.appHost}, workspace ${vscode.workspace.isTrusted ? 'trusted' : 'restricted'})`);
  return { activationMs, store, service, runsTree, runsView, definitions, definitionsTree, graph, secrets, languageClient };
}

export function deactivate(): void {
  // Everything is in context.subscriptions; runs of this window are cancelled by RunService.dispose.
}
