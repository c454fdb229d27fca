/**
 * What the hover shows of an activity or an edge, as plain data (the page builds DOM nodes from it and
 * sets their text; nothing here is ever parsed as markup). Pure.
 */
import type { GraphProblem } from '../../server/protocol';
import type { NodeRunInfo } from '../../client/graph/protocol';
import { nodeSubtitle } from '../../runtime/layout/elkGraph';
import { attemptLabel, durationOf, formatDuration, STATE_LABELS } from './runState';
import type { ViewEdge, ViewNode } from './viewModel';

export interface TooltipContent {
  title: string;
  subtitle?: string;
  description?: string;
  /** Label and value pairs. */
  rows: [string, string][];
  inputs: string[];
  /** Pretty JSON of the last outputs, cut to a readable size. */
  outputs?: string;
  error?: string;
  state?: NodeRunInfo['state'];
  problems: Pick<GraphProblem, 'severity' | 'code' | 'message'>[];
}

export const MAX_OUTPUT_CHARS = 1200;
export const MAX_INPUTS = 20;

export function formatOutputs(outputs: Record<string, unknown>, max = MAX_OUTPUT_CHARS): string {
  let text: string;
  try {
    text = JSON.stringify(outputs, null, 2) ?? '';
  } catch {
    text = String(outputs);
  }
  return text.length > max ? `${text.slice(0, max)}\n… (${text.length - max} more characters)` : text;
}

function clock(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

export function nodeTooltip(node: ViewNode, info: NodeRunInfo | undefined, now: number): TooltipContent {
  const rows: [string, string][] = [];
  rows.push(['tier', node.tier > 0 ? String(node.tier) : 'on or after a dependency cycle']);
  if (node.provider) rows.push(['provider', node.provider]);
  if (node.when !== 'success') rows.push(['when', node.when]);
  if (node.forEach) rows.push(['forEach', `${node.forEach.items ?? '?'}${node.forEach.as ? ` as ${node.forEach.as}` : ''}`]);
  if (node.hosts.length) rows.push(['hosts', node.hosts.join(', ')]);
  if (node.continueOnError) rows.push(['continueOnError', 'true']);
  if (info) {
    rows.push(['state', STATE_LABELS[info.state]]);
    if (info.attempt > 0) rows.push(['attempt', String(info.attempt)]);
    if (info.agent) rows.push(['agent', info.agent]);
    const fan = attemptLabel(info);
    if (info.instances) rows.push(['instances', fan]);
    if (info.startedAt !== undefined) rows.push(['started', clock(info.startedAt)]);
    const duration = formatDuration(durationOf(info, now));
    if (duration) rows.push(['duration', duration]);
  }
  const inputs = node.inputs.length > MAX_INPUTS
    ? [...node.inputs.slice(0, MAX_INPUTS), `… ${node.inputs.length - MAX_INPUTS} more`]
    : node.inputs;
  const content: TooltipContent = {
    title: node.id, subtitle: nodeSubtitle(node), rows, inputs,
    problems: node.problems.map((p) => ({ severity: p.severity, code: p.code, message: p.message })),
  };
  if (node.description) content.description = node.description;
  if (info?.outputs && Object.keys(info.outputs).length) content.outputs = formatOutputs(info.outputs);
  if (info?.error) content.error = info.error.length > 2000 ? `${info.error.slice(0, 2000)}…` : info.error;
  if (info) content.state = info.state;
  return content;
}

export function edgeTooltip(edge: ViewEdge): TooltipContent {
  const rows: [string, string][] = [];
  if (edge.cycle) rows.push(['cycle', 'these activities depend on each other: none of them can start']);
  return {
    title: `${edge.from} → ${edge.to}`,
    subtitle: `${edge.to} depends on ${edge.from}`,
    rows, inputs: [],
    problems: edge.problems.map((p) => ({ severity: p.severity, code: p.code, message: p.message })),
  };
}
