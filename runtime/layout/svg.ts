/**
 * A laid-out activity graph as one self-contained SVG file (no external fonts, styles or scripts), for
 * `orch graph --svg` and the webview's export. Boxes show the id and the type; edges run from each
 * dependency down to its dependents with an arrowhead; edges and boxes on a dependency cycle are red;
 * each row of boxes is labelled with its tier as `orch plan` numbers it. Every piece of text from the
 * definition is escaped: a type like `a<b&c` must not break (or inject into) the document.
 */
import { monospaceWidth, NODE_METRICS, nodeSubtitle, type GraphLayout, type TextMeasure } from './elkGraph';
import type { LayoutGraph, LayoutGraphNode } from './layoutGraph';

export interface SvgOptions {
  /** The definition's type. */
  title: string;
  /** The definition's description, or anything else worth a second line. */
  subtitle?: string;
  measureText?: TextMeasure;
}

const TITLE_SIZE = 16;
const SUBTITLE_SIZE = 12;
const MARGIN = 16;
const TIER_GUTTER = 64;
const COLOURS = { ink: '#1f2933', muted: '#616e7c', edge: '#7b8794', border: '#52606d', cycle: '#d64545', background: '#ffffff', box: '#f5f7fa' };
/** Accent stripe per activity type: the same type always gets the same colour. */
const ACCENTS = ['#3f83f8', '#0e9f6e', '#9061f9', '#ff8a4c', '#e74694', '#16bdca', '#c27803', '#6875f5'];

// Characters XML 1.0 forbids even when escaped (and lone surrogates); they become U+FFFD.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeXml(text: string): string {
  return text.replace(INVALID_XML, '\uFFFD').replace(/[&<>"']/g, (c) => (
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

function num(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function accentOf(type: string | undefined): string {
  if (type === undefined) return COLOURS.muted;
  let hash = 0;
  for (let i = 0; i < type.length; i++) hash = (hash * 31 + type.charCodeAt(i)) | 0;
  return ACCENTS[Math.abs(hash) % ACCENTS.length];
}

/** Cuts `text` with an ellipsis so it fits `width` at `fontSize`. */
function fit(text: string, width: number, fontSize: number, measure: TextMeasure): string {
  if (measure(text, fontSize) <= width) return text;
  let end = text.length;
  while (end > 1 && measure(text.slice(0, end) + '…', fontSize) > width) end--;
  return text.slice(0, end) + '…';
}

/** The y of each tier's row, when every box of the tier sits on one row (always, for a DAG laid out top-down). */
function tierRows(graph: LayoutGraph, layout: GraphLayout): Map<number, number> {
  const rows = new Map<number, number>();
  const broken = new Set<number>();
  graph.nodes.forEach((node, i) => {
    if (node.tier < 0) return;
    const box = layout.nodes[i];
    const centre = box.y + box.height / 2;
    const row = rows.get(node.tier);
    if (row === undefined) rows.set(node.tier, centre);
    else if (Math.abs(row - centre) > 0.5) broken.add(node.tier);
  });
  for (const tier of broken) rows.delete(tier);
  return rows;
}

export function renderSvg(graph: LayoutGraph, layout: GraphLayout, options: SvgOptions): string {
  const measure = options.measureText ?? monospaceWidth;
  const rows = tierRows(graph, layout);
  const gutter = rows.size ? TIER_GUTTER : 0;
  const headerHeight = MARGIN + TITLE_SIZE + (options.subtitle ? SUBTITLE_SIZE + 6 : 0) + 8;
  const titleWidth = Math.max(measure(options.title, TITLE_SIZE), options.subtitle ? measure(options.subtitle, SUBTITLE_SIZE) : 0);
  const width = Math.ceil(Math.max(gutter + layout.width, titleWidth + 2 * MARGIN, 160));
  const height = Math.ceil(headerHeight + Math.max(layout.height, 24));
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(options.title)}">`);
  out.push(`<title>${escapeXml(options.title)}</title>`);
  if (options.subtitle) out.push(`<desc>${escapeXml(options.subtitle)}</desc>`);
  out.push('<style>',
    `text{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;fill:${COLOURS.ink}}`,
    `.title{font-size:${TITLE_SIZE}px;font-weight:bold}.subtitle{font-size:${SUBTITLE_SIZE}px;fill:${COLOURS.muted}}`,
    `.tier{font-size:11px;fill:${COLOURS.muted}}`,
    `.node rect.box{fill:${COLOURS.box};stroke:${COLOURS.border};stroke-width:1}.node.cycle rect.box{stroke:${COLOURS.cycle};stroke-width:2}`,
    `.node .id{font-size:${NODE_METRICS.idFontSize}px;font-weight:bold}.node .type{font-size:${NODE_METRICS.typeFontSize}px;fill:${COLOURS.muted}}`,
    `.edge{fill:none;stroke:${COLOURS.edge};stroke-width:1.5}.edge.cycle{stroke:${COLOURS.cycle};stroke-width:2}`,
    '</style>');
  out.push('<defs>',
    marker('arrow', COLOURS.edge),
    marker('arrow-cycle', COLOURS.cycle),
    '</defs>');
  out.push(`<rect width="100%" height="100%" fill="${COLOURS.background}"/>`);
  out.push(`<text class="title" x="${MARGIN}" y="${MARGIN + TITLE_SIZE - 3}">${escapeXml(options.title)}</text>`);
  if (options.subtitle) out.push(`<text class="subtitle" x="${MARGIN}" y="${MARGIN + TITLE_SIZE + SUBTITLE_SIZE + 3}">${escapeXml(options.subtitle)}</text>`);
  out.push(`<g transform="translate(${gutter},${headerHeight})">`);
  for (const [tier, y] of [...rows].sort((a, b) => a[0] - b[0])) {
    out.push(`<text class="tier" x="${-gutter + MARGIN}" y="${num(y)}" dominant-baseline="middle">tier ${tier + 1}</text>`);
  }
  layout.edges.forEach((edge, i) => {
    if (edge.points.length < 2) return;
    const cycle = graph.edges[i]?.cycle === true;
    const d = edge.points.map((p, j) => `${j ? 'L' : 'M'}${num(p.x)} ${num(p.y)}`).join(' ');
    out.push(`<path class="edge${cycle ? ' cycle' : ''}" d="${d}" marker-end="url(#${cycle ? 'arrow-cycle' : 'arrow'})"><title>${escapeXml(`${edge.from} → ${edge.to}`)}</title></path>`);
  });
  graph.nodes.forEach((node, i) => out.push(renderNode(node, layout.nodes[i], measure)));
  out.push('</g>', '</svg>');
  return out.join('\n') + '\n';
}

function marker(id: string, colour: string): string {
  return `<marker id="${id}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="${colour}"/></marker>`;
}

function renderNode(node: LayoutGraphNode, box: GraphLayout['nodes'][number], measure: TextMeasure): string {
  const textX = box.x + NODE_METRICS.paddingX;
  const room = box.width - 2 * NODE_METRICS.paddingX;
  const subtitle = nodeSubtitle(node);
  const tooltip = node.type ? `${node.id}: ${subtitle}` : node.id;
  return [
    `<g class="node${node.cycle ? ' cycle' : ''}" data-id="${escapeXml(node.id)}">`,
    `<title>${escapeXml(tooltip)}</title>`,
    `<rect class="box" x="${num(box.x)}" y="${num(box.y)}" width="${num(box.width)}" height="${num(box.height)}" rx="4"/>`,
    `<rect x="${num(box.x)}" y="${num(box.y)}" width="4" height="${num(box.height)}" fill="${accentOf(node.type)}"/>`,
    `<text class="id" x="${num(textX)}" y="${num(box.y + 19)}">${escapeXml(fit(node.id, room, NODE_METRICS.idFontSize, measure))}</text>`,
    `<text class="type" x="${num(textX)}" y="${num(box.y + 36)}">${escapeXml(fit(subtitle, room, NODE_METRICS.typeFontSize, measure))}</text>`,
    '</g>',
  ].join('');
}
