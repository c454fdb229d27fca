/**
 * Where every box and edge of the drawing sits, keyed by id (not by index) so that a placement survives
 * a reordered file or a reused layout. Built from ELK's answer (runtime/layout/elkGraph.ts) or from the
 * fallback tiered layout. Pure.
 */
import type { GraphLayout } from '../../runtime/layout/elkGraph';
import { edgeKey } from './viewModel';

export interface Point { x: number; y: number }
export interface Box { x: number; y: number; width: number; height: number }

export interface Placement {
  nodes: Map<string, Box>;
  /** Route of each edge by edgeKey(from, to), from the dependency to the dependent; at least two points. */
  edges: Map<string, Point[]>;
  width: number;
  height: number;
}

export function fromGraphLayout(layout: GraphLayout): Placement {
  const nodes = new Map<string, Box>();
  for (const n of layout.nodes) nodes.set(n.id, { x: n.x, y: n.y, width: n.width, height: n.height });
  const edges = new Map<string, Point[]>();
  for (const e of layout.edges) if (e.points.length >= 2) edges.set(edgeKey(e.from, e.to), e.points.map((p) => ({ x: p.x, y: p.y })));
  return { nodes, edges, width: layout.width, height: layout.height };
}

/** Top-left corners by id: what the next layout is told to keep. */
export function positionsOf(placement: Placement): Record<string, Point> {
  const out: Record<string, Point> = {};
  for (const [id, box] of placement.nodes) out[id] = { x: box.x, y: box.y };
  return out;
}

export interface Bounds { minX: number; minY: number; maxX: number; maxY: number }

/** The area covered by boxes and routes (routes of loops can leave the boxes' hull). */
export function boundsOf(placement: Placement): Bounds {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const b of placement.nodes.values()) {
    if (b.x < minX) minX = b.x;
    if (b.y < minY) minY = b.y;
    if (b.x + b.width > maxX) maxX = b.x + b.width;
    if (b.y + b.height > maxY) maxY = b.y + b.height;
  }
  for (const points of placement.edges.values()) {
    for (const p of points) {
      if (p.x < minX) minX = p.x;
      if (p.y < minY) minY = p.y;
      if (p.x > maxX) maxX = p.x;
      if (p.y > maxY) maxY = p.y;
    }
  }
  if (minX === Infinity) return { minX: 0, minY: 0, maxX: 0, maxY: 0 };
  return { minX, minY, maxX, maxY };
}

/** SVG path data of a route; coordinates rounded to a tenth (smaller DOM, same picture). */
export function pathData(points: readonly Point[]): string {
  let d = '';
  for (let i = 0; i < points.length; i++) d += `${i ? ' L' : 'M'}${round(points[i].x)} ${round(points[i].y)}`;
  return d;
}

export function round(value: number): number {
  return Math.round(value * 10) / 10;
}
