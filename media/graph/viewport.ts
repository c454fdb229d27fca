/**
 * Zoom and pan arithmetic. A view maps graph coordinates to screen pixels: screen = world * k + (x, y).
 * Pure: the pointer and wheel handlers (panZoom.ts) only feed it numbers.
 */
import type { Bounds, Box, Point } from './placement';

export interface View { x: number; y: number; k: number }
export interface Size { width: number; height: number }

export const ZOOM_LIMITS = { min: 0.02, max: 4 } as const;
/** One press of + or -. */
export const ZOOM_STEP = 1.25;

export function clampZoom(k: number): number {
  return Math.min(ZOOM_LIMITS.max, Math.max(ZOOM_LIMITS.min, k));
}

export function toWorld(view: View, point: Point): Point {
  return { x: (point.x - view.x) / view.k, y: (point.y - view.y) / view.k };
}

export function toScreen(view: View, point: Point): Point {
  return { x: point.x * view.k + view.x, y: point.y * view.k + view.y };
}

/** Zooms by `factor` keeping the world point under `anchor` (screen pixels) where it is. */
export function zoomAt(view: View, factor: number, anchor: Point): View {
  const k = clampZoom(view.k * factor);
  const world = toWorld(view, anchor);
  return { k, x: anchor.x - world.x * k, y: anchor.y - world.y * k };
}

/** The whole drawing in the screen, centred, never enlarged beyond `maxK` (a 3-box graph stays 1:1). */
export function fitView(bounds: Bounds, screen: Size, padding = 24, maxK = 1): View {
  const w = Math.max(1, bounds.maxX - bounds.minX), h = Math.max(1, bounds.maxY - bounds.minY);
  const availableW = Math.max(1, screen.width - 2 * padding), availableH = Math.max(1, screen.height - 2 * padding);
  const k = clampZoom(Math.min(maxK, availableW / w, availableH / h));
  return {
    k,
    x: (screen.width - w * k) / 2 - bounds.minX * k,
    y: Math.max(padding, (screen.height - h * k) / 2) - bounds.minY * k,
  };
}

/** Centres the view on a world point, same zoom. */
export function centreOn(view: View, world: Point, screen: Size): View {
  return { k: view.k, x: screen.width / 2 - world.x * view.k, y: screen.height / 2 - world.y * view.k };
}

/** The view that shows `box` (centred on it), or undefined when it is already fully visible. */
export function ensureVisible(view: View, box: Box, screen: Size, margin = 16): View | undefined {
  const a = toScreen(view, { x: box.x, y: box.y });
  const b = toScreen(view, { x: box.x + box.width, y: box.y + box.height });
  if (a.x >= margin && a.y >= margin && b.x <= screen.width - margin && b.y <= screen.height - margin) return undefined;
  return centreOn(view, { x: box.x + box.width / 2, y: box.y + box.height / 2 }, screen);
}

/** Zoom factor of one wheel event: smooth for trackpads (small deltas), about one step per mouse notch. */
export function wheelFactor(deltaY: number, deltaMode: number): number {
  const pixels = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * 400 : deltaY;
  return Math.exp(-Math.max(-300, Math.min(300, pixels)) * 0.0018);
}

export function viewTransform(view: View): string {
  const r = (v: number) => Math.round(v * 1000) / 1000;
  return `translate(${r(view.x)} ${r(view.y)}) scale(${Math.round(view.k * 100000) / 100000})`;
}

/** Eases from one view to another; t in [0, 1]. */
export function interpolate(from: View, to: View, t: number): View {
  const e = t < 0.5 ? 2 * t * t : 1 - Math.pow(-2 * t + 2, 2) / 2;
  return { x: from.x + (to.x - from.x) * e, y: from.y + (to.y - from.y) * e, k: from.k + (to.k - from.k) * e };
}
