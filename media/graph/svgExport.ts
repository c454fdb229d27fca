/**
 * The drawing as one self-contained SVG file: the same element trees as the page (scene.ts), the theme's
 * resolved colours written into a <style>, a header with the definition and the run, no scripts, no
 * external references. Every text from the definition or the run is escaped (runtime/layout/svg.ts's
 * escapeXml, shared with `orch graph --svg`). The PNG export draws this file onto a canvas. Pure.
 */
import type { NodeRunInfo, RunInfo } from '../../client/graph/protocol';
import { NODE_METRICS, type TextMeasure } from '../../runtime/layout/elkGraph';
import { escapeXml } from '../../runtime/layout/svg';
import type { CriticalPath } from './criticalPath';
import type { Palette } from './palette';
import { boundsOf, round, type Placement } from './placement';
import { formatDuration, STATE_LABELS } from './runState';
import { BAND_GUTTER, bandElements, bandsOf, edgeElement, markerDefs, nodeElement, type El } from './scene';
import { edgeKey, type ViewModel } from './viewModel';
import { ACTIVITY_RUN_STATES } from '../../client/graph/protocol';

export function toMarkup(el: El): string {
  let out = `<${el.tag}`;
  for (const [name, value] of Object.entries(el.attrs)) if (value !== undefined) out += ` ${name}="${escapeXml(String(value))}"`;
  if (el.text === undefined && !el.children?.length) return `${out}/>`;
  out += '>';
  if (el.text !== undefined) out += escapeXml(el.text);
  for (const child of el.children ?? []) out += toMarkup(child);
  return `${out}</${el.tag}>`;
}

export function exportCss(p: Palette): string {
  const states = ACTIVITY_RUN_STATES.map((s) => `.node.state-${s} .stripe,.node.state-${s} .dot{fill:${p[`state-${s}`]}}`).join('');
  const accents = Object.keys(p).filter((k) => k.startsWith('accent-')).map((k) => `.node.state-none.${k} .stripe{fill:${p[k]}}`).join('');
  return [
    `text{font-family:${p.font};fill:${p.fg}}`,
    `.title{font-size:16px;font-weight:600}.subtitle{font-size:12px;fill:${p.muted}}`,
    `.node .box{fill:${p.box};stroke:${p['box-border']};stroke-width:1}.node .stripe{fill:${p.muted}}`,
    `.node .id{font-size:${NODE_METRICS.idFontSize}px;font-weight:600}.node .type,.node .duration,.node .attempt{font-size:${NODE_METRICS.typeFontSize}px;fill:${p.muted}}`,
    `.node.state-none .dot{display:none}`,
    accents,
    states,
    `.node.state-running .box,.node.state-retrying .box{stroke:${p['state-running']};stroke-width:2}`,
    `.node.state-failed .box{stroke:${p['state-failed']};stroke-width:2}.node.state-succeeded .box{stroke:${p['state-succeeded']}}`,
    `.node.state-skipped,.node.state-cancelled,.node.state-pending{opacity:.7}`,
    `.node.cycle .box{stroke:${p.cycle};stroke-width:2;stroke-dasharray:5 3}`,
    `.node.critical .box{stroke:${p.critical};stroke-width:3}`,
    `.dimmed{opacity:.35}`,
    `.badge circle{fill:${p.error}}.badge.sev-warning circle{fill:${p.warning}}.badge.sev-information circle,.badge.sev-hint circle{fill:${p.info}}`,
    `.badge text{fill:${p['badge-fg']};font-size:10px;font-weight:700}`,
    `.edge{fill:none;stroke:${p.edge};stroke-width:1.5}.edge.cycle{stroke:${p.cycle};stroke-width:2}`,
    `.edge.sev-error{stroke:${p.error};stroke-dasharray:5 3}.edge.sev-warning{stroke:${p.warning};stroke-dasharray:5 3}`,
    `.edge.critical{stroke:${p.critical};stroke-width:3}`,
    `.arrow-default path,.arrow-related path{fill:${p.edge}}.arrow-cycle path{fill:${p.cycle}}.arrow-error path{fill:${p.error}}`,
    `.arrow-warning path{fill:${p.warning}}.arrow-critical path{fill:${p.critical}}`,
    `.band rect{fill:${p.band}}.band.odd rect{fill:none}.band text{fill:${p['band-label']};font-size:11px}`,
  ].join('\n');
}

export interface ExportInput {
  model: ViewModel;
  placement: Placement;
  run: RunInfo | null;
  nodes: ReadonlyMap<string, NodeRunInfo>;
  now: number;
  /** Drawn when the overlay is on. */
  critical?: CriticalPath;
  tiers: boolean;
  palette: Palette;
  measure: TextMeasure;
}

const MARGIN = 16;

export function runSummary(run: RunInfo | null, now: number): string {
  if (!run) return '';
  const end = run.endedAt ?? (run.state === 'running' ? now : undefined);
  const duration = end === undefined ? '' : ` · ${formatDuration(end - run.startedAt)}`;
  return `run ${run.runId} · ${run.state}${duration}`;
}

export interface ExportedSvg {
  markup: string;
  width: number;
  height: number;
}

export function exportSvg(input: ExportInput): ExportedSvg {
  const { model, placement, palette } = input;
  const bounds = boundsOf(placement);
  const bands = input.tiers ? bandsOf(model, placement) : [];
  const left = bands.length ? bounds.minX - BAND_GUTTER : bounds.minX;
  const title = model.title ?? model.fileName;
  const subtitle = [model.fileName, runSummary(input.run, input.now)].filter(Boolean).join(' · ');
  const header = MARGIN + 16 + (subtitle ? 18 : 0) + 12;
  const titleWidth = Math.max(input.measure(title, 16), subtitle ? input.measure(subtitle, 12) : 0);
  const width = Math.ceil(Math.max(bounds.maxX - left + 2 * MARGIN, titleWidth + 2 * MARGIN, 160));
  const height = Math.ceil(header + (bounds.maxY - bounds.minY) + 2 * MARGIN);
  const critical = input.critical;
  const content: El[] = [];
  if (bands.length) content.push({ tag: 'g', attrs: { class: 'bands' }, children: bandElements(bands, bounds.minX, bounds.maxX) });
  const edges: El[] = [];
  for (const edge of model.edges) {
    const points = placement.edges.get(edgeKey(edge.from, edge.to));
    if (!points) continue;
    const onPath = critical?.edges.has(edgeKey(edge.from, edge.to)) ?? false;
    edges.push(edgeElement(edge, points, { critical: onPath, dimmed: critical !== undefined && !onPath }, { forExport: true }));
  }
  content.push({ tag: 'g', attrs: { class: 'edges' }, children: edges });
  const nodes: El[] = [];
  for (const node of model.nodes) {
    const box = placement.nodes.get(node.id);
    if (!box) continue;
    const onPath = critical?.nodes.has(node.id) ?? false;
    nodes.push(nodeElement(node, box, input.nodes.get(node.id), { critical: onPath, dimmed: critical !== undefined && !onPath }, { measure: input.measure, now: input.now, forExport: true }));
  }
  content.push({ tag: 'g', attrs: { class: 'nodes' }, children: nodes });
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
  ];
  if (model.description) out.push(`<desc>${escapeXml(model.description)}</desc>`);
  out.push(`<style>\n${exportCss(palette)}\n</style>`, toMarkup(markerDefs()));
  out.push(`<rect width="100%" height="100%" fill="${escapeXml(palette.bg)}"/>`);
  out.push(`<text class="title" x="${MARGIN}" y="${MARGIN + 13}">${escapeXml(title)}</text>`);
  if (subtitle) out.push(`<text class="subtitle" x="${MARGIN}" y="${MARGIN + 31}">${escapeXml(subtitle)}</text>`);
  if (input.run) out.push(`<desc>${escapeXml(legend(input.nodes))}</desc>`);
  out.push(`<g transform="translate(${round(MARGIN - left)} ${round(header + MARGIN - bounds.minY)})">`);
  for (const el of content) out.push(toMarkup(el));
  out.push('</g>', '</svg>');
  return { markup: `${out.join('\n')}\n`, width, height };
}

/** Counts per state, for the file's description (screen readers, search). */
function legend(nodes: ReadonlyMap<string, NodeRunInfo>): string {
  const counts = new Map<string, number>();
  for (const info of nodes.values()) counts.set(info.state, (counts.get(info.state) ?? 0) + 1);
  return ACTIVITY_RUN_STATES.filter((s) => counts.has(s)).map((s) => `${STATE_LABELS[s]}: ${counts.get(s)}`).join(', ');
}

/** Largest side and area Chromium's canvases handle comfortably. */
const MAX_SIDE = 16_384;
const MAX_AREA = 40_000_000;

/** Pixels per SVG unit of the PNG: twice for sharp text, less when the canvas would be too big. */
export function pngScale(width: number, height: number, wanted = 2): number {
  return Math.max(0.05, Math.min(wanted, MAX_SIDE / width, MAX_SIDE / height, Math.sqrt(MAX_AREA / (width * height))));
}
