/** Finding model objects from spans and nodes (diagnostics carry offsets; fixes need the activity). */
import { nodeAtOffset, type JsonNode } from '../../../runtime/json/node';
import type { ActivityModel, OrchestrationModel } from '../../../runtime/model/located';

/** The node exactly covering a span, or the innermost one containing it. */
export function nodeAtSpan(root: JsonNode | undefined, offset: number, length: number): JsonNode | undefined {
  let node = nodeAtOffset(root, length > 0 ? offset + 1 : offset);
  const endOffset = offset + length;
  while (node && !(node.offset <= offset && node.offset + node.length >= endOffset)) node = node.parent;
  // A span inside a string (one segment of a source) resolves to the string.
  return node;
}

/** The activity whose object contains `node`, found by walking up to the `activities` array. */
export function activityContaining(model: OrchestrationModel, node: JsonNode | undefined): ActivityModel | undefined {
  const activities = model.activitiesNode;
  if (!activities) return undefined;
  let current = node;
  while (current && current.parent !== activities) current = current.parent;
  if (!current) return undefined;
  return activityAtNode(model, current);
}

/** The activity model of an item of the `activities` array (binary search: they are in file order). */
export function activityAtNode(model: OrchestrationModel, item: JsonNode): ActivityModel | undefined {
  const list = model.activities;
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const candidate = list[mid].node;
    if (candidate === item) return list[mid];
    if (candidate.offset < item.offset) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/** The activities whose objects intersect [from, to), in file order (binary search for the first). */
export function activitiesIn(model: OrchestrationModel, from: number, to: number): ActivityModel[] {
  const list = model.activities;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const node = list[mid].node;
    if (node.offset + node.length < from) lo = mid + 1;
    else hi = mid;
  }
  const out: ActivityModel[] = [];
  for (let i = lo; i < list.length && list[i].node.offset < to; i++) out.push(list[i]);
  return out;
}
