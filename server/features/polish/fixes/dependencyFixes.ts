/**
 * Fixes for dependsOn problems: an unknown id (ORCH202), a self-reference (ORCH203), a repeat
 * (ORCH204), a cycle (ORCH205), and a read of an activity that is not upstream (ORCH401, ORCH408).
 */
import { isUpstream } from '../../../../runtime/graph/graph';
import type { ActivityModel } from '../../../../runtime/model/located';
import { addDependency, entriesNaming, removeDependencyEntries } from '../dependencyEdits';
import { replace } from '../offsetEdit';
import { activityContaining, nodeAtSpan } from '../treeLookup';
import { dataString, type FixProvider, type PlannedFix } from './types';

/** A cycle longer than this offers only the edge the diagnostic names (not one action per edge). */
const MAX_CYCLE_CHOICES = 8;

function who(activity: ActivityModel): string {
  return activity.id === undefined ? `activities[${activity.index}]` : `'${activity.id}'`;
}

export const unknownDependency: FixProvider = ({ doc, model }, diagnostic) => {
  const node = nodeAtSpan(doc.parse.root, diagnostic.offset, diagnostic.length);
  const activity = activityContaining(model, node);
  if (!node || node.type !== 'string' || !activity) return [];
  const dependency = node.value as string;
  const suggestion = dataString(diagnostic, 'suggestion');
  const fixes: PlannedFix[] = [];
  const alreadyListed = suggestion !== undefined && activity.dependsOn.some((d) => d.value === suggestion);
  if (suggestion !== undefined && !alreadyListed) {
    fixes.push({ title: `Change to '${suggestion}'`, edits: [replace(node.offset, node.offset + node.length, JSON.stringify(suggestion))], preferred: true });
  }
  fixes.push({
    title: `Remove '${dependency}' from the dependsOn of ${who(activity)}`,
    edits: removeDependencyEntries(doc.text, activity, [node]),
    preferred: suggestion === undefined || alreadyListed,
  });
  return fixes;
};

/** ORCH203 and ORCH204: the entry at the diagnostic goes (for a self-reference, every such entry). */
export const redundantDependency: FixProvider = ({ doc, model }, diagnostic) => {
  const node = nodeAtSpan(doc.parse.root, diagnostic.offset, diagnostic.length);
  const activity = activityContaining(model, node);
  if (!node || node.type !== 'string' || !activity) return [];
  const id = node.value as string;
  const self = diagnostic.code === 'ORCH203';
  const entries = self ? entriesNaming(activity, id) : [node];
  return [{
    title: self ? `Remove '${id}' from its own dependsOn` : `Remove the repeated '${id}'`,
    edits: removeDependencyEntries(doc.text, activity, entries),
    preferred: true,
  }];
};

/**
 * One action per edge of the cycle (for short cycles), the edge named by the diagnostic first and
 * preferred: which dependency is wrong is the author's call, the diagnostic only picks the last one.
 */
export const cycle: FixProvider = ({ doc, model, graph }, diagnostic) => {
  const ids = Array.isArray(diagnostic.data?.cycle) ? (diagnostic.data.cycle as unknown[]).filter((x): x is string => typeof x === 'string') : [];
  const edgeData = diagnostic.data?.edge as { from?: unknown; to?: unknown } | undefined;
  let closing: { from: string; to: string } | undefined;
  if (typeof edgeData?.from === 'string' && typeof edgeData.to === 'string') closing = { from: edgeData.from, to: edgeData.to };
  if (!closing) {
    const node = nodeAtSpan(doc.parse.root, diagnostic.offset, diagnostic.length);
    const activity = activityContaining(model, node);
    if (node?.type === 'string' && activity?.id !== undefined) closing = { from: activity.id, to: node.value as string };
  }
  if (!closing) return [];
  const edges = [closing];
  if (ids.length >= 3 && ids.length - 1 <= MAX_CYCLE_CHOICES) {
    for (let k = 0; k + 1 < ids.length; k++) {
      if (ids[k] === closing.from && ids[k + 1] === closing.to) continue;
      edges.push({ from: ids[k], to: ids[k + 1] });
    }
  }
  const fixes: PlannedFix[] = [];
  for (const edge of edges) {
    const index = graph.indexOf.get(edge.from);
    const activity = index === undefined ? undefined : graph.activities[index];
    if (!activity) continue;
    const entries = entriesNaming(activity, edge.to);
    if (!entries.length) continue;
    fixes.push({
      title: `Remove '${edge.to}' from the dependsOn of '${edge.from}' (breaks the cycle)`,
      edits: removeDependencyEntries(doc.text, activity, entries),
      preferred: edge === closing,
    });
  }
  return fixes;
};

/**
 * ORCH401/ORCH408: make the read activity a dependency of the reader. Refused when the reader is
 * itself upstream of the read activity, since the new edge would close a cycle.
 */
export const missingUpstream: FixProvider = ({ doc, model, graph, layout }, diagnostic) => {
  const readId = dataString(diagnostic, 'activityId');
  if (readId === undefined) return [];
  const node = nodeAtSpan(doc.parse.root, diagnostic.offset, diagnostic.length);
  const reader = activityContaining(model, node);
  if (!reader || reader.id === readId) return [];
  const readIndex = graph.indexOf.get(readId);
  const readerIndex = reader.id === undefined ? undefined : graph.indexOf.get(reader.id);
  if (readIndex === undefined) return [];
  if (readerIndex !== undefined && graph.activities[readerIndex] === reader && isUpstream(graph, readerIndex, readIndex)) return [];
  return [{
    title: `Add '${readId}' to the dependsOn of ${who(reader)}`,
    edits: addDependency(doc.text, reader, readId, layout),
    preferred: true,
  }];
};
