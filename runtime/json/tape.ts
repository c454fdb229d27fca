/**
 * A JSON syntax tree as flat typed arrays (a "tape"): one entry per node, in document order, so a
 * node's subtree is the run of entries [i, skip[i]). A 2 MB definition has some 300,000 nodes; as
 * objects they cost tens of megabytes that the garbage collector copies at least once, while the tape
 * is a few typed arrays outside the JavaScript heap, written in one pass. JsonNode objects are made
 * from it only where someone looks (see ./tree.ts).
 */
import type { JsonNodeType } from './node';

export const OBJECT = 0;
export const ARRAY = 1;
export const PROPERTY = 2;
export const STRING = 3;
export const NUMBER = 4;
export const BOOLEAN = 5;
export const NULL = 6;

export const TYPE_NAMES: readonly JsonNodeType[] = ['object', 'array', 'property', 'string', 'number', 'boolean', 'null'];

const CODE_OF: Record<JsonNodeType, number> = { object: OBJECT, array: ARRAY, property: PROPERTY, string: STRING, number: NUMBER, boolean: BOOLEAN, null: NULL };

export function kindCode(type: JsonNodeType): number {
  return CODE_OF[type];
}

export class JsonTape {
  constructor(
    readonly text: string,
    readonly count: number,
    readonly kind: Uint8Array,
    readonly start: Int32Array,
    readonly end: Int32Array,
    /** -1 for the root (entry 0). */
    readonly parent: Int32Array,
    /** The entry just after the subtree: the next sibling when it is inside the parent. */
    readonly skip: Int32Array,
    /** Properties: offset of the ':' (-1 when missing). Strings: 1 when the literal has escapes. */
    readonly aux: Int32Array,
    /** Properties overridden by a later property with the same key in the same object. */
    readonly shadowed: ReadonlySet<number> | undefined,
    /** Leaf values that cannot be read back from the text (trees recovered from broken text). */
    readonly leafValues: readonly unknown[] | undefined,
  ) {}

  type(i: number): JsonNodeType {
    return TYPE_NAMES[this.kind[i]];
  }

  childCount(i: number): number {
    let n = 0;
    for (let k = i + 1, end = this.skip[i]; k < end; k = this.skip[k]) n++;
    return n;
  }

  /** The key entry of property `p` (-1 in a broken tree that lacks it). */
  keyOf(p: number): number {
    return p + 1 < this.skip[p] ? p + 1 : -1;
  }

  /** The value entry of property `p`, or -1 when it has none (a broken document). */
  valueOf(p: number): number {
    const k = p + 1;
    if (k >= this.skip[p]) return -1;
    const v = this.skip[k];
    return v < this.skip[p] ? v : -1;
  }

  /** Whether the string entry `i` spells exactly `name` (compared without building the string). */
  stringIs(i: number, name: string): boolean {
    if (this.kind[i] !== STRING) return false;
    if (this.leafValues !== undefined || this.aux[i] !== 0) return this.stringValue(i) === name;
    const start = this.start[i];
    return this.end[i] - start === name.length + 2 && this.text.startsWith(name, start + 1);
  }

  /**
   * The value entry of the last property named `key` of object `obj` (the one JSON.parse keeps), or -1.
   * Linear in the object's properties: for the handful that definitions have, no map is worth building.
   */
  property(obj: number, key: string): number {
    if (obj < 0 || this.kind[obj] !== OBJECT) return -1;
    let found = -1;
    for (let p = obj + 1, end = this.skip[obj]; p < end; p = this.skip[p]) {
      const k = p + 1;
      if (k < this.skip[p] && this.stringIs(k, key)) found = p;
    }
    return found < 0 ? -1 : this.valueOf(found);
  }

  /** The decoded value of string entry `i`. */
  stringValue(i: number): string {
    if (this.leafValues !== undefined) {
      const v = this.leafValues[i];
      return typeof v === 'string' ? v : '';
    }
    const start = this.start[i] + 1;
    const end = this.end[i] - 1;
    return this.aux[i] === 0 ? this.text.slice(start, end) : unescapeJsonString(this.text, start, end);
  }

  /** The value of leaf entry `i` (string, number, boolean or null). */
  leafValue(i: number): unknown {
    if (this.leafValues !== undefined) return this.leafValues[i];
    switch (this.kind[i]) {
      case STRING: return this.stringValue(i);
      case NUMBER: return Number(this.text.slice(this.start[i], this.end[i]));
      case BOOLEAN: return this.text.charCodeAt(this.start[i]) === 116 /* t */;
      case NULL: return null;
      default: return undefined;
    }
  }

  /**
   * The plain JavaScript value of entry `i`, built from the tape (the last of repeated keys wins, and a
   * `__proto__` key is data, as with JSON.parse). Properties have no value of their own: undefined.
   */
  plainValue(i: number): unknown {
    const kind = this.kind[i];
    if (kind === OBJECT) {
      const value: Record<string, unknown> = {};
      for (let p = i + 1, end = this.skip[i]; p < end; p = this.skip[p]) {
        const k = this.keyOf(p);
        if (k < 0 || this.kind[k] !== STRING) continue;
        const key = this.stringValue(k);
        const v = this.valueOf(p);
        const item = v < 0 ? undefined : this.plainValue(v);
        if (key === '__proto__') Object.defineProperty(value, key, { value: item, enumerable: true, writable: true, configurable: true });
        else value[key] = item;
      }
      return value;
    }
    if (kind === ARRAY) {
      const value: unknown[] = [];
      for (let k = i + 1, end = this.skip[i]; k < end; k = this.skip[k]) value.push(this.plainValue(k));
      return value;
    }
    if (kind === PROPERTY) return undefined;
    return this.leafValue(i);
  }

}

/** Appends entries, growing the arrays as needed; `finish` trims them to size. */
export class TapeBuilder {
  count = 0;
  kind: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  parent: Int32Array;
  skip: Int32Array;
  aux: Int32Array;

  constructor(readonly text: string, capacity = estimateEntries(text.length)) {
    const n = Math.max(16, capacity);
    this.kind = new Uint8Array(n);
    this.start = new Int32Array(n);
    this.end = new Int32Array(n);
    this.parent = new Int32Array(n);
    this.skip = new Int32Array(n);
    this.aux = new Int32Array(n);
  }

  add(kind: number, start: number, parent: number): number {
    const i = this.count++;
    if (i === this.kind.length) this.grow(i * 2);
    this.kind[i] = kind;
    this.start[i] = start;
    this.parent[i] = parent;
    return i;
  }

  private grow(capacity: number): void {
    this.kind = resized(this.kind, capacity);
    this.start = resized(this.start, capacity);
    this.end = resized(this.end, capacity);
    this.parent = resized(this.parent, capacity);
    this.skip = resized(this.skip, capacity);
    this.aux = resized(this.aux, capacity);
  }

  finish(shadowed?: ReadonlySet<number>, leafValues?: unknown[]): JsonTape {
    // Much slack is given back (an open document keeps its tape for as long as it is open); a little
    // is not worth copying the arrays.
    if (this.kind.length > this.count + (this.count >> 1) + 64) this.grow(this.count);
    return new JsonTape(this.text, this.count, this.kind, this.start, this.end, this.parent, this.skip, this.aux, shadowed, leafValues);
  }
}

/** Pretty-printed definitions have a node every 7 or 8 characters; compact JSON has more. */
function estimateEntries(textLength: number): number {
  return (textLength >> 3) + 64;
}

function resized<T extends Uint8Array | Int32Array>(array: T, capacity: number): T {
  const next = (array instanceof Uint8Array ? new Uint8Array(capacity) : new Int32Array(capacity)) as T;
  next.set(array.length > capacity ? array.subarray(0, capacity) : array);
  return next;
}

/** Decodes the body of a valid JSON string literal (between the quotes) that contains escapes. */
export function unescapeJsonString(text: string, start: number, end: number): string {
  let out = '';
  let from = start;
  let pos = start;
  while (pos < end) {
    if (text.charCodeAt(pos) !== 92) { pos++; continue; }
    out += text.slice(from, pos);
    const e = text.charCodeAt(pos + 1);
    switch (e) {
      case 34: out += '"'; break;
      case 92: out += '\\'; break;
      case 47: out += '/'; break;
      case 98: out += '\b'; break;
      case 102: out += '\f'; break;
      case 110: out += '\n'; break;
      case 114: out += '\r'; break;
      case 116: out += '\t'; break;
      case 117: out += String.fromCharCode(parseInt(text.slice(pos + 2, pos + 6), 16)); pos += 4; break;
      default: out += text[pos + 1] ?? ''; break;
    }
    pos += 2;
    from = pos;
  }
  return out + text.slice(from, end);
}
