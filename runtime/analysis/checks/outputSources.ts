/**
 * ORCH409: each `output` entry must read an activity of the definition or a run-input property.
 * Outputs are taken after the run succeeded, so any activity may be read (no upstream rule); an
 * output property outside the read type's outputSchema is ORCH406.
 */
import type { OrchestrationCheck } from '../check';
import { diagnostic } from '../diagnostic';
import { PropertyReads } from './support/sources';
import { related, segmentSpan } from './support/spans';

export const outputSources: OrchestrationCheck = (ctx) => {
  const { model, doc } = ctx;
  if (!model.output.length) return;
  const reads = new PropertyReads(model);
  for (const output of model.output) {
    const problem = reads.problem(output.source);
    if (!problem) continue;
    const schemaProps = reads.input.propertiesNode;
    ctx.report(diagnostic('ORCH409', segmentSpan(doc.text, output.source, 0),
      `The output '${output.name}' reads "${output.source.value}", but ${reads.advice(problem)}.`,
      {
        severity: problem.severity,
        related: problem.severity === 'error' && schemaProps ? [related(doc.uri, schemaProps, 'the properties of the run input')] : undefined,
        data: { output: output.name, ...reads.data(problem) },
      }));
  }
};
