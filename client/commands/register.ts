/**
 * Registers every `orch.*` command with one error policy: from the UI, a failure becomes one clear
 * message with the action that fixes it (Show Problems, Set Secret, Manage Workspace Trust); from the
 * command API (an options object as last argument, or a run id), the error is thrown to the caller.
 */
import * as vscode from 'vscode';
import { refusalMessage } from '../runs/runService';

export type CommandHandler = (...args: unknown[]) => unknown;

function calledFromApi(args: unknown[]): boolean {
  const last = args[args.length - 1];
  // A run id (no scheme, no path separator), as scripts and tests pass it; URIs come from lenses and menus.
  if (typeof args[0] === 'string' && args[0].length > 0 && !/[:/\\]/.test(args[0])) return true;
  return !!last && typeof last === 'object' && !(last instanceof vscode.Uri) && !('kind' in last) && !('id' in last);
}

export function registerCommand(log: vscode.LogOutputChannel, id: string, handler: CommandHandler): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await handler(...args);
    } catch (error) {
      if (error instanceof vscode.CancellationError) return undefined;
      const { message, reason } = refusalMessage(error);
      log.error(`${id}: ${error instanceof Error && !reason ? error.stack ?? message : message}`);
      if (calledFromApi(args)) throw error;
      const actions: Record<string, string> = { invalid: 'Show Problems', secrets: 'Set Secret...', restricted: 'Manage Workspace Trust', input: 'Run with Input...' };
      const action = reason ? actions[reason] : undefined;
      const choice = await vscode.window.showErrorMessage(message, ...(action ? [action] : []), 'Show Log');
      if (choice === 'Show Problems') await vscode.commands.executeCommand('workbench.actions.view.problems');
      else if (choice === 'Set Secret...') await vscode.commands.executeCommand('orch.setSecret');
      else if (choice === 'Manage Workspace Trust') await vscode.commands.executeCommand('workbench.trust.manage');
      else if (choice === 'Run with Input...') await vscode.commands.executeCommand('orch.runWithInput', args[0]);
      else if (choice === 'Show Log') log.show(true);
      return undefined;
    }
  });
}
