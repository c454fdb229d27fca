/**
 * Decides when the graph is laid out and what is drawn meanwhile. The rules:
 * - the same structure (ids and edges) keeps the placement on screen: typing inside an activity never
 *   lays out again (boxes whose text grew are re-measured in one quiet relayout once typing stops);
 * - a new structure goes to ELK (in a worker) with the placement on screen as the previous positions,
 *   so kept boxes keep their layer and order;
 * - if ELK has not answered by the deadline, the page draws the fallback tiered placement and swaps in
 *   ELK's answer when it comes; answers for a structure that is no longer current are dropped, and at
 *   most one layout waits behind the running one (the latest).
 * Pure: the engine and the clock are injected, so the tests drive it without a browser.
 */
import type { ElkBuildOptions, GraphLayout, TextMeasure } from '../../runtime/layout/elkGraph';
import type { LayoutGraph } from '../../runtime/layout/layoutGraph';
import { tieredLayout } from './fallbackLayout';
import { boxWidth, reservingMeasure } from './nodeSize';
import { fromGraphLayout, positionsOf, type Placement } from './placement';
import { structureKey, toLayoutGraph, type ViewModel } from './viewModel';

export interface LayoutEngine {
  layout(graph: LayoutGraph, options: ElkBuildOptions): Promise<GraphLayout>;
  /** Abandons the running layout (its promise rejects); the next call starts afresh. */
  cancel?(): void;
}

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export type LayoutSource = 'reuse' | 'elk' | 'fallback';

export interface LayoutOutcome {
  model: ViewModel;
  placement: Placement;
  source: LayoutSource;
  /** Time spent laying out (0 for a reused placement). */
  layoutMs: number;
  /** Sequence number of the update this answers (the latest update is always the one drawn). */
  seq: number;
}

export interface LayoutControllerOptions {
  engine: LayoutEngine;
  clock: Clock;
  measure: TextMeasure;
  onLayout(outcome: LayoutOutcome): void;
  onError(error: unknown): void;
  /**
   * How long ELK may take before the fallback is drawn: nothing on screen yet / a graph on screen;
   * `firstSmall` for a first graph of at most SMALL_GRAPH boxes, where waiting a little longer for ELK
   * (a cold worker) spares the user a swap.
   */
  deadlineMs?: { first: number; update: number; firstSmall?: number };
  /** Quiet time before boxes whose text changed size are laid out again. */
  resizeDelayMs?: number;
  /** A running layout superseded after this long is cancelled instead of awaited. */
  cancelAfterMs?: number;
}

interface Request { seq: number; key: string; model: ViewModel; widths: Map<string, number>; force: boolean }

export const DEFAULT_DEADLINES = { first: 250, update: 400, firstSmall: 420 };
export const SMALL_GRAPH = 40;

export class LayoutController {
  private seq = 0;
  private current: Request | undefined;
  /** What is on screen. */
  private shown: { key: string; placement: Placement; source: LayoutSource } | undefined;
  private inFlight: { request: Request; startedAt: number } | undefined;
  private pending: Request | undefined;
  private deadline: unknown;
  private resizeTimer: unknown;
  private readonly widthCache = new Map<string, number>();

  constructor(private readonly options: LayoutControllerOptions) {}

  /** The placement on screen (after the last outcome delivered). */
  get placement(): Placement | undefined {
    return this.shown?.placement;
  }

  get busy(): boolean {
    return this.inFlight !== undefined;
  }

  /** A new graph message: answers at once (reuse), or after ELK / the deadline. */
  update(model: ViewModel): number {
    const request: Request = { seq: ++this.seq, key: structureKey(model), model, widths: this.widths(model), force: false };
    this.current = request;
    this.clearTimer('resizeTimer');
    if (this.shown && this.shown.key === request.key) {
      this.clearTimer('deadline');
      this.pending = undefined;
      this.deliver(request, this.shown.placement, 'reuse', 0);
      if (!sameWidths(this.shown.placement, request.widths)) {
        this.resizeTimer = this.options.clock.setTimeout(() => this.relayout(), this.options.resizeDelayMs ?? 800);
      }
      return request.seq;
    }
    this.schedule(request);
    return request.seq;
  }

  /** Lays the current graph out again (boxes re-measured), e.g. after the fonts loaded. */
  relayout(): number | undefined {
    this.resizeTimer = undefined;
    const current = this.current;
    if (!current) return undefined;
    this.widthCache.clear();
    const request: Request = { ...current, seq: ++this.seq, widths: this.widths(current.model), force: true };
    this.current = request;
    this.schedule(request);
    return request.seq;
  }

  /** Another definition: nothing on screen is a previous placement for it. */
  reset(): void {
    this.dispose();
    this.shown = undefined;
  }

  dispose(): void {
    this.clearTimer('deadline');
    this.clearTimer('resizeTimer');
    this.current = undefined;
    this.pending = undefined;
  }

  private schedule(request: Request): void {
    this.clearTimer('deadline');
    const limits = this.options.deadlineMs ?? DEFAULT_DEADLINES;
    const ms = this.shown ? limits.update
      : limits.firstSmall !== undefined && request.model.nodes.length <= SMALL_GRAPH ? limits.firstSmall : limits.first;
    this.deadline = this.options.clock.setTimeout(() => this.onDeadline(request), ms);
    const running = this.inFlight;
    if (running && running.request.key === request.key && !request.force) {
      this.pending = undefined; // the running layout answers this one
      return;
    }
    if (running) {
      this.pending = request;
      if (this.options.engine.cancel && this.options.clock.now() - running.startedAt >= (this.options.cancelAfterMs ?? 300)) this.options.engine.cancel();
      return;
    }
    this.run(request);
  }

  private run(request: Request): void {
    const startedAt = this.options.clock.now();
    this.inFlight = { request, startedAt };
    const previous = this.shown ? positionsOf(this.shown.placement) : undefined;
    const buildOptions: ElkBuildOptions = { measureText: reservingMeasure(this.options.measure) };
    if (previous) buildOptions.previous = previous;
    let answer: Promise<GraphLayout>;
    try {
      answer = this.options.engine.layout(toLayoutGraph(request.model), buildOptions);
    } catch (error) {
      answer = Promise.reject(error);
    }
    answer.then(
      (layout) => this.finish(request, startedAt, fromGraphLayout(layout)),
      (error: unknown) => this.finish(request, startedAt, undefined, error),
    );
  }

  private finish(request: Request, startedAt: number, placement: Placement | undefined, error?: unknown): void {
    if (this.inFlight?.request === request) this.inFlight = undefined;
    const current = this.current;
    const answersCurrent = current !== undefined && current.key === request.key && !(current.force && current.seq > request.seq);
    if (placement && answersCurrent) {
      this.clearTimer('deadline');
      this.deliver(current, placement, 'elk', this.options.clock.now() - startedAt);
    } else if (!placement && answersCurrent && !isCancel(error)) {
      this.options.onError(error);
      // Nothing better is coming: draw the fallback now rather than at the deadline.
      if (this.shown?.key !== current.key || this.shown.source !== 'fallback') this.onDeadline(current);
    } else if (!placement && !isCancel(error) && !answersCurrent) {
      this.options.onError(error);
    }
    const next = this.pending;
    this.pending = undefined;
    if (next && next === this.current && !(this.shown?.key === next.key && this.shown.source === 'elk' && !next.force)) this.run(next);
  }

  private onDeadline(request: Request): void {
    this.clearTimer('deadline');
    if (this.current !== request) return;
    if (this.shown?.key === request.key && this.shown.source === 'elk' && !request.force) return;
    if (request.force && this.shown?.key === request.key) return; // a relayout of what is on screen: keep it until ELK answers
    const started = this.options.clock.now();
    const previous = this.shown?.placement;
    const graph = toLayoutGraph(request.model);
    const placement = tieredLayout(graph, (id) => request.widths.get(id) ?? 0, previous);
    this.deliver(request, placement, 'fallback', this.options.clock.now() - started);
  }

  private deliver(request: Request, placement: Placement, source: LayoutSource, layoutMs: number): void {
    this.shown = { key: request.key, placement, source };
    this.options.onLayout({ model: request.model, placement, source, layoutMs, seq: request.seq });
  }

  private widths(model: ViewModel): Map<string, number> {
    if (this.widthCache.size > 20_000) this.widthCache.clear(); // labels typed one character at a time
    const widths = new Map<string, number>();
    for (const node of model.nodes) {
      const label = `${node.id}\u0000${node.type ?? ''}\u0000${node.discriminator ?? ''}`;
      let width = this.widthCache.get(label);
      if (width === undefined) {
        width = boxWidth(node, this.options.measure);
        this.widthCache.set(label, width);
      }
      widths.set(node.id, width);
    }
    return widths;
  }

  private clearTimer(name: 'deadline' | 'resizeTimer'): void {
    if (this[name] !== undefined) this.options.clock.clearTimeout(this[name]);
    this[name] = undefined;
  }
}

function sameWidths(placement: Placement, widths: Map<string, number>): boolean {
  for (const [id, width] of widths) {
    const box = placement.nodes.get(id);
    if (box && Math.abs(box.width - width) > 0.5) return false;
  }
  return true;
}

export class LayoutCancelled extends Error {
  constructor() {
    super('layout cancelled');
    this.name = 'LayoutCancelled';
  }
}

function isCancel(error: unknown): boolean {
  return error instanceof LayoutCancelled || (error instanceof Error && error.name === 'LayoutCancelled');
}
