import assert from 'node:assert/strict';
import { ParsedDocument } from '../../runtime/analysis/document';
import { buildGraph, criticalPath, downstreamOf, isUpstream, ReachScratch, upstreamOf, type Graph } from '../../runtime/graph/graph';
import type { OrchestrationModel } from '../../runtime/model/located';

type Spec = Record<string, string[]>;

/** A graph from `{ id: [dependencies] }`, in key order, through the real parser and model. */
function graphOf(spec: Spec): Graph {
  const activities = Object.entries(spec).map(([id, dependsOn]) => ({ id, type: 'x', dependsOn }));
  const doc = new ParsedDocument('file:///w/g.orch.json', JSON.stringify({ type: 't', activities }));
  return buildGraph(doc.model as OrchestrationModel);
}

function tierMap(graph: Graph): Record<string, number> {
  return Object.fromEntries(graph.ids.map((id, i) => [id, graph.tierOf[i]]));
}

function ids(graph: Graph, nodes: Iterable<number>): string[] {
  return [...nodes].map((i) => graph.ids[i]).sort();
}

function assertTopological(graph: Graph): void {
  const position = new Map(graph.order.map((node, i) => [node, i]));
  for (const node of graph.order) for (const dep of graph.deps[node]) assert.ok(position.get(dep)! < position.get(node)!, `${graph.ids[dep]} before ${graph.ids[node]}`);
}

/** Deterministic pseudo-random numbers (mulberry32), so property tests are reproducible. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('graph', () => {
  describe('tiers and order', () => {
    it('a linear chain has one activity per tier', () => {
      const g = graphOf({ a: [], b: ['a'], c: ['b'] });
      assert.deepEqual(g.tiers, [['a'], ['b'], ['c']]);
      assert.deepEqual(tierMap(g), { a: 0, b: 1, c: 2 });
      assert.deepEqual(ids(g, g.order), ['a', 'b', 'c']);
      assert.deepEqual(g.order, [0, 1, 2]);
      assert.deepEqual(g.cycles, []);
    });

    it('a diamond puts both branches on one tier, sorted', () => {
      const g = graphOf({ top: [], right: ['top'], left: ['top'], bottom: ['right', 'left'] });
      assert.deepEqual(g.tiers, [['top'], ['left', 'right'], ['bottom']]);
      assertTopological(g);
      assert.equal(g.edges.length, 4);
    });

    it('the tier is the longest path from a root (ASAP), not the shortest', () => {
      const g = graphOf({ a: [], b: ['a'], c: ['b'], d: ['a', 'c'] });
      assert.deepEqual(tierMap(g), { a: 0, b: 1, c: 2, d: 3 });
    });

    it('disconnected parts share tiers', () => {
      const g = graphOf({ a: [], b: ['a'], x: [], y: ['x'], z: ['y'], lone: [] });
      assert.deepEqual(g.tiers, [['a', 'lone', 'x'], ['b', 'y'], ['z']]);
      assert.equal(g.order.length, 6);
      assertTopological(g);
    });

    it('an empty definition has no tiers, order or cycles', () => {
      const g = graphOf({});
      assert.deepEqual([g.ids, g.tiers, g.order, g.cycles, g.edges], [[], [], [], [], []]);
      assert.equal(g.tierOf.length, 0);
    });

    it('nodes on or after a cycle get tier -1 and stay out of the order and the tiers', () => {
      const g = graphOf({ a: [], b: ['a', 'c'], c: ['b'], d: ['c'], e: ['a'] });
      assert.deepEqual(tierMap(g), { a: 0, b: -1, c: -1, d: -1, e: 1 });
      assert.deepEqual(g.tiers, [['a'], ['e']]);
      assert.deepEqual(ids(g, g.order), ['a', 'e']);
    });

    it('ignores unknown, self and repeated dependencies, and the later of two activities with one id', () => {
      const g = graphOf({ a: [], b: ['a', 'a', 'b', 'nope'] });
      assert.deepEqual(g.deps, [[], [0]]);
      assert.deepEqual(g.dependents, [[1], []]);
      assert.equal(g.edges.length, 1);
      assert.deepEqual(g.cycles, []);
      const doc = new ParsedDocument('file:///w/g.orch.json', JSON.stringify({ type: 't', activities: [{ id: 'a', type: 'x' }, { id: 'a', type: 'y', dependsOn: 'a' }] }));
      const dup = buildGraph(doc.model as OrchestrationModel);
      assert.deepEqual(dup.ids, ['a']);
      assert.equal(dup.activities[0].type, 'x');
    });

    it('an activity with thousands of (repeated) dependencies keeps each once', () => {
      const spec: Spec = {};
      const many: string[] = [];
      for (let i = 0; i < 20000; i++) { spec[`n${i}`] = []; many.push(`n${i}`); }
      spec.sink = [...many, ...many];
      const g = graphOf(spec);
      assert.equal(g.deps[20000].length, 20000);
      assert.deepEqual(g.tiers.map((t) => t.length), [20000, 1]);
    });
  });

  describe('cycles', () => {
    it('gives each cycle as a closed path from its first activity, following dependsOn', () => {
      // a depends on b, b on c, c on a.
      const g = graphOf({ a: ['b'], b: ['c'], c: ['a'] });
      assert.deepEqual(g.cycles.map((c) => c.map((i) => g.ids[i])), [['a', 'b', 'c', 'a']]);
    });

    it('gives one path per strongly connected component, the shortest through its first node', () => {
      const g = graphOf({ root: [], a: ['b', 'root'], b: ['c', 'a'], c: ['a'], x: ['y'], y: ['x'], after: ['x'] });
      assert.deepEqual(g.cycles.map((c) => c.map((i) => g.ids[i])), [['a', 'b', 'a'], ['x', 'y', 'x']]);
      assert.equal(g.tierOf[g.indexOf.get('after')!], -1);
    });

    it('handles a cycle through 50,000 activities without overflowing the stack', () => {
      const spec: Spec = {};
      const n = 50000;
      for (let i = 0; i < n; i++) spec[`n${i}`] = [`n${(i + 1) % n}`];
      const g = graphOf(spec);
      assert.equal(g.cycles.length, 1);
      assert.equal(g.cycles[0].length, n + 1);
      assert.equal(g.cycles[0][0], 0);
      assert.equal(g.cycles[0][1], 1);
    });
  });

  describe('reachability', () => {
    const g = graphOf({ a: [], b: ['a'], c: ['b'], d: ['a'], e: ['c', 'd'], x: [] });
    const at = (id: string) => g.indexOf.get(id)!;

    it('upstreamOf and downstreamOf follow dependencies both ways, excluding the node', () => {
      assert.deepEqual(ids(g, upstreamOf(g, at('e'))), ['a', 'b', 'c', 'd']);
      assert.deepEqual(ids(g, upstreamOf(g, at('a'))), []);
      assert.deepEqual(ids(g, downstreamOf(g, at('a'))), ['b', 'c', 'd', 'e']);
      assert.deepEqual(ids(g, downstreamOf(g, at('c'))), ['e']);
      assert.deepEqual(ids(g, downstreamOf(g, at('x'))), []);
    });

    it('isUpstream answers direct, indirect and negative questions', () => {
      const scratch = new ReachScratch(g.ids.length);
      assert.equal(isUpstream(g, at('c'), at('e'), scratch), true);
      assert.equal(isUpstream(g, at('a'), at('e'), scratch), true);
      assert.equal(isUpstream(g, at('b'), at('e')), true, 'without a scratch');
      assert.equal(isUpstream(g, at('d'), at('c'), scratch), false);
      assert.equal(isUpstream(g, at('e'), at('a'), scratch), false, 'downstream is not upstream');
      assert.equal(isUpstream(g, at('x'), at('e'), scratch), false, 'another part of the graph');
      assert.equal(isUpstream(g, at('a'), at('a'), scratch), false, 'not upstream of itself');
      assert.equal(isUpstream(g, -1, at('a'), scratch), false);
    });

    it('isUpstream works on and after cycles', () => {
      const c = graphOf({ a: [], b: ['a', 'c'], c: ['b'], d: ['c'], e: ['a'] });
      const id = (s: string) => c.indexOf.get(s)!;
      const scratch = new ReachScratch(c.ids.length);
      assert.equal(isUpstream(c, id('a'), id('d'), scratch), true);
      assert.equal(isUpstream(c, id('b'), id('d'), scratch), true);
      assert.equal(isUpstream(c, id('b'), id('b'), scratch), true, 'a node on a cycle reaches itself');
      assert.equal(isUpstream(c, id('d'), id('b'), scratch), false);
      assert.equal(isUpstream(c, id('b'), id('e'), scratch), false);
      assert.equal(isUpstream(c, id('e'), id('d'), scratch), false);
    });

    it('isUpstream agrees with upstreamOf on random graphs, with one shared scratch', () => {
      for (let seed = 1; seed <= 6; seed++) {
        const next = random(seed);
        const spec: Spec = {};
        const n = 120;
        for (let i = 0; i < n; i++) {
          const deps: string[] = [];
          // Mostly backwards edges (a DAG); seeds > 3 add a few forward edges, hence cycles.
          for (let k = 0; k < 3; k++) {
            if (i > 0 && next() < 0.7) deps.push(`n${Math.floor(next() * i)}`);
            if (seed > 3 && next() < 0.02) deps.push(`n${Math.floor(next() * n)}`);
          }
          spec[`n${i}`] = deps;
        }
        const graph = graphOf(spec);
        const scratch = new ReachScratch(n);
        for (let node = 0; node < n; node++) {
          const expected = upstreamOf(graph, node);
          // upstreamOf leaves the node out even on a cycle; isUpstream says whether it reaches itself.
          for (let candidate = 0; candidate < n; candidate++) {
            if (candidate === node) continue;
            assert.equal(isUpstream(graph, candidate, node, scratch), expected.has(candidate), `seed ${seed}: n${candidate} upstream of n${node}`);
          }
        }
      }
    });

    it('a scratch used on another graph forgets what it learnt about the first', () => {
      const first = graphOf({ a: [], b: ['a'], c: ['b'] });
      const second = graphOf({ a: [], b: [], c: ['b'] });
      const scratch = new ReachScratch(3);
      assert.equal(isUpstream(first, 0, 2, scratch), true);
      assert.equal(isUpstream(second, 0, 2, scratch), false);
      assert.equal(isUpstream(first, 0, 2, scratch), true);
    });

    it('answers every query on a 10,000-step chain with a shared scratch', () => {
      const spec: Spec = { n0: [] };
      const n = 10000;
      for (let i = 1; i < n; i++) spec[`n${i}`] = [`n${i - 1}`];
      const chain = graphOf(spec);
      const scratch = new ReachScratch(n);
      for (let i = n - 1; i > 0; i--) assert.equal(isUpstream(chain, 0, i, scratch), true);
      for (let i = 1; i < n; i++) assert.equal(isUpstream(chain, i, i - 1, scratch), false);
    });
  });

  describe('criticalPath', () => {
    it('follows the heaviest chain of dependencies', () => {
      const g = graphOf({ a: [], fast: ['a'], slow: ['a'], end: ['fast', 'slow'], side: [] });
      const weights: Record<string, number> = { a: 1, fast: 2, slow: 10, end: 3, side: 5 };
      assert.deepEqual(criticalPath(g, (id) => weights[id]), { path: ['a', 'slow', 'end'], total: 14 });
    });

    it('a lone heavy activity can be the critical path; negative weights count as zero', () => {
      const g = graphOf({ a: [], b: ['a'], heavy: [] });
      assert.deepEqual(criticalPath(g, (id) => (id === 'heavy' ? 100 : id === 'b' ? -5 : 1)), { path: ['heavy'], total: 100 });
    });

    it('is empty for an empty graph and skips activities on cycles', () => {
      assert.deepEqual(criticalPath(graphOf({}), () => 1), { path: [], total: 0 });
      const g = graphOf({ a: [], b: ['a', 'c'], c: ['b'] });
      assert.deepEqual(criticalPath(g, () => 1), { path: ['a'], total: 1 });
    });
  });
});
