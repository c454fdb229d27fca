/**
 * ORCH406: a source reading `activity.property...` where the read activity's type lists its output
 * properties and `property` is not one of them: a warning, an error where the outputSchema sets
 * `additionalProperties: false`. Applies to inputs, forEach.items and the definition's outputs.
 * Activities that fan out (forEach, hosts) are skipped: their output gathers one result per
 * instance, which their type's outputSchema does not describe.
 */
import type { ActivityModel, SourceRef } from '../../model/located';
import type { OrchestrationCheck } from '../check';
import { diagnostic } from '../diagnostic';
import { ActivityTypes, listsProperties, type SchemaFacts } from './support/activityTypes';
import { malformedReason } from './support/sources';
import { related, segmentSpan } from './support/spans';
import { Suggester } from './support/suggest';

export const outputProperties: OrchestrationCheck = (ctx) => {
  if (!ctx.index) return;
  const { model, doc } = ctx;
  const types = new ActivityTypes(ctx.index);
  const suggesters = new Map<SchemaFacts, Suggester>();
  const check = (source: SourceRef | undefined, where: string) => {
    if (!source?.activityId || source.outputPath.length === 0 || malformedReason(source)) return;
    const read = model.byId.get(source.activityId);
    if (!read || fansOut(read)) return;
    const facts = types.of(read.type);
    const output = facts?.output;
    if (!facts || !listsProperties(output)) return;
    const property = source.outputPath[0];
    if (output.names.has(property)) return;
    let names = suggesters.get(output);
    if (!names) suggesters.set(output, (names = new Suggester(() => output.names)));
    const suggestion = names.suggest(property);
    const hint = suggestion ? ` Did you mean '${suggestion}'?` : '';
    const consequence = output.closed ? 'its outputSchema sets additionalProperties: false, so it can never be there' : 'it will probably be missing at run time';
    ctx.report(diagnostic('ORCH406', segmentSpan(doc.text, source, 1),
      `The ${where} "${source.value}" reads '${property}' from '${read.id}', but type '${read.type}' lists no such output (${consequence}).${hint} Read one of its outputSchema properties or add '${property}' to them.`,
      {
        severity: output.closed ? 'error' : 'warning',
        related: output.propertiesNode ? [related(facts.declaration.doc.uri, output.propertiesNode, `the outputs of '${read.type}'`)] : undefined,
        data: suggestion ? { activityId: read.id, property, type: read.type, suggestion } : { activityId: read.id, property, type: read.type },
      }));
  };
  for (let a = 0; a < model.activities.length; a++) {
    const activity = model.activities[a];
    for (let i = 0; i < activity.inputs.length; i++) { const input = activity.inputs[i]; check(input.source, 'input'); }
    check(activity.forEach?.items, 'forEach.items');
  }
  for (const output of model.output) check(output.source, 'output');
};

function fansOut(activity: ActivityModel): boolean {
  return activity.forEach !== undefined || activity.hosts.length > 0;
}
