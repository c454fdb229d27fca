/**
 * The Definitions view: the workspace's orchestrations and activity types, each with its problem count
 * from the Problems the language server publishes. The files come from WorkspaceDefinitions (as saved);
 * a diagnostics change refreshes only the rows of the files it names.
 */
import * as vscode from 'vscode';
import type { ParsedDocument } from '../../runtime/analysis/document';
import type { WorkspaceDefinitions } from './workspaceDefinitions';

export type DefinitionsNode =
  | { kind: 'group'; id: string; group: 'orchestrations' | 'types' }
  | { kind: 'orchestration'; id: string; uri: vscode.Uri }
  | { kind: 'type'; id: string; uri: vscode.Uri; type: string; offset: number; length: number; provider?: string; description?: string };

export class DefinitionsTreeProvider implements vscode.TreeDataProvider<DefinitionsNode>, vscode.Disposable {
  private readonly nodes = new Map<string, DefinitionsNode>();
  private readonly emitter = new vscode.EventEmitter<DefinitionsNode | DefinitionsNode[] | undefined>();
  private readonly disposables: vscode.Disposable[] = [this.emitter];
  private refreshTimer: NodeJS.Timeout | undefined;
  private structureChanged = false;
  private readonly changedFiles = new Set<string>();

  readonly onDidChangeTreeData = this.emitter.event;

  constructor(private readonly definitions: WorkspaceDefinitions) {
    this.disposables.push(
      definitions.onDidChange(() => this.markStructure()),
      vscode.languages.onDidChangeDiagnostics((e) => {
        for (const uri of e.uris) if (uri.scheme === 'file' && this.definitions.get(uri.fsPath)) this.changedFiles.add(uri.fsPath);
        if (this.changedFiles.size) this.schedule();
      }),
    );
  }

  private markStructure(): void {
    this.structureChanged = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.refreshTimer) return;
    // Diagnostics for many files arrive in bursts (a workspace scan): refresh once per burst.
    this.refreshTimer = setTimeout(() => this.flush(), 150);
  }

  private flush(): void {
    this.refreshTimer = undefined;
    if (this.structureChanged) {
      this.structureChanged = false;
      this.changedFiles.clear();
      this.emitter.fire(undefined);
      return;
    }
    const nodes = [...this.nodes.values()].filter((n) => n.kind !== 'group' && this.changedFiles.has(n.uri.fsPath));
    this.changedFiles.clear();
    if (nodes.length) this.emitter.fire(nodes);
  }

  private entries(kind: 'orchestration' | 'activity'): { uri: vscode.Uri; doc: ParsedDocument }[] {
    return this.definitions.documents()
      .filter((doc) => doc.kind === kind)
      .map((doc) => ({ uri: vscode.Uri.file(doc.uri), doc }))
      .sort((a, b) => vscode.workspace.asRelativePath(a.uri).localeCompare(vscode.workspace.asRelativePath(b.uri)));
  }

  private node<N extends DefinitionsNode>(node: N): N {
    const existing = this.nodes.get(node.id) as N | undefined;
    if (existing) {
      if (existing.kind === 'type') Object.assign(existing, node); // offsets move with edits
      return existing;
    }
    this.nodes.set(node.id, node);
    return node;
  }

  async getChildren(node?: DefinitionsNode): Promise<DefinitionsNode[]> {
    await this.definitions.ready();
    if (!node) {
      if (!this.entries('orchestration').length && !this.entries('activity').length) return [];
      return [
        this.node({ kind: 'group', id: 'group:orchestrations', group: 'orchestrations' as const }),
        this.node({ kind: 'group', id: 'group:types', group: 'types' as const }),
      ];
    }
    if (node.kind !== 'group') return [];
    if (node.group === 'orchestrations') {
      return this.entries('orchestration').map((e) => this.node({ kind: 'orchestration', id: `orch:${e.uri.toString()}`, uri: e.uri }));
    }
    const types: DefinitionsNode[] = [];
    for (const entry of this.entries('activity')) {
      const model = entry.doc.model;
      if (model?.kind !== 'activity') continue;
      for (const definition of model.definitions) {
        if (!definition.type) continue;
        types.push(this.node({
          kind: 'type', id: `type:${entry.uri.toString()}#${definition.type.value}`, uri: entry.uri, type: definition.type.value,
          offset: definition.node.offset, length: definition.node.length, provider: definition.provider?.value, description: definition.description,
        }));
      }
    }
    return types.sort((a, b) => (a as { type: string }).type.localeCompare((b as { type: string }).type));
  }

  getParent(node: DefinitionsNode): DefinitionsNode | undefined {
    if (node.kind === 'group') return undefined;
    return this.nodes.get(node.kind === 'orchestration' ? 'group:orchestrations' : 'group:types');
  }

  getTreeItem(node: DefinitionsNode): vscode.TreeItem {
    if (node.kind === 'group') {
      const count = this.entries(node.group === 'orchestrations' ? 'orchestration' : 'activity').length;
      const item = new vscode.TreeItem(node.group === 'orchestrations' ? 'Orchestrations' : 'Activity Types', vscode.TreeItemCollapsibleState.Expanded);
      item.id = node.id;
      item.description = node.group === 'orchestrations' ? `${count}` : `${count} file${count === 1 ? '' : 's'}`;
      item.contextValue = `orchGroup-${node.group}`;
      return item;
    }
    const doc = this.definitions.get(node.uri.fsPath);
    if (node.kind === 'orchestration') {
      const model = doc?.model;
      const name = model?.kind === 'orchestration' ? model.type?.value : undefined;
      const item = new vscode.TreeItem(name ?? fileName(node.uri), vscode.TreeItemCollapsibleState.None);
      item.id = node.id;
      item.resourceUri = node.uri;
      const problems = problemCounts(vscode.languages.getDiagnostics(node.uri));
      const activities = model?.kind === 'orchestration' ? model.activities.length : 0;
      item.description = [vscode.workspace.asRelativePath(node.uri), `${activities} activit${activities === 1 ? 'y' : 'ies'}`, problems.text].filter(Boolean).join(' · ');
      item.iconPath = problemIcon(problems, 'type-hierarchy-sub');
      item.tooltip = new vscode.MarkdownString(`**${name ?? fileName(node.uri)}**${model?.kind === 'orchestration' && model.description ? `\n\n${model.description}` : ''}\n\n${vscode.workspace.asRelativePath(node.uri)}${problems.text ? `\n\n${problems.text}` : ''}`);
      item.contextValue = `orchDefinition${model?.kind === 'orchestration' && !model.active ? ' inactive' : ''}${problems.errors ? ' hasErrors' : ''}`;
      item.command = { command: 'vscode.open', title: 'Open', arguments: [node.uri] };
      item.accessibilityInformation = { label: `Orchestration ${name ?? fileName(node.uri)}, ${item.description}` };
      return item;
    }
    const item = new vscode.TreeItem(node.type, vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    const range = doc ? toRange(doc, node.offset, node.length) : undefined;
    const diagnostics = range ? vscode.languages.getDiagnostics(node.uri).filter((d) => range.contains(d.range.start)) : [];
    const problems = problemCounts(diagnostics);
    item.description = [node.provider, vscode.workspace.asRelativePath(node.uri), problems.text].filter(Boolean).join(' · ');
    item.iconPath = problemIcon(problems, 'symbol-class');
    item.tooltip = new vscode.MarkdownString(`**${node.type}** (${node.provider ?? 'no provider'})${node.description ? `\n\n${node.description}` : ''}\n\n${vscode.workspace.asRelativePath(node.uri)}${problems.text ? `\n\n${problems.text}` : ''}`);
    item.contextValue = 'orchActivityType';
    item.command = { command: 'vscode.open', title: 'Open', arguments: [node.uri, range ? { selection: new vscode.Range(range.start, range.start) } : undefined] };
    item.accessibilityInformation = { label: `Activity type ${node.type}, ${item.description}` };
    return item;
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const d of this.disposables) d.dispose();
  }
}

function fileName(uri: vscode.Uri): string {
  return uri.path.split('/').pop() ?? uri.path;
}

function toRange(doc: ParsedDocument, offset: number, length: number): vscode.Range {
  const start = doc.lineIndex.positionAt(offset);
  const end = doc.lineIndex.positionAt(offset + length);
  return new vscode.Range(start.line, start.character, end.line, end.character);
}

interface ProblemCounts { errors: number; warnings: number; text: string }

function problemCounts(diagnostics: readonly vscode.Diagnostic[]): ProblemCounts {
  let errors = 0;
  let warnings = 0;
  for (const d of diagnostics) {
    if (d.severity === vscode.DiagnosticSeverity.Error) errors++;
    else if (d.severity === vscode.DiagnosticSeverity.Warning) warnings++;
  }
  const parts: string[] = [];
  if (errors) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  if (warnings) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  return { errors, warnings, text: parts.join(', ') };
}

function problemIcon(problems: ProblemCounts, fallback: string): vscode.ThemeIcon {
  if (problems.errors) return new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
  if (problems.warnings) return new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  return new vscode.ThemeIcon(fallback);
}
