/**
 * ORCH404: a target the activity type's inputSchema does not list: a warning (the processor probably
 * ignores it), an error where the schema sets `additionalProperties: false` (the run would be refused).
 */
import type { OrchestrationCheck } from '../check';
import { diagnostic } from '../diagnostic';
import { ActivityTypes, listsProperties, type SchemaFacts } from './support/activityTypes';
import { related } from './support/spans';
import { Suggester } from './support/suggest';
import { suppliedTargets, suppliesOnly, targetSpan } from './support/targets';

export const inputTargets: OrchestrationCheck = (ctx) => {
  if (!ctx.index) return;
  const types = new ActivityTypes(ctx.index);
  const suggesters = new Map<SchemaFacts, Suggester>();
  for (let a = 0; a < ctx.model.activities.length; a++) {
    const activity = ctx.model.activities[a];
    if (!activity.inputs.length && !activity.forEach) continue;
    const facts = types.of(activity.type);
    const input = facts?.input;
    if (!facts || !listsProperties(input)) continue;
    if (suppliesOnly(activity, input.names)) continue;
    for (const target of suppliedTargets(activity)) {
      if (input.names.has(target.name)) continue;
      let names = suggesters.get(input);
      if (!names) suggesters.set(input, (names = new Suggester(() => input.names)));
      const suggestion = names.suggest(target.name);
      const hint = suggestion ? ` Did you mean '${suggestion}'?` : '';
      const consequence = input.closed
        ? 'its inputSchema sets additionalProperties: false, so the run would be refused'
        : 'the processor will probably ignore it';
      const what = target.kind === 'forEach.as' ? 'The forEach item name' : 'The target';
      ctx.report(diagnostic('ORCH404', targetSpan(ctx.doc.text, target),
        `${what} '${target.name}' is not an input of type '${activity.type}' (${consequence}).${hint} Use one of the inputSchema properties or add '${target.name}' to them.`,
        {
          severity: input.closed ? 'error' : 'warning',
          related: input.propertiesNode ? [related(facts.declaration.doc.uri, input.propertiesNode, `the inputs of '${activity.type}'`)] : undefined,
          data: suggestion ? { target: target.name, type: activity.type, suggestion } : { target: target.name, type: activity.type },
        }));
    }
  }
};
