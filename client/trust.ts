/**
 * Workspace trust: in a restricted workspace every language feature works, but nothing runs (a run
 * executes commands from the workspace's definitions). Commands that run call requireTrust() first.
 */
import * as vscode from 'vscode';

export const RESTRICTED_EXPLANATION =
  'Running orchestrations is disabled in Restricted Mode: a run executes the commands, scripts and requests '
  + 'that the workspace\'s definitions name. Editing, validation and the graph still work. Trust the workspace to run.';

export class RestrictedModeError extends Error {
  constructor() { super(RESTRICTED_EXPLANATION); this.name = 'RestrictedModeError'; }
}

/** Throws RestrictedModeError in an untrusted workspace (the command wrapper explains it, with a way to trust). */
export function requireTrust(): void {
  if (!vscode.workspace.isTrusted) throw new RestrictedModeError();
}
