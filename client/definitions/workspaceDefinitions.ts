/**
 * The workspace's definition files as saved on disk (orchestrations, activity types, host inventories),
 * in one WorkspaceIndex keyed by file path: what a run started from the editor is checked and resolved
 * against (the same files the language server sees), and what the Definitions view lists. Read once,
 * then kept current by a file watcher; never re-reads a file that did not change.
 */
import * as vscode from 'vscode';
import { WorkspaceIndex } from '../../runtime/index/workspaceIndex';
import type { ParsedDocument } from '../../runtime/analysis/document';

export const DEFINITION_GLOB = '**/{*.orch.json,*.activity.json,orch.hosts.json}';
export const EXCLUDE_GLOB = '{**/node_modules/**,**/.orch/**,**/.git/**}';
const EXCLUDED_PATH = /[\\/](node_modules|\.orch|\.git)[\\/]/;

export class WorkspaceDefinitions implements vscode.Disposable {
  readonly index = new WorkspaceIndex();
  private readonly changed = new vscode.EventEmitter<string[]>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private scanned: Promise<void> | undefined;

  /** File paths whose parsed content changed (or that appeared or went away). */
  readonly onDidChange = this.changed.event;

  constructor() {
    const watcher = vscode.workspace.createFileSystemWatcher(DEFINITION_GLOB);
    this.disposables.push(
      watcher,
      watcher.onDidCreate((uri) => void this.read(uri)),
      watcher.onDidChange((uri) => void this.read(uri)),
      watcher.onDidDelete((uri) => this.remove(uri.fsPath)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        for (const doc of [...this.index.documents()]) this.index.delete(doc.uri);
        this.scanned = undefined;
        void this.ready().then(() => this.changed.fire([]));
      }),
    );
  }

  /** Resolves once every definition file of the workspace was read. */
  ready(): Promise<void> {
    return (this.scanned ??= (async () => {
      const uris = await vscode.workspace.findFiles(DEFINITION_GLOB, EXCLUDE_GLOB);
      await Promise.all(uris.map((uri) => this.read(uri, false)));
    })());
  }

  documents(): ParsedDocument[] {
    return [...this.index.documents()];
  }

  get(path: string): ParsedDocument | undefined {
    return this.index.get(path);
  }

  /** Re-reads one file now (before a run, so a save that the watcher has not reported yet counts). */
  async refresh(uri: vscode.Uri): Promise<void> {
    await this.ready();
    await this.read(uri);
  }

  /**
   * Re-reads the definition files of the folder holding `uri` and the file itself: a run must see an
   * activity file created a moment ago (by "New Orchestration", a save, git), before the watcher says so.
   */
  async refreshAround(uri: vscode.Uri): Promise<void> {
    await this.ready();
    const folder = vscode.Uri.joinPath(uri, '..');
    let entries: [string, vscode.FileType][] = [];
    try { entries = await vscode.workspace.fs.readDirectory(folder); } catch { /* the file's own read reports it */ }
    const siblings = entries
      .filter(([name, type]) => type === vscode.FileType.File && (name.endsWith('.orch.json') || name.endsWith('.activity.json') || name === 'orch.hosts.json'))
      .map(([name]) => vscode.Uri.joinPath(folder, name));
    await Promise.all([uri, ...siblings.filter((s) => s.toString() !== uri.toString())].map((u) => this.read(u)));
  }

  private async read(uri: vscode.Uri, notify = true): Promise<void> {
    if (uri.scheme !== 'file' || EXCLUDED_PATH.test(uri.fsPath)) return;
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      this.remove(uri.fsPath);
      return;
    }
    const before = this.index.get(uri.fsPath);
    const after = this.index.set(uri.fsPath, text);
    if (notify && before !== after) this.changed.fire([uri.fsPath]);
  }

  private remove(path: string): void {
    if (!this.index.get(path)) return;
    this.index.delete(path);
    this.changed.fire([path]);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
