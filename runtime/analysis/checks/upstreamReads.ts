/**
 * ORCH401: an input may read only the outputs of activities upstream of its activity (reachable
 * through dependsOn); anything else would race with the activity it reads.
 */
import type { OrchestrationCheck } from '../check';
import { diagnostic } from '../diagnostic';
import { malformedReason } from './support/sources';
import { related, segmentSpan } from './support/spans';
import { notUpstreamAdvice, UpstreamReads } from './support/upstream';

export const upstreamReads: OrchestrationCheck = (ctx) => {
  const { model, doc } = ctx;
  let reads: UpstreamReads | undefined;
  for (let a = 0; a < model.activities.length; a++) {
    const activity = model.activities[a];
    for (let i = 0; i < activity.inputs.length; i++) {
      const input = activity.inputs[i];
      const source = input.source;
      if (!source?.activityId || malformedReason(source)) continue;
      const read = model.byId.get(source.activityId);
      if (!read) continue;
      reads ??= new UpstreamReads(ctx.graph);
      if (reads.allows(activity, read)) continue;
      ctx.report(diagnostic('ORCH401', segmentSpan(doc.text, source, 0),
        `The input "${source.value}" reads the output of '${read.id}', but ${notUpstreamAdvice(activity, read)}.`,
        {
          related: read.idNode && read !== activity ? [related(doc.uri, read.idNode, `'${read.id}' is declared here`)] : undefined,
          // No activityId for a self-read: "add it to dependsOn" would be ORCH203.
          data: read === activity ? { selfRead: read.id } : { activityId: read.id },
        }));
    }
  }
};
