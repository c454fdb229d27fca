/** What a quick fix sees and what it proposes, in offsets (converted to LSP at the edge). */
import type { Diagnostic } from '../../../../runtime/analysis/diagnostic';
import type { ParsedDocument } from '../../../../runtime/analysis/document';
import type { Graph } from '../../../../runtime/graph/graph';
import type { WorkspaceIndex } from '../../../../runtime/index/workspaceIndex';
import type { OrchestrationModel } from '../../../../runtime/model/located';
import type { LayoutOptions } from '../listEdits';
import type { OffsetEdit } from '../offsetEdit';

export interface FixInput {
  doc: ParsedDocument;
  model: OrchestrationModel;
  graph: Graph;
  index?: WorkspaceIndex;
  layout: LayoutOptions;
}

export interface PlannedFix {
  title: string;
  /** Edits of the document the diagnostic is in. */
  edits: OffsetEdit[];
  preferred?: boolean;
  /** A file to create (with this content) before the edits apply. */
  newFile?: { uri: string; text: string };
}

export type FixProvider = (input: FixInput, diagnostic: Diagnostic) => PlannedFix[];

export function dataString(diagnostic: Diagnostic, key: string): string | undefined {
  const value = diagnostic.data?.[key];
  return typeof value === 'string' ? value : undefined;
}
