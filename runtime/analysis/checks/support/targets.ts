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
  node: JsonNode;
}

export function suppliedTargets(activity: ActivityModel): SuppliedTarget[] {
  const targets: SuppliedTarget[] = [];
  for (const input of activity.inputs) {
    if (input.target !== undefined && input.targetNode) targets.push({ name: input.target, kind: 'input', input, node: input.targetNode });
  }
  const forEach = activity.forEach;
  if (forEach?.as !== undefined && forEach.asNode) {
    const item: SuppliedTarget = { name: forEach.as, kind: 'forEach.as', node: forEach.asNode };
    // forEach may be written before or after inputs: "first" means first in the file.
    if (forEach.node.offset < (activity.inputsNode?.offset ?? Infinity)) targets.unshift(item);
    else targets.push(item);
  }
  return targets;
}

export function targetSpan(text: string, target: SuppliedTarget): Span {
  const source = target.input?.source;
  if (source && target.node === source.node) return segmentSpan(text, source, source.segments.length - 1);
  return spanOf(target.node);
}
