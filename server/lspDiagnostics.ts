/**
 * Analysis diagnostics (offsets) -> LSP diagnostics (ranges), with the documentation link of each code,
 * related locations in whichever file they are, and the machine-readable `data` the quick fixes read.
 */
import {
  DiagnosticSeverity,
  DiagnosticTag,
  type Diagnostic as LspDiagnostic,
  type DiagnosticRelatedInformation,
} from 'vscode-languageserver';
import type { Diagnostic, RelatedLocation } from '../runtime/analysis/diagnostic';
import type { ParsedDocument } from '../runtime/analysis/document';
import type { Severity } from '../runtime/analysis/codes';
import { toRange } from './positions';

export const SOURCE = 'orch';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** Codes whose text can be deleted without changing the meaning: editors fade them out. */
const UNNECESSARY = new Set(['ORCH204']);

export interface ConvertOptions {
  /** The documentation link of a code. */
  docsUrl(code: string): string;
  /** The parsed document of another file (for related locations there). */
  documentOf(uri: string): ParsedDocument | undefined;
}

export function toLspDiagnostic(doc: ParsedDocument, d: Diagnostic, options: ConvertOptions): LspDiagnostic {
  const out: LspDiagnostic = {
    range: toRange(doc, d),
    severity: SEVERITY[d.severity],
    code: d.code,
    codeDescription: { href: options.docsUrl(d.code) },
    source: SOURCE,
    message: d.message,
  };
  if (UNNECESSARY.has(d.code)) out.tags = [DiagnosticTag.Unnecessary];
  if (d.related?.length) {
    const related = d.related.map((r) => relatedInformation(doc, r, options)).filter((r): r is DiagnosticRelatedInformation => !!r);
    if (related.length) out.relatedInformation = related;
  }
  if (d.data !== undefined) out.data = d.data;
  return out;
}

function relatedInformation(doc: ParsedDocument, r: RelatedLocation, options: ConvertOptions): DiagnosticRelatedInformation | undefined {
  const target = r.file === doc.uri ? doc : options.documentOf(r.file);
  if (!target) return undefined;
  return { location: { uri: target.uri, range: toRange(target, r) }, message: r.message };
}

export function toLspSeverity(severity: Severity): DiagnosticSeverity {
  return SEVERITY[severity];
}
