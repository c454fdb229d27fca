/**
 * ORCH301: an activity type no ActivityDefinition of the workspace declares. A warning, not an
 * error: a workspace may hold only some of its definitions (types served by remote agents, say).
 * Without a workspace index nothing is known about types, so nothing is reported.
 */
import type { OrchestrationCheck } from '../check';
import { diagnostic } from '../diagnostic';
import { related, spanOf } from './support/spans';
import { Suggester } from './support/suggest';

export const unknownTypes: OrchestrationCheck = (ctx) => {
  const index = ctx.index;
  if (!index) return;
  const types = new Suggester(() => index.declaredTypes());
  for (let a = 0; a < ctx.model.activities.length; a++) {
    const activity = ctx.model.activities[a];
    if (activity.type === undefined) continue;
    if (index.declarationsOf(activity.type).length || !activity.typeNode) continue;
    const suggestion = types.suggest(activity.type);
    const declaration = suggestion ? index.declarationsOf(suggestion)[0] : undefined;
    const hint = suggestion ? ` Did you mean '${suggestion}'?` : '';
    ctx.report(diagnostic('ORCH301', spanOf(activity.typeNode),
      `No ActivityDefinition in the workspace declares type '${activity.type}'.${hint} Add a *.activity.json file with "type": "${activity.type}", or fix the name; until then its inputs and outputs are not checked.`,
      {
        related: declaration?.definition.type ? [related(declaration.doc.uri, declaration.definition.type.node, `'${suggestion}' is declared here`)] : undefined,
        data: suggestion ? { type: activity.type, suggestion } : { type: activity.type },
      }));
  }
};
