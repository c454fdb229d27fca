/**
 * The critical-path overlay: the chain of activities whose durations add up to the run's length. The
 * host sends it once a run finished (client/graph/runMessages.ts); before that (or for a run the host
 * sent without one) it is computed here from the durations known so far. Pure.
 */
import type { NodeRunInfo } from '../../client/graph/protocol';
import { edgeKey, type ViewModel } from './viewModel';

export interface CriticalPath {
  nodes: Set<string>;
  edges: Set<string>;
  /** Sum of the durations along the path. */
  totalMs: number;
}

export function criticalPath(model: Pick<ViewModel, 'nodes' | 'edges'>, nodes: ReadonlyMap<string, NodeRunInfo>, given?: readonly string[], now = Date.now()): CriticalPath {
  const known = new Set(model.nodes.map((n) => n.id));
  const ids = given && given.length ? given.filter((id) => known.has(id)) : longestChain(model, nodes, now);
  const path: CriticalPath = { nodes: new Set(ids), edges: new Set(), totalMs: 0 };
  const edges = new Set(model.edges.map((e) => edgeKey(e.from, e.to)));
  for (let i = 0; i < ids.length; i++) {
    path.totalMs += ownDuration(nodes.get(ids[i]), now);
    if (i + 1 < ids.length && edges.has(edgeKey(ids[i], ids[i + 1]))) path.edges.add(edgeKey(ids[i], ids[i + 1]));
  }
  return path;
}

function ownDuration(info: NodeRunInfo | undefined, now: number): number {
  if (!info || info.startedAt === undefined) return 0;
  return Math.max(0, (info.endedAt ?? now) - info.startedAt);
}

/** Longest path by duration over the acyclic part (Kahn's order), dependencies first; [] without durations. */
export function longestChain(model: Pick<ViewModel, 'nodes' | 'edges'>, nodes: ReadonlyMap<string, NodeRunInfo>, now = Date.now()): string[] {
  const ids = model.nodes.map((n) => n.id);
  const index = new Map(ids.map((id, i) => [id, i]));
  const deps: number[][] = ids.map(() => []);
  const dependents: number[][] = ids.map(() => []);
  for (const e of model.edges) {
    const from = index.get(e.from), to = index.get(e.to);
    if (from === undefined || to === undefined || from === to || e.cycle) continue;
    deps[to].push(from);
    dependents[from].push(to);
  }
  const remaining = deps.map((d) => d.length);
  const queue: number[] = [];
  remaining.forEach((r, i) => { if (r === 0) queue.push(i); });
  const total = new Float64Array(ids.length);
  const via = new Int32Array(ids.length).fill(-1);
  let best = -1;
  for (let head = 0; head < queue.length; head++) {
    const i = queue[head];
    let incoming = 0;
    for (const d of deps[i]) if (total[d] > incoming) { incoming = total[d]; via[i] = d; }
    total[i] = incoming + ownDuration(nodes.get(ids[i]), now);
    if (total[i] > 0 && (best === -1 || total[i] > total[best])) best = i;
    for (const next of dependents[i]) if (--remaining[next] === 0) queue.push(next);
  }
  const path: string[] = [];
  for (let at = best; at !== -1; at = via[at]) path.push(ids[at]);
  return path.reverse();
}
