/**
 * The custom part of the protocol between the extension (client/) and the language server (server/):
 * request and notification types, their payloads, and the `orch.*` settings. Both sides bundle this
 * module, so it must import neither `vscode` nor `vscode-languageserver` (only the shared protocol types).
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { Range } from 'vscode-languageserver-protocol';

// ---------------------------------------------------------------------------------------------------
// Settings (`orch.*`), read through workspace/configuration and applied without a restart.

export interface OrchSettings {
  validation: {
    /** Report problems at all. */
    enable: boolean;
    /**
     * Upper bound of the delay between an edit and its diagnostics while typing continues. A cheap
     * document is checked at once; an expensive one waits (at most this long) so that analysis never
     * takes more than a fraction of the CPU during a burst of edits.
     */
    debounceMs: number;
    /** Also report problems of definition files that are not open (the whole workspace). */
    workspace: boolean;
  };
  /** Base URL of the documentation; diagnostics link to `<docsBaseUrl>/diagnostics.md#orch201`. */
  docsBaseUrl: string;
  completion: {
    /** Offer snippets (a new activity, a new definition file). */
    snippets: boolean;
  };
  inlayHints: {
    /** Show the tier of each activity. */
    tiers: boolean;
  };
  codeLens: {
    enable: boolean;
  };
}

export const DEFAULT_DOCS_BASE_URL = 'https://github.com/orchestration-studio/orchestration-studio/blob/main/docs';

export const DEFAULT_SETTINGS: OrchSettings = {
  validation: { enable: true, debounceMs: 150, workspace: true },
  docsBaseUrl: DEFAULT_DOCS_BASE_URL,
  completion: { snippets: true },
  inlayHints: { tiers: true },
  codeLens: { enable: true },
};

/**
 * Settings from whatever the client sent (possibly partial, possibly of the wrong types: a user can
 * write anything in settings.json). Every field falls back to its default on its own.
 */
export function resolveSettings(raw: unknown): OrchSettings {
  const r = record(raw);
  const validation = record(r.validation);
  const completion = record(r.completion);
  const inlayHints = record(r.inlayHints);
  const codeLens = record(r.codeLens);
  const d = DEFAULT_SETTINGS;
  const debounce = validation.debounceMs;
  const docs = typeof r.docsBaseUrl === 'string' && r.docsBaseUrl.trim() ? r.docsBaseUrl.trim().replace(/\/+$/, '') : d.docsBaseUrl;
  return {
    validation: {
      enable: bool(validation.enable, d.validation.enable),
      debounceMs: typeof debounce === 'number' && Number.isFinite(debounce) ? Math.min(5000, Math.max(0, Math.round(debounce))) : d.validation.debounceMs,
      workspace: bool(validation.workspace, d.validation.workspace),
    },
    docsBaseUrl: docs,
    completion: { snippets: bool(completion.snippets, d.completion.snippets) },
    inlayHints: { tiers: bool(inlayHints.tiers, d.inlayHints.tiers) },
    codeLens: { enable: bool(codeLens.enable, d.codeLens.enable) },
  };
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function bool(value: unknown, fallback: boolean): boolean {
  return typeof value === 'boolean' ? value : fallback;
}

// ---------------------------------------------------------------------------------------------------
// initialize

export interface InitializationOptions {
  /** The `orch` settings, for clients without workspace/configuration. */
  settings?: unknown;
  /**
   * The client's own JSON support already has our schemas for files matched by name (`*.orch.json`,
   * `*.activity.json`, `orch.hosts.json`): VS Code's JSON extension, through `contributes.jsonValidation`.
   * The server then leaves what that support offers too (schema property names, enum values, schema
   * snippets, property docs on hover) to it, so that nothing is shown twice.
   */
  jsonSchemaSupport?: boolean;
}

// ---------------------------------------------------------------------------------------------------
// orch/graph: the graph of one orchestration definition, for the webview.

export type GraphSeverity = 'error' | 'warning' | 'information' | 'hint';

export interface GraphProblem {
  severity: GraphSeverity;
  code: string;
  message: string;
  range: Range;
}

export interface GraphNode {
  id: string;
  /** Index of the activity in `activities` (the first one with this id). */
  index: number;
  type?: string;
  discriminator?: string;
  /** The type's description and provider, when the workspace defines the type. */
  description?: string;
  provider?: string;
  /** 1-based tier (1 = no dependencies); 0 for activities on or after a cycle. */
  tier: number;
  when: 'success' | 'failure' | 'always';
  forEach?: { items?: string; as?: string };
  hosts: string[];
  continueOnError: boolean;
  /** The whole activity object and its id value, for "reveal in editor". */
  range: Range;
  idRange?: Range;
  /** Problems inside this activity. */
  problems: GraphProblem[];
}

export interface GraphEdgeInfo {
  /** The dependency. */
  from: string;
  /** The dependent (the activity whose `dependsOn` names `from`). */
  to: string;
  /** The `dependsOn` entry that makes the edge. */
  range: Range;
  /** Set when the edge closes a cycle. */
  cycle?: boolean;
}

export interface GraphParams {
  uri: string;
}

export interface GraphResult {
  uri: string;
  /** The document version the graph was computed for (-1 for a file that is not open). */
  version: number;
  /** False when the document is not an orchestration definition (or cannot be parsed at all). */
  ok: boolean;
  type?: string;
  description?: string;
  nodes: GraphNode[];
  edges: GraphEdgeInfo[];
  /** Ids per tier (tier 1 first), sorted inside each tier. */
  tiers: string[][];
  /** Each cycle as a closed path of ids (`a -> b -> a` is ['a', 'b', 'a']). */
  cycles: string[][];
  /** Problems outside any activity (definition-level). */
  problems: GraphProblem[];
  counts: { errors: number; warnings: number };
}

export const GraphRequest = new RequestType<GraphParams, GraphResult, void>('orch/graph');

/** Sent by the server when a definition's graph may have changed (edit, or a used type changed). */
export interface GraphChangedParams {
  uri: string;
  version: number;
}

export const GraphChangedNotification = new NotificationType<GraphChangedParams>('orch/graphChanged');

// ---------------------------------------------------------------------------------------------------
// orch/status: the server's state, for the status bar.

export interface ServerStatus {
  state: 'starting' | 'indexing' | 'ready';
  /** Definition files known (open and on disk). */
  files: number;
  /** Problems published across the workspace. */
  errors: number;
  warnings: number;
  /** Duration of the last full analysis of a document, for the status tooltip. */
  lastAnalysis?: { uri: string; ms: number };
}

export const StatusNotification = new NotificationType<ServerStatus>('orch/status');

/** The client may also ask (e.g. when the status item is created after the first notification). */
export const StatusRequest = new RequestType0<ServerStatus, void>('orch/status');

/**
 * Node flags the server runs with, wherever it is started (the extension, tests, the benchmark).
 * A young generation twice the default: a keystroke in a 10,000-activity definition still allocates
 * some 20 MB (its model, graph and check results; the tree itself lives in typed arrays, see
 * runtime/json/tape.ts), and with 16 MB semi-spaces V8 would copy the live part through a scavenge on
 * every keystroke. 64 MB saves a little more CPU but costs some 60 MB of resident memory.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];
