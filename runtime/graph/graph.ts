/**
 * The activity graph of one orchestration: edges from each dependency to its dependent, a
 * topological order, ASAP tiers, strongly connected components (the cycles) and reachability.
 * Everything is linear in nodes + edges, so a 10,000-activity definition costs a few milliseconds.
 */
import type { JsonNode } from '../json/node';
import type { ActivityModel, OrchestrationModel } from '../model/located';

export interface GraphEdge {
  /** Index of the dependency. */
  from: number;
  /** Index of the dependent (the activity whose `dependsOn` names `from`). */
  to: number;
  /** The string node in `dependsOn` that makes this edge. */
  node: JsonNode;
}

export interface Graph {
  /** Node i is the first activity with id ids[i], in file order. */
  ids: string[];
  activities: ActivityModel[];
  indexOf: Map<string, number>;
  /** Unique, known dependencies of each node. */
  deps: number[][];
  dependents: number[][];
  edges: GraphEdge[];
  /** A topological order of the nodes that are not on a cycle (dependencies first). */
  order: number[];
  /** 0-based ASAP tier of each node; -1 for nodes on or after a cycle. */
  tierOf: Int32Array;
  /** Node ids per tier, sorted inside each tier. */
  tiers: string[][];
  /** Each non-trivial strongly connected component as a closed path (first node repeated at the end). */
  cycles: number[][];
}

export function buildGraph(model: OrchestrationModel): Graph {
  const ids: string[] = [];
  const activities: ActivityModel[] = [];
  const indexOf = new Map<string, number>();
  for (const activity of model.activities) {
    if (activity.id === undefined || indexOf.has(activity.id)) continue;
    indexOf.set(activity.id, ids.length);
    ids.push(activity.id);
    activities.push(activity);
  }
  const n = ids.length;
  const deps: number[][] = new Array(n);
  const dependents: number[][] = new Array(n);
  for (let i = 0; i < n; i++) { deps[i] = []; dependents[i] = []; }
  const edges: GraphEdge[] = [];
  for (let to = 0; to < n; to++) {
    const seen = deps[to];
    for (const dep of activities[to].dependsOn) {
      const from = indexOf.get(dep.value);
      if (from === undefined || from === to || seen.includes(from)) continue;
      seen.push(from);
      dependents[from].push(to);
      edges.push({ from, to, node: dep.node });
    }
  }
  // Kahn's algorithm gives the order and the tiers in one pass.
  const remaining = new Int32Array(n);
  const tierOf = new Int32Array(n).fill(-1);
  const order: number[] = [];
  for (let i = 0; i < n; i++) { remaining[i] = deps[i].length; if (remaining[i] === 0) { order.push(i); tierOf[i] = 0; } }
  for (let head = 0; head < order.length; head++) {
    const node = order[head];
    for (const next of dependents[node]) {
      if (tierOf[node] + 1 > tierOf[next]) tierOf[next] = tierOf[node] + 1;
      if (--remaining[next] === 0) order.push(next);
    }
  }
  const onOrAfterCycle = order.length < n;
  if (onOrAfterCycle) for (let i = 0; i < n; i++) if (remaining[i] > 0) tierOf[i] = -1;
  const tiers: string[][] = [];
  for (const i of order) (tiers[tierOf[i]] ??= []).push(ids[i]);
  for (const tier of tiers) tier.sort(compareIds);
  return { ids, activities, indexOf, deps, dependents, edges, order, tierOf, tiers, cycles: onOrAfterCycle ? findCycles(n, deps) : [] };
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Tarjan's SCC (iterative, so deep graphs cannot overflow the stack), then one closed path per SCC. */
function findCycles(n: number, deps: number[][]): number[][] {
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  const callStack: { node: number; edge: number }[] = [];
  for (let start = 0; start < n; start++) {
    if (index[start] !== -1) continue;
    callStack.push({ node: start, edge: 0 });
    index[start] = low[start] = counter++;
    stack.push(start); onStack[start] = 1;
    while (callStack.length) {
      const frame = callStack[callStack.length - 1];
      const edgesOf = deps[frame.node];
      if (frame.edge < edgesOf.length) {
        const next = edgesOf[frame.edge++];
        if (index[next] === -1) {
          index[next] = low[next] = counter++;
          stack.push(next); onStack[next] = 1;
          callStack.push({ node: next, edge: 0 });
        } else if (onStack[next]) {
          low[frame.node] = Math.min(low[frame.node], index[next]);
        }
        continue;
      }
      callStack.pop();
      if (callStack.length) low[callStack[callStack.length - 1].node] = Math.min(low[callStack[callStack.length - 1].node], low[frame.node]);
      if (low[frame.node] === index[frame.node]) {
        const component: number[] = [];
        let member: number;
        do { member = stack.pop()!; onStack[member] = 0; component.push(member); } while (member !== frame.node);
        if (component.length > 1) components.push(component);
      }
    }
  }
  return components.map((component) => closedPath(component, deps)).sort((a, b) => a[0] - b[0]);
}

/**
 * A closed path through an SCC, following dependency edges (a dependsOn b) from its first node in file
 * order: `a -> b -> c -> a` reads "a depends on b, which depends on c, which depends on a".
 */
function closedPath(component: number[], deps: number[][]): number[] {
  const members = new Set(component);
  const start = Math.min(...component);
  // BFS back to start inside the component gives the shortest cycle through it.
  const previous = new Map<number, number>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head];
    for (const next of deps[node]) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [start];
        for (let at = node; at !== start; at = previous.get(at)!) path.push(at);
        // path holds start then the walk backwards; reverse the tail to read forwards.
        const forward = [start, ...path.slice(1).reverse(), start];
        return forward;
      }
      if (!previous.has(next)) { previous.set(next, node); queue.push(next); }
    }
  }
  return [start, start];
}

/** Every node reachable by following dependencies from `node` (its upstream), excluding itself. */
export function upstreamOf(graph: Graph, node: number): Set<number> {
  return reach(graph.deps, node);
}

/** Every node that depends on `node`, directly or not (its downstream), excluding itself. */
export function downstreamOf(graph: Graph, node: number): Set<number> {
  return reach(graph.dependents, node);
}

function reach(adjacency: number[][], node: number): Set<number> {
  const seen = new Set<number>();
  const stack = [...adjacency[node]];
  while (stack.length) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    for (const n of adjacency[next]) if (!seen.has(n)) stack.push(n);
  }
  seen.delete(node);
  return seen;
}

/**
 * Whether `candidate` is upstream of `node`. Direct dependencies answer at once; otherwise a search
 * backwards that never descends below the candidate's tier (nothing there can reach it), so typical
 * checks touch a handful of nodes even in 10,000-activity graphs.
 */
export function isUpstream(graph: Graph, candidate: number, node: number, scratch?: ReachScratch): boolean {
  const deps = graph.deps;
  if (deps[node].includes(candidate)) return true;
  const tierOf = graph.tierOf;
  const floor = tierOf[candidate];
  const s = scratch ?? new ReachScratch(deps.length);
  const stamp = s.next();
  const stack = s.stack;
  stack.length = 0;
  stack.push(node);
  while (stack.length) {
    const current = stack.pop()!;
    for (const dep of deps[current]) {
      if (dep === candidate) return true;
      if (s.marks[dep] === stamp) continue;
      s.marks[dep] = stamp;
      // In an acyclic part, a node on the candidate's tier or below cannot reach it.
      if (floor >= 0 && tierOf[dep] >= 0 && tierOf[dep] <= floor) continue;
      stack.push(dep);
    }
  }
  return false;
}

/** Reusable marks for repeated reachability queries on one graph. */
export class ReachScratch {
  readonly marks: Uint32Array;
  readonly stack: number[] = [];
  private stamp = 0;
  constructor(size: number) { this.marks = new Uint32Array(size); }
  next(): number { return ++this.stamp; }
}

/**
 * The heaviest path through the acyclic part, by a weight per node (e.g. the last run's durations).
 * Returns the path from its first dependency to its last dependent and its total weight.
 */
export function criticalPath(graph: Graph, weight: (id: string) => number): { path: string[]; total: number } {
  const n = graph.ids.length;
  const best = new Float64Array(n);
  const via = new Int32Array(n).fill(-1);
  let end = -1;
  for (const node of graph.order) {
    let incoming = -1;
    for (const dep of graph.deps[node]) if (best[dep] > incoming) { incoming = best[dep]; via[node] = dep; }
    best[node] = Math.max(0, incoming) + Math.max(0, weight(graph.ids[node]));
    if (end === -1 || best[node] > best[end]) end = node;
  }
  if (end === -1) return { path: [], total: 0 };
  const path: string[] = [];
  for (let at = end; at !== -1; at = via[at]) path.push(graph.ids[at]);
  return { path: path.reverse(), total: best[end] };
}
