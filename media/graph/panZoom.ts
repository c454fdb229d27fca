/**
 * Zoom (wheel, keys, buttons) and pan (drag on the drawing) of the SVG's viewport group. The transform is
 * written at most once per frame; a click is told apart from a drag by how far the pointer moved.
 */
import type { Bounds, Box } from './placement';
import { ensureVisible, fitView, interpolate, viewTransform, wheelFactor, zoomAt, type Size, type View } from './viewport';

/** Pointer travel (px) under which a press and release is a click, not a drag. */
const CLICK_SLOP = 4;

export class PanZoom {
  private current: View = { x: 0, y: 0, k: 1 };
  private frame = 0;
  private animation = 0;
  private drag: { pointerId: number; startX: number; startY: number; view: View; moved: boolean } | undefined;
  /** The user moved the view since the last fit: a later relayout must not refit under them. */
  touched = false;
  private readonly listeners: ((view: View) => void)[] = [];

  constructor(private readonly stage: HTMLElement, private readonly svg: SVGSVGElement, private readonly target: SVGGElement) {
    svg.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    svg.addEventListener('pointerdown', (e) => this.onPointerDown(e));
    svg.addEventListener('pointermove', (e) => this.onPointerMove(e));
    svg.addEventListener('pointerup', (e) => this.onPointerUp(e));
    svg.addEventListener('pointercancel', (e) => this.onPointerUp(e));
  }

  get view(): View {
    return this.current;
  }

  get size(): Size {
    return { width: this.stage.clientWidth, height: this.stage.clientHeight };
  }

  /** True while a press is a drag (the click that ends it must not reveal a node). */
  get dragging(): boolean {
    return this.drag?.moved === true;
  }

  onChange(listener: (view: View) => void): void {
    this.listeners.push(listener);
  }

  set(view: View, options: { animate?: boolean; byUser?: boolean } = {}): void {
    if (options.byUser) this.touched = true;
    cancelAnimationFrame(this.animation);
    this.animation = 0;
    const reduced = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
    if (!options.animate || reduced) { this.apply(view); return; }
    const from = this.current, start = performance.now(), duration = 220;
    const step = (time: number) => {
      const t = Math.min(1, (time - start) / duration);
      this.apply(interpolate(from, view, t));
      this.animation = t < 1 ? requestAnimationFrame(step) : 0;
    };
    this.animation = requestAnimationFrame(step);
  }

  fit(bounds: Bounds, options: { animate?: boolean } = {}): void {
    this.touched = false;
    this.set(fitView(bounds, this.size), options);
  }

  zoomBy(factor: number): void {
    const size = this.size;
    this.set(zoomAt(this.current, factor, { x: size.width / 2, y: size.height / 2 }), { animate: true, byUser: true });
  }

  panBy(dx: number, dy: number): void {
    this.set({ ...this.current, x: this.current.x + dx, y: this.current.y + dy }, { byUser: true });
  }

  /** Brings a box into the screen if it is not (the editor's cursor moved to an activity off screen). */
  reveal(box: Box): void {
    const next = ensureVisible(this.current, box, this.size);
    if (next) this.set(next, { animate: true });
  }

  private apply(view: View): void {
    this.current = view;
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.target.setAttribute('transform', viewTransform(this.current));
      for (const listener of this.listeners) listener(this.current);
    });
  }

  private onWheel(event: WheelEvent): void {
    event.preventDefault();
    const rect = this.svg.getBoundingClientRect();
    if (event.shiftKey) { this.panBy(-event.deltaY, -event.deltaX); return; }
    const factor = wheelFactor(event.deltaY, event.deltaMode);
    this.set(zoomAt(this.current, factor, { x: event.clientX - rect.left, y: event.clientY - rect.top }), { byUser: true });
  }

  private onPointerDown(event: PointerEvent): void {
    if (event.button !== 0 || this.drag) return;
    this.drag = { pointerId: event.pointerId, startX: event.clientX, startY: event.clientY, view: this.current, moved: false };
  }

  private onPointerMove(event: PointerEvent): void {
    const drag = this.drag;
    if (!drag || drag.pointerId !== event.pointerId) return;
    const dx = event.clientX - drag.startX, dy = event.clientY - drag.startY;
    if (!drag.moved && Math.hypot(dx, dy) < CLICK_SLOP) return;
    if (!drag.moved) {
      drag.moved = true;
      this.svg.setPointerCapture(event.pointerId);
      this.svg.classList.add('panning');
    }
    this.set({ ...drag.view, x: drag.view.x + dx, y: drag.view.y + dy }, { byUser: true });
  }

  private onPointerUp(event: PointerEvent): void {
    const drag = this.drag;
    if (!drag || drag.pointerId !== event.pointerId) return;
    if (drag.moved) {
      this.svg.classList.remove('panning');
      if (this.svg.hasPointerCapture(event.pointerId)) this.svg.releasePointerCapture(event.pointerId);
      // The click event that follows this pointerup belongs to the drag.
      setTimeout(() => { if (this.drag === drag) this.drag = undefined; }, 0);
    } else {
      this.drag = undefined;
    }
  }
}
