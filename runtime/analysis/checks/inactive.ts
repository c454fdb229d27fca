/** ORCH601: `active: false` keeps a definition editable and checkable, but no run may start from it. */
import type { OrchestrationCheck } from '../check';
import { diagnostic } from '../diagnostic';
import { spanOf } from './support/spans';

export const inactive: OrchestrationCheck = (ctx) => {
  const { model } = ctx;
  if (model.active || !model.activeNode || model.activeNode.value !== false) return;
  ctx.report(diagnostic('ORCH601', spanOf(model.activeNode),
    'This definition is inactive ("active": false): it can be edited and validated, but runs of it are refused. Set "active" to true (or remove it) to run it.',
    { data: { active: false } }));
};
