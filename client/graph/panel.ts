/**
 * The graph panel: one webview beside the editor showing the active orchestration's graph (from the
 * language server's orch/graph), following the editor as the user types and switches files, with the
 * latest run of that definition drawn on it live. Messages both ways are typed and checked
 * (./protocol.ts); the page has a strict CSP and may load only the extension's media folders.
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import type { GraphResult } from '../../server/protocol';
import type { RunRecord, RunStore, StoreChange } from '../runs/runStore';
import { graphAssets, graphHtml, newNonce } from './html';
import { activityAt, nodeDetails } from './nodeDetails';
import { GRAPH_PROTOCOL_VERSION, parseWebviewMessage, type HostMessage, type RenderedMessage, type ViewCommand, type WebviewAction, type WebviewMessage } from './protocol';
import { runSnapshotMessage, runUpdateMessage } from './runMessages';

export const GRAPH_VIEW_TYPE = 'orch.graph';

/** Where graphs come from: the language server (undefined while it is not running). */
export interface GraphSource {
  graph(uri: string): Promise<GraphResult | undefined>;
  /** The server says a definition's graph may have changed. */
  onDidChangeGraph(listener: (uri: string) => void): vscode.Disposable;
}

export interface GraphPanelDeps {
  context: vscode.ExtensionContext;
  store: RunStore;
  source: GraphSource;
  log: vscode.LogOutputChannel;
  /** Runs a webview toolbar action on the shown definition (or the given run). */
  runAction(action: WebviewAction, definition: vscode.Uri, runId?: string): Promise<unknown>;
}

function isOrchestration(document: vscode.TextDocument | undefined): document is vscode.TextDocument {
  return !!document && document.uri.path.endsWith('.orch.json');
}

function hasSyntaxErrors(graph: GraphResult): boolean {
  return !graph.ok || graph.problems.some((p) => p.code === 'ORCH001') || graph.nodes.some((n) => n.problems.some((p) => p.code === 'ORCH001'));
}

export class GraphPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private uri: vscode.Uri | undefined;
  /** The run drawn on the graph (the latest of the shown definition, unless one was picked). */
  private runId: string | undefined;
  private pinnedRun = false;
  private ready = false;
  private lastGood: GraphResult | undefined;
  private lastHighlight: string | null = null;
  private requestSeq = 0;
  private updateTimer: NodeJS.Timeout | undefined;
  private readonly pendingActivities = new Set<string>();
  private pendingRunChange = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly rendered = new vscode.EventEmitter<RenderedMessage>();
  /** Each time the webview reports a graph on screen (timings), for the output channel and tests. */
  readonly onDidRender = this.rendered.event;
  lastRendered: RenderedMessage | undefined;

  constructor(private readonly deps: GraphPanelDeps) {
    this.disposables.push(
      this.rendered,
      deps.source.onDidChangeGraph((uri) => { if (this.uri?.toString() === uri) void this.refreshGraph(); }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (!this.panel || !isOrchestration(editor?.document) || editor.document.uri.toString() === this.uri?.toString()) return;
        this.pinnedRun = false;
        void this.show(editor.document.uri, { reveal: false });
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => this.onSelection(e)),
      deps.store.onDidChange((change) => this.onRunChange(change)),
    );
  }

  get visible(): boolean {
    return !!this.panel;
  }

  get shownUri(): vscode.Uri | undefined {
    return this.uri;
  }

  /** Opens (or moves) the panel to `uri`; `runId` pins a run to draw instead of the latest. */
  async show(uri: vscode.Uri, options: { runId?: string; reveal?: boolean } = {}): Promise<void> {
    const switching = this.uri?.toString() !== uri.toString();
    this.uri = uri;
    if (options.runId) { this.runId = options.runId; this.pinnedRun = true; }
    else if (switching || !this.pinnedRun) { this.runId = this.latestRun(uri)?.view.runId; this.pinnedRun = false; }
    if (switching) { this.lastGood = undefined; this.lastHighlight = null; }
    if (!this.panel) this.createPanel();
    else if (options.reveal !== false) this.panel.reveal(this.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
    this.panel!.title = `Graph: ${uri.path.split('/').pop()}`;
    if (this.ready) {
      await this.refreshGraph();
      this.post(runSnapshotMessage(this.runId ? this.deps.store.get(this.runId)?.view : undefined));
    }
  }

  /** Asks the page to fit, zoom, export...; used by the editor title buttons of the panel. */
  command(command: ViewCommand): void {
    this.post({ type: 'command', command });
  }

  private createPanel(): void {
    const { context } = this.deps;
    const panel = vscode.window.createWebviewPanel(GRAPH_VIEW_TYPE, 'Graph', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      retainContextWhenHidden: true, // a 1,000-node layout is worth keeping while the tab is in the background
      localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'media'), vscode.Uri.joinPath(context.extensionUri, 'dist', 'media')],
      enableFindWidget: false,
    });
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'images', 'icon.png');
    this.panel = panel;
    this.ready = false;
    const assets = graphAssets(context.extensionPath, panel.webview, context.extensionUri);
    panel.webview.html = graphHtml(panel.webview, assets, newNonce(), 'Orchestration graph');
    const subscriptions = [
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        const message = parseWebviewMessage(raw);
        if (!message) {
          this.deps.log.warn(`graph: ignored an invalid message from the webview: ${safePreview(raw)}`);
          return;
        }
        void this.onMessage(message).catch((error: unknown) => this.deps.log.error(`graph: ${error instanceof Error ? error.message : String(error)}`));
      }),
    ];
    panel.onDidDispose(() => {
      for (const s of subscriptions) s.dispose();
      this.panel = undefined;
      this.ready = false;
      this.uri = undefined;
      this.lastGood = undefined;
    });
    if (!assets.script) this.deps.log.warn(`graph: ${join(context.extensionPath, 'dist', 'media', 'graph.js')} is missing; the panel cannot draw`);
  }

  private async onMessage(message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        if (message.protocol !== GRAPH_PROTOCOL_VERSION) this.deps.log.warn(`graph: the webview speaks protocol ${message.protocol}, the extension ${GRAPH_PROTOCOL_VERSION}`);
        this.ready = true;
        await this.refreshGraph();
        this.post(runSnapshotMessage(this.runId ? this.deps.store.get(this.runId)?.view : undefined));
        if (this.lastHighlight) this.post({ type: 'highlight', activityId: this.lastHighlight });
        return;
      case 'reveal':
        if (this.uri) await vscode.commands.executeCommand('orch.revealActivity', this.uri, message.activityId);
        return;
      case 'export':
        await this.export(message.format, message.data);
        return;
      case 'rendered':
        this.lastRendered = message;
        this.deps.log.info(`graph: ${message.nodes} nodes, ${message.edges} edges on screen in ${Math.round(message.totalMs)} ms (layout ${Math.round(message.layoutMs)} ms${message.fallback ? ', deadline hit: simple placement' : ''})`);
        this.rendered.fire(message);
        return;
      case 'action':
        if (this.uri) await this.deps.runAction(message.action, this.uri, message.runId ?? this.runId);
        return;
      case 'log':
        this.deps.log[message.level === 'warn' ? 'warn' : message.level](`graph webview: ${message.message}`);
        return;
    }
  }

  private async export(format: 'svg' | 'png', data: string): Promise<void> {
    const base = this.uri ? this.uri.path.split('/').pop()!.replace(/\.orch\.json$/, '') : 'graph';
    const folder = this.uri ? vscode.Uri.joinPath(this.uri, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      title: `Export the graph as ${format.toUpperCase()}`,
      defaultUri: folder ? vscode.Uri.joinPath(folder, `${base}.graph.${format}`) : undefined,
      filters: format === 'svg' ? { SVG: ['svg'] } : { PNG: ['png'] },
    });
    if (!target) return;
    const bytes = format === 'svg' ? new TextEncoder().encode(data) : Buffer.from(data, 'base64');
    await vscode.workspace.fs.writeFile(target, bytes);
    void vscode.window.showInformationMessage(`Graph exported to ${vscode.workspace.asRelativePath(target)}.`);
  }

  /** Fetches the graph for the shown document and posts it; a broken text keeps the last good graph. */
  private async refreshGraph(): Promise<void> {
    const uri = this.uri;
    if (!uri || !this.panel || !this.ready) return;
    const seq = ++this.requestSeq;
    const graph = await this.deps.source.graph(uri.toString());
    if (seq !== this.requestSeq || this.uri?.toString() !== uri.toString()) return; // a newer request or another file
    if (!graph) {
      this.deps.log.warn('graph: the language server is not running; the graph cannot be computed');
      return;
    }
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const text = document?.getText() ?? new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const broken = hasSyntaxErrors(graph);
    let shown = graph;
    if (broken && this.lastGood) {
      // Keep the last good structure on screen, with the problems of the broken text where they apply.
      const problemsById = new Map(graph.nodes.map((n) => [n.id, n.problems]));
      shown = {
        ...this.lastGood,
        version: graph.version,
        problems: graph.problems,
        counts: graph.counts,
        nodes: this.lastGood.nodes.map((n) => ({ ...n, problems: problemsById.get(n.id) ?? n.problems })),
      };
    } else if (!broken) {
      this.lastGood = graph;
    }
    this.post({ type: 'graph', uri: uri.toString(), fileName: uri.path.split('/').pop() ?? '', graph: shown, details: nodeDetails(uri.toString(), text), stale: broken && !!this.lastGood && shown !== graph });
  }

  private onSelection(e: vscode.TextEditorSelectionChangeEvent): void {
    if (!this.panel || !this.ready || e.textEditor.document.uri.toString() !== this.uri?.toString()) return;
    const document = e.textEditor.document;
    const id = activityAt(document.getText(), document.uri.toString(), document.offsetAt(e.selections[0].active)) ?? null;
    if (id === this.lastHighlight) return;
    this.lastHighlight = id;
    this.post({ type: 'highlight', activityId: id });
  }

  private latestRun(uri: vscode.Uri): RunRecord | undefined {
    return this.deps.store.all()
      .filter((r) => r.view.definition.path === uri.fsPath && !r.view.disposeOf)
      .sort((a, b) => b.view.startedAt - a.view.startedAt)[0];
  }

  private onRunChange(change: StoreChange): void {
    if (!this.panel || !this.uri) return;
    if (change.kind === 'removed') {
      if (change.runId === this.runId) { this.runId = this.latestRun(this.uri)?.view.runId; this.postSnapshot(); }
      return;
    }
    const run = change.record.view;
    if (run.definition.path !== this.uri.fsPath || run.disposeOf) return;
    if (run.runId !== this.runId) {
      // A newer run of the shown definition replaces the drawn one, unless the user picked a run.
      const current = this.runId ? this.deps.store.get(this.runId)?.view : undefined;
      if (!this.pinnedRun && (!current || run.startedAt >= current.startedAt)) { this.runId = run.runId; this.postSnapshot(); }
      return;
    }
    if (change.kind === 'added') { this.postSnapshot(); return; }
    change.change.activities.forEach((id) => this.pendingActivities.add(id));
    this.pendingRunChange ||= change.change.run;
    // Node updates are merged per animation frame's worth of time: a 1,000-activity run stays cheap.
    this.updateTimer ??= setTimeout(() => this.flushRunUpdate(), 50);
  }

  private postSnapshot(): void {
    if (this.updateTimer) { clearTimeout(this.updateTimer); this.updateTimer = undefined; }
    this.pendingActivities.clear();
    this.pendingRunChange = false;
    this.post(runSnapshotMessage(this.runId ? this.deps.store.get(this.runId)?.view : undefined));
  }

  private flushRunUpdate(): void {
    this.updateTimer = undefined;
    const run = this.runId ? this.deps.store.get(this.runId)?.view : undefined;
    if (!run) return;
    const message = runUpdateMessage(run, this.pendingActivities, this.pendingRunChange);
    this.pendingActivities.clear();
    this.pendingRunChange = false;
    this.post(message);
  }

  private post(message: HostMessage): void {
    if (!this.panel || !this.ready) return;
    void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    if (this.updateTimer) clearTimeout(this.updateTimer);
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function safePreview(raw: unknown): string {
  try {
    const text = JSON.stringify(raw) ?? String(raw);
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return String(raw);
  }
}
