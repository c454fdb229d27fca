/**
 * ORCH408: forEach.items follows the rules of inputs: it may read an upstream activity's output or a
 * known run-input property. (A malformed spelling is ORCH410; an output property outside the read
 * type's outputSchema is ORCH406.)
 */
import type { OrchestrationCheck } from '../check';
import { diagnostic } from '../diagnostic';
import { malformedReason, PropertyReads } from './support/sources';
import { related, segmentSpan } from './support/spans';
import { notUpstreamAdvice, UpstreamReads } from './support/upstream';

export const forEachItems: OrchestrationCheck = (ctx) => {
  const { model, doc } = ctx;
  let upstream: UpstreamReads | undefined;
  let properties: PropertyReads | undefined;
  for (let a = 0; a < model.activities.length; a++) {
    const activity = model.activities[a];
    const items = activity.forEach?.items;
    if (!items || malformedReason(items)) continue;
    if (items.activityId !== undefined) {
      const read = model.byId.get(items.activityId);
      if (!read) continue;
      upstream ??= new UpstreamReads(ctx.graph);
      if (upstream.allows(activity, read)) continue;
      ctx.report(diagnostic('ORCH408', segmentSpan(doc.text, items, 0),
        `forEach.items "${items.value}" reads the output of '${read.id}', but ${notUpstreamAdvice(activity, read)}.`,
        {
          related: read.idNode && read !== activity ? [related(doc.uri, read.idNode, `'${read.id}' is declared here`)] : undefined,
          data: read === activity ? { selfRead: read.id } : { activityId: read.id },
        }));
      continue;
    }
    properties ??= new PropertyReads(model);
    const problem = properties.problem(items);
    if (!problem) continue;
    const schemaProps = properties.input.propertiesNode;
    ctx.report(diagnostic('ORCH408', segmentSpan(doc.text, items, 0),
      `forEach.items "${items.value}" reads the run input, but ${properties.advice(problem)}.`,
      {
        severity: problem.severity,
        related: problem.severity === 'error' && schemaProps ? [related(doc.uri, schemaProps, 'the properties of the run input')] : undefined,
        data: properties.data(problem),
      }));
  }
};
