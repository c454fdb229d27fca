/**
 * ORCH410: a source that names nothing (empty, a leading or trailing dot, `a..b`). Every other source
 * check skips malformed sources, so each gets exactly this one diagnostic.
 */
import type { SourceRef } from '../../model/located';
import type { OrchestrationCheck } from '../check';
import { diagnostic } from '../diagnostic';
import { malformedReason } from './support/sources';
import { spanOf } from './support/spans';

export const malformedSources: OrchestrationCheck = (ctx) => {
  const check = (source: SourceRef | undefined, where: string) => {
    if (!source) return;
    const reason = malformedReason(source);
    if (!reason) return;
    ctx.report(diagnostic('ORCH410', spanOf(source.node),
      `The ${where} source "${source.value}" ${reason}: write an input property path (\`cell\`, \`config.timeout\`) or \`activityId.outputPath\` (\`activity1.resource\`).`,
      { data: { source: source.value, reason } }));
  };
  for (let a = 0; a < ctx.model.activities.length; a++) {
    const activity = ctx.model.activities[a];
    for (let i = 0; i < activity.inputs.length; i++) { const input = activity.inputs[i]; check(input.source, 'input'); }
    check(activity.forEach?.items, 'forEach.items');
  }
  for (const output of ctx.model.output) check(output.source, 'output');
};
