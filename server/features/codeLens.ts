/**
 * Code lenses. On an orchestration definition, on its `type` line: "Run orchestration", "Show graph"
 * and "Dispose" (commands contributed by the extension; each receives the document URI). On each
 * activity: "N upstream · M downstream" (transitive), resolved only when the editor shows the lens,
 * since counting for every activity of a 10,000-activity file up front would be wasted.
 */
import { CodeLensRefreshRequest, type ClientCapabilities, type CodeLens, type CodeLensParams, type ServerCapabilities } from 'vscode-languageserver';
import { downstreamOf, upstreamOf, type Graph } from '../../runtime/graph/graph';
import { propertyNode } from '../../runtime/json/node';
import type { ServerContext } from '../context';
import { toRange } from '../positions';

export const RUN_COMMAND = 'orch.run';
export const SHOW_GRAPH_COMMAND = 'orch.showGraph';
export const DISPOSE_COMMAND = 'orch.dispose';
export const REVEAL_COMMAND = 'orch.revealActivities';

export function capabilities(_client: ClientCapabilities): Partial<ServerCapabilities> {
  return { codeLensProvider: { resolveProvider: true } };
}

/** What an unresolved activity lens carries to its resolve request. */
interface ActivityLensData {
  uri: string;
  /** The document version the lens was made for. */
  version: number;
  /** Node index in the graph. */
  node: number;
}

export function register(ctx: ServerContext): void {
  ctx.connection.onCodeLens((params) => codeLenses(ctx, params));
  ctx.connection.onCodeLensResolve((lens) => resolveCodeLens(ctx, lens));
  // Lenses depend on the setting; ask the client to fetch them again when it changes.
  ctx.onDidChangeSettings((current, previous) => {
    if (current.codeLens.enable !== previous.codeLens.enable && ctx.clientCapabilities.workspace?.codeLens?.refreshSupport) {
      ctx.connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
    }
  });
}

export function codeLenses(ctx: ServerContext, params: CodeLensParams): CodeLens[] | null {
  if (!ctx.settings().codeLens.enable) return [];
  const uri = params.textDocument.uri;
  const analysis = ctx.analysisOf(uri);
  const doc = analysis?.doc;
  const model = doc?.model;
  if (!analysis || !doc) return null;
  if (model?.kind !== 'orchestration') return [];
  const lenses: CodeLens[] = [];
  const typeProperty = model.type ? propertyNode(model.root, 'type') : undefined;
  const definitionRange = toRange(doc, typeProperty ?? { offset: model.root.offset, length: 0 });
  const inactive = !model.active;
  lenses.push({
    range: definitionRange,
    command: inactive
      // A lens without a command id is a label: the run would be refused anyway.
      ? { title: 'Inactive (set "active": true to run)', command: '' }
      : { title: 'Run orchestration', command: RUN_COMMAND, arguments: [uri] },
  });
  lenses.push({ range: definitionRange, command: { title: 'Show graph', command: SHOW_GRAPH_COMMAND, arguments: [uri] } });
  lenses.push({ range: definitionRange, command: { title: 'Dispose', command: DISPOSE_COMMAND, arguments: [uri] } });
  const graph = analysis.graph;
  if (!graph) return lenses;
  const version = ctx.versionOf(uri) ?? doc.version;
  for (let node = 0; node < graph.activities.length; node++) {
    const activity = graph.activities[node];
    const anchor = activity.idNode?.parent ?? activity.node;
    const data: ActivityLensData = { uri, version, node };
    lenses.push({ range: toRange(doc, { offset: anchor.offset, length: anchor.length }), data });
  }
  return lenses;
}

/** Counts of one node, cached per graph: scrolling back and forth resolves the same lenses again. */
const countsCache = new WeakMap<Graph, Map<number, { upstream: number[]; downstream: number[] }>>();

export function relatives(graph: Graph, node: number): { upstream: number[]; downstream: number[] } {
  let map = countsCache.get(graph);
  if (!map) countsCache.set(graph, (map = new Map()));
  let entry = map.get(node);
  if (!entry) {
    const byFileOrder = (a: number, b: number) => a - b;
    entry = { upstream: [...upstreamOf(graph, node)].sort(byFileOrder), downstream: [...downstreamOf(graph, node)].sort(byFileOrder) };
    map.set(node, entry);
  }
  return entry;
}

export function activityLensTitle(upstream: number, downstream: number): string {
  return `${upstream} upstream · ${downstream} downstream`;
}

export function resolveCodeLens(ctx: ServerContext, lens: CodeLens): CodeLens {
  const data = lens.data as ActivityLensData | undefined;
  if (!data || typeof data.uri !== 'string' || typeof data.node !== 'number') return lens;
  const analysis = ctx.analysisOf(data.uri);
  const graph = analysis?.graph;
  // The document changed since the lenses were computed: the client asks again; say nothing wrong meanwhile.
  const current = ctx.versionOf(data.uri) ?? analysis?.doc.version;
  if (!graph || current !== data.version || data.node >= graph.ids.length) return { ...lens, command: { title: '', command: '' } };
  const { upstream, downstream } = relatives(graph, data.node);
  const title = activityLensTitle(upstream.length, downstream.length);
  const ids = [...upstream, ...downstream].map((i) => graph.ids[i]);
  return {
    range: lens.range,
    command: ids.length
      ? { title, command: REVEAL_COMMAND, arguments: [data.uri, ids] }
      : { title, command: '' },
  };
}
