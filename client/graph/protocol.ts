/**
 * The messages between the graph panel (client/graph/panel.ts, extension host) and the graph webview
 * (media/graph/, browser). Both sides import this module, so it imports nothing at run time: no `vscode`,
 * no Node, only types. Every message that crosses the boundary is checked with the parse functions below
 * (a webview is a web page: treat what it sends as untrusted input; and a version mismatch after an
 * extension update must not break the page silently).
 */
import type { GraphResult } from '../../server/protocol';

export const GRAPH_PROTOCOL_VERSION = 1;

export type ActivityRunState =
  | 'pending' | 'waiting-for-pool' | 'running' | 'retrying' | 'waiting' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
export type RunState = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

export const ACTIVITY_RUN_STATES: readonly ActivityRunState[] = [
  'pending', 'waiting-for-pool', 'running', 'retrying', 'waiting', 'succeeded', 'failed', 'skipped', 'cancelled',
];
export const RUN_STATES: readonly RunState[] = ['running', 'succeeded', 'failed', 'cancelled', 'interrupted'];

/** One activity during (or after) a run, as the graph draws it. Secrets are already redacted. */
export interface NodeRunInfo {
  state: ActivityRunState;
  /** 1-based number of the current (or last) attempt; 0 before the first. */
  attempt: number;
  /** Epoch milliseconds; the webview draws a live duration from startedAt while the node runs. */
  startedAt?: number;
  endedAt?: number;
  /** Outputs of the last successful attempt, for the hover; large values are truncated by the host. */
  outputs?: Record<string, unknown>;
  /** The last attempt's error message. */
  error?: string;
  /** forEach / per-host fan-out: instances finished and in total. */
  instances?: { done: number; total: number };
  /** Distributed mode: the agent of the current (or last) attempt. */
  agent?: string;
}

export interface RunInfo {
  runId: string;
  state: RunState;
  startedAt: number;
  endedAt?: number;
  /** The longest chain by duration (ids, dependencies first), once the run finished. */
  criticalPath?: string[];
}

/** The static part of a node the server's graph does not carry, computed by the host from the text. */
export interface NodeDetails {
  /** `target <- source` or `target = value` per input, in file order. */
  inputs: string[];
}

// ---------------------------------------------------------------------------------------------------
// Host -> webview

export interface GraphMessage {
  type: 'graph';
  /** The definition shown (a document URI). */
  uri: string;
  fileName: string;
  graph: GraphResult;
  details: Record<string, NodeDetails>;
  /**
   * True while the document has syntax errors: `graph` is then the last good graph, kept on screen, and
   * `graph.problems`/node problems are those of the broken text where they still apply.
   */
  stale: boolean;
}

/** A whole run, replacing any previous one (new run, or the panel was just opened). `null` clears. */
export interface RunSnapshotMessage {
  type: 'run';
  run: RunInfo | null;
  nodes: Record<string, NodeRunInfo>;
}

/** Only what changed since the last message for the same runId. */
export interface RunUpdateMessage {
  type: 'runUpdate';
  runId: string;
  state?: RunState;
  endedAt?: number;
  criticalPath?: string[];
  nodes: Record<string, NodeRunInfo>;
}

/** The editor's cursor is inside this activity (null: outside every activity). */
export interface HighlightMessage {
  type: 'highlight';
  activityId: string | null;
}

export type ViewCommand = 'fit' | 'zoomIn' | 'zoomOut' | 'toggleTiers' | 'toggleCriticalPath' | 'exportSvg' | 'exportPng';
export const VIEW_COMMANDS: readonly ViewCommand[] = ['fit', 'zoomIn', 'zoomOut', 'toggleTiers', 'toggleCriticalPath', 'exportSvg', 'exportPng'];

/** A toolbar button or command of the editor asks the view to do something. */
export interface ViewCommandMessage {
  type: 'command';
  command: ViewCommand;
}

export type HostMessage = GraphMessage | RunSnapshotMessage | RunUpdateMessage | HighlightMessage | ViewCommandMessage;

// ---------------------------------------------------------------------------------------------------
// Webview -> host

/** Sent once the page's script runs; the host answers with the graph and the run. */
export interface ReadyMessage { type: 'ready'; protocol: number }

/** A node was clicked: reveal the activity in the editor. */
export interface RevealMessage { type: 'reveal'; activityId: string }

/** The user exported the drawing: SVG as text, PNG as a base64 string (no data: prefix). */
export interface ExportMessage { type: 'export'; format: 'svg' | 'png'; data: string }

/** A graph is on screen: timings for the output channel and the e2e measurements. */
export interface RenderedMessage {
  type: 'rendered';
  uri: string;
  nodes: number;
  edges: number;
  /** Time spent in the layout (0 when the structure did not change and positions were reused). */
  layoutMs: number;
  /** From receiving the graph message to the drawing being on screen. */
  totalMs: number;
  /** True when the layout hit its deadline and a simpler (tiered) placement was drawn instead. */
  fallback: boolean;
}

/** Buttons in the webview that run extension commands on the shown definition or run. */
export type WebviewAction = 'run' | 'rerunFailed' | 'cancel' | 'resume';
export const WEBVIEW_ACTIONS: readonly WebviewAction[] = ['run', 'rerunFailed', 'cancel', 'resume'];
export interface ActionMessage { type: 'action'; action: WebviewAction; runId?: string }

/** Problems inside the webview (layout worker failure, ...), written to the output channel. */
export interface LogMessage { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }

export type WebviewMessage = ReadyMessage | RevealMessage | ExportMessage | RenderedMessage | ActionMessage | LogMessage;

// ---------------------------------------------------------------------------------------------------
// Validation. Hand-written (no schema library in the webview bundle); each returns undefined for
// anything that is not exactly a known message.

/** Exports above this are refused (a 1,000-node PNG is a few MB; this bounds memory, not use). */
export const MAX_EXPORT_CHARS = 64 * 1024 * 1024;
const MAX_TEXT = 10_000;
const ACTIVITY_ID = /^[A-Za-z_][A-Za-z0-9_-]*$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown, max = MAX_TEXT): v is string => typeof v === 'string' && v.length <= max;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isOptNum = (v: unknown) => v === undefined || isNum(v);
const oneOf = <T extends string>(values: readonly T[], v: unknown): v is T => typeof v === 'string' && (values as readonly string[]).includes(v);
const isStrArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => isStr(s));

export function parseWebviewMessage(raw: unknown): WebviewMessage | undefined {
  if (!isObj(raw)) return undefined;
  switch (raw.type) {
    case 'ready':
      return isNum(raw.protocol) ? { type: 'ready', protocol: raw.protocol } : undefined;
    case 'reveal':
      return isStr(raw.activityId, 500) && ACTIVITY_ID.test(raw.activityId) ? { type: 'reveal', activityId: raw.activityId } : undefined;
    case 'export':
      if (!oneOf(['svg', 'png'] as const, raw.format) || !isStr(raw.data, MAX_EXPORT_CHARS) || raw.data.length === 0) return undefined;
      if (raw.format === 'png' && !/^[A-Za-z0-9+/]+={0,2}$/.test(raw.data)) return undefined;
      return { type: 'export', format: raw.format, data: raw.data };
    case 'rendered':
      if (!isStr(raw.uri) || !isNum(raw.nodes) || !isNum(raw.edges) || !isNum(raw.layoutMs) || !isNum(raw.totalMs)) return undefined;
      return { type: 'rendered', uri: raw.uri, nodes: raw.nodes, edges: raw.edges, layoutMs: raw.layoutMs, totalMs: raw.totalMs, fallback: raw.fallback === true };
    case 'action':
      if (!oneOf(WEBVIEW_ACTIONS, raw.action) || (raw.runId !== undefined && !isStr(raw.runId, 200))) return undefined;
      return raw.runId === undefined ? { type: 'action', action: raw.action } : { type: 'action', action: raw.action, runId: raw.runId as string };
    case 'log':
      if (!oneOf(['info', 'warn', 'error'] as const, raw.level) || typeof raw.message !== 'string') return undefined;
      return { type: 'log', level: raw.level, message: raw.message.slice(0, MAX_TEXT) };
    default:
      return undefined;
  }
}

function isNodeRunInfo(v: unknown): v is NodeRunInfo {
  if (!isObj(v) || !oneOf(ACTIVITY_RUN_STATES, v.state) || !isNum(v.attempt)) return false;
  if (!isOptNum(v.startedAt) || !isOptNum(v.endedAt)) return false;
  if (v.outputs !== undefined && !isObj(v.outputs)) return false;
  if (v.error !== undefined && typeof v.error !== 'string') return false;
  if (v.agent !== undefined && !isStr(v.agent, 200)) return false;
  if (v.instances !== undefined && !(isObj(v.instances) && isNum(v.instances.done) && isNum(v.instances.total))) return false;
  return true;
}

function isNodeMap(v: unknown): v is Record<string, NodeRunInfo> {
  return isObj(v) && Object.values(v).every(isNodeRunInfo);
}

function isRunInfo(v: unknown): v is RunInfo {
  return isObj(v) && isStr(v.runId, 200) && oneOf(RUN_STATES, v.state) && isNum(v.startedAt) && isOptNum(v.endedAt)
    && (v.criticalPath === undefined || isStrArray(v.criticalPath));
}

function isGraphResult(v: unknown): v is GraphResult {
  return isObj(v) && typeof v.uri === 'string' && typeof v.ok === 'boolean' && Array.isArray(v.nodes) && Array.isArray(v.edges)
    && Array.isArray(v.tiers) && Array.isArray(v.cycles) && Array.isArray(v.problems) && isObj(v.counts)
    && v.nodes.every((n) => isObj(n) && typeof n.id === 'string' && isNum(n.tier) && Array.isArray(n.problems))
    && v.edges.every((e) => isObj(e) && typeof e.from === 'string' && typeof e.to === 'string');
}

/** For the webview: what the host sent (the host is trusted, but versions can differ after an update). */
export function parseHostMessage(raw: unknown): HostMessage | undefined {
  if (!isObj(raw)) return undefined;
  switch (raw.type) {
    case 'graph':
      if (!isStr(raw.uri) || typeof raw.fileName !== 'string' || !isGraphResult(raw.graph) || !isObj(raw.details) || typeof raw.stale !== 'boolean') return undefined;
      return raw as unknown as GraphMessage;
    case 'run':
      if (!(raw.run === null || isRunInfo(raw.run)) || !isNodeMap(raw.nodes)) return undefined;
      return raw as unknown as RunSnapshotMessage;
    case 'runUpdate':
      if (!isStr(raw.runId, 200) || !isNodeMap(raw.nodes) || !(raw.state === undefined || oneOf(RUN_STATES, raw.state)) || !isOptNum(raw.endedAt)) return undefined;
      if (raw.criticalPath !== undefined && !isStrArray(raw.criticalPath)) return undefined;
      return raw as unknown as RunUpdateMessage;
    case 'highlight':
      return raw.activityId === null || isStr(raw.activityId, 500) ? { type: 'highlight', activityId: raw.activityId as string | null } : undefined;
    case 'command':
      return oneOf(VIEW_COMMANDS, raw.command) ? { type: 'command', command: raw.command } : undefined;
    default:
      return undefined;
  }
}
