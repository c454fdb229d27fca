/**
 * ORCH407: a run-input property named like an activity. A source's first segment is taken as an
 * activity id first, so the property can never be read by a source. Reported on the property's key
 * in `schema.properties`, or in `input` when only a default declares it.
 */
import { propertyValue, type JsonNode } from '../../json/node';
import type { OrchestrationCheck } from '../check';
import { diagnostic } from '../diagnostic';
import { unwrapSchemaNode } from './support/sources';
import { related, spanOf } from './support/spans';

export const shadowedInputs: OrchestrationCheck = (ctx) => {
  const { model, doc } = ctx;
  if (!model.byId.size) return;
  const reported = new Set<string>();
  const check = (keyNode: JsonNode, where: string) => {
    const name = keyNode.value as string;
    const activity = model.byId.get(name);
    if (!activity || reported.has(name)) return;
    reported.add(name);
    ctx.report(diagnostic('ORCH407', spanOf(keyNode),
      `The input property '${name}' (${where}) has the same name as activity '${name}': sources starting with '${name}' read the activity's output, never this property. Rename the property or the activity.`,
      {
        related: activity.idNode ? [related(doc.uri, activity.idNode, `activity '${name}'`)] : undefined,
        data: { property: name, activityId: name },
      }));
  };
  for (const key of keysOf(propertyValue(unwrapSchemaNode(model.schemaNode), 'properties'))) check(key, 'in `schema`');
  for (const key of keysOf(propertyValue(model.root, 'input'))) check(key, 'in `input`');
};

function keysOf(object: JsonNode | undefined): JsonNode[] {
  if (object?.type !== 'object') return [];
  const keys: JsonNode[] = [];
  for (const prop of object.children ?? []) {
    const key = prop.children?.[0];
    if (key && typeof key.value === 'string') keys.push(key);
  }
  return keys;
}
