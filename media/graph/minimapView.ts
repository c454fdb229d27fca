/**
 * The overview in the corner for big graphs: every box as a small rectangle in its state's colour and
 * the screen's view as a frame; click or drag in it to move there. A canvas, redrawn at most once per
 * frame: a thousand rectangles cost well under a millisecond.
 */
import { minimapFrame, minimapWanted, viewForMinimapPoint, viewportInMinimap, type MinimapFrame } from './minimap';
import type { Bounds, Placement } from './placement';
import type { RunModel } from './runState';
import type { Size, View } from './viewport';
import type { ViewModel } from './viewModel';

const SIZE: Size = { width: 200, height: 140 };

export class MinimapView {
  readonly canvas: HTMLCanvasElement;
  private frame: MinimapFrame | undefined;
  private model: ViewModel | undefined;
  private placement: Placement | undefined;
  private pending = 0;
  private dragging = false;
  private colours = new Map<string, string>();

  constructor(
    parent: HTMLElement,
    private readonly run: RunModel,
    private readonly view: () => View,
    private readonly screen: () => Size,
    private readonly navigate: (view: View) => void,
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.id = 'minimap';
    this.canvas.className = 'minimap hidden';
    this.canvas.setAttribute('aria-label', 'Overview: click to move there');
    this.canvas.setAttribute('role', 'img');
    parent.appendChild(this.canvas);
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = SIZE.width * ratio;
    this.canvas.height = SIZE.height * ratio;
    this.canvas.style.width = `${SIZE.width}px`;
    this.canvas.style.height = `${SIZE.height}px`;
    this.canvas.addEventListener('pointerdown', (e) => { this.dragging = true; this.canvas.setPointerCapture(e.pointerId); this.goTo(e); });
    this.canvas.addEventListener('pointermove', (e) => { if (this.dragging) this.goTo(e); });
    this.canvas.addEventListener('pointerup', (e) => { this.dragging = false; this.canvas.releasePointerCapture(e.pointerId); });
    this.canvas.addEventListener('wheel', (e) => e.preventDefault(), { passive: false });
  }

  get visible(): boolean {
    return !this.canvas.classList.contains('hidden');
  }

  setGraph(model: ViewModel, placement: Placement, bounds: Bounds): void {
    this.model = model;
    this.placement = placement;
    this.frame = minimapFrame(bounds, SIZE);
    this.canvas.classList.toggle('hidden', !minimapWanted(model.nodes.length, bounds, this.screen()));
    this.readColours();
    this.schedule();
  }

  /** Theme changed: colours are read again. */
  readColours(): void {
    const style = getComputedStyle(this.canvas);
    this.colours.clear();
    for (const name of ['box', 'box-border', 'focus', 'edge', 'state-pending', 'state-waiting-for-pool', 'state-running', 'state-retrying', 'state-waiting', 'state-succeeded', 'state-failed', 'state-skipped', 'state-cancelled', 'cycle', 'highlight']) {
      this.colours.set(name, style.getPropertyValue(`--orch-${name}`).trim() || '#888');
    }
    this.schedule();
  }

  schedule(): void {
    if (this.pending || !this.visible) return;
    this.pending = requestAnimationFrame(() => { this.pending = 0; this.draw(); });
  }

  private draw(): void {
    const context = this.canvas.getContext('2d');
    const frame = this.frame, model = this.model, placement = this.placement;
    if (!context || !frame || !model || !placement) return;
    const ratio = this.canvas.width / SIZE.width;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, SIZE.width, SIZE.height);
    const s = frame.scale, ox = frame.offsetX - frame.bounds.minX * s, oy = frame.offsetY - frame.bounds.minY * s;
    for (const node of model.nodes) {
      const box = placement.nodes.get(node.id);
      if (!box) continue;
      const state = this.run.nodes.get(node.id)?.state;
      context.fillStyle = this.colours.get(state ? `state-${state}` : node.cycle ? 'cycle' : 'box-border') ?? '#888';
      context.fillRect(ox + box.x * s, oy + box.y * s, Math.max(1, box.width * s), Math.max(1, box.height * s));
    }
    const r = viewportInMinimap(frame, this.view(), this.screen());
    context.strokeStyle = this.colours.get('focus') ?? '#08f';
    context.lineWidth = 1.5;
    context.strokeRect(Math.round(r.x) + 0.5, Math.round(r.y) + 0.5, Math.round(r.width), Math.round(r.height));
  }

  private goTo(event: PointerEvent): void {
    if (!this.frame) return;
    const rect = this.canvas.getBoundingClientRect();
    this.navigate(viewForMinimapPoint(this.frame, { x: event.clientX - rect.left, y: event.clientY - rect.top }, this.view(), this.screen()));
  }
}
