/**
 * Where the line starts of a parsed document come from. A document's LineIndex scans its whole text
 * (3 ms on a 2 MB definition), and every keystroke makes a new document: done per keystroke, that scan
 * would be a fixed cost of every diagnostics run, semantic tokens request, folding request ... But the
 * open document's TextDocument already keeps its line starts up to date through each incremental edit
 * (vscode-languageserver-textdocument shifts them in place), so for the live version of an edited open
 * document the positions are read from there instead.
 *
 * Both count lines alike when the text has no '\r' (the TextDocument also breaks lines at a lone '\r',
 * LineIndex only at '\n'), so only such texts are read through the TextDocument: every answer is the
 * one the document's LineIndex would give.
 */
import type { Position, Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ParsedDocument } from '../runtime/analysis/document';

/** Offsets <-> positions (0-based lines, UTF-16 characters), as runtime/text/lineIndex.ts answers them. */
export interface Lines {
  readonly lineCount: number;
  positionAt(offset: number): Position;
  offsetAt(position: Position): number;
  rangeOf(offset: number, length: number): Range;
}

/**
 * The live lines of each open document, by URI: only the latest parsed version has any, so an entry is
 * replaced on each edit and dropped on close. (A WeakMap from each document to its lines, which refer to
 * the document, measurably kept old versions alive longer: more garbage collection per keystroke.)
 */
const live = new Map<string, TextDocumentLines>();

/**
 * `doc` is the latest parse of an open document, from `text` at doc.version. `ranged`: the last edit
 * before it had a range, so the TextDocument has its line starts computed and its positions may be read
 * from there (a document just opened, or replaced whole, would have to compute them first: slower than
 * the LineIndex scan).
 */
export function noteParsed(doc: ParsedDocument, text: TextDocument, ranged: boolean): void {
  if (ranged && doc.text.indexOf('\r') === -1) live.set(doc.uri, new TextDocumentLines(doc, text));
  else live.delete(doc.uri);
}

/** The document at `uri` is closed (or no longer ours). */
export function forgetLines(uri: string): void {
  live.delete(uri);
}

/** The lines of `doc`: from its open TextDocument while that still holds this version, else its LineIndex. */
export function linesOf(doc: ParsedDocument): Lines {
  const lines = live.get(doc.uri);
  return lines?.doc === doc && lines.isCurrent() ? lines : doc.lineIndex;
}

/** LineIndex's answers, from a TextDocument's line starts (see the module comment for why they agree). */
class TextDocumentLines implements Lines {
  private readonly version: number;

  constructor(readonly doc: ParsedDocument, private readonly text: TextDocument) {
    this.version = text.version;
  }

  /**
   * The TextDocument is updated in place by later edits: it answers for `doc` only until then (and the
   * document's own LineIndex after that, should anyone hold on to these lines that long).
   */
  isCurrent(): boolean {
    return this.text.version === this.version && this.text.getText() === this.doc.text;
  }

  get lineCount(): number {
    return this.isCurrent() ? this.text.lineCount : this.doc.lineIndex.lineCount;
  }

  positionAt(offset: number): Position {
    return this.isCurrent() ? this.text.positionAt(offset) : this.doc.lineIndex.positionAt(offset);
  }

  offsetAt(position: Position): number {
    if (!this.isCurrent()) return this.doc.lineIndex.offsetAt(position);
    // LineIndex clamps a character past the end of its line to the start of the next line, where the
    // TextDocument stops before the line break: only line starts are taken from it.
    const lineCount = this.text.lineCount;
    if (position.line < 0) return 0;
    if (position.line >= lineCount) return this.doc.text.length;
    const start = this.lineStart(position.line);
    const next = position.line + 1 < lineCount ? this.lineStart(position.line + 1) : this.doc.text.length;
    return Math.max(start, Math.min(start + position.character, next));
  }

  rangeOf(offset: number, length: number): Range {
    return { start: this.positionAt(offset), end: this.positionAt(offset + length) };
  }

  private lineStart(line: number): number {
    return this.text.offsetAt({ line, character: 0 });
  }
}
