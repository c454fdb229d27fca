/** The analysis as every CLI command runs it, and the common ways of printing what it found. */
import { analyzeDocument, type Analysis } from '../analysis/validate';
import type { ParsedDocument } from '../analysis/document';
import type { WorkspaceIndex } from '../index/workspaceIndex';
import { formatDiagnosticText, toJsonDiagnostic, type JsonDiagnostic, type Palette } from './format';
import { unknownKindDiagnostic, type Workspace } from './workspace';

export function diagnose(doc: ParsedDocument, index: WorkspaceIndex): Analysis {
  const unknown = unknownKindDiagnostic(doc);
  if (unknown) {
    const analysis = analyzeDocument(doc, index);
    return { ...analysis, diagnostics: [unknown, ...analysis.diagnostics] };
  }
  return analyzeDocument(doc, index);
}

export function jsonDiagnostics(workspace: Workspace, doc: ParsedDocument, analysis: Analysis): JsonDiagnostic[] {
  const file = workspace.view(doc.uri);
  return analysis.diagnostics.map((d) => toJsonDiagnostic(d, file, workspace.view));
}

export function textDiagnostics(diagnostics: readonly JsonDiagnostic[], palette: Palette): string {
  return diagnostics.map((d) => formatDiagnosticText(d, palette) + '\n').join('');
}
