/**
 * The overview's arithmetic: the whole drawing scaled into a small frame, where the screen's view lies in
 * it, and where a click there moves the view. Pure.
 */
import type { Bounds, Point } from './placement';
import { toWorld, type Size, type View } from './viewport';

export interface MinimapFrame {
  /** Minimap pixels per graph unit. */
  scale: number;
  /** Minimap position of the drawing's top-left corner (the drawing is centred in the frame). */
  offsetX: number;
  offsetY: number;
  bounds: Bounds;
}

export function minimapFrame(bounds: Bounds, size: Size, padding = 4): MinimapFrame {
  const w = Math.max(1, bounds.maxX - bounds.minX), h = Math.max(1, bounds.maxY - bounds.minY);
  const scale = Math.min((size.width - 2 * padding) / w, (size.height - 2 * padding) / h);
  return { scale, offsetX: (size.width - w * scale) / 2, offsetY: (size.height - h * scale) / 2, bounds };
}

export function worldToMinimap(frame: MinimapFrame, p: Point): Point {
  return { x: frame.offsetX + (p.x - frame.bounds.minX) * frame.scale, y: frame.offsetY + (p.y - frame.bounds.minY) * frame.scale };
}

export function minimapToWorld(frame: MinimapFrame, p: Point): Point {
  return { x: frame.bounds.minX + (p.x - frame.offsetX) / frame.scale, y: frame.bounds.minY + (p.y - frame.offsetY) / frame.scale };
}

export interface Rect { x: number; y: number; width: number; height: number }

/** The part of the drawing the screen shows, in minimap pixels. */
export function viewportInMinimap(frame: MinimapFrame, view: View, screen: Size): Rect {
  const a = worldToMinimap(frame, toWorld(view, { x: 0, y: 0 }));
  const b = worldToMinimap(frame, toWorld(view, { x: screen.width, y: screen.height }));
  return { x: a.x, y: a.y, width: b.x - a.x, height: b.y - a.y };
}

/** The view (same zoom) centred on the drawing point under a minimap click. */
export function viewForMinimapPoint(frame: MinimapFrame, point: Point, view: View, screen: Size): View {
  const world = minimapToWorld(frame, point);
  return { k: view.k, x: screen.width / 2 - world.x * view.k, y: screen.height / 2 - world.y * view.k };
}

/** Worth showing when the graph is big, or too big to read when fitted. */
export function minimapWanted(nodeCount: number, bounds: Bounds, screen: Size): boolean {
  if (nodeCount === 0) return false;
  if (nodeCount >= 40) return true;
  const w = bounds.maxX - bounds.minX, h = bounds.maxY - bounds.minY;
  return w > screen.width * 1.5 || h > screen.height * 1.5;
}
