/**
 * Runs every check on one document: syntax, then the schema, then the rules of its kind. The graph
 * built for the rules is returned too, so callers (plan, server features) do not build it twice.
 */
import { buildGraph, type Graph } from '../graph/graph';
import type { WorkspaceIndex } from '../index/workspaceIndex';
import type { CheckContext } from './check';
import { activityDefinitionChecks, hostsChecks, orchestrationChecks } from './checks/registry';
import { schemaDiagnostics } from './checks/schema';
import { syntaxDiagnostics } from './checks/syntax';
import type { Diagnostic } from './diagnostic';
import type { ParsedDocument } from './document';

export interface Analysis {
  diagnostics: Diagnostic[];
  graph?: Graph;
}

export function analyzeDocument(doc: ParsedDocument, index?: WorkspaceIndex): Analysis {
  const diagnostics = syntaxDiagnostics(doc.parse.problems);
  const model = doc.model;
  if (!doc.kind || !doc.parse.root) return { diagnostics };
  diagnostics.push(...schemaDiagnostics(doc));
  if (!model) return { diagnostics };
  const ctx: CheckContext = { doc, index, report: (d) => diagnostics.push(d) };
  let graph: Graph | undefined;
  if (model.kind === 'orchestration') {
    graph = buildGraph(model);
    const octx = { ...ctx, model, graph };
    for (const check of orchestrationChecks) check(octx);
  } else if (model.kind === 'activity') {
    const actx = { ...ctx, model };
    for (const check of activityDefinitionChecks) check(actx);
  } else {
    const hctx = { ...ctx, model };
    for (const check of hostsChecks) check(hctx);
  }
  diagnostics.sort((a, b) => a.offset - b.offset || a.code.localeCompare(b.code));
  return { diagnostics, graph };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
