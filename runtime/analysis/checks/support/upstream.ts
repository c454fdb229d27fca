/**
 * "May this activity read that one's output?": the read activity must be upstream (reachable through
 * dependsOn). Activities outside the graph (a repeated id, or no id) still have dependsOn entries,
 * which are followed instead.
 */
import { isUpstream, ReachScratch, type Graph } from '../../../graph/graph';
import type { ActivityModel } from '../../../model/located';

export class UpstreamReads {
  private readonly scratch: ReachScratch;
  private lastReader: ActivityModel | undefined;
  /** The graph node of lastReader, or -1 when it is not in the graph. */
  private lastNode = -1;

  constructor(private readonly graph: Graph) {
    this.scratch = new ReachScratch(graph.ids.length);
  }

  allows(reader: ActivityModel, read: ActivityModel): boolean {
    if (reader === read) return false;
    const graph = this.graph;
    const candidate = read.id === undefined ? undefined : graph.indexOf.get(read.id);
    if (candidate === undefined) return false;
    // Checks ask about the inputs of one activity in a row: look its node up once.
    if (reader !== this.lastReader) {
      const node = reader.id === undefined ? undefined : graph.indexOf.get(reader.id);
      this.lastReader = reader;
      this.lastNode = node !== undefined && graph.activities[node] === reader ? node : -1;
    }
    if (this.lastNode >= 0) return isUpstream(graph, candidate, this.lastNode, this.scratch);
    for (const dep of reader.dependsOn) {
      const from = graph.indexOf.get(dep.value);
      if (from === undefined) continue;
      if (from === candidate || isUpstream(graph, candidate, from, this.scratch)) return true;
    }
    return false;
  }
}

/** The sentence both ORCH401 and ORCH408 use. */
export function notUpstreamAdvice(reader: ActivityModel, read: ActivityModel): string {
  if (reader === read) return `an activity cannot read its own output`;
  const who = reader.id === undefined ? 'this activity' : `'${reader.id}'`;
  return `'${read.id}' is not upstream of ${who} (not reachable through dependsOn), so it may not have run yet: add '${read.id}' to the dependsOn of ${who}`;
}
