/** ORCH403: two inputs of one activity (or an input and the forEach `as` name) set the same target. */
import type { ActivityModel } from '../../model/located';
import type { OrchestrationCheck } from '../check';
import { diagnostic } from '../diagnostic';
import { related } from './support/spans';
import { suppliedTargets, targetSpan, type SuppliedTarget } from './support/targets';

/** Activities list a handful of inputs: comparing names beats building a map, up to this many. */
const SCAN_LIMIT = 16;

export const duplicateTargets: OrchestrationCheck = (ctx) => {
  const { model, doc } = ctx;
  for (let a = 0; a < model.activities.length; a++) {
    const activity = model.activities[a];
    if (activity.inputs.length + (activity.forEach ? 1 : 0) < 2 || !mayRepeat(activity)) continue;
    const targets = suppliedTargets(activity);
    const firstByName = targets.length > SCAN_LIMIT ? firstOfEachName(targets) : undefined;
    for (let k = 1; k < targets.length; k++) {
      const target = targets[k];
      const earlier = firstByName ? firstByName.get(target.name) : scanBefore(targets, k);
      if (!earlier || earlier === target) continue;
      const what = earlier.kind === 'forEach.as' ? 'the forEach item (`as`)' : 'an earlier input';
      ctx.report(diagnostic('ORCH403', targetSpan(doc.text, target),
        `The target '${target.name}' is already set by ${what} of this activity: one value would silently replace the other. Give this input another target (\`{ "source": ..., "target": "..." }\`) or remove it.`,
        { related: [related(doc.uri, targetSpan(doc.text, earlier), `'${target.name}' is first set here`)], data: { target: target.name } }));
    }
  }
};

/** False when the names are certainly distinct (compared in place, for the usual handful of inputs). */
function mayRepeat(activity: ActivityModel): boolean {
  const inputs = activity.inputs;
  if (inputs.length > SCAN_LIMIT) return true;
  const as = activity.forEach?.as;
  for (let i = 0; i < inputs.length; i++) {
    const name = inputs[i].target;
    if (name === undefined) continue;
    if (name === as) return true;
    for (let j = i + 1; j < inputs.length; j++) if (inputs[j].target === name) return true;
  }
  return false;
}

function firstOfEachName(targets: readonly SuppliedTarget[]): Map<string, SuppliedTarget> {
  const map = new Map<string, SuppliedTarget>();
  for (const t of targets) if (!map.has(t.name)) map.set(t.name, t);
  return map;
}

function scanBefore(targets: readonly SuppliedTarget[], k: number): SuppliedTarget | undefined {
  const name = targets[k].name;
  for (let i = 0; i < k; i++) if (targets[i].name === name) return targets[i];
  return undefined;
}
