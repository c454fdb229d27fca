/**
 * ORCH202, ORCH203, ORCH204: each dependsOn entry names another activity of the file, once.
 * (Cycles through several activities are ORCH205.)
 */
import type { OrchestrationCheck } from '../check';
import { diagnostic } from '../diagnostic';
import { related, spanOf } from './support/spans';
import { Suggester } from './support/suggest';

export const dependsOn: OrchestrationCheck = (ctx) => {
  const { model, doc } = ctx;
  const ids = new Suggester(() => model.byId.keys());
  for (const activity of model.activities) {
    const entries = activity.dependsOn;
    if (!entries.length) continue;
    const who = activity.id === undefined ? `activities[${activity.index}]` : `'${activity.id}'`;
    // First listing of each id; a small map per activity keeps long lists linear.
    const firstListing = entries.length > 1 ? new Map<string, (typeof entries)[number]>() : undefined;
    for (const entry of entries) {
      const id = entry.value;
      const earlier = firstListing?.get(id);
      if (earlier) {
        ctx.report(diagnostic('ORCH204', spanOf(entry.node),
          `${who} already depends on '${id}': remove this repeated entry.`,
          { related: [related(doc.uri, earlier.node, `'${id}' is first listed here`)], data: { activityId: activity.id, dependency: id } }));
        continue;
      }
      firstListing?.set(id, entry);
      if (activity.id !== undefined && id === activity.id) {
        ctx.report(diagnostic('ORCH203', spanOf(entry.node),
          `${who} depends on itself, so it could never start: remove '${id}' from its dependsOn.`,
          { data: { activityId: activity.id, dependency: id } }));
        continue;
      }
      if (!model.byId.has(id)) {
        const close = ids.suggest(id);
        // Suggesting the activity itself would only trade this error for ORCH203.
        const suggestion = close === activity.id ? undefined : close;
        const hint = suggestion ? ` Did you mean '${suggestion}'?` : '';
        ctx.report(diagnostic('ORCH202', spanOf(entry.node),
          `${who} depends on '${id}', but no activity of this file has that id.${hint} dependsOn must name activities of the same file.`,
          { data: suggestion ? { dependency: id, suggestion } : { dependency: id } }));
      }
    }
  }
};
