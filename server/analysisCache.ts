/**
 * The analysis of each document, computed at most once per parsed version and per state of the files it
 * reads. A replaced document, or a change in a file it depends on (see DocumentStore.dependentsOf), drops
 * its entry; everything else is served from the cache, so hover, completion, code lens ... after an edit
 * share the one analysis the diagnostics already paid for.
 */
import type { Diagnostic } from '../runtime/analysis/diagnostic';
import type { ParsedDocument } from '../runtime/analysis/document';
import { analyzeDocument } from '../runtime/analysis/validate';
import type { Graph } from '../runtime/graph/graph';
import type { WorkspaceIndex } from '../runtime/index/workspaceIndex';
import type { DocumentChange } from './documentStore';

export interface DocumentAnalysis {
  doc: ParsedDocument;
  diagnostics: Diagnostic[];
  /** The activity graph (orchestration definitions only). */
  graph?: Graph;
  /** How long the analysis took, in milliseconds. */
  ms: number;
}

export class AnalysisCache {
  private readonly entries = new Map<string, DocumentAnalysis>();
  /** Called after each fresh analysis (for the status bar's "last analysis" figure). */
  onAnalyzed?: (analysis: DocumentAnalysis) => void;

  get(doc: ParsedDocument, index: WorkspaceIndex): DocumentAnalysis {
    const cached = this.entries.get(doc.uri);
    if (cached && cached.doc === doc) return cached;
    const started = performance.now();
    let result: { diagnostics: Diagnostic[]; graph?: Graph };
    try {
      result = analyzeDocument(doc, index);
    } catch (e) {
      // A bug in one check must not take every feature of the document down with it: report it where
      // the user sees it, at the top of the file, and keep serving the rest.
      const message = e instanceof Error ? e.message : String(e);
      console.error(`[orch] analysis of ${doc.uri} failed: ${e instanceof Error ? e.stack : message}`);
      result = { diagnostics: [{ code: 'ORCH001', severity: 'error', message: `Internal error while checking this file: ${message}`, offset: 0, length: 0 }] };
    }
    const analysis: DocumentAnalysis = { doc, diagnostics: result.diagnostics, graph: result.graph, ms: performance.now() - started };
    this.entries.set(doc.uri, analysis);
    this.onAnalyzed?.(analysis);
    return analysis;
  }

  /** The cached analysis if it is still valid for `doc`, without computing one. */
  peek(doc: ParsedDocument): DocumentAnalysis | undefined {
    const cached = this.entries.get(doc.uri);
    return cached && cached.doc === doc ? cached : undefined;
  }

  invalidate(changes: readonly DocumentChange[]): void {
    for (const change of changes) {
      if (!change.current) this.entries.delete(change.uri);
      for (const uri of change.dependents) this.entries.delete(uri);
    }
  }
}
