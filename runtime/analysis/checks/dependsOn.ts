/**
 * ORCH202, ORCH203, ORCH204: each dependsOn entry names another activity of the file, once.
 * (Cycles through several activities are ORCH205.)
 */
import type { ActivityModel, LocatedString } from '../../model/located';
import type { OrchestrationCheck } from '../check';
import { diagnostic } from '../diagnostic';
import { related, spanOf } from './support/spans';
import { Suggester } from './support/suggest';

/** Lists up to this long are scanned for repeats instead of building a map. */
const SCAN_LIMIT = 16;

/** How messages name an activity (made only for a diagnostic). */
function whoOf(activity: ActivityModel): string {
  return activity.id === undefined ? `activities[${activity.index}]` : `'${activity.id}'`;
}

function firstBefore(entries: readonly LocatedString[], k: number): LocatedString | undefined {
  const id = entries[k].value;
  for (let i = 0; i < k; i++) if (entries[i].value === id) return entries[i];
  return undefined;
}

export const dependsOn: OrchestrationCheck = (ctx) => {
  const { model, doc } = ctx;
  const ids = new Suggester(() => model.byId.keys());
  for (let a = 0; a < model.activities.length; a++) {
    const activity = model.activities[a];
    const entries = activity.dependsOn;
    if (!entries.length) continue;
    // First listing of each id: the usual handful is scanned; a long list gets a map, to stay linear.
    const firstListing = entries.length > SCAN_LIMIT ? new Map<string, (typeof entries)[number]>() : undefined;
    for (let k = 0; k < entries.length; k++) {
      const entry = entries[k];
      const id = entry.value;
      const earlier = firstListing ? firstListing.get(id) : firstBefore(entries, k);
      if (earlier) {
        ctx.report(diagnostic('ORCH204', spanOf(entry.node),
          `${whoOf(activity)} already depends on '${id}': remove this repeated entry.`,
          { related: [related(doc.uri, earlier.node, `'${id}' is first listed here`)], data: { activityId: activity.id, dependency: id } }));
        continue;
      }
      firstListing?.set(id, entry);
      if (activity.id !== undefined && id === activity.id) {
        ctx.report(diagnostic('ORCH203', spanOf(entry.node),
          `${whoOf(activity)} depends on itself, so it could never start: remove '${id}' from its dependsOn.`,
          { data: { activityId: activity.id, dependency: id } }));
        continue;
      }
      if (!model.byId.has(id)) {
        const close = ids.suggest(id);
        // Suggesting the activity itself would only trade this error for ORCH203.
        const suggestion = close === activity.id ? undefined : close;
        const hint = suggestion ? ` Did you mean '${suggestion}'?` : '';
        ctx.report(diagnostic('ORCH202', spanOf(entry.node),
          `${whoOf(activity)} depends on '${id}', but no activity of this file has that id.${hint} dependsOn must name activities of the same file.`,
          { data: suggestion ? { dependency: id, suggestion } : { dependency: id } }));
      }
    }
  }
};
