/**
 * Character-level helpers for editing JSONC text around tree nodes: the tree knows where values are,
 * but not where the commas, comments and line breaks between them sit, and a good edit must keep
 * those as the author wrote them.
 */

const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
const SLASH = 47;
const STAR = 42;

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === LF || c === CR;
}

/** The offset of the first character at or after `from` that is neither whitespace nor inside a comment. */
export function skipTrivia(text: string, from: number): number {
  let pos = from;
  while (pos < text.length) {
    const c = text.charCodeAt(pos);
    if (isBlank(c)) { pos++; continue; }
    if (c === SLASH) {
      const next = text.charCodeAt(pos + 1);
      if (next === SLASH) { const end = text.indexOf('\n', pos + 2); pos = end === -1 ? text.length : end; continue; }
      if (next === STAR) { const end = text.indexOf('*/', pos + 2); pos = end === -1 ? text.length : end + 2; continue; }
    }
    break;
  }
  return pos;
}

/**
 * The end of what trails a value on its own line: spaces, tabs and comments that close on that line,
 * stopping before the line break (or before the next token when something else follows).
 */
export function skipLineTrivia(text: string, from: number): number {
  let pos = from;
  while (pos < text.length) {
    const c = text.charCodeAt(pos);
    if (c === SPACE || c === TAB) { pos++; continue; }
    if (c === SLASH) {
      const next = text.charCodeAt(pos + 1);
      if (next === SLASH) { const end = text.indexOf('\n', pos + 2); pos = end === -1 ? text.length : end; if (pos > 0 && text.charCodeAt(pos - 1) === CR) pos--; break; }
      if (next === STAR) {
        const end = text.indexOf('*/', pos + 2);
        const lineEnd = text.indexOf('\n', pos + 2);
        // A block comment that runs onto the next lines is not part of this line.
        if (end === -1 || (lineEnd !== -1 && lineEnd < end)) break;
        pos = end + 2;
        continue;
      }
    }
    break;
  }
  return pos;
}

/** The offset of the comma after a value (skipping trivia), or -1 when the next token is not a comma. */
export function commaAfter(text: string, end: number): number {
  const pos = skipTrivia(text, end);
  return text.charCodeAt(pos) === 44 /* , */ ? pos : -1;
}

/** Whether `pos` is at a line break (or the end of the text). */
export function atLineBreak(text: string, pos: number): boolean {
  if (pos >= text.length) return true;
  const c = text.charCodeAt(pos);
  return c === LF || (c === CR && text.charCodeAt(pos + 1) === LF);
}

/** The offset just after the line break at `pos` (which must be at a line break). */
export function afterLineBreak(text: string, pos: number): number {
  if (pos >= text.length) return text.length;
  return text.charCodeAt(pos) === CR ? pos + 2 : pos + 1;
}

export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Whether only spaces and tabs precede `offset` on its line. */
export function startsLine(text: string, offset: number): boolean {
  for (let pos = offset - 1; pos >= 0; pos--) {
    const c = text.charCodeAt(pos);
    if (c === LF) return true;
    if (c !== SPACE && c !== TAB) return false;
  }
  return true;
}

/** The spaces and tabs that open the line of `offset`. */
export function indentOf(text: string, offset: number): string {
  const start = lineStart(text, offset);
  let end = start;
  while (end < text.length && (text.charCodeAt(end) === SPACE || text.charCodeAt(end) === TAB)) end++;
  return text.slice(start, end);
}

/** The document's line break: the first one it uses, `\n` when it has none. */
export function eolOf(text: string): string {
  const lf = text.indexOf('\n');
  return lf > 0 && text.charCodeAt(lf - 1) === CR ? '\r\n' : '\n';
}

/**
 * One level of indentation as the file writes it: the smallest step between the indents of
 * consecutive lines (looking at the first few hundred lines is plenty), two spaces when it says nothing.
 */
export function indentUnitOf(text: string): string {
  let previous = 0;
  let best = Infinity;
  let tabs = 0;
  let spaces = 0;
  let pos = 0;
  for (let line = 0; line < 400 && pos < text.length; line++) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    let width = 0;
    let i = pos;
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === SPACE || c === TAB) width++;
      else break;
    }
    if (i < end && text.charCodeAt(i) !== CR) {
      if (text.charCodeAt(pos) === SPACE) spaces++;
      else if (text.charCodeAt(pos) === TAB) tabs++;
      if (width > previous && width - previous < best) best = width - previous;
      previous = width;
    }
    pos = end + 1;
  }
  if (tabs > spaces) return '\t';
  return ' '.repeat(Number.isFinite(best) ? best : 2);
}

/** Whether the text between two offsets holds a line break. */
export function spansLines(text: string, from: number, to: number): boolean {
  const lf = text.indexOf('\n', from);
  return lf !== -1 && lf < to;
}
