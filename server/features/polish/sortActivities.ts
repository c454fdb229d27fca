/**
 * The source action "sort activities in topological order": dependencies before their dependents,
 * otherwise the file order (of all valid orders, the one that moves the fewest activities past each
 * other). Each activity moves with its text verbatim, with the comment lines above it and the
 * comment after it on its last line; commas, blank lines and indentation stay where they were.
 */
import type { JsonNode } from '../../../runtime/json/node';
import type { OrchestrationModel } from '../../../runtime/model/located';
import { replace, type OffsetEdit } from './offsetEdit';
import { afterLineBreak, atLineBreak, commaAfter, lineStart, skipLineTrivia, spansLines, startsLine } from './textScan';

export type SortPlan =
  | { kind: 'sorted' }
  | { kind: 'cycle' }
  | { kind: 'reorder'; order: number[] };

/** A binary min-heap of item indices: Kahn's algorithm taking the earliest ready item first. */
class MinHeap {
  private readonly items: number[] = [];
  get size(): number { return this.items.length; }
  push(value: number): void {
    const a = this.items;
    a.push(value);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent] <= a[i]) break;
      [a[parent], a[i]] = [a[i], a[parent]];
      i = parent;
    }
  }
  pop(): number {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l] < a[m]) m = l;
        if (r < a.length && a[r] < a[m]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}

/**
 * The new order of the items of `activities` (indices into its children). Dependencies resolve to
 * the first activity with the id, as everywhere else; items that are not activities keep their place
 * relative to their neighbours (they have no dependencies and nothing depends on them).
 */
export function planSort(model: OrchestrationModel): SortPlan {
  const items = model.activitiesNode?.children ?? [];
  const n = items.length;
  const dependents: number[][] = Array.from({ length: n }, () => []);
  const waiting = new Int32Array(n);
  let inOrder = true;
  for (const activity of model.activities) {
    const seen = new Set<number>();
    for (const dep of activity.dependsOn) {
      const from = model.byId.get(dep.value)?.index;
      if (from === undefined || from === activity.index || seen.has(from)) continue;
      seen.add(from);
      dependents[from].push(activity.index);
      waiting[activity.index]++;
      if (from > activity.index) inOrder = false;
    }
  }
  const heap = new MinHeap();
  for (let i = 0; i < n; i++) if (waiting[i] === 0) heap.push(i);
  const order: number[] = [];
  while (heap.size) {
    const item = heap.pop();
    order.push(item);
    for (const next of dependents[item]) if (--waiting[next] === 0) heap.push(next);
  }
  if (order.length < n) return { kind: 'cycle' };
  return inOrder ? { kind: 'sorted' } : { kind: 'reorder', order };
}

interface Chunk {
  /** Start of the comment lines above the item (its line start when there are none). */
  lead: number;
  body: number;
  bodyEnd: number;
  /** The comma after the item, or -1. */
  comma: number;
  /** End of what trails the item on its line (a comment), before the line break. */
  tail: number;
}

/** Skips blank lines from `pos` (a line start) up to the line of `limit`. */
function skipBlankLines(text: string, pos: number, limit: number): number {
  const last = lineStart(text, limit);
  let at = pos;
  while (at < last) {
    let i = at;
    while (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9) i++;
    if (!atLineBreak(text, i)) break;
    at = afterLineBreak(text, i);
  }
  return at;
}

function chunks(text: string, array: JsonNode): Chunk[] | undefined {
  const items = array.children ?? [];
  const out: Chunk[] = [];
  let previousTail = skipLineTrivia(text, array.offset + 1);
  let oneItemPerLine = true;
  for (const item of items) {
    const bodyEnd = item.offset + item.length;
    const comma = commaAfter(text, bodyEnd);
    const tail = skipLineTrivia(text, comma !== -1 ? comma + 1 : bodyEnd);
    let lead = item.offset;
    if (atLineBreak(text, previousTail) && startsLine(text, item.offset) && spansLines(text, previousTail, item.offset)) {
      lead = skipBlankLines(text, afterLineBreak(text, previousTail), item.offset);
    } else {
      oneItemPerLine = false;
    }
    out.push({ lead, body: item.offset, bodyEnd, comma, tail });
    previousTail = tail;
  }
  return oneItemPerLine ? out : undefined;
}

/** The edit that puts the items in `order`, replacing only the stretch between the first and last moved ones. */
export function sortEdit(text: string, array: JsonNode, order: readonly number[]): OffsetEdit | undefined {
  let first = 0;
  while (first < order.length && order[first] === first) first++;
  if (first === order.length) return undefined;
  let last = order.length - 1;
  while (order[last] === last) last--;
  const items = array.children ?? [];
  const layout = chunks(text, array);
  if (!layout) {
    // Several items share lines: move the values only, every separator and comment stays.
    let out = '';
    for (let k = first; k <= last; k++) {
      const item = items[order[k]];
      if (k > first) out += text.slice(items[k - 1].offset + items[k - 1].length, items[k].offset);
      out += text.slice(item.offset, item.offset + item.length);
    }
    return replace(items[first].offset, items[last].offset + items[last].length, out);
  }
  let out = '';
  for (let k = first; k <= last; k++) {
    const c = layout[order[k]];
    if (k > first) out += text.slice(layout[k - 1].tail, layout[k].lead);
    // The slot decides the comma (the last slot may have none); the item brings the rest.
    const beforeComma = c.comma !== -1 ? text.slice(c.bodyEnd, c.comma) : '';
    const afterComma = text.slice(c.comma !== -1 ? c.comma + 1 : c.bodyEnd, c.tail);
    out += text.slice(c.lead, c.bodyEnd) + beforeComma + (layout[k].comma !== -1 ? ',' : '') + afterComma;
  }
  return replace(layout[first].lead, layout[last].tail, out);
}
