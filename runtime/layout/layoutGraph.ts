/**
 * The graph as the layout and the drawings see it: plain, serialisable data (the webview receives it
 * in a message), derived from the analysis graph. Keeping the drawings on this shape instead of the
 * analysis Graph means the webview never needs syntax nodes or the model.
 */
import { downstreamOf, upstreamOf, type Graph } from '../graph/graph';

export interface LayoutGraphNode {
  id: string;
  /** The activity type (second line of the box). */
  type?: string;
  discriminator?: string;
  /** 0-based ASAP tier, as `orch plan` prints it (plus one); -1 on or after a cycle. */
  tier: number;
  /** On a dependency cycle (drawn in red). */
  cycle: boolean;
}

export interface LayoutGraphEdge {
  /** The dependency. */
  from: string;
  /** The dependent: the activity whose dependsOn names `from`. */
  to: string;
  /** Both ends on one dependency cycle (self-dependencies included). */
  cycle: boolean;
}

export interface LayoutGraph {
  nodes: LayoutGraphNode[];
  edges: LayoutGraphEdge[];
}

export function layoutGraphOf(graph: Graph): LayoutGraph {
  const n = graph.ids.length;
  // One component number per node of a non-trivial strongly connected component; the graph keeps one
  // closed path per component, and the component is what reaches that path's start both ways.
  const component = new Int32Array(n).fill(-1);
  graph.cycles.forEach((path, c) => {
    const start = path[0];
    const down = downstreamOf(graph, start);
    component[start] = c;
    for (const member of upstreamOf(graph, start)) if (down.has(member)) component[member] = c;
  });
  const selfLoops = new Set<number>();
  graph.activities.forEach((activity, i) => {
    if (activity.dependsOn.some((d) => d.value === graph.ids[i])) selfLoops.add(i);
  });
  const nodes: LayoutGraphNode[] = graph.ids.map((id, i) => {
    const activity = graph.activities[i];
    const node: LayoutGraphNode = { id, tier: graph.tierOf[i], cycle: component[i] >= 0 || selfLoops.has(i) };
    if (activity.type !== undefined) node.type = activity.type;
    if (activity.discriminator !== undefined) node.discriminator = activity.discriminator;
    return node;
  });
  const edges: LayoutGraphEdge[] = graph.edges.map((e) => ({
    from: graph.ids[e.from],
    to: graph.ids[e.to],
    cycle: component[e.from] >= 0 && component[e.from] === component[e.to],
  }));
  for (const i of selfLoops) edges.push({ from: graph.ids[i], to: graph.ids[i], cycle: true });
  return { nodes, edges };
}
