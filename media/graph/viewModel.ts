/**
 * What the webview draws, derived once per graph message: nodes and edges with their problems attached
 * where they belong, cycle membership resolved, and the key that says whether the layout can be kept.
 * Pure (no DOM): the unit tests import it.
 */
import type { GraphNode, GraphProblem, GraphResult, GraphSeverity } from '../../server/protocol';
import type { LayoutGraph } from '../../runtime/layout/layoutGraph';
import type { GraphMessage } from '../../client/graph/protocol';

export interface ViewNode {
  id: string;
  /** Position in the file (the server's `index`), used as the tie-breaker of every ordering. */
  index: number;
  type?: string;
  discriminator?: string;
  description?: string;
  provider?: string;
  /** 1-based tier as `orch plan` prints it; 0 on or after a cycle. */
  tier: number;
  cycle: boolean;
  when: GraphNode['when'];
  forEach?: GraphNode['forEach'];
  hosts: string[];
  continueOnError: boolean;
  /** Problems of the activity that are not about one of its incoming edges. */
  problems: GraphProblem[];
  /** The worst severity among the node's own problems. */
  severity?: GraphSeverity;
  /** `target <- source` per input, from the host. */
  inputs: string[];
}

export interface ViewEdge {
  from: string;
  to: string;
  cycle: boolean;
  /** Problems inside the `dependsOn` entry that makes this edge. */
  problems: GraphProblem[];
  severity?: GraphSeverity;
}

export interface ViewModel {
  uri: string;
  fileName: string;
  /** False when the document is not an orchestration definition. */
  ok: boolean;
  /** The definition's `type`. */
  title?: string;
  description?: string;
  nodes: ViewNode[];
  edges: ViewEdge[];
  byId: Map<string, ViewNode>;
  /** Definition-level problems (outside every activity). */
  problems: GraphProblem[];
  counts: { errors: number; warnings: number };
  /** The text is broken and this is the last good graph. */
  stale: boolean;
}

const SEVERITY_RANK: Record<GraphSeverity, number> = { error: 0, warning: 1, information: 2, hint: 3 };

export function worstSeverity(problems: readonly GraphProblem[]): GraphSeverity | undefined {
  let worst: GraphSeverity | undefined;
  for (const p of problems) if (worst === undefined || SEVERITY_RANK[p.severity] < SEVERITY_RANK[worst]) worst = p.severity;
  return worst;
}

export function edgeKey(from: string, to: string): string {
  return `${from}\u0000${to}`;
}

type Range = GraphProblem['range'];
const before = (a: Range['start'], b: Range['start']) => a.line < b.line || (a.line === b.line && a.character <= b.character);
const inside = (inner: Range, outer: Range) => before(outer.start, inner.start) && before(inner.end, outer.end);

export function buildViewModel(message: GraphMessage): ViewModel {
  const graph: GraphResult = message.graph;
  const onCycle = new Set<string>();
  const cyclePairs = new Set<string>();
  for (const path of graph.cycles) {
    for (let i = 0; i < path.length; i++) {
      onCycle.add(path[i]);
      if (i + 1 < path.length) { cyclePairs.add(edgeKey(path[i], path[i + 1])); cyclePairs.add(edgeKey(path[i + 1], path[i])); }
    }
  }
  const byId = new Map<string, ViewNode>();
  const nodes: ViewNode[] = [];
  // The server lists each id once; a duplicate (a message from another version) must not draw twice.
  for (const n of graph.nodes) {
    if (byId.has(n.id)) continue;
    // The protocol's parser checks the shape down to ids and tiers; the rest is read defensively, so a
    // host of another version degrades a hover line instead of breaking the page.
    const inputs = message.details[n.id]?.inputs;
    const node: ViewNode = {
      id: n.id, index: typeof n.index === 'number' ? n.index : nodes.length, tier: n.tier, cycle: onCycle.has(n.id),
      when: n.when === 'failure' || n.when === 'always' ? n.when : 'success',
      hosts: Array.isArray(n.hosts) ? n.hosts.filter((h) => typeof h === 'string') : [],
      continueOnError: n.continueOnError === true, problems: [],
      inputs: Array.isArray(inputs) ? inputs.filter((i) => typeof i === 'string') : [],
    };
    if (typeof n.type === 'string') node.type = n.type;
    if (typeof n.discriminator === 'string') node.discriminator = n.discriminator;
    if (typeof n.description === 'string') node.description = n.description;
    if (typeof n.provider === 'string') node.provider = n.provider;
    if (n.forEach && typeof n.forEach === 'object') node.forEach = n.forEach;
    byId.set(n.id, node);
    nodes.push(node);
  }
  const edges: ViewEdge[] = [];
  const seen = new Set<string>();
  const claimed = new Set<GraphProblem>();
  for (const e of graph.edges) {
    const key = edgeKey(e.from, e.to);
    if (seen.has(key) || !byId.has(e.from) || !byId.has(e.to)) continue;
    seen.add(key);
    const cycle = e.cycle === true || cyclePairs.has(key);
    if (cycle) { onCycle.add(e.from); onCycle.add(e.to); }
    const problems = e.range ? problemsOf(graph, e.to).filter((p) => inside(p.range, e.range)) : [];
    for (const p of problems) claimed.add(p);
    edges.push({ from: e.from, to: e.to, cycle, problems, severity: worstSeverity(problems) });
  }
  // A self-dependency is a cycle the server reports without an edge: draw it as a loop.
  for (const path of graph.cycles) {
    for (let i = 0; i + 1 < path.length; i++) {
      if (path[i] !== path[i + 1] || !byId.has(path[i])) continue;
      const key = edgeKey(path[i], path[i]);
      if (seen.has(key)) continue;
      seen.add(key);
      edges.push({ from: path[i], to: path[i], cycle: true, problems: [] });
    }
  }
  for (const node of nodes) {
    node.cycle = onCycle.has(node.id);
    node.problems = problemsOf(graph, node.id).filter((p) => !claimed.has(p));
    node.severity = worstSeverity(node.problems);
  }
  const model: ViewModel = {
    uri: message.uri, fileName: message.fileName, ok: graph.ok, nodes, edges, byId,
    problems: graph.problems.filter(isProblem),
    counts: { errors: Number(graph.counts.errors) || 0, warnings: Number(graph.counts.warnings) || 0 }, stale: message.stale,
  };
  if (graph.type !== undefined) model.title = graph.type;
  if (graph.description !== undefined) model.description = graph.description;
  return model;
}

const isProblem = (p: unknown): p is GraphProblem => {
  const q = p as GraphProblem;
  return !!q && typeof q.message === 'string' && typeof q.code === 'string' && SEVERITY_RANK[q.severity] !== undefined
    && !!q.range && typeof q.range.start?.line === 'number' && typeof q.range.end?.line === 'number';
};

function problemsOf(graph: GraphResult, id: string): GraphProblem[] {
  let index = problemIndex.get(graph);
  if (!index) {
    index = new Map();
    for (const n of graph.nodes) if (!index.has(n.id)) index.set(n.id, n.problems.filter(isProblem));
    problemIndex.set(graph, index);
  }
  return index.get(id) ?? [];
}
const problemIndex = new WeakMap<GraphResult, Map<string, GraphProblem[]>>();

/** The shared layout's input (runtime/layout): 0-based tiers, -1 on or after a cycle. */
export function toLayoutGraph(model: ViewModel): LayoutGraph {
  return {
    nodes: model.nodes.map((n) => {
      const node: LayoutGraph['nodes'][number] = { id: n.id, tier: n.tier > 0 ? n.tier - 1 : -1, cycle: n.cycle };
      if (n.type !== undefined) node.type = n.type;
      if (n.discriminator !== undefined) node.discriminator = n.discriminator;
      return node;
    }),
    edges: model.edges.map((e) => ({ from: e.from, to: e.to, cycle: e.cycle })),
  };
}

/**
 * Identity of the graph's shape: the set of ids and the set of edges. Text edits that keep it (a new
 * input, a renamed type, a reordered array) keep the layout; only this key changing asks for a new one.
 */
export function structureKey(model: Pick<ViewModel, 'nodes' | 'edges'>): string {
  const ids = model.nodes.map((n) => n.id).sort();
  const edges = model.edges.map((e) => edgeKey(e.from, e.to)).sort();
  return `${ids.join('\u0001')}\u0002${edges.join('\u0001')}`;
}
