/**
 * The single orchestration definition that `plan` and `graph` work on: loaded with its workspace and
 * analysed. A folder, or a file of another kind, is a usage error.
 */
import { resolve } from 'node:path';
import type { ParsedDocument } from '../analysis/document';
import type { Graph } from '../graph/graph';
import type { OrchestrationModel } from '../model/located';
import { UsageError } from './args';
import { diagnose, jsonDiagnostics } from './diagnose';
import type { JsonDiagnostic } from './format';
import { displayPath, loadWorkspace, pathKind, type Workspace } from './workspace';

export interface OrchestrationTarget {
  workspace: Workspace;
  doc: ParsedDocument;
  /** Undefined when the document has no usable root object (diagnostics then hold the errors). */
  model: OrchestrationModel | undefined;
  graph: Graph | undefined;
  diagnostics: JsonDiagnostic[];
}

export function loadOrchestration(file: string, options: { cwd: string; defs?: readonly string[] }): OrchestrationTarget {
  const kind = pathKind(resolve(options.cwd, file));
  if (kind === 'folder') throw new UsageError(`${file} is a folder; give one *.orch.json file`);
  const workspace = loadWorkspace([file], options);
  const doc = workspace.targets[0];
  if (doc.kind !== 'orchestration') {
    throw new UsageError(`${displayPath(options.cwd, doc.uri)} is not an orchestration definition (*.orch.json)`);
  }
  const analysis = diagnose(doc, workspace.index);
  const diagnostics = jsonDiagnostics(workspace, doc, analysis);
  const model = doc.model?.kind === 'orchestration' ? doc.model : undefined;
  return { workspace, doc, model, graph: analysis.graph, diagnostics };
}
