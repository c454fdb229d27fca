/**
 * The names an activity supplies to its processor: each input's target and, for a forEach, the `as`
 * name (the item is an input too). Spans point at the spelling of the name: an explicit target, the
 * last segment of a shorthand source, or the `as` value; they are computed only for names that get a
 * diagnostic.
 */
import type { JsonNode, Span } from '../../../json/node';
import type { ActivityModel, InputModel } from '../../../model/located';
import { segmentSpan, spanOf } from './spans';

export interface SuppliedTarget {
  name: string;
  kind: 'input' | 'forEach.as';
  input?: InputModel;
  /** Made on first use: only targets that get a diagnostic need their node. */
  readonly node: JsonNode;
}

class InputTarget implements SuppliedTarget {
  readonly kind = 'input';
  constructor(readonly name: string, readonly input: InputModel) {}
  get node(): JsonNode {
    return this.input.targetNode!;
  }
}

class ItemTarget implements SuppliedTarget {
  readonly kind = 'forEach.as';
  constructor(readonly name: string, private readonly forEach: NonNullable<ActivityModel['forEach']>) {}
  get node(): JsonNode {
    return this.forEach.asNode!;
  }
}

/**
 * The model sets `targetNode` whenever it sets `target` (and `asNode` with `as`), so the names alone
 * decide what is supplied, without making nodes.
 */
export function suppliedTargets(activity: ActivityModel): SuppliedTarget[] {
  const targets: SuppliedTarget[] = [];
  for (let i = 0; i < activity.inputs.length; i++) {
    const input = activity.inputs[i];
    if (input.target !== undefined) targets.push(new InputTarget(input.target, input));
  }
  const forEach = activity.forEach;
  if (forEach?.as !== undefined) {
    const item = new ItemTarget(forEach.as, forEach);
    // forEach may be written before or after inputs: "first" means first in the file.
    if (forEach.node.offset < (activity.inputsNode?.offset ?? Infinity)) targets.unshift(item);
    else targets.push(item);
  }
  return targets;
}

/** Whether every name the activity supplies is in `names` (answered without making targets or nodes). */
export function suppliesOnly(activity: ActivityModel, names: ReadonlySet<string>): boolean {
  const inputs = activity.inputs;
  for (let i = 0; i < inputs.length; i++) {
    const target = inputs[i].target;
    if (target !== undefined && !names.has(target)) return false;
  }
  const as = activity.forEach?.as;
  return as === undefined || names.has(as);
}

export function targetSpan(text: string, target: SuppliedTarget): Span {
  const source = target.input?.source;
  if (source && target.node === source.node) return segmentSpan(text, source, source.segments.length - 1);
  return spanOf(target.node);
}
