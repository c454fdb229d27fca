import { parseTree, printParseErrorCode, type Node as JsoncNode, type ParseError } from 'jsonc-parser';
import type { JsonNode, JsonNodeType } from './node';

/** A problem found while parsing; `code` maps onto the analysis codes ORCH001..ORCH004. */
export interface ParseProblem {
  kind: 'syntax' | 'comment' | 'trailing-comma' | 'duplicate-key';
  message: string;
  offset: number;
  length: number;
}

export interface ParseResult {
  root: JsonNode | undefined;
  /** The plain value of the document (undefined when there is no root). */
  value: unknown;
  problems: ParseProblem[];
}

/**
 * Parses JSON with comments and trailing commas (both reported as problems, never fatal).
 *
 * The fast path is a single hand-written pass that builds the tree and the plain value together: on
 * a 2 MB definition it is several times faster than jsonc-parser's parseTree followed by getNodeValue.
 * Text with a syntax error takes the slow path, jsonc-parser's error-recovering parser, so that broken
 * documents still get a tree and every error is reported.
 */
export function parseJsonc(text: string): ParseResult {
  const fast = new FastParser(text);
  const result = fast.run();
  if (result) return result;
  const tooDeep = findExcessiveNesting(text);
  if (tooDeep !== undefined) {
    return { root: undefined, value: undefined, problems: [{ kind: 'syntax', message: `Nesting deeper than ${MAX_DEPTH} levels: simplify the document (no definition needs this depth).`, offset: tooDeep, length: 1 }] };
  }
  return parseWithRecovery(text);
}

/**
 * Definitions never nest deeply, but a broken or hostile file may: beyond this depth we report one
 * clear problem instead of risking the recursion of the recovering parser (and of schema validation).
 */
export const MAX_DEPTH = 1000;

/** The offset where bracket nesting first exceeds MAX_DEPTH (strings skipped), if it does. */
function findExcessiveNesting(text: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34 || d === 10) break;
      }
    } else if (c === 123 || c === 91) {
      if (++depth > MAX_DEPTH) return i;
    } else if (c === 125 || c === 93) {
      if (depth > 0) depth--;
    }
  }
  return undefined;
}

class SyntaxFailure {}
const FAIL = new SyntaxFailure();

function makeNode(type: JsonNodeType, offset: number, parent: JsonNode | undefined): JsonNode {
  // Same property order on every node keeps the objects monomorphic.
  return { type, offset, length: 0, parent, children: undefined, value: undefined, colonOffset: undefined };
}

class FastParser {
  private pos = 0;
  private depth = 0;
  private readonly problems: ParseProblem[] = [];

  constructor(private readonly text: string) {}

  run(): ParseResult | undefined {
    try {
      this.skipTrivia();
      if (this.pos >= this.text.length) {
        return { root: undefined, value: undefined, problems: [{ kind: 'syntax', message: 'The document is empty: expected a JSON object.', offset: 0, length: 0 }] };
      }
      const root = this.parseValue(undefined);
      this.skipTrivia();
      if (this.pos < this.text.length) return undefined;
      return { root, value: root.value, problems: this.problems };
    } catch (e) {
      if (e === FAIL) return undefined;
      // Very deep nesting overflows the stack: the iterative-enough jsonc-parser path handles it.
      if (e instanceof RangeError) return undefined;
      throw e;
    }
  }

  private skipTrivia(): void {
    const text = this.text;
    let pos = this.pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 32 || c === 10 || c === 13 || c === 9) { pos++; continue; }
      if (c === 47 /* / */) {
        const next = text.charCodeAt(pos + 1);
        if (next === 47) {
          let end = text.indexOf('\n', pos + 2);
          if (end === -1) end = text.length;
          this.problems.push({ kind: 'comment', message: 'Comments are not standard JSON; other tools may reject this file.', offset: pos, length: end - pos });
          pos = end;
          continue;
        }
        if (next === 42) {
          const end = text.indexOf('*/', pos + 2);
          if (end === -1) throw FAIL;
          this.problems.push({ kind: 'comment', message: 'Comments are not standard JSON; other tools may reject this file.', offset: pos, length: end + 2 - pos });
          pos = end + 2;
          continue;
        }
        throw FAIL;
      }
      break;
    }
    this.pos = pos;
  }

  private parseValue(parent: JsonNode | undefined): JsonNode {
    const text = this.text;
    const c = text.charCodeAt(this.pos);
    if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++this.depth > MAX_DEPTH) throw FAIL;
      const node = c === 123 ? this.parseObject(parent) : this.parseArray(parent);
      this.depth--;
      return node;
    }
    if (c === 34 /* " */) {
      const node = makeNode('string', this.pos, parent);
      node.value = this.parseString();
      node.length = this.pos - node.offset;
      return node;
    }
    if (c === 45 || (c >= 48 && c <= 57)) return this.parseNumber(parent);
    if (text.startsWith('true', this.pos)) return this.literal(parent, 'boolean', true, 4);
    if (text.startsWith('false', this.pos)) return this.literal(parent, 'boolean', false, 5);
    if (text.startsWith('null', this.pos)) return this.literal(parent, 'null', null, 4);
    throw FAIL;
  }

  private literal(parent: JsonNode | undefined, type: JsonNodeType, value: unknown, length: number): JsonNode {
    const node = makeNode(type, this.pos, parent);
    node.value = value;
    node.length = length;
    this.pos += length;
    const next = this.text.charCodeAt(this.pos);
    // `trueish` is not `true`.
    if ((next >= 97 && next <= 122) || (next >= 65 && next <= 90) || (next >= 48 && next <= 57) || next === 95) throw FAIL;
    return node;
  }

  private parseNumber(parent: JsonNode | undefined): JsonNode {
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
    const node = makeNode('number', start, parent);
    node.value = Number(text.slice(start, pos));
    node.length = pos - start;
    this.pos = pos;
    return node;
  }

  /** Parses a string starting at the opening quote; leaves pos after the closing quote. */
  private parseString(): string {
    const text = this.text;
    const start = this.pos + 1;
    let pos = start;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 34) { this.pos = pos + 1; return text.slice(start, pos); }
      if (c === 92 || c < 32 || Number.isNaN(c)) break;
      pos++;
    }
    // Slow path: escapes (or an error: control characters, end of text).
    let out = text.slice(start, pos);
    for (;;) {
      const c = text.charCodeAt(pos);
      if (Number.isNaN(c) || c < 32) throw FAIL;
      if (c === 34) { this.pos = pos + 1; return out; }
      if (c !== 92) { out += text[pos]; pos++; continue; }
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
        case 117: {
          const hex = text.slice(pos + 2, pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw FAIL;
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 4;
          break;
        }
        default: throw FAIL;
      }
      pos += 2;
    }
  }

  private parseObject(parent: JsonNode | undefined): JsonNode {
    const text = this.text;
    const node = makeNode('object', this.pos, parent);
    const children: JsonNode[] = [];
    const value: Record<string, unknown> = {};
    node.children = children;
    node.value = value;
    this.pos++;
    this.skipTrivia();
    if (text.charCodeAt(this.pos) === 125) {
      this.pos++;
      node.length = this.pos - node.offset;
      return node;
    }
    for (;;) {
      if (text.charCodeAt(this.pos) !== 34) throw FAIL;
      const prop = makeNode('property', this.pos, node);
      const keyNode = makeNode('string', this.pos, prop);
      const key = this.parseString();
      keyNode.value = key;
      keyNode.length = this.pos - keyNode.offset;
      this.skipTrivia();
      if (text.charCodeAt(this.pos) !== 58) throw FAIL;
      prop.colonOffset = this.pos;
      this.pos++;
      this.skipTrivia();
      const valueNode = this.parseValue(prop);
      prop.children = [keyNode, valueNode];
      prop.length = valueNode.offset + valueNode.length - prop.offset;
      children.push(prop);
      if (Object.prototype.hasOwnProperty.call(value, key)) {
        this.problems.push({ kind: 'duplicate-key', message: `Property "${key}" appears more than once; the last one wins.`, offset: keyNode.offset, length: keyNode.length });
      }
      if (key === '__proto__') Object.defineProperty(value, key, { value: valueNode.value, enumerable: true, writable: true, configurable: true });
      else value[key] = valueNode.value;
      this.skipTrivia();
      const c = text.charCodeAt(this.pos);
      if (c === 44) {
        const comma = this.pos;
        this.pos++;
        this.skipTrivia();
        if (text.charCodeAt(this.pos) === 125) {
          this.problems.push({ kind: 'trailing-comma', message: 'Trailing comma: standard JSON does not allow it.', offset: comma, length: 1 });
          this.pos++;
          break;
        }
        continue;
      }
      if (c === 125) { this.pos++; break; }
      throw FAIL;
    }
    node.length = this.pos - node.offset;
    return node;
  }

  private parseArray(parent: JsonNode | undefined): JsonNode {
    const text = this.text;
    const node = makeNode('array', this.pos, parent);
    const children: JsonNode[] = [];
    const value: unknown[] = [];
    node.children = children;
    node.value = value;
    this.pos++;
    this.skipTrivia();
    if (text.charCodeAt(this.pos) === 93) {
      this.pos++;
      node.length = this.pos - node.offset;
      return node;
    }
    for (;;) {
      const item = this.parseValue(node);
      children.push(item);
      value.push(item.value);
      this.skipTrivia();
      const c = text.charCodeAt(this.pos);
      if (c === 44) {
        const comma = this.pos;
        this.pos++;
        this.skipTrivia();
        if (text.charCodeAt(this.pos) === 93) {
          this.problems.push({ kind: 'trailing-comma', message: 'Trailing comma: standard JSON does not allow it.', offset: comma, length: 1 });
          this.pos++;
          break;
        }
        continue;
      }
      if (c === 93) { this.pos++; break; }
      throw FAIL;
    }
    node.length = this.pos - node.offset;
    return node;
  }
}

/** The slow path for broken text: jsonc-parser recovers and reports every error. */
function parseWithRecovery(text: string): ParseResult {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  const problems: ParseProblem[] = errors.map((e) => ({
    kind: 'syntax' as const,
    message: describeParseError(printParseErrorCode(e.error)),
    offset: e.offset,
    length: e.length,
  }));
  // jsonc-parser accepted the comments and trailing commas silently; they are still worth a warning,
  // but finding them again costs a scan that only broken documents pay for.
  if (!tree) {
    if (problems.length === 0) problems.push({ kind: 'syntax', message: 'The document is empty: expected a JSON object.', offset: 0, length: 0 });
    return { root: undefined, value: undefined, problems };
  }
  const root = convert(tree, undefined, problems);
  return { root, value: root.value, problems };
}

function convert(source: JsoncNode, parent: JsonNode | undefined, problems: ParseProblem[]): JsonNode {
  const node = makeNode(source.type, source.offset, parent);
  node.length = source.length;
  if (source.type === 'property') {
    node.colonOffset = source.colonOffset ?? -1;
    node.children = (source.children ?? []).map((c) => convert(c, node, problems));
  } else if (source.type === 'object') {
    const value: Record<string, unknown> = {};
    node.children = (source.children ?? []).map((c) => convert(c, node, problems));
    for (const prop of node.children) {
      const key = prop.children?.[0]?.value;
      if (typeof key !== 'string') continue;
      if (Object.prototype.hasOwnProperty.call(value, key)) {
        const k = prop.children![0];
        problems.push({ kind: 'duplicate-key', message: `Property "${key}" appears more than once; the last one wins.`, offset: k.offset, length: k.length });
      }
      const v = prop.children?.[1]?.value;
      if (key === '__proto__') Object.defineProperty(value, key, { value: v, enumerable: true, writable: true, configurable: true });
      else value[key] = v;
    }
    node.value = value;
  } else if (source.type === 'array') {
    node.children = (source.children ?? []).map((c) => convert(c, node, problems));
    node.value = node.children.map((c) => c.value);
  } else {
    node.value = source.value;
  }
  return node;
}

function describeParseError(code: string): string {
  switch (code) {
    case 'InvalidSymbol': return 'Unexpected character: expected a JSON value.';
    case 'InvalidNumberFormat': return 'Invalid number.';
    case 'PropertyNameExpected': return 'Expected a property name in double quotes.';
    case 'ValueExpected': return 'Expected a value.';
    case 'ColonExpected': return 'Expected ":" after the property name.';
    case 'CommaExpected': return 'Expected "," between items.';
    case 'CloseBraceExpected': return 'Expected "}" to close the object.';
    case 'CloseBracketExpected': return 'Expected "]" to close the array.';
    case 'EndOfFileExpected': return 'Unexpected text after the end of the JSON value.';
    case 'InvalidCommentToken': return 'Invalid comment.';
    case 'UnexpectedEndOfComment': return 'Unterminated comment: expected "*/".';
    case 'UnexpectedEndOfString': return 'Unterminated string: expected a closing quote.';
    case 'UnexpectedEndOfNumber': return 'Unexpected end of number.';
    case 'InvalidUnicode': return 'Invalid unicode escape: expected \\u followed by four hex digits.';
    case 'InvalidEscapeCharacter': return 'Invalid escape character in string.';
    case 'InvalidCharacter': return 'Invalid character in string: control characters must be escaped.';
    default: return `Syntax error (${code}).`;
  }
}
