/**
 * The graph page: takes the host's messages (validated with the protocol's parser), keeps the model, the
 * run and the view, and wires the drawing, the toolbar, the hover card, the overview and the exports.
 * Everything it draws goes through DOM APIs with textContent: no markup is ever built from a string.
 */
import { parseHostMessage, type GraphMessage, type HighlightMessage, type RunSnapshotMessage, type RunUpdateMessage, type WebviewAction } from '../../client/graph/protocol';
import { criticalPath, type CriticalPath } from './criticalPath';
import { ElkWorkerEngine } from './elkEngine';
import { svgToPngBase64 } from './exportImage';
import type { Host } from './host';
import { LayoutController, type LayoutOutcome } from './layoutController';
import { canvasMeasure } from './measure';
import { MinimapView } from './minimapView';
import { sanitizePalette, type Palette } from './palette';
import { PanZoom } from './panZoom';
import { GraphRenderer } from './renderer';
import { formatDuration, nextTickDelay, RunModel } from './runState';
import { exportSvg, runSummary } from './svgExport';
import { Toolbar, type ToolbarAction } from './toolbar';
import { Tooltip } from './tooltip';
import { edgeTooltip, nodeTooltip } from './tooltipContent';
import { ZOOM_STEP } from './viewport';
import { buildViewModel, edgeKey, type ViewModel } from './viewModel';

/** Beyond this many boxes a relayout jumps instead of gliding (animating thousands of groups stutters). */
const MAX_ANIMATED = 400;
/** Below this zoom the labels are unreadable: they are not drawn (a 1,000-box graph paints 5x faster). */
const LOD_ZOOM = 0.4;
/** With more running boxes than this, their borders stop marching (each frame would repaint the graph). */
const MAX_MARCHING = 24;

const MONOSPACE = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace';

export class GraphApp {
  private readonly run = new RunModel();
  private readonly toolbar: Toolbar;
  private readonly banner: HTMLElement;
  private readonly stage: HTMLElement;
  private readonly message: HTMLElement;
  private readonly layoutStatus: HTMLElement;
  private readonly renderer: GraphRenderer;
  private readonly panZoom: PanZoom;
  private readonly minimap: MinimapView;
  private readonly tooltip: Tooltip;
  private readonly controller: LayoutController;
  private readonly engine: ElkWorkerEngine;
  private readonly measure: ReturnType<typeof canvasMeasure>;
  private model: ViewModel | undefined;
  /** The uri of the graph on screen, and whether it was fitted once (a new file fits again). */
  private shownUri: string | undefined;
  private fitted = false;
  private lastSource: LayoutOutcome['source'] | undefined;
  private readonly receivedAt = new Map<number, number>();
  private pendingHighlight: string | null = null;
  private tiers: boolean;
  private criticalOn: boolean;
  private critical: CriticalPath | undefined;
  private tickTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly reported = new Set<string>();
  private renders = 0;

  constructor(root: HTMLElement, private readonly host: Host, workerUrl: string | undefined) {
    root.classList.add('graph-root');
    this.toolbar = new Toolbar(root, (action) => this.onAction(action));
    this.layoutStatus = document.createElement('span');
    this.layoutStatus.id = 'layout-status';
    this.layoutStatus.className = 'layout-status hidden';
    this.layoutStatus.textContent = 'laying out…';
    this.toolbar.runStatus.after(this.layoutStatus);
    this.banner = document.createElement('div');
    this.banner.id = 'banner';
    this.banner.className = 'banner hidden';
    this.banner.setAttribute('role', 'status');
    root.appendChild(this.banner);
    this.stage = document.createElement('div');
    this.stage.id = 'stage';
    this.stage.className = 'stage';
    root.appendChild(this.stage);
    this.measure = canvasMeasure(getComputedStyle(document.body).getPropertyValue('--orch-font').trim() || MONOSPACE);
    this.renderer = new GraphRenderer(this.stage, this.measure, this.run);
    this.message = document.createElement('div');
    this.message.id = 'message';
    this.message.className = 'message';
    this.message.textContent = 'Loading the graph…';
    this.stage.appendChild(this.message);
    this.panZoom = new PanZoom(this.stage, this.renderer.svg, this.renderer.viewport);
    this.minimap = new MinimapView(this.stage, this.run, () => this.panZoom.view, () => this.panZoom.size, (view) => this.panZoom.set(view, { byUser: true }));
    this.panZoom.onChange((view) => {
      this.minimap.schedule();
      this.renderer.svg.classList.toggle('lod-low', view.k < LOD_ZOOM);
    });
    this.tooltip = new Tooltip(this.stage);
    const saved = host.saved();
    this.tiers = saved.tiers;
    this.criticalOn = saved.critical;
    this.toolbar.setPressed('toggleTiers', this.tiers);
    this.toolbar.setPressed('toggleCriticalPath', this.criticalOn);
    this.renderer.setTiers(this.tiers);
    this.engine = new ElkWorkerEngine(workerUrl, (level, text) => this.log(level, text));
    this.controller = new LayoutController({
      engine: this.engine,
      clock: { now: () => performance.now(), setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) },
      measure: this.measure,
      onLayout: (outcome) => this.onLayout(outcome),
      onError: (error) => this.log('warn', `layout: ${error instanceof Error ? error.message : String(error)}; showing the simple tiered layout`),
    });
    this.engine.warm();
    this.wireEvents();
    this.updateRunControls();
  }

  /** Every message from the host, unchecked: only what the protocol's parser accepts is used. */
  handle(raw: unknown): void {
    const message = parseHostMessage(raw);
    if (!message) {
      let preview: string;
      try { preview = JSON.stringify(raw)?.slice(0, 120) ?? String(raw); } catch { preview = typeof raw; }
      this.log('warn', `ignored a message the graph does not understand: ${preview}`);
      return;
    }
    try {
      switch (message.type) {
        case 'graph': this.onGraph(message); break;
        case 'run': this.onRun(message); break;
        case 'runUpdate': this.onRunUpdate(message); break;
        case 'highlight': this.onHighlight(message); break;
        case 'command': this.onAction(message.command); break;
      }
    } catch (error) {
      // The page keeps what it shows; the host's output channel gets the reason.
      this.log('error', `the graph could not handle a ${message.type} message: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    }
  }

  // ----------------------------------------------------------------------------------------------
  // Host messages

  private onGraph(message: GraphMessage): void {
    const receivedAt = performance.now();
    performance.mark('orch-graph-received');
    const model = buildViewModel(message);
    if (this.shownUri !== model.uri) {
      if (this.shownUri !== undefined) { this.controller.reset(); this.renderer.clear(); this.lastSource = undefined; }
      this.shownUri = model.uri;
      this.fitted = false;
      this.pendingHighlight = null;
    }
    this.model = model;
    this.showHeader(model);
    if (!model.ok || model.nodes.length === 0) {
      this.controller.dispose();
      this.renderer.draw(model, { nodes: new Map(), edges: new Map(), width: 0, height: 0 }, Date.now());
      this.showMessage(!model.ok ? 'This file is not an orchestration definition the graph can read.' : 'No activities yet: add one to "activities" and it appears here.');
      this.minimap.setGraph(model, { nodes: new Map(), edges: new Map(), width: 0, height: 0 }, { minX: 0, minY: 0, maxX: 0, maxY: 0 });
      this.lastSource = undefined;
      this.markDrawn('none');
      this.afterPaint(() => this.postRendered(model, 0, performance.now() - receivedAt, false));
      return;
    }
    const seq = this.controller.update(model);
    this.receivedAt.set(seq, receivedAt);
  }

  private onRun(message: RunSnapshotMessage): void {
    const changed = this.run.applySnapshot(message);
    this.afterRunChange(changed);
  }

  private onRunUpdate(message: RunUpdateMessage): void {
    const changed = this.run.applyUpdate(message);
    if (changed) this.afterRunChange(changed);
  }

  private onHighlight(message: HighlightMessage): void {
    const id = message.activityId;
    if (id && !this.renderer.boxOf(id)) {
      // Not drawn (yet): ring it when it appears, and ring nothing meanwhile.
      this.pendingHighlight = id;
      this.renderer.setHighlight(null);
      return;
    }
    this.pendingHighlight = null;
    const box = this.renderer.setHighlight(id);
    if (box) this.panZoom.reveal(box);
  }

  // ----------------------------------------------------------------------------------------------
  // Drawing

  private onLayout(outcome: LayoutOutcome): void {
    const model = outcome.model;
    const started = performance.now();
    performance.mark('orch-draw-start');
    this.hideMessage();
    const animate = outcome.source !== 'reuse' && this.renderer.nodeCount > 0 && model.nodes.length <= MAX_ANIMATED
      && !window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
    this.renderer.draw(model, outcome.placement, Date.now(), animate);
    performance.measure('orch-draw', 'orch-draw-start');
    this.refreshCritical();
    const extent = this.renderer.extent;
    this.minimap.setGraph(model, outcome.placement, extent);
    const swapped = this.lastSource === 'fallback' && outcome.source === 'elk';
    if (!this.fitted || (swapped && !this.panZoom.touched)) {
      this.panZoom.fit(extent);
      this.fitted = true;
    }
    if (this.pendingHighlight && this.renderer.boxOf(this.pendingHighlight)) {
      const box = this.renderer.setHighlight(this.pendingHighlight);
      this.pendingHighlight = null;
      if (box) this.panZoom.reveal(box);
    }
    this.lastSource = outcome.source;
    this.markDrawn(outcome.source);
    this.layoutStatus.classList.toggle('hidden', !(outcome.source === 'fallback' && this.controller.busy));
    this.ensureTicking();
    const receivedAt = this.receivedAt.get(outcome.seq) ?? started - outcome.layoutMs;
    for (const seq of this.receivedAt.keys()) if (seq < outcome.seq) this.receivedAt.delete(seq);
    this.afterPaint(() => {
      const total = performance.now() - receivedAt;
      performance.mark('orch-graph-rendered');
      this.postRendered(model, outcome.layoutMs, total, outcome.source === 'fallback');
    });
  }

  /** Attributes the end-to-end tests wait on: how the drawing on screen was laid out, and its size. */
  private markDrawn(layout: string): void {
    this.renders++;
    const svg = this.renderer.svg;
    svg.dataset.layout = layout;
    svg.dataset.nodes = String(this.renderer.nodeCount);
    svg.dataset.edges = String(this.renderer.edgeCount);
    svg.dataset.renders = String(this.renders);
  }

  private postRendered(model: ViewModel, layoutMs: number, totalMs: number, fallback: boolean): void {
    const svg = this.renderer.svg;
    svg.dataset.layoutMs = String(Math.round(layoutMs));
    svg.dataset.totalMs = String(Math.round(totalMs));
    if (!svg.dataset.firstRenderMs) svg.dataset.firstRenderMs = String(Math.round(totalMs));
    this.host.post({ type: 'rendered', uri: model.uri, nodes: this.renderer.nodeCount, edges: this.renderer.edgeCount, layoutMs, totalMs, fallback });
  }

  /** Runs `f` once the frame with the latest changes has been painted. */
  private afterPaint(f: () => void): void {
    requestAnimationFrame(() => setTimeout(f, 0));
  }

  private afterRunChange(changed: Iterable<string>): void {
    this.renderer.refreshRun(changed, Date.now());
    this.renderer.svg.classList.toggle('calm', this.run.liveIds().length > MAX_MARCHING);
    this.refreshCritical();
    this.minimap.schedule();
    this.updateRunControls();
    const key = this.tooltip.key;
    if (key?.startsWith('n:')) this.refreshNodeTooltip(key.slice(2));
    this.ensureTicking();
  }

  private refreshCritical(): void {
    const hasDurations = [...this.run.nodes.values()].some((n) => n.startedAt !== undefined && (n.endedAt !== undefined || this.run.active));
    this.toolbar.setEnabled('toggleCriticalPath', hasDurations || this.criticalOn, 'needs a run with durations');
    const path = this.criticalOn && this.model ? criticalPath(this.model, this.run.nodes, this.run.run?.criticalPath, Date.now()) : undefined;
    const same = path && this.critical && sameSet(path.nodes, this.critical.nodes) && sameSet(path.edges, this.critical.edges);
    if (same || (!path && !this.critical)) return;
    this.critical = path;
    this.renderer.setCritical(path);
  }

  // ----------------------------------------------------------------------------------------------
  // The clock: ticks only while an activity runs, as often as the shortest duration's text changes.

  private ensureTicking(): void {
    if (this.tickTimer !== undefined || document.hidden) return;
    if (!this.run.active) { this.updateRunStatus(); return; }
    this.tick();
  }

  private tick(): void {
    this.tickTimer = undefined;
    const now = Date.now();
    const durations = this.renderer.tick(now);
    const runMs = this.updateRunStatus();
    const key = this.tooltip.key;
    if (key?.startsWith('n:') && this.run.liveIds().includes(key.slice(2))) this.refreshNodeTooltip(key.slice(2));
    if (!this.run.active || document.hidden) return;
    if (runMs !== undefined) durations.push(runMs);
    this.tickTimer = setTimeout(() => this.tick(), nextTickDelay(durations));
  }

  private updateRunStatus(): number | undefined {
    const run = this.run.run;
    const status = this.toolbar.runStatus;
    if (!run) { status.classList.add('hidden'); return undefined; }
    const now = Date.now();
    const end = run.endedAt ?? (run.state === 'running' ? now : undefined);
    const text = `${run.state}${end !== undefined ? ` · ${formatDuration(end - run.startedAt)}` : ''}`;
    if (status.textContent !== text) status.textContent = text;
    status.className = `run-status run-${run.state}`;
    status.title = runSummary(run, now);
    return end !== undefined ? end - run.startedAt : undefined;
  }

  private updateRunControls(): void {
    const run = this.run.run;
    const state = run?.state;
    this.toolbar.setVisible('cancel', state === 'running');
    this.toolbar.setVisible('rerunFailed', state === 'failed');
    this.toolbar.setVisible('resume', state === 'interrupted' || state === 'cancelled');
    const runnable = this.model?.ok === true && !this.model.stale && state !== 'running';
    this.toolbar.setEnabled('run', runnable, this.model?.stale ? 'fix the syntax errors first' : state === 'running' ? 'a run is in progress' : 'no orchestration shown');
    this.renderer.svg.classList.toggle('has-run', run !== null);
    this.updateRunStatus();
  }

  // ----------------------------------------------------------------------------------------------
  // Header, banner, messages

  private showHeader(model: ViewModel): void {
    this.toolbar.title.textContent = model.title ?? model.fileName;
    this.toolbar.title.title = model.description ?? '';
    this.toolbar.subtitle.textContent = model.title ? model.fileName : '';
    const problems = this.toolbar.problems;
    const { errors, warnings } = model.counts;
    problems.classList.toggle('hidden', errors + warnings === 0);
    problems.classList.toggle('has-errors', errors > 0);
    problems.textContent = [errors ? `${errors} error${errors === 1 ? '' : 's'}` : '', warnings ? `${warnings} warning${warnings === 1 ? '' : 's'}` : ''].filter(Boolean).join(', ');
    const inActivities = errors + warnings - model.problems.filter((p) => p.severity === 'error' || p.severity === 'warning').length;
    problems.title = [
      ...model.problems.map((p) => `${p.code}: ${p.message}`),
      inActivities > 0 ? `${inActivities} in activities: marked on their boxes and edges (hover for details)` : '',
    ].filter(Boolean).join('\n');
    this.banner.classList.toggle('hidden', !model.stale);
    this.banner.textContent = model.stale ? 'Showing the last valid graph: the definition has syntax errors. Problems of the current text are marked where they still apply.' : '';
    document.body.classList.toggle('stale', model.stale);
    this.updateRunControls();
  }

  private showMessage(text: string): void {
    this.message.textContent = text;
    this.message.classList.remove('hidden');
  }

  private hideMessage(): void {
    this.message.classList.add('hidden');
  }

  // ----------------------------------------------------------------------------------------------
  // User actions

  private onAction(action: ToolbarAction): void {
    switch (action) {
      case 'run': case 'cancel': case 'rerunFailed': case 'resume': this.runAction(action); return;
      case 'zoomIn': this.panZoom.zoomBy(ZOOM_STEP); return;
      case 'zoomOut': this.panZoom.zoomBy(1 / ZOOM_STEP); return;
      case 'fit': this.panZoom.fit(this.renderer.extent, { animate: true }); return;
      case 'toggleTiers':
        this.tiers = !this.tiers;
        this.toolbar.setPressed('toggleTiers', this.tiers);
        this.renderer.setTiers(this.tiers);
        this.save();
        return;
      case 'toggleCriticalPath':
        this.criticalOn = !this.criticalOn;
        this.toolbar.setPressed('toggleCriticalPath', this.criticalOn);
        this.refreshCritical();
        this.save();
        return;
      case 'exportSvg': case 'exportPng': void this.export(action === 'exportSvg' ? 'svg' : 'png'); return;
    }
  }

  private runAction(action: WebviewAction): void {
    const runId = this.run.run?.runId;
    this.host.post(action === 'run' || !runId ? { type: 'action', action } : { type: 'action', action, runId });
  }

  private save(): void {
    this.host.save({ tiers: this.tiers, critical: this.criticalOn });
  }

  private async export(format: 'svg' | 'png'): Promise<void> {
    const placement = this.controller.placement;
    if (!this.model || !placement || this.renderer.nodeCount === 0) { this.log('warn', 'export: there is no graph to export'); return; }
    const exported = exportSvg({
      model: this.model, placement, run: this.run.run, nodes: this.run.nodes, now: this.run.clock(Date.now()),
      critical: this.critical, tiers: this.tiers, measure: this.measure, palette: resolvedPalette(),
    });
    try {
      const data = format === 'svg' ? exported.markup : await svgToPngBase64(exported.markup, exported.width, exported.height);
      this.host.post({ type: 'export', format, data });
    } catch (error) {
      this.log('error', `export as ${format.toUpperCase()} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private reveal(id: string): void {
    if (!this.renderer.nodeOf(id)) return;
    const box = this.renderer.setHighlight(id);
    if (box) this.panZoom.reveal(box);
    this.host.post({ type: 'reveal', activityId: id });
  }

  private refreshNodeTooltip(id: string): void {
    const node = this.renderer.nodeOf(id);
    if (node) this.tooltip.refresh(`n:${id}`, () => nodeTooltip(node, this.run.nodes.get(id), this.run.clock(Date.now())));
  }

  private wireEvents(): void {
    const svg = this.renderer.svg;
    svg.addEventListener('click', (event) => {
      if (this.panZoom.dragging) return;
      const id = nodeIdOf(event.target);
      if (id) this.reveal(id);
    });
    svg.addEventListener('pointermove', (event) => {
      if (this.panZoom.dragging || event.buttons) { this.tooltip.hide(); return; }
      const id = nodeIdOf(event.target);
      if (id) {
        const node = this.renderer.nodeOf(id);
        if (node) this.tooltip.show(`n:${id}`, () => nodeTooltip(node, this.run.nodes.get(id), this.run.clock(Date.now())), event.clientX, event.clientY);
        return;
      }
      const hit = (event.target as Element | null)?.closest?.('.edge-hit');
      const from = hit?.getAttribute('data-from'), to = hit?.getAttribute('data-to');
      const edge = from && to ? this.renderer.edgeOf(edgeKey(from, to)) : undefined;
      if (edge) { this.tooltip.show(`e:${edgeKey(edge.from, edge.to)}`, () => edgeTooltip(edge), event.clientX, event.clientY); return; }
      this.tooltip.hide();
    });
    svg.addEventListener('pointerleave', () => this.tooltip.hide());
    svg.addEventListener('focusin', (event) => {
      // Keyboard focus only: a click focuses the box too, and must not move the view under the pointer.
      if (!(event.target as Element).matches?.(':focus-visible')) return;
      const id = nodeIdOf(event.target);
      const g = id ? this.renderer.elementOf(id) : undefined;
      if (id && g) {
        const rect = g.getBoundingClientRect();
        const node = this.renderer.nodeOf(id);
        if (node) this.tooltip.show(`n:${id}`, () => nodeTooltip(node, this.run.nodes.get(id), this.run.clock(Date.now())), rect.right, rect.top);
        const box = this.renderer.boxOf(id);
        if (box) this.panZoom.reveal(box);
      }
    });
    svg.addEventListener('focusout', () => this.tooltip.hide());
    // On the document: when the panel gets focus, keys go to <body>, outside the root.
    document.addEventListener('keydown', (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      const target = event.target as Element | null;
      if (target?.closest?.('button') && (event.key === 'Enter' || event.key === ' ')) return;
      const id = nodeIdOf(target);
      if (id && (event.key === 'Enter' || event.key === ' ')) { event.preventDefault(); this.reveal(id); return; }
      const pan = 60;
      switch (event.key) {
        case '+': case '=': this.onAction('zoomIn'); break;
        case '-': case '_': this.onAction('zoomOut'); break;
        case '0': this.onAction('fit'); break;
        case 'ArrowLeft': this.panZoom.panBy(pan, 0); break;
        case 'ArrowRight': this.panZoom.panBy(-pan, 0); break;
        case 'ArrowUp': this.panZoom.panBy(0, pan); break;
        case 'ArrowDown': this.panZoom.panBy(0, -pan); break;
        case 'Escape': this.tooltip.hide(); break;
        default: return;
      }
      event.preventDefault();
    });
    new ResizeObserver(() => {
      if (!this.panZoom.touched && this.renderer.nodeCount) this.panZoom.fit(this.renderer.extent);
      this.minimap.schedule();
    }).observe(this.stage);
    // The theme changes by swapping the body's classes: colours drawn on the canvas are read again.
    new MutationObserver(() => this.minimap.readColours()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
    document.addEventListener('visibilitychange', () => { if (!document.hidden) this.ensureTicking(); });
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    if (this.reported.has(message)) return; // the same failure on every keystroke says nothing new
    if (this.reported.size > 200) this.reported.clear();
    this.reported.add(message);
    this.host.post({ type: 'log', level, message });
  }
}

/**
 * The theme's colours as plain rgb() values: a probe element's computed colour resolves var() chains and
 * color-mix(), which an exported file opened elsewhere could not.
 */
function resolvedPalette(): Palette {
  const probe = document.createElement('span');
  probe.className = 'hidden';
  document.body.appendChild(probe);
  try {
    const body = getComputedStyle(document.body);
    return sanitizePalette((key) => {
      if (key === 'font') return body.getPropertyValue('--orch-font');
      probe.style.color = `var(--orch-${key})`;
      return getComputedStyle(probe).color;
    });
  } finally {
    probe.remove();
  }
}

function nodeIdOf(target: EventTarget | null): string | undefined {
  const g = (target as Element | null)?.closest?.('.node');
  return g?.getAttribute('data-id') ?? undefined;
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
