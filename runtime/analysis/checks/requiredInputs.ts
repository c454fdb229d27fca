/**
 * ORCH405: every name in the activity type's inputSchema `required` must be supplied by an input (or
 * be the forEach `as` name). One diagnostic per activity lists every missing name, on its `inputs` key
 * (where they go) or, without inputs, on its `type` value.
 */
import { keyOf } from '../../json/node';
import type { ActivityModel } from '../../model/located';
import type { OrchestrationCheck } from '../check';
import { diagnostic } from '../diagnostic';
import { ActivityTypes } from './support/activityTypes';
import { related, spanOf } from './support/spans';
import { quoteList } from './support/suggest';

const NONE: string[] = Object.freeze([]) as unknown as string[];

export const requiredInputs: OrchestrationCheck = (ctx) => {
  if (!ctx.index) return;
  const types = new ActivityTypes(ctx.index);
  for (let a = 0; a < ctx.model.activities.length; a++) {
    const activity = ctx.model.activities[a];
    const facts = types.of(activity.type);
    const input = facts?.input;
    if (!facts || !input?.required.length) continue;
    const missing = missingNames(input.required, activity);
    if (!missing.length) continue;
    const at = (activity.inputsNode && keyOf(activity.inputsNode)) ?? activity.typeNode;
    if (!at) continue;
    const plural = missing.length > 1;
    ctx.report(diagnostic('ORCH405', spanOf(at),
      `Activity ${activity.id === undefined ? `activities[${activity.index}]` : `'${activity.id}'`} does not supply the required input${plural ? 's' : ''} ${quoteList(missing)} of type '${activity.type}': add ${plural ? 'them' : 'it'} to \`inputs\` (e.g. { "value": ..., "target": "${missing[0]}" }).`,
      {
        related: input.requiredNode ? [related(facts.declaration.doc.uri, input.requiredNode, `required by the inputSchema of '${activity.type}'`)] : undefined,
        data: { missing, type: activity.type },
      }));
  }
};

/** Required names no input targets (and that are not the forEach item), each once, in schema order. */
function missingNames(required: readonly string[], activity: ActivityModel): string[] {
  const inputs = activity.inputs;
  // The usual case, answered without allocating: a few inputs supplying every required name.
  if (inputs.length <= 16 && required.every((name) => activity.forEach?.as === name || inputs.some((i) => i.target === name))) return NONE;
  // A handful of inputs is scanned; a long list gets a set, so the cost stays linear.
  const targets = inputs.length > 16 ? new Set(inputs.map((i) => i.target)) : undefined;
  const supplied = (name: string) => (targets ? targets.has(name) : inputs.some((i) => i.target === name));
  const missing = new Set<string>();
  for (const name of required) if (activity.forEach?.as !== name && !supplied(name)) missing.add(name);
  return [...missing];
}
