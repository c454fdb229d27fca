/**
 * The language server's state in the status bar: starting, indexing, ready (with the workspace's
 * orchestration problems), restarting after a crash, or stopped. Clicking it offers the Problems panel,
 * the server's output and a restart.
 */
import * as vscode from 'vscode';
import type { ServerStatus } from '../../server/protocol';

export type ClientState = 'starting' | 'running' | 'restarting' | 'stopped';

export const MENU_COMMAND = 'orch.languageServer.menu';

export class LanguageServerStatus implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private clientState: ClientState = 'starting';
  private server: ServerStatus | undefined;
  private detail: string | undefined;

  constructor() {
    this.item = vscode.window.createStatusBarItem('orch.languageServer', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'Orchestration Language Server';
    this.item.command = MENU_COMMAND;
    this.render();
    this.item.show();
  }

  get state(): ClientState {
    return this.clientState;
  }

  setClientState(state: ClientState, detail?: string): void {
    this.clientState = state;
    this.detail = detail;
    if (state !== 'running') this.server = undefined;
    this.render();
  }

  setServerStatus(status: ServerStatus): void {
    this.server = status;
    this.render();
  }

  private render(): void {
    const item = this.item;
    item.backgroundColor = undefined;
    const server = this.server;
    if (this.clientState === 'stopped') {
      item.text = '$(error) Orch';
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    } else if (this.clientState === 'restarting') {
      item.text = '$(sync~spin) Orch: restarting';
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    } else if (this.clientState === 'starting' || !server || server.state === 'starting') {
      item.text = '$(loading~spin) Orch';
    } else if (server.state === 'indexing') {
      item.text = '$(loading~spin) Orch: indexing';
    } else if (server.errors || server.warnings) {
      item.text = `$(check) Orch $(error) ${server.errors} $(warning) ${server.warnings}`;
    } else {
      item.text = '$(check) Orch';
    }
    item.tooltip = this.tooltip();
  }

  private tooltip(): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: [MENU_COMMAND, 'workbench.actions.view.problems'] };
    md.appendMarkdown('**Orchestration language server**\n\n');
    const server = this.server;
    const state = this.clientState === 'running' && server ? server.state : this.clientState;
    md.appendMarkdown(`State: ${state}${this.detail ? ` (${escape(this.detail)})` : ''}\n\n`);
    if (server && this.clientState === 'running') {
      md.appendMarkdown(`${server.files} definition file${server.files === 1 ? '' : 's'} · ${server.errors} error${server.errors === 1 ? '' : 's'} · ${server.warnings} warning${server.warnings === 1 ? '' : 's'}\n\n`);
      if (server.lastAnalysis) md.appendMarkdown(`Last check: ${server.lastAnalysis.ms} ms (${escape(server.lastAnalysis.uri.split('/').pop() ?? '')})\n\n`);
    }
    md.appendMarkdown(`[Problems](command:workbench.actions.view.problems) · [More...](command:${MENU_COMMAND})`);
    return md;
  }

  dispose(): void {
    this.item.dispose();
  }
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
