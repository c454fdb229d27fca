/**
 * The placement drawn when ELK misses its deadline (a big graph, a cold worker) or fails: computed in
 * the page in linear time, shaped like ELK's answer so the later swap moves as little as possible.
 * Rows are the tiers, exactly where ELK's layered algorithm puts its layers (equal box heights, the same
 * spacing); inside a row, boxes sit under the centre of their dependencies. With a previous placement,
 * boxes keep their x and new boxes go under their dependencies, pushing neighbours right only as far as
 * needed, so a small edit never reshuffles the drawing. Pure.
 */
import { layoutOptions } from '../../runtime/layout/elkGraph';
import type { LayoutGraph } from '../../runtime/layout/layoutGraph';
import { BOX_HEIGHT } from './nodeSize';
import type { Box, Placement, Point } from './placement';
import { edgeKey } from './viewModel';

const options = layoutOptions();
/** The same gaps ELK is asked for, so both placements look alike. */
export const SPACING = {
  node: Number(options['elk.spacing.nodeNode']) || 24,
  layer: Number(options['elk.layered.spacing.nodeNodeBetweenLayers']) || 48,
  padding: Number(/top=(\d+)/.exec(options['elk.padding'] ?? '')?.[1]) || 16,
};

interface Item { id: string; order: number; width: number; desired?: number; kept?: boolean }

export function rowOf(tier: number, cycleRow: number): number {
  return tier >= 0 ? tier : cycleRow;
}

export function tieredLayout(graph: LayoutGraph, widthOf: (id: string) => number, previous?: Placement): Placement {
  const maxTier = graph.nodes.reduce((m, n) => Math.max(m, n.tier), -1);
  const cycleRow = maxTier + 1;
  const rows: Item[][] = [];
  graph.nodes.forEach((node, order) => {
    const row = rowOf(node.tier, cycleRow);
    (rows[row] ??= []).push({ id: node.id, order, width: widthOf(node.id) });
  });
  const parents = new Map<string, string[]>();
  for (const e of graph.edges) {
    if (e.from === e.to) continue;
    const list = parents.get(e.to);
    if (list) list.push(e.from); else parents.set(e.to, [e.from]);
  }
  const keep = previous && previous.nodes.size > 0 ? previous : undefined;
  const boxes = new Map<string, Box>();
  const rowHeight = BOX_HEIGHT + SPACING.layer;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!row) continue;
    for (const item of row) {
      const before = keep?.nodes.get(item.id);
      if (before) { item.desired = before.x; item.kept = true; continue; }
      // Under the middle of the dependencies already placed (rows above, or kept boxes).
      let sum = 0, count = 0;
      for (const p of parents.get(item.id) ?? []) {
        const box = boxes.get(p);
        if (box) { sum += box.x + box.width / 2; count++; }
      }
      if (count) item.desired = keep ? Math.max(SPACING.padding, sum / count - item.width / 2) : sum / count - item.width / 2;
    }
    const y = SPACING.padding + r * rowHeight;
    if (keep) placeAroundKept(row, y, boxes);
    else placeInOrder(row, y, boxes);
  }
  // Centering under parents can push boxes past the left margin: shift the drawing back (a kept
  // drawing is never shifted: new boxes were held inside the margin instead).
  if (!keep) {
    let minX = Infinity;
    for (const b of boxes.values()) minX = Math.min(minX, b.x);
    if (minX !== Infinity && minX !== SPACING.padding) for (const b of boxes.values()) b.x += SPACING.padding - minX;
  }
  const edges = new Map<string, Point[]>();
  for (const e of graph.edges) {
    const from = boxes.get(e.from), to = boxes.get(e.to);
    if (from && to) edges.set(edgeKey(e.from, e.to), route(from, to));
  }
  let width = 0, height = 0;
  for (const b of boxes.values()) { width = Math.max(width, b.x + b.width); height = Math.max(height, b.y + b.height); }
  return { nodes: boxes, edges, width: width + SPACING.padding, height: height + SPACING.padding };
}

/** Left to right by wish (file order on ties), pushing right what would overlap; no wish: at the end. */
function placeInOrder(row: Item[], y: number, boxes: Map<string, Box>): void {
  const placed = row.filter((i) => i.desired !== undefined).sort((a, b) => a.desired! - b.desired! || a.order - b.order);
  const rest = row.filter((i) => i.desired === undefined).sort((a, b) => a.order - b.order);
  let right = -Infinity;
  for (const item of [...placed, ...rest]) {
    const x = item.desired === undefined
      ? (right === -Infinity ? SPACING.padding : right + SPACING.node)
      : Math.max(item.desired, right === -Infinity ? -Infinity : right + SPACING.node);
    boxes.set(item.id, { x, y, width: item.width, height: BOX_HEIGHT });
    right = x + item.width;
  }
}

/**
 * Kept boxes stay exactly where they were (only boxes that moved to another row and would overlap are
 * nudged); each new box takes the free place nearest to its wish, so an edit never moves what it did
 * not touch.
 */
function placeAroundKept(row: Item[], y: number, boxes: Map<string, Box>): void {
  const taken: { left: number; right: number }[] = [];
  const kept = row.filter((i) => i.kept).sort((a, b) => a.desired! - b.desired! || a.order - b.order);
  let right = -Infinity;
  for (const item of kept) {
    const x = Math.max(item.desired!, right === -Infinity ? -Infinity : right + SPACING.node);
    boxes.set(item.id, { x, y, width: item.width, height: BOX_HEIGHT });
    taken.push({ left: x, right: x + item.width });
    right = x + item.width;
  }
  const fresh = row.filter((i) => !i.kept).sort((a, b) => a.order - b.order);
  let end = right === -Infinity ? SPACING.padding - SPACING.node : right;
  for (const item of fresh) {
    let x: number;
    if (item.desired === undefined) {
      x = end + SPACING.node;
    } else {
      const free = (left: number) => left >= SPACING.padding && taken.every((t) => left + item.width + SPACING.node <= t.left || left >= t.right + SPACING.node);
      const candidates = [item.desired, ...taken.flatMap((t) => [t.right + SPACING.node, t.left - SPACING.node - item.width])].filter(free);
      x = candidates.length ? candidates.reduce((best, c) => (Math.abs(c - item.desired!) < Math.abs(best - item.desired!) ? c : best)) : end + SPACING.node;
    }
    boxes.set(item.id, { x, y, width: item.width, height: BOX_HEIGHT });
    taken.push({ left: x, right: x + item.width });
    end = Math.max(end, x + item.width);
  }
}

/** Down and across at mid-gap, like ELK's orthogonal routes; loops and upward edges stay simple. */
export function route(from: Box, to: Box): Point[] {
  if (from === to || (from.x === to.x && from.y === to.y)) {
    const x = from.x + from.width, top = from.y + from.height * 0.3, bottom = from.y + from.height * 0.7;
    return [{ x, y: top }, { x: x + 16, y: top }, { x: x + 16, y: bottom }, { x, y: bottom }];
  }
  const sx = from.x + from.width / 2, tx = to.x + to.width / 2;
  if (to.y > from.y + from.height) {
    const sy = from.y + from.height, ty = to.y, mid = ty - SPACING.layer / 2;
    return Math.abs(sx - tx) < 0.5 ? [{ x: sx, y: sy }, { x: tx, y: ty }] : [{ x: sx, y: sy }, { x: sx, y: mid }, { x: tx, y: mid }, { x: tx, y: ty }];
  }
  // A dependency drawn below (or beside) its dependent: only on a cycle.
  return [{ x: sx, y: from.y }, { x: tx, y: to.y + to.height }];
}
