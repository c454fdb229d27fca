/**
 * The fast path of parsing: one hand-written pass over JSON with comments and trailing commas (both
 * reported as problems, never fatal) that writes the tape (./tape.ts) and nothing else: no node
 * objects, no values, no strings except for repeated keys. Any syntax error gives up at once
 * (undefined): broken documents take the error-recovering parser instead (./parse.ts).
 */
import { ARRAY, BOOLEAN, NULL, NUMBER, OBJECT, PROPERTY, STRING, TapeBuilder, unescapeJsonString, type JsonTape } from './tape';

/** A problem found while parsing; `kind` maps onto the analysis codes ORCH001..ORCH004. */
export interface ParseProblem {
  kind: 'syntax' | 'comment' | 'trailing-comma' | 'duplicate-key';
  message: string;
  offset: number;
  length: number;
}

/**
 * Definitions never nest deeply, but a broken or hostile file may: beyond this depth we report one
 * clear problem instead of risking the recursion of the recovering parser (and of schema validation).
 */
export const MAX_DEPTH = 1000;

export interface Scanned {
  /** Undefined for a document with nothing but whitespace and comments (one problem says so). */
  tape: JsonTape | undefined;
  problems: ParseProblem[];
  /** No comments and no trailing commas: JSON.parse accepts the text as it is. */
  strict: boolean;
}

export const EMPTY_MESSAGE = 'The document is empty: expected a JSON object.';
export const COMMENT_MESSAGE = 'Comments are not standard JSON; other tools may reject this file.';
export const TRAILING_COMMA_MESSAGE = 'Trailing comma: standard JSON does not allow it.';

export function duplicateKeyMessage(key: string): string {
  return `Property "${key}" appears more than once; the last one wins.`;
}

/** Objects with more keys than this find repeated keys with a map instead of comparing hashes pairwise. */
const PAIRWISE_KEYS = 32;

class SyntaxFailure {}
const FAIL = new SyntaxFailure();

/** Scans `text`; undefined on a syntax error or nesting beyond MAX_DEPTH. */
export function scanJsonc(text: string): Scanned | undefined {
  try {
    return new Scanner(text).run();
  } catch (e) {
    if (e === FAIL) return undefined;
    // Very deep nesting overflows the stack: the recovering path handles it.
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}

/**
 * Scans the single value that must span exactly [start, end) of `text` (its entries' offsets are the
 * text's; entry 0 has parent -1), as if found at nesting `depth`. Undefined when it is no such value:
 * the edit that produced the text broke it, or reached beyond it.
 */
export function scanValueAt(text: string, start: number, end: number, depth: number): Scanned | undefined {
  try {
    const scanner = new Scanner(text, Math.max(16, (end - start) >> 3));
    return scanner.runAt(start, end, depth);
  } catch (e) {
    if (e === FAIL || e instanceof RangeError) return undefined;
    throw e;
  }
}

class Scanner {
  private pos = 0;
  private depth = 0;
  private readonly b: TapeBuilder;
  private readonly problems: ParseProblem[] = [];
  private strict = true;
  private shadowed: Set<number> | undefined;
  /** Key entries and their hashes of the objects being scanned (a stack shared by nested objects). */
  private keyEntries = new Int32Array(64);
  private keyHashes = new Int32Array(64);
  private keyTop = 0;
  /** The signature of the last key scanned. */
  private hash = 0;
  constructor(private readonly text: string, capacity?: number) {
    this.b = new TapeBuilder(text, capacity);
  }

  runAt(start: number, end: number, depth: number): Scanned | undefined {
    const c = this.text.charCodeAt(start);
    // A value in place of a container: whatever it is, the tape around it was made for a container.
    if (c !== 123 && c !== 91) return undefined;
    this.pos = start;
    this.depth = depth;
    this.value(-1);
    if (this.pos !== end) return undefined;
    return { tape: this.b.finish(this.shadowed), problems: inReadingOrder(this.problems), strict: this.strict };
  }

  run(): Scanned {
    this.skipTrivia();
    if (this.pos >= this.text.length) {
      return { tape: undefined, problems: [{ kind: 'syntax', message: EMPTY_MESSAGE, offset: 0, length: 0 }], strict: false };
    }
    this.value(-1);
    this.skipTrivia();
    if (this.pos < this.text.length) throw FAIL;
    return { tape: this.b.finish(this.shadowed), problems: inReadingOrder(this.problems), strict: this.strict };
  }

  /** Small enough to be inlined into its callers: comments are handled out of line. */
  private skipTrivia(): void {
    const text = this.text;
    let pos = this.pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 32 || c === 10 || c === 13 || c === 9) pos++;
      else if (c === 47 /* / */) pos = this.comment(pos);
      else break;
    }
    this.pos = pos;
  }

  /** The comment at `pos` (reported); returns the offset after it. */
  private comment(pos: number): number {
    const text = this.text;
    const next = text.charCodeAt(pos + 1);
    let end: number;
    if (next === 47) {
      end = text.indexOf('\n', pos + 2);
      if (end === -1) end = text.length;
    } else if (next === 42) {
      end = text.indexOf('*/', pos + 2);
      if (end === -1) throw FAIL;
      end += 2;
    } else {
      throw FAIL;
    }
    this.strict = false;
    this.problems.push({ kind: 'comment', message: COMMENT_MESSAGE, offset: pos, length: end - pos });
    return end;
  }

  private value(parent: number): void {
    const text = this.text;
    const pos = this.pos;
    const c = text.charCodeAt(pos);
    if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++this.depth > MAX_DEPTH) throw FAIL;
      if (c === 123) this.object(parent);
      else this.array(parent);
      this.depth--;
      return;
    }
    if (c === 34 /* " */) { this.string(this.b.add(STRING, pos, parent), false); return; }
    if (c === 45 || (c >= 48 && c <= 57)) { this.number(parent); return; }
    if (c === 116 && text.startsWith('true', pos)) { this.literal(parent, BOOLEAN, 4); return; }
    if (c === 102 && text.startsWith('false', pos)) { this.literal(parent, BOOLEAN, 5); return; }
    if (c === 110 && text.startsWith('null', pos)) { this.literal(parent, NULL, 4); return; }
    throw FAIL;
  }

  private literal(parent: number, kind: number, length: number): void {
    const b = this.b;
    const i = b.add(kind, this.pos, parent);
    this.pos += length;
    b.end[i] = this.pos;
    b.skip[i] = i + 1;
    b.aux[i] = 0;
    const next = this.text.charCodeAt(this.pos);
    // `trueish` is not `true`.
    if ((next >= 97 && next <= 122) || (next >= 65 && next <= 90) || (next >= 48 && next <= 57) || next === 95) throw FAIL;
  }

  private number(parent: number): void {
    const text = this.text;
    const start = this.pos;
    let pos = start;
    if (text.charCodeAt(pos) === 45) pos++;
    let c = text.charCodeAt(pos);
    if (c === 48) pos++;
    else if (c >= 49 && c <= 57) { do pos++; while ((c = text.charCodeAt(pos)) >= 48 && c <= 57); }
    else throw FAIL;
    if (text.charCodeAt(pos) === 46) {
      pos++;
      if (!((c = text.charCodeAt(pos)) >= 48 && c <= 57)) throw FAIL;
      do pos++; while ((c = text.charCodeAt(pos)) >= 48 && c <= 57);
    }
    c = text.charCodeAt(pos);
    if (c === 101 || c === 69) {
      pos++;
      c = text.charCodeAt(pos);
      if (c === 43 || c === 45) pos++;
      if (!((c = text.charCodeAt(pos)) >= 48 && c <= 57)) throw FAIL;
      do pos++; while ((c = text.charCodeAt(pos)) >= 48 && c <= 57);
    }
    const b = this.b;
    const i = b.add(NUMBER, start, parent);
    b.end[i] = pos;
    b.skip[i] = i + 1;
    b.aux[i] = 0;
    this.pos = pos;
  }

  /**
   * A string literal starting at the opening quote; leaves pos after the closing quote. Keys get a
   * signature of their decoded content (in this.hash): equal keys have equal signatures.
   */
  private string(i: number, key: boolean): void {
    const text = this.text;
    const start = this.pos + 1;
    let pos = start;
    let c = text.charCodeAt(pos);
    // The usual literal has neither escapes nor anything else that needs a closer look.
    while (c !== 34 && c !== 92 && c >= 32) c = text.charCodeAt(++pos);
    let escapes = 0;
    if (c !== 34) {
      pos = this.escapedString(pos);
      escapes = 1;
    }
    pos++;
    const b = this.b;
    b.end[i] = pos;
    b.skip[i] = i + 1;
    b.aux[i] = escapes;
    this.pos = pos;
    if (key) this.hash = escapes ? signatureOf(unescapeJsonString(text, start, pos - 1)) : signatureIn(text, start, pos - 1 - start);
  }

  /** The rest of a string literal from `pos` (a backslash or a bad character); returns the offset of its closing quote. */
  private escapedString(pos: number): number {
    const text = this.text;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 34) return pos;
      if (c === 92) {
        const e = text.charCodeAt(pos + 1);
        if (e === 117) {
          for (let k = pos + 2; k < pos + 6; k++) if (!isHexDigit(text.charCodeAt(k))) throw FAIL;
          pos += 6;
        } else if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) {
          pos += 2;
        } else {
          throw FAIL;
        }
        continue;
      }
      // Control characters must be escaped; NaN is the end of the text.
      if (!(c >= 32)) throw FAIL;
      pos++;
    }
  }

  private object(parent: number): void {
    const text = this.text;
    const b = this.b;
    const o = b.add(OBJECT, this.pos, parent);
    b.aux[o] = 0;
    this.pos++;
    if (text.charCodeAt(this.pos) <= 47) this.skipTrivia();
    if (text.charCodeAt(this.pos) === 125) {
      this.pos++;
      b.end[o] = this.pos;
      b.skip[o] = b.count;
      return;
    }
    const base = this.keyTop;
    let keys: Map<string, number> | undefined;
    for (;;) {
      if (text.charCodeAt(this.pos) !== 34) throw FAIL;
      const p = b.add(PROPERTY, this.pos, o);
      const k = b.add(STRING, this.pos, p);
      this.string(k, true);
      const hash = this.hash;
      if (text.charCodeAt(this.pos) <= 47) this.skipTrivia();
      if (text.charCodeAt(this.pos) !== 58) throw FAIL;
      b.aux[p] = this.pos;
      this.pos++;
      if (text.charCodeAt(this.pos) <= 47) this.skipTrivia();
      this.value(p);
      // The value is the last entry written so far that is a direct child of p.
      const v = k + 1;
      b.end[p] = b.end[v];
      b.skip[p] = b.count;
      // Repeated keys, reported after the value as the problems list is in reading order.
      if (keys === undefined && this.keyTop - base >= PAIRWISE_KEYS) keys = this.keyMap(base);
      const earlier = keys ? this.earlierInMap(keys, k) : this.earlierPairwise(base, k, hash);
      if (earlier >= 0) {
        (this.shadowed ??= new Set()).add(b.parent[earlier]);
        this.problems.push({ kind: 'duplicate-key', message: duplicateKeyMessage(this.keyText(k)), offset: b.start[k], length: b.end[k] - b.start[k] });
      }
      if (!keys) this.pushKey(k, hash);
      if (text.charCodeAt(this.pos) <= 47) this.skipTrivia();
      const c = text.charCodeAt(this.pos);
      if (c === 44) {
        const comma = this.pos;
        this.pos++;
        if (text.charCodeAt(this.pos) <= 47) this.skipTrivia();
        if (text.charCodeAt(this.pos) === 125) {
          this.trailingComma(comma);
          this.pos++;
          break;
        }
        continue;
      }
      if (c === 125) { this.pos++; break; }
      throw FAIL;
    }
    this.keyTop = base;
    b.end[o] = this.pos;
    b.skip[o] = b.count;
  }

  private array(parent: number): void {
    const text = this.text;
    const b = this.b;
    const a = b.add(ARRAY, this.pos, parent);
    b.aux[a] = 0;
    this.pos++;
    if (text.charCodeAt(this.pos) <= 47) this.skipTrivia();
    if (text.charCodeAt(this.pos) === 93) {
      this.pos++;
      b.end[a] = this.pos;
      b.skip[a] = b.count;
      return;
    }
    for (;;) {
      this.value(a);
      if (text.charCodeAt(this.pos) <= 47) this.skipTrivia();
      const c = text.charCodeAt(this.pos);
      if (c === 44) {
        const comma = this.pos;
        this.pos++;
        if (text.charCodeAt(this.pos) <= 47) this.skipTrivia();
        if (text.charCodeAt(this.pos) === 93) {
          this.trailingComma(comma);
          this.pos++;
          break;
        }
        continue;
      }
      if (c === 93) { this.pos++; break; }
      throw FAIL;
    }
    b.end[a] = this.pos;
    b.skip[a] = b.count;
  }

  private trailingComma(offset: number): void {
    this.strict = false;
    this.problems.push({ kind: 'trailing-comma', message: TRAILING_COMMA_MESSAGE, offset, length: 1 });
  }

  private pushKey(k: number, hash: number): void {
    if (this.keyTop === this.keyEntries.length) {
      const entries = new Int32Array(this.keyTop * 2);
      entries.set(this.keyEntries);
      this.keyEntries = entries;
      const hashes = new Int32Array(this.keyTop * 2);
      hashes.set(this.keyHashes);
      this.keyHashes = hashes;
    }
    this.keyEntries[this.keyTop] = k;
    this.keyHashes[this.keyTop] = hash;
    this.keyTop++;
  }

  /** The last earlier key of the object equal to key entry `k`, or -1. */
  private earlierPairwise(base: number, k: number, hash: number): number {
    for (let j = this.keyTop - 1; j >= base; j--) {
      if (this.keyHashes[j] === hash && this.sameKey(this.keyEntries[j], k)) return this.keyEntries[j];
    }
    return -1;
  }

  /** Switches a large object to a map of its keys (the last entry of each). */
  private keyMap(base: number): Map<string, number> {
    const map = new Map<string, number>();
    for (let j = base; j < this.keyTop; j++) map.set(this.keyText(this.keyEntries[j]), this.keyEntries[j]);
    this.keyTop = base;
    return map;
  }

  private earlierInMap(keys: Map<string, number>, k: number): number {
    const text = this.keyText(k);
    const earlier = keys.get(text);
    keys.set(text, k);
    return earlier ?? -1;
  }

  private sameKey(a: number, b: number): boolean {
    const t = this.b;
    if (t.aux[a] === 0 && t.aux[b] === 0) {
      const length = t.end[a] - t.start[a];
      if (t.end[b] - t.start[b] !== length) return false;
      const text = this.text;
      const sa = t.start[a];
      const sb = t.start[b];
      for (let i = 1; i < length - 1; i++) if (text.charCodeAt(sa + i) !== text.charCodeAt(sb + i)) return false;
      return true;
    }
    return this.keyText(a) === this.keyText(b);
  }

  private keyText(k: number): string {
    const t = this.b;
    const start = t.start[k] + 1;
    const end = t.end[k] - 1;
    return t.aux[k] === 0 ? this.text.slice(start, end) : unescapeJsonString(this.text, start, end);
  }
}

/**
 * By offset. A repeated key is found only after its value is read, so it is reported after the
 * problems inside that value; sorting puts it back where it is in the text.
 */
function inReadingOrder(problems: ParseProblem[]): ParseProblem[] {
  for (let i = 1; i < problems.length; i++) if (problems[i].offset < problems[i - 1].offset) return problems.sort((a, b) => a.offset - b.offset);
  return problems;
}

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Length, first and last character of a key: cheap, and different for almost all keys of one object. */
function signatureIn(s: string, start: number, length: number): number {
  if (length === 0) return 0;
  return (length * 31 + s.charCodeAt(start)) * 65599 + s.charCodeAt(start + length - 1) | 0;
}

function signatureOf(s: string): number {
  return signatureIn(s, 0, s.length);
}
