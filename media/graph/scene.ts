/**
 * The drawing as data: each box, edge, tier band and marker as a small element tree. The page turns the
 * trees into SVG nodes once (renderer.ts) and afterwards touches only classes and texts; the export turns
 * the same trees into markup (svgExport.ts), so what is saved is what is on screen. Pure.
 */
import type { NodeRunInfo } from '../../client/graph/protocol';
import { NODE_METRICS, nodeSubtitle, type TextMeasure } from '../../runtime/layout/elkGraph';
import { STATUS_RESERVE } from './nodeSize';
import { pathData, round, type Box, type Placement, type Point } from './placement';
import { attemptLabel, durationOf, formatDuration, stateClass, STATE_LABELS } from './runState';
import type { ViewEdge, ViewModel, ViewNode } from './viewModel';

export interface El {
  tag: string;
  attrs: Record<string, string | number | undefined>;
  text?: string;
  children?: El[];
}

export interface NodeFlags {
  critical?: boolean;
  /** The editor's cursor is in this activity. */
  highlighted?: boolean;
  /** The critical-path overlay is on and this node is not on the path. */
  dimmed?: boolean;
}

export interface EdgeFlags {
  critical?: boolean;
  /** Touches the highlighted node. */
  related?: boolean;
  dimmed?: boolean;
}

export interface SceneContext {
  measure: TextMeasure;
  /** For durations of running activities. */
  now: number;
  /** Adds <title> elements (the page has its own tooltip instead). */
  forExport?: boolean;
}

export const ACCENT_COUNT = 6;

/** Accent stripe per activity type: the same type always gets the same colour class. */
export function accentIndex(type: string | undefined): number {
  if (type === undefined) return -1;
  let hash = 0;
  for (let i = 0; i < type.length; i++) hash = (hash * 31 + type.charCodeAt(i)) | 0;
  return Math.abs(hash) % ACCENT_COUNT;
}

export function nodeClass(node: ViewNode, info: NodeRunInfo | undefined, flags: NodeFlags = {}): string {
  let c = `node ${stateClass(info?.state)}`;
  const accent = accentIndex(node.type);
  c += accent < 0 ? ' accent-none' : ` accent-${accent}`;
  if (node.cycle) c += ' cycle';
  if (node.severity) c += ` sev-${node.severity}`;
  if (flags.critical) c += ' critical';
  if (flags.highlighted) c += ' highlighted';
  if (flags.dimmed) c += ' dimmed';
  return c;
}

export function edgeClass(edge: ViewEdge, flags: EdgeFlags = {}): string {
  let c = 'edge';
  if (edge.cycle) c += ' cycle';
  if (edge.severity) c += ` sev-${edge.severity}`;
  if (flags.critical) c += ' critical';
  if (flags.related) c += ' related';
  if (flags.dimmed) c += ' dimmed';
  return c;
}

/** Markers cannot take the colour of the line that uses them in every renderer: one marker per look. */
export function edgeMarker(edge: ViewEdge, flags: EdgeFlags = {}): string {
  const name = edge.cycle ? 'cycle'
    : edge.severity === 'error' ? 'error'
    : edge.severity === 'warning' ? 'warning'
    : flags.related ? 'related'
    : flags.critical ? 'critical'
    : 'default';
  return `url(#arrow-${name})`;
}

export const MARKERS = ['default', 'cycle', 'error', 'warning', 'related', 'critical'] as const;

export function markerDefs(): El {
  return {
    tag: 'defs', attrs: {},
    children: MARKERS.map((name) => ({
      tag: 'marker',
      attrs: { id: `arrow-${name}`, class: `arrow arrow-${name}`, viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 9, markerHeight: 9, markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse' },
      children: [{ tag: 'path', attrs: { d: 'M0 0L10 5L0 10z' } }],
    })),
  };
}

/** Cuts `text` with an ellipsis to fit `width` (binary search: a 1,000-box graph measures little). */
export function fitText(text: string, width: number, fontSize: number, measure: TextMeasure): string {
  if (measure(text, fontSize) <= width) return text;
  let lo = 0, hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (measure(text.slice(0, mid) + '…', fontSize) <= width) lo = mid; else hi = mid - 1;
  }
  return lo === 0 ? '…' : text.slice(0, lo) + '…';
}

/** Texts a run changes on a box: the renderer compares and sets only these. */
export interface NodeStatusText {
  duration: string;
  attempt: string;
}

export function nodeStatusText(info: NodeRunInfo | undefined, now: number): NodeStatusText {
  return { duration: formatDuration(durationOf(info, now)), attempt: attemptLabel(info) };
}

export function nodeLabel(node: ViewNode, info: NodeRunInfo | undefined): string {
  const parts = [node.id, nodeSubtitle(node)];
  if (info) parts.push(STATE_LABELS[info.state]);
  if (node.problems.length) parts.push(`${node.problems.length} problem${node.problems.length === 1 ? '' : 's'}`);
  return parts.join(', ');
}

export function nodeElement(node: ViewNode, box: Box, info: NodeRunInfo | undefined, flags: NodeFlags, ctx: SceneContext): El {
  const m = NODE_METRICS;
  const room = Math.max(8, box.width - 2 * m.paddingX - STATUS_RESERVE);
  const status = nodeStatusText(info, ctx.now);
  const children: El[] = [];
  if (ctx.forExport) children.push({ tag: 'title', attrs: {}, text: nodeLabel(node, info) });
  // The ring drawn around the box the editor's cursor is in (CSS shows it): the box keeps its state's look.
  else children.push({ tag: 'rect', attrs: { class: 'halo', x: -4, y: -4, width: round(box.width + 8), height: round(box.height + 8), rx: 7 } });
  children.push(
    { tag: 'rect', attrs: { class: 'box', width: round(box.width), height: round(box.height), rx: 4 } },
    { tag: 'rect', attrs: { class: 'stripe', width: 4, height: round(box.height), rx: 2 } },
    { tag: 'text', attrs: { class: 'id', x: m.paddingX, y: 19 }, text: fitText(node.id, room, m.idFontSize, ctx.measure) },
    { tag: 'text', attrs: { class: 'type', x: m.paddingX, y: 36 }, text: fitText(nodeSubtitle(node), room, m.typeFontSize, ctx.measure) },
    { tag: 'circle', attrs: { class: 'dot', cx: round(box.width - 12), cy: 15, r: 4 } },
    { tag: 'text', attrs: { class: 'duration', x: round(box.width - 22), y: 19, 'text-anchor': 'end' }, text: status.duration },
    { tag: 'text', attrs: { class: 'attempt', x: round(box.width - 8), y: 36, 'text-anchor': 'end' }, text: status.attempt },
  );
  if (node.severity) children.push(badgeElement(node, box));
  const attrs: El['attrs'] = {
    class: nodeClass(node, info, flags), 'data-id': node.id, 'data-state': info?.state ?? 'none', 'data-tier': node.tier,
    transform: `translate(${round(box.x)} ${round(box.y)})`,
  };
  if (!ctx.forExport) Object.assign(attrs, { tabindex: 0, role: 'button', 'aria-label': nodeLabel(node, info) });
  return { tag: 'g', attrs, children };
}

function badgeElement(node: ViewNode, box: Box): El {
  const count = node.problems.length;
  return {
    tag: 'g', attrs: { class: `badge sev-${node.severity}`, transform: `translate(${round(box.width - 2)} 2)` },
    children: [
      { tag: 'circle', attrs: { r: 8 } },
      { tag: 'text', attrs: { 'text-anchor': 'middle', y: 3.5 }, text: count > 9 ? '9+' : count > 1 ? String(count) : '!' },
    ],
  };
}

export function edgeElement(edge: ViewEdge, points: readonly Point[], flags: EdgeFlags, ctx: Pick<SceneContext, 'forExport'>): El {
  const el: El = {
    tag: 'path',
    attrs: { class: edgeClass(edge, flags), d: pathData(points), 'marker-end': edgeMarker(edge, flags), 'data-from': edge.from, 'data-to': edge.to },
  };
  if (ctx.forExport) {
    const note = edge.cycle ? ' (dependency cycle)' : edge.problems.length ? ` (${edge.problems[0].message})` : '';
    el.children = [{ tag: 'title', attrs: {}, text: `${edge.from} → ${edge.to}${note}` }];
  }
  return el;
}

/** A wide transparent twin of an edge that has something to say on hover (a problem, a cycle). */
export function edgeHitElement(edge: ViewEdge, points: readonly Point[]): El | undefined {
  if (!edge.cycle && !edge.problems.length) return undefined;
  return { tag: 'path', attrs: { class: 'edge-hit', d: pathData(points), 'data-from': edge.from, 'data-to': edge.to } };
}

export interface Band {
  /** 1-based tier. */
  tier: number;
  y: number;
  height: number;
}

/** One band per tier whose boxes share a row (always, for ELK's layered layout of an acyclic graph). */
export function bandsOf(model: Pick<ViewModel, 'nodes'>, placement: Placement): Band[] {
  const rows = new Map<number, { top: number; bottom: number }>();
  for (const node of model.nodes) {
    const box = placement.nodes.get(node.id);
    if (!box || node.tier < 1) continue;
    const row = rows.get(node.tier);
    if (!row) rows.set(node.tier, { top: box.y, bottom: box.y + box.height });
    else { row.top = Math.min(row.top, box.y); row.bottom = Math.max(row.bottom, box.y + box.height); }
  }
  const sorted = [...rows].sort((a, b) => a[0] - b[0]);
  const bands: Band[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const [tier, row] = sorted[i];
    const next = sorted[i + 1]?.[1];
    const previous = sorted[i - 1]?.[1];
    if ((next && next.top < row.bottom) || (previous && previous.bottom > row.top)) return []; // rows interleave: bands would lie
    const above = previous ? (row.top - previous.bottom) / 2 : 12;
    const below = next ? (next.top - row.bottom) / 2 : 12;
    bands.push({ tier, y: row.top - above, height: row.bottom - row.top + above + below });
  }
  return bands;
}

/** Room left of the drawing for the tier labels. */
export const BAND_GUTTER = 64;

export function bandElements(bands: readonly Band[], minX: number, maxX: number): El[] {
  const x = minX - BAND_GUTTER;
  return bands.map((band, i) => ({
    tag: 'g', attrs: { class: `band${i % 2 ? ' odd' : ''}`, 'data-tier': band.tier },
    children: [
      { tag: 'rect', attrs: { x: round(x), y: round(band.y), width: round(maxX - x + 16), height: round(band.height) } },
      { tag: 'text', attrs: { x: round(x + 8), y: round(band.y + band.height / 2 + 4) }, text: `tier ${band.tier}` },
    ],
  }));
}
