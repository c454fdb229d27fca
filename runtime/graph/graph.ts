/**
 * The activity graph of one orchestration: edges from each dependency to its dependent, a
 * topological order, ASAP tiers, strongly connected components (the cycles) and reachability.
 * Everything is linear in nodes + edges, so a 10,000-activity definition costs a few milliseconds.
 */
import type { JsonNode } from '../json/node';
import type { ActivityModel, LocatedString, OrchestrationModel } from '../model/located';

export interface GraphEdge {
  /** Index of the dependency. */
  from: number;
  /** Index of the dependent (the activity whose `dependsOn` names `from`). */
  to: number;
  /** The string node in `dependsOn` that makes this edge. */
  readonly node: JsonNode;
}

/** Its node is made on first use: building the graph of a large definition makes none. */
class DependencyEdge implements GraphEdge {
  constructor(readonly from: number, readonly to: number, private readonly entry: LocatedString) {}

  get node(): JsonNode {
    return this.entry.node;
  }
}

export interface Graph {
  /** Node i is the first activity with id ids[i], in file order. */
  ids: string[];
  activities: ActivityModel[];
  indexOf: Map<string, number>;
  /** Unique, known dependencies of each node. */
  deps: number[][];
  dependents: number[][];
  /** Made on first read (the checks do not need them). */
  readonly edges: GraphEdge[];
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
  // model.byId holds the first activity with each id, in file order: exactly the graph's nodes.
  const n = model.byId.size;
  const ids: string[] = new Array(n);
  const activities: ActivityModel[] = new Array(n);
  const indexOf = new Map<string, number>();
  let i = 0;
  model.byId.forEach((activity, id) => {
    ids[i] = id;
    activities[i] = activity;
    indexOf.set(id, i++);
  });
  const deps: number[][] = new Array(n);
  // Edges are recorded flat and turned into objects only if someone reads graph.edges.
  let listed = 0;
  for (let to = 0; to < n; to++) listed += activities[to].dependsOn.length;
  const edgeFrom = new Int32Array(listed);
  const edgeTo = new Int32Array(listed);
  const edgeEntries: LocatedString[] = new Array(listed);
  let edgeCount = 0;
  const dependentCount = new Int32Array(n);
  // lastDependent[from] === to marks `from` as already listed by `to`: an activity listing thousands
  // of dependencies must not pay a scan of its list per entry.
  const lastDependent = new Int32Array(n).fill(-1);
  const scratch: number[] = [];
  for (let to = 0; to < n; to++) {
    const entries = activities[to].dependsOn;
    scratch.length = 0;
    for (let k = 0; k < entries.length; k++) {
      const dep = entries[k];
      const from = indexOf.get(dep.value);
      if (from === undefined || from === to || lastDependent[from] === to) continue;
      lastDependent[from] = to;
      scratch.push(from);
      dependentCount[from]++;
      edgeFrom[edgeCount] = from;
      edgeTo[edgeCount] = to;
      edgeEntries[edgeCount++] = dep;
    }
    // Exactly sized: a pushed-to array reserves room for 17.
    deps[to] = scratch.slice();
  }
  const dependents: number[][] = new Array(n);
  for (let node = 0; node < n; node++) dependents[node] = new Array<number>(dependentCount[node]);
  const filled = new Int32Array(n);
  for (let e = 0; e < edgeCount; e++) {
    const from = edgeFrom[e];
    dependents[from][filled[from]++] = edgeTo[e];
  }
  // Kahn's algorithm gives the order and the tiers in one pass.
  const remaining = new Int32Array(n);
  const tierOf = new Int32Array(n).fill(-1);
  const order: number[] = [];
  for (let node = 0; node < n; node++) { remaining[node] = deps[node].length; if (remaining[node] === 0) { order.push(node); tierOf[node] = 0; } }
  for (let head = 0; head < order.length; head++) {
    const node = order[head];
    const next = dependents[node];
    for (let k = 0; k < next.length; k++) {
      const m = next[k];
      if (tierOf[node] + 1 > tierOf[m]) tierOf[m] = tierOf[node] + 1;
      if (--remaining[m] === 0) order.push(m);
    }
  }
  const onOrAfterCycle = order.length < n;
  if (onOrAfterCycle) for (let node = 0; node < n; node++) if (remaining[node] > 0) tierOf[node] = -1;
  // Nodes taken in id order fill each tier already sorted.
  const tiers: string[][] = [];
  const byId = idOrder(ids);
  for (let k = 0; k < n; k++) {
    const node = byId[k];
    const tier = tierOf[node];
    if (tier >= 0) (tiers[tier] ??= []).push(ids[node]);
  }
  return new ActivityGraph(ids, activities, indexOf, deps, dependents, order, tierOf, tiers, onOrAfterCycle ? findCycles(n, deps) : [], edgeCount, edgeFrom, edgeTo, edgeEntries);
}

/** The last id order computed: edits rarely change the ids, and sorting 10,000 of them is not free. */
let lastIds: string[] | undefined;
let lastOrder: Int32Array | undefined;

/** Node indices sorted by id (by UTF-16 code units, as the default sort compares strings). */
function idOrder(ids: string[]): Int32Array {
  if (lastIds && lastOrder && lastIds.length === ids.length) {
    let same = true;
    for (let i = 0; i < ids.length; i++) if (lastIds[i] !== ids[i]) { same = false; break; }
    if (same) return lastOrder;
  }
  const order = Array.from(ids.keys()).sort((a, b) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0));
  lastIds = ids;
  lastOrder = Int32Array.from(order);
  return lastOrder;
}

class ActivityGraph implements Graph {
  private made: GraphEdge[] | undefined;

  constructor(
    readonly ids: string[],
    readonly activities: ActivityModel[],
    readonly indexOf: Map<string, number>,
    readonly deps: number[][],
    readonly dependents: number[][],
    readonly order: number[],
    readonly tierOf: Int32Array,
    readonly tiers: string[][],
    readonly cycles: number[][],
    private readonly edgeCount: number,
    private readonly edgeFrom: Int32Array,
    private readonly edgeTo: Int32Array,
    private readonly edgeEntries: LocatedString[],
  ) {}

  get edges(): GraphEdge[] {
    if (!this.made) {
      const edges: GraphEdge[] = new Array(this.edgeCount);
      for (let e = 0; e < edges.length; e++) edges[e] = new DependencyEdge(this.edgeFrom[e], this.edgeTo[e], this.edgeEntries[e]);
      this.made = edges;
    }
    return this.made;
  }
}

/**
 * Tarjan's SCC (iterative, so deep graphs cannot overflow the stack), then one closed path per SCC.
 * Typed arrays throughout: a cycle through 50,000 activities is found in a few milliseconds.
 */
function findCycles(n: number, deps: number[][]): number[][] {
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  let stackSize = 0;
  // The explicit call stack: node and next edge to follow, per frame.
  const frameNode = new Int32Array(n);
  const frameEdge = new Int32Array(n);
  let frames = 0;
  /** Component number of each node in a non-trivial SCC, -1 otherwise. */
  const componentOf = new Int32Array(n).fill(-1);
  const components: number[][] = [];
  let counter = 0;
  for (let start = 0; start < n; start++) {
    if (index[start] !== -1) continue;
    frameNode[0] = start; frameEdge[0] = 0; frames = 1;
    index[start] = low[start] = counter++;
    stack[stackSize++] = start; onStack[start] = 1;
    while (frames) {
      const top = frames - 1;
      const node = frameNode[top];
      const edgesOf = deps[node];
      if (frameEdge[top] < edgesOf.length) {
        const next = edgesOf[frameEdge[top]++];
        if (index[next] === -1) {
          index[next] = low[next] = counter++;
          stack[stackSize++] = next; onStack[next] = 1;
          frameNode[frames] = next; frameEdge[frames] = 0; frames++;
        } else if (onStack[next] && index[next] < low[node]) {
          low[node] = index[next];
        }
        continue;
      }
      frames--;
      if (frames && low[node] < low[frameNode[frames - 1]]) low[frameNode[frames - 1]] = low[node];
      if (low[node] === index[node]) {
        const component: number[] = [];
        let member: number;
        do { member = stack[--stackSize]; onStack[member] = 0; component.push(member); } while (member !== node);
        if (component.length > 1) {
          for (const m of component) componentOf[m] = components.length;
          components.push(component);
        }
      }
    }
  }
  const previous = new Int32Array(n).fill(-1);
  return components.map((component, c) => closedPath(component, c, componentOf, previous, deps)).sort((a, b) => a[0] - b[0]);
}

/**
 * A closed path through an SCC, following dependency edges (a dependsOn b) from its first node in file
 * order: `a -> b -> c -> a` reads "a depends on b, which depends on c, which depends on a". The BFS
 * back to the start gives the shortest such cycle. `previous` is shared by all components (they are
 * disjoint, so each BFS only writes its own members).
 */
function closedPath(component: number[], c: number, componentOf: Int32Array, previous: Int32Array, deps: number[][]): number[] {
  // A loop, not Math.min(...component): spreading a huge component would overflow the argument limit.
  let start = component[0];
  for (const member of component) if (member < start) start = member;
  const queue = [start];
  previous[start] = start;
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head];
    for (const next of deps[node]) {
      if (componentOf[next] !== c) continue;
      if (next === start) {
        const backwards: number[] = [];
        for (let at = node; at !== start; at = previous[at]) backwards.push(at);
        return [start, ...backwards.reverse(), start];
      }
      if (previous[next] === -1) { previous[next] = node; queue.push(next); }
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
 * Whether `candidate` is upstream of `node` (reachable by following dependencies; a node on a cycle is
 * upstream of itself). Direct dependencies answer at once. Otherwise a depth-first search backwards
 * that never descends into a node that cannot reach the candidate: in the acyclic part a node's
 * upstream lies on lower tiers only, so nothing on the candidate's tier or below can reach it, and
 * nothing with a tier can reach a node on or after a cycle (tier -1).
 *
 * Pass one ReachScratch per graph for repeated queries: besides reusing its marks, it remembers for
 * each candidate the nodes found to reach it, so "every activity of a 10,000-step chain reads the
 * first one" costs a constant per query instead of a walk down the chain.
 */
export function isUpstream(graph: Graph, candidate: number, node: number, scratch?: ReachScratch): boolean {
  const deps = graph.deps;
  const n = deps.length;
  if (candidate < 0 || candidate >= n || node < 0 || node >= n) return false;
  const direct = deps[node];
  for (let i = 0; i < direct.length; i++) if (direct[i] === candidate) return true;
  const tierOf = graph.tierOf;
  const floor = tierOf[candidate];
  if (cannotReach(tierOf[node], floor)) return false;
  const s = scratch && scratch.size >= n ? scratch : new ReachScratch(n);
  const known = s.reaching(graph, candidate);
  if (known && known[node]) return true;
  const marks = s.marks;
  const stamp = s.next();
  // The path from `node` down to the current frame: when the candidate is found, every node on it
  // reaches the candidate, which is what `known` records.
  const path = s.path;
  const edge = s.edge;
  path.length = 0;
  edge.length = 0;
  path.push(node);
  edge.push(0);
  marks[node] = stamp;
  while (path.length) {
    const top = path.length - 1;
    const current = path[top];
    const list = deps[current];
    const at = edge[top];
    if (at === list.length) { path.pop(); edge.pop(); continue; }
    edge[top] = at + 1;
    const dep = list[at];
    if (dep === candidate || (known !== undefined && known[dep] === 1)) {
      if (known) for (const member of path) known[member] = 1;
      return true;
    }
    if (marks[dep] === stamp) continue;
    marks[dep] = stamp;
    if (cannotReach(tierOf[dep], floor)) continue;
    path.push(dep);
    edge.push(0);
  }
  return false;
}

/** Whether a node on tier `tier` certainly cannot reach a node on tier `floor` (see isUpstream). */
function cannotReach(tier: number, floor: number): boolean {
  return tier >= 0 && (floor < 0 || tier <= floor);
}

/** Caches of reaching nodes are kept for this many candidates times nodes in all (bytes). */
const REACHING_BUDGET = 8 * 1024 * 1024;

/** Reusable state for repeated reachability queries; its caches follow the graph it was last used on. */
export class ReachScratch {
  readonly marks: Uint32Array;
  readonly path: number[] = [];
  readonly edge: number[] = [];
  private stamp = 0;
  private readonly reachingByCandidate = new Map<number, Uint8Array>();
  private graph: Graph | undefined;
  private readonly maxCandidates: number;

  constructor(readonly size: number) {
    this.marks = new Uint32Array(size);
    this.maxCandidates = Math.max(1, Math.floor(REACHING_BUDGET / Math.max(1, size)));
  }

  next(): number {
    if (this.stamp === 0xffffffff) { this.marks.fill(0); this.stamp = 0; }
    return ++this.stamp;
  }

  /** Nodes of `graph` known to reach `candidate` (1), or undefined once the memory budget is spent. */
  reaching(graph: Graph, candidate: number): Uint8Array | undefined {
    // What was learnt about another graph says nothing about this one.
    if (graph !== this.graph) { this.reachingByCandidate.clear(); this.graph = graph; }
    let known = this.reachingByCandidate.get(candidate);
    if (!known && this.reachingByCandidate.size < this.maxCandidates) {
      known = new Uint8Array(this.size);
      this.reachingByCandidate.set(candidate, known);
    }
    return known;
  }
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
