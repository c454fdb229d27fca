/**
 * The layout of the activity graph, shared by `orch graph` (in Node) and the webview (in a browser
 * worker): the ELK input built from a LayoutGraph, and the positions read back from ELK's answer.
 * Pure data in, pure data out: no Node or DOM API here (media/tsconfig.json compiles this folder), and
 * text width comes from the caller, since only the webview can measure real glyphs.
 *
 * Layout choices, so the drawing reads like `orch plan`: the layered algorithm, top-down, nodes
 * assigned to layers by longest path from the sources (= the plan's tiers on an acyclic graph), all
 * components in one layering (tier n of every component on one row), and, for graphs people read box
 * by box, the file order as the tie-breaker inside a row. Model order costs ELK two to three times the
 * work, so above LARGE_GRAPH nodes it is dropped and crossing minimisation is less thorough: a
 * 1,000-activity graph then lays out in seconds instead of ten (see `npm run bench`); positions of a
 * previous layout keep the drawing stable across edits at any size.
 */
import type { ElkExtendedEdge, ElkNode, ElkPoint, LayoutOptions } from 'elkjs/lib/elk-api';
import type { LayoutGraph } from './layoutGraph';

/** Width of `text` at `fontSize` pixels. */
export type TextMeasure = (text: string, fontSize: number) => number;

/** Monospace estimate: good enough for a box around the text when no renderer can measure it. */
export const monospaceWidth: TextMeasure = (text, fontSize) => Math.ceil(text.length * fontSize * 0.6);

/** Box metrics, shared with the renderers so text lands where the layout made room for it. */
export const NODE_METRICS = {
  idFontSize: 13,
  typeFontSize: 11,
  paddingX: 12,
  /** Two lines: id and type. */
  height: 46,
  minWidth: 96,
  /** Beyond this a label is cut with an ellipsis (the full text stays in the tooltip). */
  maxWidth: 360,
} as const;

export interface ElkBuildOptions {
  measureText?: TextMeasure;
  /** Positions of a previous layout by node id: the order inside each layer is kept where possible. */
  previous?: Readonly<Record<string, { x: number; y: number }>>;
  direction?: 'DOWN' | 'RIGHT';
  edgeRouting?: 'ORTHOGONAL' | 'POLYLINE' | 'SPLINES';
}

export interface LaidOutNode {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LaidOutEdge {
  from: string;
  to: string;
  /** From the dependency's border to the dependent's border; at least two points. */
  points: ElkPoint[];
}

export interface GraphLayout {
  nodes: LaidOutNode[];
  edges: LaidOutEdge[];
  width: number;
  height: number;
}

const NODE_PREFIX = 'n:';
const EDGE_PREFIX = 'e:';

/** The second line of a box: the type, and the discriminator when there is one. */
export function nodeSubtitle(node: { type?: string; discriminator?: string }): string {
  const type = node.type ?? '(no type)';
  return node.discriminator ? `${type} · ${node.discriminator}` : type;
}

export function nodeWidth(node: { id: string; type?: string; discriminator?: string }, measure: TextMeasure = monospaceWidth): number {
  const text = Math.max(measure(node.id, NODE_METRICS.idFontSize), measure(nodeSubtitle(node), NODE_METRICS.typeFontSize));
  return Math.min(NODE_METRICS.maxWidth, Math.max(NODE_METRICS.minWidth, text + 2 * NODE_METRICS.paddingX));
}

/** Above this many nodes, layout speed wins over following the file order. */
export const LARGE_GRAPH = 200;

export function layoutOptions(options: ElkBuildOptions = {}, nodeCount = 0): LayoutOptions {
  const layout: LayoutOptions = {
    'elk.algorithm': 'layered',
    'elk.direction': options.direction ?? 'DOWN',
    'elk.edgeRouting': options.edgeRouting ?? 'ORTHOGONAL',
    'elk.layered.layering.strategy': 'LONGEST_PATH_SOURCE',
    'elk.separateConnectedComponents': 'false',
    'elk.layered.considerModelOrder.strategy': nodeCount > LARGE_GRAPH ? 'NONE' : 'NODES_AND_EDGES',
    'elk.spacing.nodeNode': '24',
    'elk.layered.spacing.nodeNodeBetweenLayers': '48',
    'elk.spacing.edgeNode': '16',
    'elk.spacing.edgeEdge': '10',
    'elk.padding': '[top=16,left=16,bottom=16,right=16]',
  };
  if (nodeCount > LARGE_GRAPH) layout['elk.layered.thoroughness'] = '2';
  if (options.previous && Object.keys(options.previous).length) {
    layout['elk.layered.crossingMinimization.semiInteractive'] = 'true';
  }
  return layout;
}

export function toElkGraph(graph: LayoutGraph, options: ElkBuildOptions = {}): ElkNode {
  const measure = options.measureText ?? monospaceWidth;
  const previous = options.previous;
  const children: ElkNode[] = graph.nodes.map((node) => {
    const child: ElkNode = { id: NODE_PREFIX + node.id, width: nodeWidth(node, measure), height: NODE_METRICS.height };
    const at = previous?.[node.id];
    if (at) child.layoutOptions = { 'elk.position': `(${at.x},${at.y})` };
    return child;
  });
  const edges: ElkExtendedEdge[] = graph.edges.map((edge, i) => ({
    id: EDGE_PREFIX + i,
    sources: [NODE_PREFIX + edge.from],
    targets: [NODE_PREFIX + edge.to],
  }));
  return { id: 'root', layoutOptions: layoutOptions(options, graph.nodes.length), children, edges };
}

/** Reads ELK's answer for a graph built by toElkGraph(graph). */
export function fromElkLayout(graph: LayoutGraph, result: ElkNode): GraphLayout {
  const boxes = new Map<string, LaidOutNode>();
  for (const child of result.children ?? []) {
    const id = child.id.slice(NODE_PREFIX.length);
    boxes.set(id, { id, x: child.x ?? 0, y: child.y ?? 0, width: child.width ?? 0, height: child.height ?? 0 });
  }
  const nodes = graph.nodes.map((n) => boxes.get(n.id) ?? { id: n.id, x: 0, y: 0, width: 0, height: 0 });
  const routed = new Map<number, ElkPoint[]>();
  for (const edge of (result.edges ?? []) as ElkExtendedEdge[]) {
    const index = Number(edge.id.slice(EDGE_PREFIX.length));
    const points: ElkPoint[] = [];
    for (const section of edge.sections ?? []) {
      if (points.length === 0) points.push(section.startPoint);
      points.push(...(section.bendPoints ?? []), section.endPoint);
    }
    if (points.length >= 2) routed.set(index, points);
  }
  const edges = graph.edges.map((edge, i) => ({
    from: edge.from,
    to: edge.to,
    points: routed.get(i) ?? straightLine(boxes.get(edge.from), boxes.get(edge.to)),
  }));
  return { nodes, edges, width: result.width ?? 0, height: result.height ?? 0 };
}

/** Centre bottom to centre top: only for an edge ELK did not route (it always should). */
function straightLine(from: LaidOutNode | undefined, to: LaidOutNode | undefined): ElkPoint[] {
  if (!from || !to) return [];
  return [{ x: from.x + from.width / 2, y: from.y + from.height }, { x: to.x + to.width / 2, y: to.y }];
}
