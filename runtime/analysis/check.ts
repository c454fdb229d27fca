import type { Graph } from '../graph/graph';
import type { WorkspaceIndex } from '../index/workspaceIndex';
import type { ActivityDefinitionsModel, HostsModel, OrchestrationModel } from '../model/located';
import type { Diagnostic } from './diagnostic';
import type { ParsedDocument } from './document';

/** What every check gets: the document, the workspace (when there is one) and a sink for problems. */
export interface CheckContext {
  doc: ParsedDocument;
  /** Absent for a lone file (`orch validate file` still builds an index of the folders around it). */
  index?: WorkspaceIndex;
  report(diagnostic: Diagnostic): void;
}

export interface OrchestrationCheckContext extends CheckContext {
  model: OrchestrationModel;
  graph: Graph;
}

/** One rule; each lives in its own module under checks/ (one reason to change each). */
export type OrchestrationCheck = (ctx: OrchestrationCheckContext) => void;
export type ActivityDefinitionCheck = (ctx: CheckContext & { model: ActivityDefinitionsModel }) => void;
export type HostsCheck = (ctx: CheckContext & { model: HostsModel }) => void;
