/**
 * Re-parsing after an edit. A keystroke changes a few characters inside one object or array of a
 * document whose rest is as it was: only that container is scanned again, and the tape and the plain
 * value around it are reused (the tape copied with later entries shifted, the value copied along the
 * path from the root; the previous result is left untouched, as other holders of it expect).
 *
 * The result is the one parseJsonc would give for the new text (test/unit/perf-incremental.test.ts
 * checks this on random edits). Whenever that cannot be had this way (a syntax error, an edit that
 * crosses the container's brackets, a tree recovered from broken text) the answer is undefined and the
 * caller parses the whole text.
 */
import type { ParseResult } from './parse';
import { scanValueAt, type ParseProblem } from './scan';
import { ARRAY, JsonTape, PROPERTY } from './tape';
import { JsonTree } from './tree';

/** What is known to be unchanged: the first `prefix` and the last `suffix` characters of both texts. */
export interface UnchangedEnds {
  prefix: number;
  suffix: number;
}

export function reparse(previous: ParseResult, previousText: string, text: string, unchanged: UnchangedEnds): ParseResult | undefined {
  const tree = previous.tree;
  if (!tree || previous.root === undefined) return undefined;
  const tape = tree.tape;
  if (tape.leafValues !== undefined || tape.text !== previousText) return undefined;
  if (previous.problems.some((p) => p.kind === 'syntax')) return undefined;
  const oldLength = previousText.length;
  const delta = text.length - oldLength;
  const prefix = Math.min(unchanged.prefix, oldLength, text.length);
  const suffix = Math.min(unchanged.suffix, oldLength - prefix, text.length - prefix);
  const changedEnd = oldLength - suffix;

  const x = innermostContainer(tape, prefix, changedEnd);
  if (x < 0) return undefined;
  const start = tape.start[x];
  const scanned = scanValueAt(text, start, tape.end[x] + delta, depthOf(tape, x) - 1);
  if (!scanned?.tape) return undefined;

  const fresh = scanned.tape;
  const newTape = splice(tape, x, fresh, text, delta);
  const oldEnd = tape.end[x];
  const problems: ParseProblem[] = [];
  for (const p of previous.problems) if (p.offset < start) problems.push(p);
  problems.push(...scanned.problems);
  for (const p of previous.problems) if (p.offset >= oldEnd) problems.push({ ...p, offset: p.offset + delta });

  let part: unknown;
  if (scanned.strict) {
    try {
      part = JSON.parse(text.slice(start, tape.end[x] + delta));
    } catch {
      return undefined;
    }
  } else {
    part = newTape.plainValue(x);
  }
  const path = pathTo(newTape, x);
  const value = path ? replaced(previous.value, path, part) : previous.value;
  const result = new JsonTree(newTape, value);
  return { root: result.root, value, problems, tree: result, derivedFrom: path ? { value: previous.value, path } : undefined };
}

/** The innermost object or array whose brackets lie outside [from, to), or -1. */
function innermostContainer(tape: JsonTape, from: number, to: number): number {
  if (tape.count === 0) return -1;
  const kind = tape.kind;
  const start = tape.start;
  const end = tape.end;
  const skip = tape.skip;
  if (!(start[0] < from && end[0] - 1 >= to) || kind[0] > ARRAY) return -1;
  let found = 0;
  let node = 0;
  for (;;) {
    let next = -1;
    for (let k = node + 1, stop = skip[node]; k < stop; k = skip[k]) {
      if (start[k] >= to) break;
      if (start[k] < from && end[k] - 1 >= to) { next = k; break; }
    }
    if (next < 0) return found;
    node = next;
    if (kind[node] <= ARRAY) found = node;
  }
}

function depthOf(tape: JsonTape, i: number): number {
  let depth = 0;
  for (let at = i; at >= 0; at = tape.parent[at]) if (tape.kind[at] <= ARRAY) depth++;
  return depth;
}

/** The tape of the new text: entry x's subtree replaced by `fresh`, later entries shifted. */
function splice(tape: JsonTape, x: number, fresh: JsonTape, text: string, delta: number): JsonTape {
  const oldEnd = tape.skip[x];
  const shift = fresh.count - (oldEnd - x);
  const count = tape.count + shift;
  const kind = new Uint8Array(count);
  const start = new Int32Array(count);
  const end = new Int32Array(count);
  const parent = new Int32Array(count);
  const skip = new Int32Array(count);
  const aux = new Int32Array(count);
  // Before x: unchanged, except that x's ancestors now end later.
  kind.set(tape.kind.subarray(0, x));
  start.set(tape.start.subarray(0, x));
  end.set(tape.end.subarray(0, x));
  parent.set(tape.parent.subarray(0, x));
  skip.set(tape.skip.subarray(0, x));
  aux.set(tape.aux.subarray(0, x));
  for (let a = tape.parent[x]; a >= 0; a = tape.parent[a]) {
    end[a] += delta;
    skip[a] += shift;
  }
  // x itself: the fresh entries, whose offsets are already the new text's.
  kind.set(fresh.kind.subarray(0, fresh.count), x);
  start.set(fresh.start.subarray(0, fresh.count), x);
  end.set(fresh.end.subarray(0, fresh.count), x);
  aux.set(fresh.aux.subarray(0, fresh.count), x);
  for (let j = 0; j < fresh.count; j++) {
    parent[x + j] = j === 0 ? tape.parent[x] : fresh.parent[j] + x;
    skip[x + j] = fresh.skip[j] + x;
  }
  // After x: moved by `shift` entries and `delta` characters. This is most of the tape, on every
  // keystroke: one plain loop per array (a copy where nothing moves) rather than one loop doing all.
  const to = x + fresh.count;
  kind.set(tape.kind.subarray(oldEnd, tape.count), to);
  shifted(start, to, tape.start, oldEnd, tape.count, delta);
  shifted(end, to, tape.end, oldEnd, tape.count, delta);
  shifted(skip, to, tape.skip, oldEnd, tape.count, shift);
  if (shift === 0) {
    parent.set(tape.parent.subarray(oldEnd, tape.count), to);
  } else {
    const from = tape.parent;
    for (let i = oldEnd, n = to; i < tape.count; i++, n++) {
      const p = from[i];
      parent[n] = p >= oldEnd ? p + shift : p;
    }
  }
  aux.set(tape.aux.subarray(oldEnd, tape.count), to);
  if (delta !== 0) {
    // Properties keep the offset of their colon there (or -1 when they have none).
    for (let n = to; n < count; n++) if (kind[n] === PROPERTY && aux[n] >= 0) aux[n] += delta;
  }
  let shadowed: Set<number> | undefined;
  const mark = (i: number) => (shadowed ??= new Set()).add(i);
  for (const i of tape.shadowed ?? []) if (i < x) mark(i); else if (i >= oldEnd) mark(i + shift);
  for (const i of fresh.shadowed ?? []) mark(i + x);
  return new JsonTape(text, count, kind, start, end, parent, skip, aux, shadowed, undefined);
}

/** `into[to...] = from[begin..stop) + by`. */
function shifted(into: Int32Array, to: number, from: Int32Array, begin: number, stop: number, by: number): void {
  if (by === 0) {
    into.set(from.subarray(begin, stop), to);
    return;
  }
  for (let i = begin, n = to; i < stop; i++, n++) into[n] = from[i] + by;
}

/**
 * The keys and indices from the root's plain value to entry x's, or undefined when x's value is not in
 * the plain value at all (under a property overridden by a later one with the same key).
 */
function pathTo(tape: JsonTape, x: number): (string | number)[] | undefined {
  const path: (string | number)[] = [];
  for (let at = x; at > 0;) {
    const p = tape.parent[at];
    if (tape.kind[p] === PROPERTY) {
      if (tape.shadowed?.has(p)) return undefined;
      path.push(tape.stringValue(p + 1));
      at = tape.parent[p];
    } else {
      let ordinal = 0;
      for (let k = p + 1; k < at; k = tape.skip[k]) ordinal++;
      path.push(ordinal);
      at = p;
    }
  }
  return path.reverse();
}

/** `rootValue` with the value at `path` replaced by `part`: containers on the path are copied, the rest shared. */
function replaced(rootValue: unknown, path: readonly (string | number)[], part: unknown): unknown {
  if (path.length === 0) return part;
  const copy = (container: unknown): Record<string | number, unknown> =>
    (Array.isArray(container) ? container.slice() : { ...(container as Record<string, unknown>) }) as Record<string | number, unknown>;
  const root = copy(rootValue);
  let holder = root;
  for (let k = 0; k < path.length - 1; k++) {
    const child = copy(holder[path[k]]);
    assign(holder, path[k], child);
    holder = child;
  }
  assign(holder, path[path.length - 1], part);
  return root;
}

function assign(holder: Record<string | number, unknown>, key: string | number, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(holder, key, { value, enumerable: true, writable: true, configurable: true });
  else holder[key] = value;
}

