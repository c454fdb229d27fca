/**
 * Where the cursor is in the JSON structure, for completion: at a property key of some object, or at a
 * value (of a property or an array item), with the span a completion replaces. Works on the tree of the
 * document as parsed (the error-recovering parser's tree while the text is broken) plus a look at the
 * few characters before the cursor, so that half-typed text like `"dependsOn": [ "b` or `{ dep` is
 * understood.
 */
import { nodeAtOffset, pathOf, type JsonNode, type Span } from '../../runtime/json/node';

export interface KeyContext {
  kind: 'key';
  /** The object whose key is being written. */
  object: JsonNode;
  /** Path of that object from the root. */
  path: (string | number)[];
  /** The existing key string (when the cursor is inside one). */
  keyNode?: JsonNode;
  /** What a completion replaces, and the text typed so far in it (up to the cursor). */
  replace: Span;
  prefix: string;
  /** The property already has a `:` (only the key is to be written). */
  hasColon: boolean;
  /** Another property follows on the same object: a completion must end with a comma. */
  needsComma: boolean;
}

export interface ValueContext {
  kind: 'value';
  /** Path of the value from the root (property key, or array index). */
  path: (string | number)[];
  /** The containing object (property value) or array (item). */
  parent: JsonNode;
  /** The existing value node at the cursor, if any. */
  node?: JsonNode;
  replace: Span;
  prefix: string;
  /** The cursor is inside a string literal (the completion replaces the whole literal). */
  inString: boolean;
  needsComma: boolean;
}

export type CursorContext = KeyContext | ValueContext;

const WORD = /[A-Za-z0-9_$@.-]/;

/** The completion context at `offset`, or undefined where nothing can be completed (inside a number, a comment ...). */
export function cursorContext(text: string, root: JsonNode | undefined, offset: number): CursorContext | undefined {
  if (!root) return undefined;
  if (insideComment(text, offset)) return undefined;
  const node = nodeAtOffset(root, offset);
  if (!node) return undefined;

  // Inside a string literal: a key or a value.
  if (node.type === 'string' && isInsideString(text, node, offset)) {
    const parent = node.parent;
    const prefix = text.slice(node.offset + 1, offset);
    const replace = stringSpan(node);
    if (parent?.type === 'property' && parent.children?.[0] === node) {
      const object = parent.parent!;
      return {
        kind: 'key', object, path: pathOf(object), keyNode: node, replace, prefix,
        hasColon: parent.colonOffset !== undefined && parent.colonOffset >= 0,
        needsComma: false,
      };
    }
    if (!parent) return { kind: 'value', path: [], parent: node, node, replace, prefix, inString: true, needsComma: false };
    return { kind: 'value', path: pathOf(node), parent: parent.type === 'property' ? parent.parent! : parent, node, replace, prefix, inString: true, needsComma: false };
  }

  // Outside strings: find the container the cursor is in, and what comes before the cursor.
  let wordStart = offset;
  while (wordStart > 0 && WORD.test(text[wordStart - 1])) wordStart--;
  const word = text.slice(wordStart, offset);
  let wordEnd = offset;
  while (wordEnd < text.length && WORD.test(text[wordEnd])) wordEnd++;
  const before = previousSignificant(text, wordStart);
  const after = nextSignificant(text, wordEnd);
  const container = containerAt(text, node, offset);
  if (!container) return undefined;
  const replace = { offset: wordStart, length: wordEnd - wordStart };
  // A new entry needs a comma when another entry follows.
  const needsComma = after.char === '"' || after.char === '{' || after.char === '[' || (after.char !== undefined && /[A-Za-z0-9-]/.test(after.char) && container.type === 'array');

  if (container.type === 'object') {
    if (before.char === ':') {
      const property = container.children?.find((p) => p.colonOffset === before.offset);
      if (!property) return undefined;
      const key = property.children?.[0]?.value;
      if (typeof key !== 'string') return undefined;
      const valueNode = property.children?.[1];
      return {
        kind: 'value', path: [...pathOf(container), key], parent: container,
        node: valueNode && valueNode.offset <= offset && offset <= valueNode.offset + valueNode.length ? valueNode : undefined,
        replace: valueNode && valueNode.offset === wordStart ? { offset: valueNode.offset, length: Math.max(valueNode.length, wordEnd - wordStart) } : replace,
        prefix: word, inString: false, needsComma,
      };
    }
    if (before.char === '{' || before.char === ',' || before.char === undefined) {
      return { kind: 'key', object: container, path: pathOf(container), replace, prefix: word, hasColon: after.char === ':', needsComma };
    }
    // After a complete value with no comma yet (`"a": 1 |`): nothing sensible to offer.
    return undefined;
  }

  // In an array: the item at the cursor's index.
  if (before.char !== '[' && before.char !== ',') return undefined;
  let index = 0;
  for (const child of container.children ?? []) {
    if (child.offset + child.length <= wordStart && child.offset < wordStart) index++;
  }
  const existing = container.children?.find((c) => c.offset === wordStart && wordStart < wordEnd);
  return {
    kind: 'value', path: [...pathOf(container), index], parent: container, node: existing,
    replace, prefix: word, inString: false, needsComma,
  };
}

/** The string literal's span (an unterminated one ends where the parser stopped it). */
function stringSpan(node: JsonNode): Span {
  return { offset: node.offset, length: node.length };
}

function isInsideString(text: string, node: JsonNode, offset: number): boolean {
  if (offset <= node.offset) return false;
  const end = node.offset + node.length;
  if (offset < end) return true;
  // At the end: inside only when the literal is unterminated (no closing quote).
  return offset === end && (node.length < 2 || text[end - 1] !== '"' || text[end - 2] === '\\');
}

/** The innermost object or array whose brackets enclose `offset`. */
function containerAt(text: string, node: JsonNode, offset: number): JsonNode | undefined {
  let at: JsonNode | undefined = node;
  while (at) {
    if ((at.type === 'object' || at.type === 'array') && offset > at.offset) {
      const end = at.offset + at.length;
      const closed = at.length >= 2 && text[end - 1] === (at.type === 'object' ? '}' : ']');
      if (offset < end || !closed) return at;
    }
    at = at.parent;
  }
  return undefined;
}

/** The significant character before `offset`, skipping whitespace and comments. */
function previousSignificant(text: string, offset: number): { char?: string; offset: number } {
  let i = offset - 1;
  while (i >= 0) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i--; continue; }
    // The end of a block comment: skip to its start.
    if (c === '/' && text[i - 1] === '*') {
      const start = text.lastIndexOf('/*', i - 2);
      if (start === -1) return { char: c, offset: i };
      i = start - 1;
      continue;
    }
    // A line comment before the cursor on the same line is handled by insideComment; one on an earlier
    // line ends at its newline, so skip it when the line holds `//` outside a string.
    const lineStart = text.lastIndexOf('\n', i) + 1;
    const comment = lineCommentStart(text, lineStart, i + 1);
    if (comment !== -1) { i = comment - 1; continue; }
    return { char: c, offset: i };
  }
  return { offset: -1 };
}

function nextSignificant(text: string, offset: number): { char?: string; offset: number } {
  let i = offset;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    if (c === '/' && text[i + 1] === '/') { const nl = text.indexOf('\n', i); if (nl === -1) break; i = nl + 1; continue; }
    if (c === '/' && text[i + 1] === '*') { const end = text.indexOf('*/', i + 2); if (end === -1) break; i = end + 2; continue; }
    return { char: c, offset: i };
  }
  return { offset: text.length };
}

/** Where a `//` comment starts on [lineStart, end), outside strings; -1 when there is none. */
function lineCommentStart(text: string, lineStart: number, end: number): number {
  let inString = false;
  for (let i = lineStart; i < end; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '/' && text[i + 1] === '/') return i;
  }
  return -1;
}

function insideComment(text: string, offset: number): boolean {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  if (lineCommentStart(text, lineStart, offset) !== -1) return true;
  const open = text.lastIndexOf('/*', offset - 2);
  if (open === -1) return false;
  const close = text.indexOf('*/', open + 2);
  // Only a block comment that opened on this line or shortly before is worth the check.
  return (close === -1 || close + 2 > offset) && offset > open + 1 && !looksInsideString(text, open);
}

function looksInsideString(text: string, offset: number): boolean {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let inString = false;
  for (let i = lineStart; i < offset; i++) {
    const c = text[i];
    if (inString) { if (c === '\\') i++; else if (c === '"') inString = false; } else if (c === '"') inString = true;
  }
  return inString;
}
