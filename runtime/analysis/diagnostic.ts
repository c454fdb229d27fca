import type { Code, Severity } from './codes';
import { Codes } from './codes';

/** Another place involved in a problem (the first duplicate, an edge of a cycle, a declaration). */
export interface RelatedLocation {
  /** Document URI or file path, as the index knows it. */
  file: string;
  offset: number;
  length: number;
  message: string;
}

/**
 * A problem in a document, in offsets. Offsets are turned into line/character only at the edge
 * (CLI output, LSP), where the document's line index is at hand.
 */
export interface Diagnostic {
  code: Code;
  severity: Severity;
  message: string;
  offset: number;
  length: number;
  related?: RelatedLocation[];
  /** Machine-readable facts for quick fixes (e.g. a did-you-mean suggestion). */
  data?: Record<string, unknown>;
}

export function diagnostic(
  code: Code,
  span: { offset: number; length: number },
  message: string,
  extra?: { related?: RelatedLocation[]; data?: Record<string, unknown>; severity?: Severity },
): Diagnostic {
  const d: Diagnostic = { code, severity: extra?.severity ?? Codes[code].severity, message, offset: span.offset, length: span.length };
  if (extra?.related?.length) d.related = extra.related;
  if (extra?.data) d.data = extra.data;
  return d;
}
