/**
 * Offsets (what the analysis library speaks) <-> LSP positions and ranges (what the protocol speaks),
 * through the document's lines (./lines.ts: its LineIndex, or the open TextDocument's line starts). The
 * document must be the one the offsets were computed on; every feature gets both from `ctx.parsed(uri)`
 * / `ctx.analysisOf(uri)`, so they always match.
 */
import type { Location, Position, Range } from 'vscode-languageserver';
import type { ParsedDocument } from '../runtime/analysis/document';
import type { JsonNode, Span } from '../runtime/json/node';
import { linesOf } from './lines';

export function toPosition(doc: ParsedDocument, offset: number): Position {
  return linesOf(doc).positionAt(offset);
}

export function toOffset(doc: ParsedDocument, position: Position): number {
  return linesOf(doc).offsetAt(position);
}

export function toRange(doc: ParsedDocument, span: Span): Range {
  return linesOf(doc).rangeOf(span.offset, span.length);
}

export function toLocation(doc: ParsedDocument, span: Span): Location {
  return { uri: doc.uri, range: toRange(doc, span) };
}

/** The range of a string node without its quotes: what a rename or a completion replaces. */
export function innerRange(doc: ParsedDocument, node: JsonNode): Range {
  return toRange(doc, innerSpan(node));
}

export function innerSpan(node: JsonNode): Span {
  if (node.type === 'string' && node.length >= 2) return { offset: node.offset + 1, length: node.length - 2 };
  return { offset: node.offset, length: node.length };
}

/** Whether `offset` lies in the node (end inclusive: a cursor just after a token is on it). */
export function touches(node: JsonNode | undefined, offset: number): boolean {
  return !!node && offset >= node.offset && offset <= node.offset + node.length;
}
