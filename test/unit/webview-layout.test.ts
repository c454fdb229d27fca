import assert from 'node:assert/strict';
import type { ElkBuildOptions, GraphLayout } from '../../runtime/layout/elkGraph';
import type { LayoutGraph } from '../../runtime/layout/layoutGraph';
import { layoutGraph } from '../../runtime/layout/layoutNode';
import { SPACING, tieredLayout } from '../../media/graph/fallbackLayout';
import { LayoutCancelled, LayoutController, type Clock, type LayoutEngine, type LayoutOutcome } from '../../media/graph/layoutController';
import { BOX_HEIGHT } from '../../media/graph/nodeSize';
import { boundsOf, type Placement } from '../../media/graph/placement';
import { buildViewModel, edgeKey, toLayoutGraph, type ViewModel } from '../../media/graph/viewModel';
import { graphMessage, largeDefinition, PIPELINE, type SampleDefinition } from '../webview/samples';

const measure = (text: string, size: number) => text.length * size * 0.6;
const model = (def: SampleDefinition): ViewModel => buildViewModel(graphMessage(def));
const withActivity = (def: SampleDefinition, activity: SampleDefinition['activities'][number]): SampleDefinition => ({ ...def, activities: [...def.activities, activity] });

/** A clock whose time moves only when told; timers fire in order as it passes them. */
class FakeClock implements Clock {
  time = 0;
  private timers: { at: number; f: () => void; id: number }[] = [];
  private next = 1;
  now(): number { return this.time; }
  setTimeout(f: () => void, ms: number): unknown { const id = this.next++; this.timers.push({ at: this.time + ms, f, id }); return id; }
  clearTimeout(handle: unknown): void { this.timers = this.timers.filter((t) => t.id !== handle); }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.f();
    }
    this.time = end;
  }
}

/** An engine whose layouts finish when the test says so (answers computed by the fallback algorithm). */
class ManualEngine implements LayoutEngine {
  calls: { graph: LayoutGraph; options: ElkBuildOptions; resolve: (l: GraphLayout) => void; reject: (e: unknown) => void }[] = [];
  cancelled = 0;
  layout(graph: LayoutGraph, options: ElkBuildOptions): Promise<GraphLayout> {
    return new Promise((resolve, reject) => this.calls.push({ graph, options, resolve, reject }));
  }
  cancel(): void {
    this.cancelled++;
    for (const call of this.calls.splice(0)) call.reject(new LayoutCancelled());
  }
  /** Answers call `i` with a plausible layout (x shifted so it is told apart from the fallback). */
  answer(i = this.calls.length - 1): void {
    const call = this.calls[i];
    const p = tieredLayout(call.graph, () => 100);
    call.resolve({
      nodes: call.graph.nodes.map((n) => ({ id: n.id, ...p.nodes.get(n.id)!, x: p.nodes.get(n.id)!.x + 1000 })),
      edges: call.graph.edges.map((e) => ({ from: e.from, to: e.to, points: p.edges.get(edgeKey(e.from, e.to)) ?? [] })),
      width: p.width + 1000, height: p.height,
    });
  }
}

const tick = () => new Promise<void>((ok) => setImmediate(ok));

function setup() {
  const clock = new FakeClock();
  const engine = new ManualEngine();
  const outcomes: LayoutOutcome[] = [];
  const errors: unknown[] = [];
  const controller = new LayoutController({
    engine, clock, measure, onLayout: (o) => outcomes.push(o), onError: (e) => errors.push(e),
    deadlineMs: { first: 250, update: 400 }, resizeDelayMs: 800, cancelAfterMs: 300,
  });
  return { clock, engine, outcomes, errors, controller };
}

describe('webview layout controller', () => {
  it('draws ELK\'s answer when it comes before the deadline, and nothing else', async () => {
    const { clock, engine, outcomes, controller } = setup();
    controller.update(model(PIPELINE));
    assert.equal(engine.calls.length, 1);
    clock.advance(100);
    engine.answer();
    await tick();
    assert.deepEqual(outcomes.map((o) => o.source), ['elk']);
    assert.equal(outcomes[0].layoutMs, 100);
    clock.advance(1000);
    assert.equal(outcomes.length, 1, 'the deadline was cancelled');
  });

  it('draws the fallback at the deadline, then swaps in ELK\'s answer', async () => {
    const { clock, engine, outcomes, controller } = setup();
    controller.update(model(PIPELINE));
    clock.advance(249);
    assert.equal(outcomes.length, 0);
    clock.advance(1);
    assert.deepEqual(outcomes.map((o) => o.source), ['fallback']);
    clock.advance(2000);
    engine.answer();
    await tick();
    assert.deepEqual(outcomes.map((o) => o.source), ['fallback', 'elk']);
  });

  it('waits longer for a small first graph than for a big one, and uses the update deadline afterwards', async () => {
    const clock = new FakeClock();
    const engine = new ManualEngine();
    const outcomes: LayoutOutcome[] = [];
    const controller = new LayoutController({ engine, clock, measure, onLayout: (o) => outcomes.push(o), onError: () => undefined, deadlineMs: { first: 250, update: 400, firstSmall: 420 } });
    controller.update(model(PIPELINE));
    clock.advance(419);
    assert.equal(outcomes.length, 0);
    clock.advance(1);
    assert.equal(outcomes[0].source, 'fallback');
    const other = new LayoutController({ engine, clock, measure, onLayout: (o) => outcomes.push(o), onError: () => undefined, deadlineMs: { first: 250, update: 400, firstSmall: 420 } });
    other.update(model(largeDefinition(100)));
    clock.advance(250);
    assert.equal(outcomes.length, 2, 'a 100-activity graph is on screen at the short deadline');
    other.update(model(largeDefinition(101)));
    clock.advance(399);
    assert.equal(outcomes.length, 2);
    clock.advance(1);
    assert.equal(outcomes.length, 3);
  });

  it('keeps the placement while the structure does not change: no second layout', async () => {
    const { engine, outcomes, controller } = setup();
    controller.update(model(PIPELINE));
    engine.answer();
    await tick();
    const edited = { ...PIPELINE, activities: PIPELINE.activities.map((a) => ({ ...a, inputs: ['x ← y'], problems: [] })) };
    controller.update(model(edited));
    controller.update(model({ ...edited, activities: [...edited.activities].reverse() }));
    assert.equal(engine.calls.length, 1);
    assert.deepEqual(outcomes.map((o) => o.source), ['elk', 'reuse', 'reuse']);
    assert.equal(outcomes[2].placement, outcomes[0].placement);
    assert.equal(outcomes[2].layoutMs, 0);
  });

  it('lays out again, with the current positions as the previous ones, when the structure changes', async () => {
    const { engine, outcomes, controller } = setup();
    controller.update(model(PIPELINE));
    engine.answer();
    await tick();
    controller.update(model(withActivity(PIPELINE, { id: 'report', type: 'x', dependsOn: ['cleanup'] })));
    assert.equal(engine.calls.length, 2);
    const previous = engine.calls[1].options.previous!;
    assert.deepEqual(Object.keys(previous).sort(), PIPELINE.activities.map((a) => a.id).sort());
    assert.equal(previous['transform'].x, outcomes[0].placement.nodes.get('transform')!.x);
    assert.equal(engine.calls[0].options.previous, undefined);
  });

  it('drops an answer for a structure that is no longer current, and lays out the latest next', async () => {
    const { clock, engine, outcomes, controller } = setup();
    controller.update(model(PIPELINE));
    engine.answer();
    await tick();
    const b = withActivity(PIPELINE, { id: 'b', type: 'x' });
    const c = withActivity(b, { id: 'c', type: 'x' });
    const d = withActivity(c, { id: 'd', type: 'x' });
    controller.update(model(b));
    clock.advance(100);
    controller.update(model(c)); // waits behind b
    controller.update(model(d)); // replaces c
    assert.equal(engine.calls.length, 2);
    engine.answer(1); // b's answer: stale
    await tick();
    assert.equal(outcomes.filter((o) => o.source === 'elk').length, 1);
    assert.equal(engine.calls.length, 3, 'the latest (d) started');
    assert.deepEqual(engine.calls[2].graph.nodes.map((n) => n.id).slice(-3), ['b', 'c', 'd']);
    engine.answer(2);
    await tick();
    const last = outcomes[outcomes.length - 1];
    assert.equal(last.source, 'elk');
    assert.ok(last.placement.nodes.has('d'));
  });

  it('forgets the placement on screen when another definition is shown', async () => {
    const { engine, controller } = setup();
    controller.update(model(PIPELINE));
    engine.answer();
    await tick();
    controller.reset();
    controller.update(model(PIPELINE));
    assert.equal(engine.calls.length, 2, 'laid out afresh');
    assert.equal(engine.calls[1].options.previous, undefined);
  });

  it('cancels a running layout that was superseded after it ran a while', async () => {
    const { clock, engine, controller } = setup();
    controller.update(model(largeDefinition(50)));
    clock.advance(500);
    controller.update(model(largeDefinition(51)));
    assert.equal(engine.cancelled, 1);
    await tick();
    assert.equal(engine.calls.length, 1, 'the cancelled call was removed and the new one started');
    assert.equal(engine.calls[0].graph.nodes.length, 51);
  });

  it('draws the fallback at once when the engine fails, and reports the failure', async () => {
    const { engine, outcomes, errors, controller } = setup();
    controller.update(model(PIPELINE));
    engine.calls[0].reject(new Error('worker crashed'));
    await tick();
    assert.deepEqual(outcomes.map((o) => o.source), ['fallback']);
    assert.equal((errors[0] as Error).message, 'worker crashed');
  });

  it('re-lays out once typing stops when a label outgrew its box', async () => {
    const { clock, engine, outcomes, controller } = setup();
    controller.update(model(PIPELINE));
    engine.answer();
    await tick();
    const longer = { ...PIPELINE, activities: PIPELINE.activities.map((a) => (a.id === 'cleanup' ? { ...a, type: 'batch.cleanup.with-a-much-longer-type-name' } : a)) };
    controller.update(model(longer));
    assert.equal(outcomes[outcomes.length - 1].source, 'reuse');
    clock.advance(500);
    controller.update(model(longer)); // still typing: the timer starts again
    clock.advance(500);
    assert.equal(engine.calls.length, 1);
    clock.advance(300);
    assert.equal(engine.calls.length, 2);
    clock.advance(5000);
    assert.equal(outcomes[outcomes.length - 1].source, 'reuse', 'no fallback over a drawing of the same structure');
    engine.answer();
    await tick();
    assert.equal(outcomes[outcomes.length - 1].source, 'elk');
  });
});

describe('webview fallback layout', () => {
  const graph = toLayoutGraph(model(PIPELINE));

  function assertNoOverlap(p: Placement): void {
    const boxes = [...p.nodes.values()];
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        assert.ok(apart, `boxes ${i} and ${j} overlap`);
      }
    }
  }

  it('puts each tier on its own row, where ELK puts its layers', () => {
    const p = tieredLayout(graph, () => 120);
    for (const node of graph.nodes) assert.equal(p.nodes.get(node.id)!.y, SPACING.padding + node.tier * (BOX_HEIGHT + SPACING.layer), node.id);
    assertNoOverlap(p);
    assert.equal(boundsOf(p).minX, SPACING.padding);
  });

  it('centres a box under its dependencies', () => {
    const p = tieredLayout(graph, () => 120);
    const centre = (id: string) => p.nodes.get(id)!.x + 60;
    assert.equal(centre('transform'), (centre('extract-orders') + centre('extract-customers')) / 2);
  });

  it('routes every edge from the bottom of the dependency to the top of the dependent', () => {
    const p = tieredLayout(graph, () => 120);
    for (const e of graph.edges) {
      const points = p.edges.get(edgeKey(e.from, e.to))!;
      const from = p.nodes.get(e.from)!, to = p.nodes.get(e.to)!;
      assert.equal(points[0].y, from.y + from.height);
      assert.equal(points[points.length - 1].y, to.y);
    }
  });

  it('keeps every box of a previous placement where it was when an activity is added', () => {
    const before = tieredLayout(graph, () => 120);
    const grown = toLayoutGraph(model(withActivity(PIPELINE, { id: 'audit', type: 'x', dependsOn: ['extract-orders'] })));
    const after = tieredLayout(grown, () => 120, before);
    for (const [id, box] of before.nodes) assert.deepEqual(after.nodes.get(id), box, id);
    assertNoOverlap(after);
    assert.equal(after.nodes.get('audit')!.y, before.nodes.get('transform')!.y, 'the new box is on its tier\'s row');
  });

  it('places activities on a cycle on a row after the others', () => {
    const cyclic = toLayoutGraph(model({ type: 't', activities: [{ id: 'a', type: 'x' }, { id: 'b', type: 'x', dependsOn: ['a', 'c'] }, { id: 'c', type: 'x', dependsOn: ['b'] }] }));
    const p = tieredLayout(cyclic, () => 100);
    assert.ok(p.nodes.get('b')!.y > p.nodes.get('a')!.y);
    assert.equal(p.nodes.get('b')!.y, p.nodes.get('c')!.y);
    assertNoOverlap(p);
    assert.equal(p.edges.size, 3);
  });

  it('lays out a thousand activities in well under the deadline', () => {
    const big = toLayoutGraph(model(largeDefinition(1000)));
    const started = performance.now();
    const p = tieredLayout(big, () => 140);
    assert.ok(performance.now() - started < 250, `${performance.now() - started} ms: longer than the layout deadline`);
    assert.equal(p.nodes.size, 1000);
    assertNoOverlap(p);
  });
});

describe('webview layout stability with ELK', function () {
  this.timeout(120_000);

  /** Ids per layer (by y), each layer left to right. */
  function layers(layout: GraphLayout): Map<number, string[]> {
    const rows = new Map<number, { id: string; x: number }[]>();
    for (const n of layout.nodes) (rows.get(Math.round(n.y)) ?? rows.set(Math.round(n.y), []).get(Math.round(n.y))!).push({ id: n.id, x: n.x });
    return new Map([...rows].map(([y, row]) => [y, row.sort((a, b) => a.x - b.x).map((r) => r.id)]));
  }

  it('an added activity leaves every other one in its layer and in its order', async () => {
    const def = largeDefinition(40, 11);
    const first = await layoutGraph(toLayoutGraph(model(def)), { measureText: measure });
    const previous = Object.fromEntries(first.nodes.map((n) => [n.id, { x: n.x, y: n.y }]));
    const grown = withActivity(def, { id: 'extra', type: 'x', dependsOn: ['step_20'] });
    const second = await layoutGraph(toLayoutGraph(model(grown)), { measureText: measure, previous });
    const y1 = new Map(first.nodes.map((n) => [n.id, Math.round(n.y)]));
    for (const n of second.nodes) if (n.id !== 'extra') assert.equal(Math.round(n.y), y1.get(n.id), `${n.id} changed layer`);
    const before = layers(first), after = layers(second);
    for (const [y, row] of before) assert.deepEqual(after.get(y)!.filter((id) => id !== 'extra'), row, `order in the layer at y=${y}`);
  });
});
