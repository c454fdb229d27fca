import { parseTree, printParseErrorCode, type Node as JsoncNode, type ParseError } from 'jsonc-parser';
import type { JsonNode } from './node';
import { duplicateKeyMessage, EMPTY_MESSAGE, MAX_DEPTH, scanJsonc, type ParseProblem } from './scan';
import { JsonTree, tapeOfNodes } from './tree';

export { MAX_DEPTH, type ParseProblem } from './scan';

export interface ParseResult {
  root: JsonNode | undefined;
  /** The plain value of the document (undefined when there is no root). */
  value: unknown;
  problems: ParseProblem[];
  /** The tree behind `root`: its tape, and its nodes by entry (present whenever root is). */
  tree?: JsonTree;
  /**
   * Set by an incremental re-parse (./incremental.ts): `value` is the previous version's plain value
   * with only the value at `path` replaced (everything else is shared), so that work done on the
   * previous value can be kept for the unchanged parts.
   */
  derivedFrom?: { value: unknown; path: readonly (string | number)[] };
}

/**
 * Parses JSON with comments and trailing commas (both reported as problems, never fatal).
 *
 * The fast path scans the text once into a tape (./scan.ts) and takes the plain value from JSON.parse
 * (native, and the text is known to be strict JSON) or, with comments or trailing commas, from the
 * tape; nodes are made lazily (./tree.ts). On a 2 MB definition this is several times faster than
 * building node objects, and leaves the garbage collector almost nothing to copy. Text with a syntax
 * error takes the slow path, jsonc-parser's error-recovering parser, so that broken documents still
 * get a tree and every error is reported.
 */
export function parseJsonc(text: string): ParseResult {
  const scanned = scanJsonc(text);
  if (scanned) {
    if (!scanned.tape) return { root: undefined, value: undefined, problems: scanned.problems };
    const value = scanned.strict ? strictValue(text) : scanned.tape.plainValue(0);
    if (value !== NOT_JSON) {
      const tree = new JsonTree(scanned.tape, value);
      return { root: tree.root, value, problems: scanned.problems, tree };
    }
  }
  const tooDeep = findExcessiveNesting(text);
  if (tooDeep !== undefined) {
    return { root: undefined, value: undefined, problems: [{ kind: 'syntax', message: `Nesting deeper than ${MAX_DEPTH} levels: simplify the document (no definition needs this depth).`, offset: tooDeep, length: 1 }] };
  }
  return parseWithRecovery(text);
}

const NOT_JSON = Symbol('not JSON');

/** JSON.parse's value, or NOT_JSON when it finds what the scanner leaves to it (a control character in a string). */
function strictValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

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
    if (problems.length === 0) problems.push({ kind: 'syntax', message: EMPTY_MESSAGE, offset: 0, length: 0 });
    return { root: undefined, value: undefined, problems };
  }
  const shadowed = repeatedKeys(tree, problems);
  const { tape } = tapeOfNodes(text, tree, (property) => shadowed.has(property as JsoncNode));
  const value = tape.plainValue(0);
  const result = new JsonTree(tape, value);
  return { root: result.root, value, problems, tree: result };
}

/** Properties overridden by a later one with the same key; each repetition is reported (inner objects first). */
function repeatedKeys(root: JsoncNode, problems: ParseProblem[]): Set<JsoncNode> {
  const shadowed = new Set<JsoncNode>();
  const visit = (node: JsoncNode) => {
    for (const child of node.children ?? []) visit(child);
    if (node.type !== 'object') return;
    const last = new Map<string, JsoncNode>();
    for (const prop of node.children ?? []) {
      const keyNode = prop.children?.[0];
      const key = keyNode?.value;
      if (!keyNode || typeof key !== 'string') continue;
      const earlier = last.get(key);
      if (earlier) {
        shadowed.add(earlier);
        problems.push({ kind: 'duplicate-key', message: duplicateKeyMessage(key), offset: keyNode.offset, length: keyNode.length });
      }
      last.set(key, prop);
    }
  };
  visit(root);
  return shadowed;
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
