/** Adding and removing `dependsOn` entries of one activity, whatever shape dependsOn has. */
import { propertyNode, type JsonNode } from '../../../runtime/json/node';
import type { ActivityModel } from '../../../runtime/model/located';
import { appendItems, insertProperty, removeItems, removeProperty, type LayoutOptions } from './listEdits';
import { replace, type OffsetEdit } from './offsetEdit';

/**
 * Removes the given entries. A string dependsOn, or an array losing its every entry, loses the
 * property altogether (an empty dependsOn says nothing).
 */
export function removeDependencyEntries(text: string, activity: ActivityModel, entries: readonly JsonNode[]): OffsetEdit[] {
  const value = activity.dependsOnNode;
  const property = value?.parent;
  if (!value || !property) return [];
  if (value.type !== 'array') return removeProperty(text, activity.node, property);
  const children = value.children ?? [];
  const indices = entries.map((e) => children.indexOf(e)).filter((i) => i !== -1);
  if (indices.length === 0) return [];
  if (new Set(indices).size === children.length) return removeProperty(text, activity.node, property);
  return removeItems(text, value, indices);
}

/** The entries of an activity's dependsOn naming `id` (repeats included: all must go to drop the edge). */
export function entriesNaming(activity: ActivityModel, id: string): JsonNode[] {
  return activity.dependsOn.filter((entry) => entry.value === id).map((entry) => entry.node);
}

/** Adds `id` to dependsOn: appended to an array, a string turned into an array, or a new property. */
export function addDependency(text: string, activity: ActivityModel, id: string, layout: LayoutOptions): OffsetEdit[] {
  const quoted = JSON.stringify(id);
  const value = activity.dependsOnNode;
  if (!value) return insertProperty(text, activity.node, anchorFor(activity.node, ['id', 'type', 'discriminator']), 'dependsOn', () => `[${quoted}]`, layout);
  if (value.type === 'array') return appendItems(text, value, () => [quoted], layout);
  if (value.type === 'string') return [replace(value.offset, value.offset + value.length, `[${text.slice(value.offset, value.offset + value.length)}, ${quoted}]`)];
  return [replace(value.offset, value.offset + value.length, `[${quoted}]`)];
}

/** The last (in the text) of the named properties of an object: new properties go after it. */
export function anchorFor(object: JsonNode, keys: readonly string[]): JsonNode | undefined {
  let anchor: JsonNode | undefined;
  for (const key of keys) {
    const property = propertyNode(object, key);
    if (property && (!anchor || property.offset > anchor.offset)) anchor = property;
  }
  return anchor;
}
