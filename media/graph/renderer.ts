/**
 * The one <svg id="graph"> of the page. A new graph is reconciled against what is drawn, by id: a box
 * that did not change keeps its element (a moved one only gets a new transform), so a text edit or a
 * swap from the fallback placement to ELK's touches little. A run's progress touches only the boxes that
 * changed state (class, data-state and two texts), and the clock only the running ones' durations.
 */
import type { TextMeasure } from '../../runtime/layout/elkGraph';
import { nodeSubtitle } from '../../runtime/layout/elkGraph';
import type { CriticalPath } from './criticalPath';
import { boundsOf, pathData, round, type Bounds, type Box, type Placement } from './placement';
import type { RunModel } from './runState';
import {
  bandElements, bandsOf, BAND_GUTTER, edgeClass, edgeElement, edgeHitElement, edgeMarker, markerDefs, nodeClass, nodeElement, nodeLabel,
  nodeStatusText, type EdgeFlags, type El, type NodeFlags, type NodeStatusText,
} from './scene';
import { edgeKey, type ViewEdge, type ViewModel, type ViewNode } from './viewModel';

const SVG_NS = 'http://www.w3.org/2000/svg';

export function createSvg(el: El): SVGElement {
  const node = document.createElementNS(SVG_NS, el.tag);
  for (const [name, value] of Object.entries(el.attrs)) if (value !== undefined) node.setAttribute(name, String(value));
  if (el.text !== undefined) node.textContent = el.text;
  for (const child of el.children ?? []) node.appendChild(createSvg(child));
  return node;
}

interface NodeView {
  node: ViewNode;
  box: Box;
  g: SVGGElement;
  duration: SVGTextElement;
  attempt: SVGTextElement;
  /** What, if it changes, needs a new element (size, texts, badge). */
  content: string;
  className: string;
  state: string;
  status: NodeStatusText;
}

interface EdgeView {
  edge: ViewEdge;
  path: SVGPathElement;
  hit?: SVGPathElement;
  d: string;
  className: string;
  marker: string;
}

export class GraphRenderer {
  readonly svg: SVGSVGElement;
  readonly viewport: SVGGElement;
  private readonly bandsLayer: SVGGElement;
  private readonly edgesLayer: SVGGElement;
  private readonly hitLayer: SVGGElement;
  private readonly nodesLayer: SVGGElement;
  private model: ViewModel | undefined;
  private placement: Placement | undefined;
  private readonly nodeViews = new Map<string, NodeView>();
  private readonly edgeViews = new Map<string, EdgeView>();
  private readonly edgesOf = new Map<string, string[]>();
  private highlighted: string | undefined;
  private critical: CriticalPath | undefined;
  private tiers = false;
  private bounds: Bounds = { minX: 0, minY: 0, maxX: 0, maxY: 0 };

  constructor(parent: HTMLElement, private readonly measure: TextMeasure, private readonly run: RunModel) {
    this.svg = document.createElementNS(SVG_NS, 'svg');
    this.svg.id = 'graph';
    this.svg.setAttribute('class', 'graph');
    this.svg.setAttribute('role', 'group'); // not 'img': that would hide the boxes (buttons) from assistive technology
    this.svg.appendChild(createSvg(markerDefs()));
    this.viewport = this.group('viewport');
    this.svg.appendChild(this.viewport);
    this.bandsLayer = this.group('bands');
    this.edgesLayer = this.group('edges');
    this.hitLayer = this.group('edge-hits');
    this.nodesLayer = this.group('nodes');
    this.viewport.append(this.bandsLayer, this.edgesLayer, this.hitLayer, this.nodesLayer);
    parent.appendChild(this.svg);
  }

  get nodeCount(): number {
    return this.nodeViews.size;
  }

  get edgeCount(): number {
    return this.edgeViews.size;
  }

  /** The drawing's extent, tier labels included when shown. */
  get extent(): Bounds {
    return this.tiers && this.bandsLayer.childElementCount ? { ...this.bounds, minX: this.bounds.minX - BAND_GUTTER } : this.bounds;
  }

  boxOf(id: string): Box | undefined {
    return this.nodeViews.get(id)?.box;
  }

  nodeOf(id: string): ViewNode | undefined {
    return this.nodeViews.get(id)?.node;
  }

  edgeOf(key: string): ViewEdge | undefined {
    return this.edgeViews.get(key)?.edge;
  }

  elementOf(id: string): SVGGElement | undefined {
    return this.nodeViews.get(id)?.g;
  }

  /** `animate`: boxes that move glide to their new place and edges fade in (a relayout, not a redraw). */
  draw(model: ViewModel, placement: Placement, now: number, animate = false): void {
    this.model = model;
    this.placement = placement;
    this.bounds = boundsOf(placement);
    this.svg.setAttribute('aria-label', `Graph of ${model.title ?? model.fileName}: ${model.nodes.length} activities`);
    this.svg.classList.toggle('stale', model.stale);
    const clock = this.run.clock(now);
    const keep = new Set<string>();
    const fresh = document.createDocumentFragment();
    let moved = 0;
    for (const node of model.nodes) {
      const box = placement.nodes.get(node.id);
      if (!box) continue;
      keep.add(node.id);
      const existing = this.nodeViews.get(node.id);
      const content = contentOf(node, box);
      if (existing && existing.content === content) {
        if (existing.box.x !== box.x || existing.box.y !== box.y) {
          existing.g.setAttribute('transform', `translate(${round(box.x)} ${round(box.y)})`);
          if (animate) { moved++; glide(existing.g, existing.box, box); }
        }
        existing.node = node;
        existing.box = box;
        this.updateNode(existing, clock);
        continue;
      }
      const info = this.run.nodes.get(node.id);
      const g = createSvg(nodeElement(node, box, info, this.nodeFlags(node.id), { measure: this.measure, now: clock })) as SVGGElement;
      const view: NodeView = {
        node, box, g, content,
        duration: g.querySelector('text.duration') as SVGTextElement,
        attempt: g.querySelector('text.attempt') as SVGTextElement,
        className: g.getAttribute('class') ?? '',
        state: g.getAttribute('data-state') ?? 'none',
        status: nodeStatusText(info, clock),
      };
      if (existing) existing.g.replaceWith(g); else fresh.appendChild(g);
      this.nodeViews.set(node.id, view);
    }
    this.nodesLayer.appendChild(fresh);
    for (const [id, view] of this.nodeViews) if (!keep.has(id)) { view.g.remove(); this.nodeViews.delete(id); }
    if (this.highlighted && !keep.has(this.highlighted)) this.highlighted = undefined;
    this.drawEdges(model, placement);
    this.drawBands();
    // Edges cannot glide with their boxes (routes change shape): they wait for the boxes, then fade in.
    if (moved) this.edgesLayer.animate([{ opacity: 0 }, { opacity: 0, offset: 0.6 }, { opacity: 1 }], { duration: GLIDE_MS + 140 });
  }

  /** Removes the drawing (another definition is coming). */
  clear(): void {
    this.nodesLayer.replaceChildren();
    this.edgesLayer.replaceChildren();
    this.hitLayer.replaceChildren();
    this.bandsLayer.replaceChildren();
    this.nodeViews.clear();
    this.edgeViews.clear();
    this.edgesOf.clear();
    this.highlighted = undefined;
    this.model = undefined;
    this.placement = undefined;
  }

  /** After run messages: only the boxes whose state, attempt or duration changed. */
  refreshRun(ids: Iterable<string>, now: number): void {
    const clock = this.run.clock(now);
    for (const id of ids) {
      const view = this.nodeViews.get(id);
      if (view) this.updateNode(view, clock);
    }
    this.svg.classList.toggle('has-run', this.run.run !== null);
  }

  /** The clock moved: durations of running boxes. */
  tick(now: number): number[] {
    const clock = this.run.clock(now);
    const shown: number[] = [];
    for (const id of this.run.liveIds()) {
      const view = this.nodeViews.get(id);
      if (!view) continue;
      const info = this.run.nodes.get(id);
      if (info?.startedAt !== undefined) shown.push(clock - info.startedAt);
      this.setStatus(view, nodeStatusText(info, clock));
    }
    return shown;
  }

  setHighlight(id: string | null): Box | undefined {
    const previous = this.highlighted;
    this.highlighted = id && this.nodeViews.has(id) ? id : undefined;
    if (previous === this.highlighted) return this.highlighted ? this.nodeViews.get(this.highlighted)!.box : undefined;
    const clock = this.run.clock(Date.now());
    for (const touched of [previous, this.highlighted]) {
      if (!touched) continue;
      const view = this.nodeViews.get(touched);
      if (view) this.updateNode(view, clock);
      for (const key of this.edgesOf.get(touched) ?? []) this.updateEdge(key);
    }
    if (this.highlighted) {
      // Drawn last so they are not hidden under crossing edges.
      for (const key of this.edgesOf.get(this.highlighted) ?? []) {
        const view = this.edgeViews.get(key);
        if (view) this.edgesLayer.appendChild(view.path);
      }
      return this.nodeViews.get(this.highlighted)!.box;
    }
    return undefined;
  }

  get highlightedId(): string | undefined {
    return this.highlighted;
  }

  setCritical(path: CriticalPath | undefined): void {
    this.critical = path;
    this.svg.classList.toggle('critical-mode', path !== undefined);
    const clock = this.run.clock(Date.now());
    for (const view of this.nodeViews.values()) this.updateNode(view, clock);
    for (const key of this.edgeViews.keys()) this.updateEdge(key);
  }

  setTiers(on: boolean): void {
    this.tiers = on;
    this.drawBands();
  }

  private drawBands(): void {
    this.bandsLayer.replaceChildren();
    if (!this.tiers || !this.model || !this.placement) return;
    const fragment = document.createDocumentFragment();
    for (const el of bandElements(bandsOf(this.model, this.placement), this.bounds.minX, this.bounds.maxX)) fragment.appendChild(createSvg(el));
    this.bandsLayer.appendChild(fragment);
  }

  private drawEdges(model: ViewModel, placement: Placement): void {
    const keep = new Set<string>();
    this.edgesOf.clear();
    const fresh = document.createDocumentFragment();
    const freshHits = document.createDocumentFragment();
    for (const edge of model.edges) {
      const key = edgeKey(edge.from, edge.to);
      const points = placement.edges.get(key);
      if (!points) continue;
      keep.add(key);
      for (const end of [edge.from, edge.to]) {
        const list = this.edgesOf.get(end);
        if (list) { if (list[list.length - 1] !== key) list.push(key); } else this.edgesOf.set(end, [key]);
      }
      const d = pathData(points);
      const existing = this.edgeViews.get(key);
      if (existing) {
        if (existing.d !== d) { existing.path.setAttribute('d', d); existing.hit?.setAttribute('d', d); existing.d = d; }
        existing.edge = edge;
      } else {
        const path = createSvg(edgeElement(edge, points, this.edgeFlags(key, edge), {})) as SVGPathElement;
        const view: EdgeView = { edge, path, d, className: path.getAttribute('class') ?? '', marker: path.getAttribute('marker-end') ?? '' };
        this.edgeViews.set(key, view);
        fresh.appendChild(path);
      }
      const view = this.edgeViews.get(key)!;
      const hitEl = edgeHitElement(edge, points);
      if (hitEl && !view.hit) { view.hit = createSvg(hitEl) as SVGPathElement; freshHits.appendChild(view.hit); }
      else if (!hitEl && view.hit) { view.hit.remove(); view.hit = undefined; }
      this.updateEdge(key);
    }
    this.edgesLayer.appendChild(fresh);
    this.hitLayer.appendChild(freshHits);
    for (const [key, view] of this.edgeViews) if (!keep.has(key)) { view.path.remove(); view.hit?.remove(); this.edgeViews.delete(key); }
  }

  private nodeFlags(id: string): NodeFlags {
    const critical = this.critical?.nodes.has(id) ?? false;
    return { critical, highlighted: this.highlighted === id, dimmed: this.critical !== undefined && !critical };
  }

  private edgeFlags(key: string, edge: ViewEdge): EdgeFlags {
    const critical = this.critical?.edges.has(key) ?? false;
    const related = this.highlighted !== undefined && (edge.from === this.highlighted || edge.to === this.highlighted);
    return { critical, related, dimmed: this.critical !== undefined && !critical };
  }

  private updateNode(view: NodeView, clock: number): void {
    const info = this.run.nodes.get(view.node.id);
    const className = nodeClass(view.node, info, this.nodeFlags(view.node.id));
    if (className !== view.className) { view.g.setAttribute('class', className); view.className = className; }
    const state = info?.state ?? 'none';
    if (state !== view.state) {
      view.g.setAttribute('data-state', state);
      view.g.setAttribute('aria-label', nodeLabel(view.node, info));
      view.state = state;
    }
    this.setStatus(view, nodeStatusText(info, clock));
  }

  private setStatus(view: NodeView, status: NodeStatusText): void {
    if (status.duration !== view.status.duration) view.duration.textContent = status.duration;
    if (status.attempt !== view.status.attempt) view.attempt.textContent = status.attempt;
    view.status = status;
  }

  private updateEdge(key: string): void {
    const view = this.edgeViews.get(key);
    if (!view) return;
    const flags = this.edgeFlags(key, view.edge);
    const className = edgeClass(view.edge, flags);
    if (className !== view.className) { view.path.setAttribute('class', className); view.className = className; }
    const marker = edgeMarker(view.edge, flags);
    if (marker !== view.marker) { view.path.setAttribute('marker-end', marker); view.marker = marker; }
  }

  private group(className: string): SVGGElement {
    const g = document.createElementNS(SVG_NS, 'g');
    g.setAttribute('class', className);
    if (className === 'viewport') g.id = 'viewport';
    return g;
  }
}

const GLIDE_MS = 260;

/** Web Animations (not a style attribute: the page's CSP allows no inline style). */
function glide(g: SVGGElement, from: Box, to: Box): void {
  g.animate(
    [{ transform: `translate(${from.x}px, ${from.y}px)` }, { transform: `translate(${to.x}px, ${to.y}px)` }],
    { duration: GLIDE_MS, easing: 'cubic-bezier(0.2, 0, 0, 1)' },
  );
}

function contentOf(node: ViewNode, box: Box): string {
  return [box.width, box.height, node.id, nodeSubtitle(node), node.severity ?? '', node.problems.length, node.tier].join('\u0000');
}
