/** ORCH201: activity ids are unique in a file (dependsOn and sources name activities by id). */
import type { OrchestrationCheck } from '../check';
import { diagnostic } from '../diagnostic';
import { related, spanOf } from './support/spans';

export const duplicateIds: OrchestrationCheck = (ctx) => {
  const { model, doc } = ctx;
  for (let a = 0; a < model.activities.length; a++) {
    const activity = model.activities[a];
    // An id is always read from a string node (idNode): testing the id does not make the node.
    if (activity.id === undefined) continue;
    const first = model.byId.get(activity.id);
    if (!first || first === activity || !first.idNode || !activity.idNode) continue;
    const suggestion = freeId(activity.id, model.byId);
    ctx.report(diagnostic('ORCH201', spanOf(activity.idNode),
      `Activity id '${activity.id}' is already used by activities[${first.index}]: ids must be unique in the file, since dependsOn and sources name activities by id. Rename this activity (e.g. '${suggestion}').`,
      {
        related: [related(doc.uri, first.idNode, `'${activity.id}' is first used here`)],
        data: { id: activity.id, firstIndex: first.index, suggestion },
      }));
  }
};

/** `id-2`, `id-3`, ...: the first that no activity uses (a rename quick fix). */
function freeId(id: string, byId: ReadonlyMap<string, unknown>): string {
  for (let n = 2; ; n++) {
    const candidate = `${id}-${n}`;
    if (!byId.has(candidate)) return candidate;
  }
}
