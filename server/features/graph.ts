/**
 * orch/graph: one orchestration's graph for the webview (nodes with tier, type and their problems,
 * edges, tiers, cycles), from the cached analysis. orch/graphChanged tells the client when a
 * definition's graph may have changed: after an edit is analysed, or when a type it uses changed.
 */
import type { Diagnostic } from '../../runtime/analysis/diagnostic';
import type { ActivityModel } from '../../runtime/model/located';
import { toRange, type DocumentAnalysis, type ServerContext } from '../context';
import { activityAt } from '../language/occurrences';
import {
  GraphChangedNotification,
  GraphRequest,
  type GraphEdgeInfo,
  type GraphNode,
  type GraphProblem,
  type GraphResult,
} from '../protocol';

/** Coalesces change notifications: the webview re-requests at most this often per document. */
const NOTIFY_MS = 50;

export function register(ctx: ServerContext): void {
  ctx.connection.onRequest(GraphRequest, (params): GraphResult => {
    const analysis = ctx.analysisOf(params.uri);
    return graphOf(ctx, params.uri, analysis);
  });

  const pending = new Map<string, ReturnType<typeof setTimeout>>();
  const notify = (uri: string) => {
    if (pending.has(uri)) return;
    const timer = setTimeout(() => {
      pending.delete(uri);
      const doc = ctx.parsed(uri);
      if (doc?.kind !== 'orchestration') return;
      void ctx.connection.sendNotification(GraphChangedNotification, { uri, version: ctx.versionOf(uri) ?? -1 }).catch(() => undefined);
    }, NOTIFY_MS);
    timer.unref?.();
    pending.set(uri, timer);
  };
  ctx.onDidChangeDocuments((changes) => {
    for (const change of changes) {
      if (change.current?.kind === 'orchestration' || change.previous?.kind === 'orchestration') notify(change.uri);
      for (const uri of change.dependents) notify(uri);
    }
  });
}

export function graphOf(ctx: ServerContext, uri: string, analysis: DocumentAnalysis | undefined): GraphResult {
  const empty: GraphResult = { uri, version: ctx.versionOf(uri) ?? -1, ok: false, nodes: [], edges: [], tiers: [], cycles: [], problems: [], counts: { errors: 0, warnings: 0 } };
  if (!analysis) return empty;
  const { doc, graph } = analysis;
  const model = doc.model;
  const counts = { errors: 0, warnings: 0 };
  for (const d of analysis.diagnostics) {
    if (d.severity === 'error') counts.errors++;
    else if (d.severity === 'warning') counts.warnings++;
  }
  if (model?.kind !== 'orchestration' || !graph) {
    return { ...empty, version: doc.version, problems: analysis.diagnostics.map((d) => problem(doc, d)), counts };
  }
  const byActivity = new Map<ActivityModel, GraphProblem[]>();
  const problems: GraphProblem[] = [];
  for (const d of analysis.diagnostics) {
    const activity = activityAt(model.activities, d.offset);
    if (activity) {
      let list = byActivity.get(activity);
      if (!list) byActivity.set(activity, (list = []));
      list.push(problem(doc, d));
    } else {
      problems.push(problem(doc, d));
    }
  }
  const nodes: GraphNode[] = graph.activities.map((a, i) => {
    const definition = a.type !== undefined ? ctx.workspace.declarationsOf(a.type)[0]?.definition : undefined;
    const node: GraphNode = {
      id: graph.ids[i],
      index: a.index,
      tier: graph.tierOf[i] + 1,
      when: a.when,
      hosts: a.hosts.map((h) => h.value),
      continueOnError: a.continueOnError,
      range: toRange(doc, a.node),
      problems: byActivity.get(a) ?? [],
    };
    if (a.type !== undefined) node.type = a.type;
    if (a.discriminator !== undefined) node.discriminator = a.discriminator;
    if (definition?.description !== undefined) node.description = definition.description;
    if (definition?.provider) node.provider = definition.provider.value;
    if (a.forEach) node.forEach = { items: a.forEach.items?.value, as: a.forEach.as };
    if (a.idNode) node.idRange = toRange(doc, a.idNode);
    return node;
  });
  const onCycle = new Set<string>();
  for (const cycle of graph.cycles) for (let i = 0; i + 1 < cycle.length; i++) onCycle.add(`${cycle[i]}>${cycle[i + 1]}`);
  const edges: GraphEdgeInfo[] = graph.edges.map((e) => {
    const edge: GraphEdgeInfo = { from: graph.ids[e.from], to: graph.ids[e.to], range: toRange(doc, e.node) };
    // A cycle path reads "a depends on b": the edge b -> a closes it when a>b is on the path.
    if (onCycle.has(`${e.to}>${e.from}`)) edge.cycle = true;
    return edge;
  });
  return {
    uri,
    version: doc.version,
    ok: true,
    type: model.type?.value,
    description: model.description,
    nodes,
    edges,
    tiers: graph.tiers.map((t) => [...t]),
    cycles: graph.cycles.map((c) => c.map((i) => graph.ids[i])),
    problems,
    counts,
  };
}

function problem(doc: DocumentAnalysis['doc'], d: Diagnostic): GraphProblem {
  return { severity: d.severity, code: d.code, message: d.message, range: toRange(doc, d) };
}
