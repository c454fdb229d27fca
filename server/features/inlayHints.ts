/**
 * Inlay hints: the tier of each activity after its id (`tier 1` = no dependencies, as in the graph
 * view), only for the activities in the requested range: a 10,000-activity file costs what the
 * visible part costs.
 */
import {
  InlayHintRefreshRequest,
  type ClientCapabilities,
  type InlayHint,
  type InlayHintParams,
  type ServerCapabilities,
} from 'vscode-languageserver';
import type { Graph } from '../../runtime/graph/graph';
import type { ActivityModel } from '../../runtime/model/located';
import type { ServerContext } from '../context';
import { toOffset, toPosition } from '../positions';
import { activitiesIn } from './polish/treeLookup';

export function capabilities(_client: ClientCapabilities): Partial<ServerCapabilities> {
  return { inlayHintProvider: { resolveProvider: false } };
}

export function register(ctx: ServerContext): void {
  ctx.connection.languages.inlayHint.on((params) => inlayHints(ctx, params));
  ctx.onDidChangeSettings((current, previous) => {
    if (current.inlayHints.tiers !== previous.inlayHints.tiers && ctx.clientCapabilities.workspace?.inlayHint?.refreshSupport) {
      ctx.connection.sendRequest(InlayHintRefreshRequest.type).catch(() => undefined);
    }
  });
}

/** 1-based, as the graph view and `orch plan` number tiers; undefined on or after a cycle. */
export function tierOf(graph: Graph, activity: ActivityModel): number | undefined {
  if (activity.id === undefined) return undefined;
  const node = graph.indexOf.get(activity.id);
  // A repeated id is not in the graph (the first activity with it is).
  if (node === undefined || graph.activities[node] !== activity) return undefined;
  const tier = graph.tierOf[node];
  return tier < 0 ? undefined : tier + 1;
}

const onCycles = new WeakMap<Graph, Set<number>>();

/** Whether the activity lies on one of the cycles the graph reports (else it only depends on one). */
function onCycle(graph: Graph, node: number): boolean {
  let set = onCycles.get(graph);
  if (!set) onCycles.set(graph, (set = new Set(graph.cycles.flat())));
  return set.has(node);
}

function tooltip(tier: number): string {
  if (tier === 1) return 'Tier 1: no dependencies, starts as soon as the run does.';
  return `Tier ${tier}: its longest chain of dependencies has ${tier - 1} activit${tier === 2 ? 'y' : 'ies'}; it can start once tier ${tier - 1} is done.`;
}

export function inlayHints(ctx: ServerContext, params: InlayHintParams): InlayHint[] | null {
  const analysis = ctx.analysisOf(params.textDocument.uri);
  const doc = analysis?.doc;
  if (!doc) return null;
  if (!ctx.settings().inlayHints.tiers) return [];
  const graph = analysis?.graph;
  if (!doc || !graph || doc.model?.kind !== 'orchestration') return [];
  const from = toOffset(doc, params.range.start);
  const to = toOffset(doc, params.range.end);
  const hints: InlayHint[] = [];
  for (const activity of activitiesIn(doc.model, from, to)) {
    const idNode = activity.idNode;
    if (!idNode) continue;
    const end = idNode.offset + idNode.length;
    if (end < from || end > to) continue;
    const inGraph = activity.id !== undefined && graph.activities[graph.indexOf.get(activity.id) ?? -1] === activity;
    if (!inGraph) continue;
    const tier = tierOf(graph, activity);
    if (tier !== undefined) {
      hints.push({ position: toPosition(doc, end), label: `tier ${tier}`, paddingLeft: true, tooltip: tooltip(tier) });
      continue;
    }
    const cyclic = onCycle(graph, graph.indexOf.get(activity.id!)!);
    hints.push({
      position: toPosition(doc, end),
      label: cyclic ? 'cycle' : 'after a cycle',
      paddingLeft: true,
      tooltip: cyclic
        ? 'On a dependency cycle: this activity can never start.'
        : 'Depends (directly or not) on a dependency cycle: this activity can never start.',
    });
  }
  return hints;
}
