/**
 * Structural edits of JSON lists (array items, object properties) that keep the author's layout:
 * removing items fixes the commas around them and takes their lines with them when they stand
 * alone; adding items copies the neighbours' indentation and style (one per line, or inline).
 */
import type { JsonNode } from '../../../runtime/json/node';
import { insert, replace, type OffsetEdit } from './offsetEdit';
import {
  afterLineBreak, atLineBreak, commaAfter, indentOf, lineStart, skipLineTrivia, spansLines, startsLine,
} from './textScan';

function end(node: JsonNode): number {
  return node.offset + node.length;
}

/** Empties a container, keeping its brackets: `[]`, `{}`. */
export function emptyContainer(container: JsonNode): OffsetEdit {
  return replace(container.offset + 1, end(container) - 1, '');
}

/**
 * Removes the items at `indices` (array values or object property nodes) from `container`.
 * Removing every item leaves the container empty.
 */
export function removeItems(text: string, container: JsonNode, indices: Iterable<number>): OffsetEdit[] {
  const items = container.children ?? [];
  const removed = new Set<number>();
  for (const i of indices) if (i >= 0 && i < items.length) removed.add(i);
  if (removed.size === 0) return [];
  if (removed.size === items.length) return [emptyContainer(container)];
  let lastKept = items.length - 1;
  while (removed.has(lastKept)) lastKept--;
  const edits: OffsetEdit[] = [];
  for (const i of [...removed].sort((a, b) => a - b)) {
    if (i < lastKept) edits.push(removeBeforeKept(text, container, items, i));
  }
  if (lastKept < items.length - 1) edits.push(...removeTail(text, items, lastKept));
  return edits;
}

/** An item followed by another: it goes with its own comma. */
function removeBeforeKept(text: string, container: JsonNode, items: JsonNode[], i: number): OffsetEdit {
  const item = items[i];
  const comma = commaAfter(text, end(item));
  // Broken text (no comma where one belongs): remove just the item.
  if (comma === -1) return replace(item.offset, end(item), '');
  const next = items[i + 1];
  if (!spansLines(text, comma, next.offset)) return replace(item.offset, next.offset, '');
  const trail = skipLineTrivia(text, comma + 1);
  if (!atLineBreak(text, trail)) return replace(item.offset, comma + 1, '');
  // The item ends its line: when it also starts it, the whole line goes (with the comment after it).
  if (startsLine(text, item.offset)) return replace(lineStart(text, item.offset), afterLineBreak(text, trail), '');
  // It shares its line with what comes before: remove from the previous comma (or the bracket).
  const from = i > 0 ? commaAfter(text, end(items[i - 1])) + 1 : container.offset + 1;
  return replace(from > 0 ? from : item.offset, comma + 1, '');
}

/** The items after the last kept one: the kept item loses its comma, each removed one its line or span. */
function removeTail(text: string, items: JsonNode[], lastKept: number): OffsetEdit[] {
  const edits: OffsetEdit[] = [];
  const keptComma = commaAfter(text, end(items[lastKept]));
  if (keptComma !== -1) edits.push(replace(keptComma, keptComma + 1, ''));
  let previousEnd = keptComma !== -1 ? keptComma + 1 : end(items[lastKept]);
  for (let i = lastKept + 1; i < items.length; i++) {
    const item = items[i];
    const comma = commaAfter(text, end(item));
    const itemEnd = comma !== -1 ? comma + 1 : end(item);
    const trail = skipLineTrivia(text, itemEnd);
    if (startsLine(text, item.offset) && atLineBreak(text, trail) && spansLines(text, previousEnd, item.offset)) {
      edits.push(replace(lineStart(text, item.offset), afterLineBreak(text, trail), ''));
    } else {
      edits.push(replace(previousEnd, itemEnd, ''));
    }
    previousEnd = itemEnd;
  }
  return edits;
}

/** Removes one property (key and value) from an object, or every property when it is the only one. */
export function removeProperty(text: string, object: JsonNode, property: JsonNode): OffsetEdit[] {
  const index = (object.children ?? []).indexOf(property);
  return index === -1 ? [] : removeItems(text, object, [index]);
}

export interface LayoutOptions {
  /** One level of indentation as the file writes it. */
  unit: string;
  eol: string;
}

/**
 * Appends items (already rendered as JSON text) to an array. An empty array takes them inline when
 * `multilineWhenEmpty` is false (`["a"]`), one per line below it otherwise.
 */
export function appendItems(text: string, array: JsonNode, rendered: (indent: string) => string[], layout: LayoutOptions, multilineWhenEmpty = false): OffsetEdit[] {
  const items = array.children ?? [];
  if (items.length === 0) {
    if (!multilineWhenEmpty) return [replace(array.offset + 1, end(array) - 1, rendered('').join(', '))];
    const outer = indentOf(text, array.offset);
    const inner = outer + layout.unit;
    const lines = rendered(inner).map((item) => inner + item);
    return [replace(array.offset + 1, end(array) - 1, layout.eol + lines.join(',' + layout.eol) + layout.eol + outer)];
  }
  const last = items[items.length - 1];
  const trailingComma = commaAfter(text, end(last));
  if (startsLine(text, last.offset)) {
    const indent = indentOf(text, last.offset);
    const values = rendered(indent);
    if (trailingComma !== -1) {
      const at = skipLineTrivia(text, trailingComma + 1);
      return [insert(at, values.map((v) => layout.eol + indent + v + ',').join(''))];
    }
    // The comma goes right after the last item; the new lines after its trailing comment.
    const at = skipLineTrivia(text, end(last));
    return [insert(end(last), ','), insert(at, values.map((v) => layout.eol + indent + v).join(','))];
  }
  const values = rendered(indentOf(text, last.offset));
  if (trailingComma !== -1) return [insert(trailingComma + 1, values.map((v) => ` ${v},`).join(''))];
  return [insert(end(last), values.map((v) => `, ${v}`).join(''))];
}

/**
 * Inserts `"key": value` into an object after the property `after` (first when undefined), in the
 * object's style: on its own line with the neighbours' indentation, or inline. `value` receives the
 * indentation of the new property's line, for values that span lines.
 */
export function insertProperty(text: string, object: JsonNode, after: JsonNode | undefined, key: string, value: (indent: string) => string, layout: LayoutOptions): OffsetEdit[] {
  const props = object.children ?? [];
  const entry = (indent: string) => `${JSON.stringify(key)}: ${value(indent)}`;
  if (props.length === 0) {
    if (!spansLines(text, object.offset, end(object))) return [replace(object.offset + 1, end(object) - 1, ` ${entry(indentOf(text, object.offset))} `)];
    const outer = indentOf(text, object.offset);
    const inner = outer + layout.unit;
    return [replace(object.offset + 1, end(object) - 1, layout.eol + inner + entry(inner) + layout.eol + outer)];
  }
  const index = after ? props.indexOf(after) : -1;
  const next = props[index + 1];
  const multiline = startsLine(text, props[0].offset);
  if (multiline) {
    const indent = indentOf(text, (next ?? props[index]).offset);
    if (next && startsLine(text, next.offset)) return [insert(lineStart(text, next.offset), indent + entry(indent) + ',' + layout.eol)];
    if (next) return [insert(next.offset, entry(indent) + ', ')];
    const anchor = props[index];
    const comma = commaAfter(text, end(anchor));
    if (comma !== -1) return [insert(skipLineTrivia(text, comma + 1), layout.eol + indent + entry(indent) + ',')];
    return [insert(end(anchor), ','), insert(skipLineTrivia(text, end(anchor)), layout.eol + indent + entry(indent))];
  }
  const indent = indentOf(text, object.offset);
  if (index === -1) return [insert(props[0].offset, entry(indent) + ', ')];
  return [insert(end(props[index]), ', ' + entry(indent))];
}
