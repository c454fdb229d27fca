/**
 * ORCH205: dependency cycles. One diagnostic per cycle (graph.cycles holds one closed path per
 * strongly connected component), on the dependsOn entry that closes it, with every edge of the path
 * as a related location so the whole loop can be followed from the problem.
 */
import type { LocatedString } from '../../model/located';
import type { OrchestrationCheck } from '../check';
import { diagnostic, type RelatedLocation } from '../diagnostic';
import { related, spanOf } from './support/spans';

export const cycles: OrchestrationCheck = (ctx) => {
  const { graph, doc } = ctx;
  for (const path of graph.cycles) {
    if (path.length < 3) continue;
    const ids = path.map((i) => graph.ids[i]);
    const edges: RelatedLocation[] = [];
    let closing: LocatedString | undefined;
    for (let k = 0; k + 1 < path.length; k++) {
      const entry = entryNaming(graph.activities[path[k]].dependsOn, ids[k + 1]);
      if (!entry) continue;
      edges.push(related(doc.uri, entry.node, `'${ids[k]}' depends on '${ids[k + 1]}'`));
      closing = entry;
    }
    if (!closing) continue;
    const from = ids[ids.length - 2];
    const to = ids[ids.length - 1];
    ctx.report(diagnostic('ORCH205', spanOf(closing.node),
      `Dependency cycle: ${ids.join(' -> ')} (each activity depends on the next), so none of them can ever start. Remove one of these dependencies, e.g. '${to}' from the dependsOn of '${from}'.`,
      { related: edges, data: { cycle: ids, edge: { from, to } } }));
  }
};

function entryNaming(entries: readonly LocatedString[], id: string): LocatedString | undefined {
  for (const entry of entries) if (entry.value === id) return entry;
  return undefined;
}
