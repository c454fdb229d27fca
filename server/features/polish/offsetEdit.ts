/**
 * Edits in offsets, as the tree gives them. Features compute these and convert them to LSP ranges
 * once at the end, with the document's line index.
 */
import type { TextEdit } from 'vscode-languageserver';
import type { Lines } from '../../lines';

export interface OffsetEdit {
  offset: number;
  length: number;
  newText: string;
}

export function replace(offset: number, end: number, newText: string): OffsetEdit {
  return { offset, length: end - offset, newText };
}

export function insert(offset: number, newText: string): OffsetEdit {
  return { offset, length: 0, newText };
}

/**
 * Sorts edits (stable: inserts at one offset keep their order) and merges edits that touch or
 * overlap (two removals of neighbouring list items may share a comma); LSP forbids overlapping edits.
 */
export function normalizeEdits(edits: readonly OffsetEdit[]): OffsetEdit[] {
  const sorted = [...edits].sort((a, b) => a.offset - b.offset || a.length - b.length);
  const out: OffsetEdit[] = [];
  for (const edit of sorted) {
    const last = out[out.length - 1];
    if (last && edit.offset <= last.offset + last.length) {
      // Touching edits concatenate; overlapping ones are only ever deletions, whose union is the same.
      const end = Math.max(last.offset + last.length, edit.offset + edit.length);
      out[out.length - 1] = { offset: last.offset, length: end - last.offset, newText: last.newText + edit.newText };
      continue;
    }
    out.push(edit);
  }
  return out;
}

export function toTextEdits(lines: Lines, edits: readonly OffsetEdit[]): TextEdit[] {
  return normalizeEdits(edits).map((e) => ({ range: lines.rangeOf(e.offset, e.length), newText: e.newText }));
}

/** Applies offset edits to a text (tests and previews). */
export function applyOffsetEdits(text: string, edits: readonly OffsetEdit[]): string {
  let out = text;
  for (const e of normalizeEdits(edits).reverse()) out = out.slice(0, e.offset) + e.newText + out.slice(e.offset + e.length);
  return out;
}
