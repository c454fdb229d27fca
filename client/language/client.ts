/**
 * Starts the language server (dist/server.js, over IPC) with vscode-languageclient, restarts it when it
 * crashes (at most a few times in a row, with a message), and shows its state in the status bar.
 *
 * Completion and hover beside VS Code's JSON extension: that extension has our schemas through
 * `contributes.jsonValidation` and answers completion and hover for the same documents; VS Code merges
 * the answers of both and has no way for one extension to suppress another's items. So the client tells
 * the server (initializationOptions.jsonSchemaSupport) when the JSON extension is there, and the server
 * leaves out exactly what that extension offers from the same schema (property names, enum values, the
 * schemas' snippets, property docs on hover) while keeping everything only it knows (ids, types, sources,
 * targets, pools, hosts, domain hovers). Without the JSON extension the server gives the whole answer.
 */
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  RevealOutputChannelOn,
  State,
  TransportKind,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { SERVER_NODE_FLAGS, StatusNotification, StatusRequest, type InitializationOptions } from '../../server/protocol';
import { RestartPolicy } from './restartPolicy';
import { documentSelector } from './selector';
import { LanguageServerStatus, MENU_COMMAND } from './status';

export const CLIENT_ID = 'orch';
export const CLIENT_NAME = 'Orchestration Language Server';
export const RESTART_COMMAND = 'orch.languageServer.restart';
export const OUTPUT_COMMAND = 'orch.languageServer.showOutput';
const JSON_EXTENSION = 'vscode.json-language-features';
const PATTERNS_SETTING = 'languageServer.additionalFilePatterns';

/** Crashes within a few minutes before the client gives up (each restart loses a little state). */
const MAX_RESTARTS = 3;

export async function startLanguageClient(context: vscode.ExtensionContext): Promise<LanguageClient> {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS] } },
    // F5 debugging of the extension: the server waits for nothing but listens for an inspector.
    debug: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS, '--nolazy', '--inspect=6019'] } },
  };
  const output = vscode.window.createOutputChannel(CLIENT_NAME, { log: true });
  const status = new LanguageServerStatus();
  const policy = new RestartPolicy(MAX_RESTARTS);
  context.subscriptions.push(output, status);

  const errorHandler: ErrorHandler = {
    error(_error, _message, count): ErrorHandlerResult {
      // A few broken messages are survivable; a stream of them means the connection is gone.
      return { action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true };
    },
    closed(): CloseHandlerResult {
      const decision = policy.onCrash();
      if (decision.restart) {
        status.setClientState('restarting', `crash ${decision.attempt} of ${decision.maxRestarts} allowed`);
        output.warn(`The language server stopped unexpectedly; restarting it (${decision.attempt}/${decision.maxRestarts}).`);
        void vscode.window.showWarningMessage('The Orchestration language server stopped unexpectedly and was restarted.', 'Show Output')
          .then((choice) => { if (choice) output.show(true); });
        return { action: CloseAction.Restart, handled: true };
      }
      status.setClientState('stopped', `crashed ${decision.attempt} times in 3 minutes`);
      void vscode.window.showErrorMessage(
        `The Orchestration language server crashed ${decision.attempt} times in 3 minutes and was not restarted: validation, completion and navigation are off.`,
        'Restart', 'Show Output',
      ).then((choice) => {
        if (choice === 'Restart') void vscode.commands.executeCommand(RESTART_COMMAND);
        else if (choice === 'Show Output') output.show(true);
      });
      return { action: CloseAction.DoNotRestart, handled: true };
    },
  };

  // One array for the client's whole life: it reads it again on every (re)start.
  const selector = documentSelector(vscode.workspace.getConfiguration('orch').get<unknown[]>(PATTERNS_SETTING, []));
  const clientOptions: LanguageClientOptions = {
    documentSelector: selector,
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    errorHandler,
    initializationOptions: (): InitializationOptions => ({ jsonSchemaSupport: !!vscode.extensions.getExtension(JSON_EXTENSION) }),
  };

  const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  context.subscriptions.push(
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) {
        status.setClientState('running');
        void client.sendRequest(StatusRequest).then((s) => status.setServerStatus(s), () => undefined);
      } else if (e.newState === State.Starting) {
        status.setClientState('starting');
      } else if (status.state !== 'restarting') {
        // Stopped, and nobody said it comes back (a restart sets `restarting` before it stops the client).
        status.setClientState('stopped');
      }
    }),
    client.onNotification(StatusNotification, (s) => status.setServerStatus(s)),
    vscode.commands.registerCommand(RESTART_COMMAND, async () => {
      policy.reset();
      status.setClientState('restarting', 'on request');
      if (client.state === State.Stopped) await client.start();
      else await client.restart();
    }),
    vscode.commands.registerCommand(OUTPUT_COMMAND, () => output.show(true)),
    vscode.commands.registerCommand(MENU_COMMAND, async () => {
      const picks: (vscode.QuickPickItem & { run: () => unknown })[] = [
        { label: '$(warning) Show Problems', run: () => vscode.commands.executeCommand('workbench.actions.view.problems') },
        { label: '$(output) Show Language Server Output', run: () => output.show(true) },
        { label: '$(debug-restart) Restart Language Server', run: () => vscode.commands.executeCommand(RESTART_COMMAND) },
      ];
      const pick = await vscode.window.showQuickPick(picks, { placeHolder: 'Orchestration language server' });
      await pick?.run();
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      // The document selector is fixed when the client starts: a new pattern needs a new client.
      if (!e.affectsConfiguration(`orch.${PATTERNS_SETTING}`)) return;
      selector.splice(0, selector.length, ...documentSelector(vscode.workspace.getConfiguration('orch').get<unknown[]>(PATTERNS_SETTING, [])));
      status.setClientState('restarting', 'new file patterns');
      await client.restart();
    }),
    { dispose: () => void client.stop().catch(() => undefined) },
  );
  await client.start();
  return client;
}
