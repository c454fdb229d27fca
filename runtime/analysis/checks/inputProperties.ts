/**
 * ORCH402: an input reading a run-input property the definition's `schema` does not list (and
 * `input` gives no default), or, with an empty schema, a name that is a typo of an activity id.
 */
import type { OrchestrationCheck } from '../check';
import { diagnostic } from '../diagnostic';
import { PropertyReads } from './support/sources';
import { related, segmentSpan } from './support/spans';

export const inputProperties: OrchestrationCheck = (ctx) => {
  const { model, doc } = ctx;
  let reads: PropertyReads | undefined;
  for (let a = 0; a < model.activities.length; a++) {
    const activity = model.activities[a];
    for (let i = 0; i < activity.inputs.length; i++) {
      const input = activity.inputs[i];
      const source = input.source;
      if (!source || source.activityId !== undefined) continue;
      reads ??= new PropertyReads(model);
      const problem = reads.problem(source);
      if (!problem) continue;
      const schemaProps = reads.input.propertiesNode;
      ctx.report(diagnostic('ORCH402', segmentSpan(doc.text, source, 0),
        `The input "${source.value}" reads the run input, but ${reads.advice(problem)}.`,
        {
          severity: problem.severity,
          related: problem.severity === 'error' && schemaProps ? [related(doc.uri, schemaProps, 'the properties of the run input')] : undefined,
          data: reads.data(problem),
        }));
    }
  }
};
