/**
 * The shared layout (runtime/layout): the ELK input built from a graph, the positions read back, the
 * graph derived from an analysis, and the SVG renderer's escaping. In-process: these are pure functions
 * (plus ELK itself), used by `orch graph` and the webview alike.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ElkNode } from 'elkjs/lib/elk-api';
import { ParsedDocument } from '../../runtime/analysis/document';
import { buildGraph } from '../../runtime/graph/graph';
import type { OrchestrationModel } from '../../runtime/model/located';
import { fromElkLayout, LARGE_GRAPH, monospaceWidth, NODE_METRICS, toElkGraph } from '../../runtime/layout/elkGraph';
import { layoutGraphOf, type LayoutGraph } from '../../runtime/layout/layoutGraph';
import { layoutGraph } from '../../runtime/layout/layoutNode';
import { escapeXml, renderSvg } from '../../runtime/layout/svg';
import { repoRoot } from './helpers';

function graphOf(activities: object[]): LayoutGraph {
  const doc = new ParsedDocument('file:///t.orch.json', JSON.stringify({ type: 't', activities }));
  return layoutGraphOf(buildGraph(doc.model as OrchestrationModel));
}

describe('graph layout', () => {
  it('derives nodes, tiers and cycle edges (self-dependencies included) from the analysis graph', () => {
    const graph = graphOf([
      { id: 'root', type: 't1' },
      { id: 'a', type: 't2', dependsOn: ['root', 'b'], discriminator: 'deploy' },
      { id: 'b', type: 't2', dependsOn: 'a' },
      { id: 'self', type: 't3', dependsOn: ['self', 'root'] },
      { id: 'after', type: 't3', dependsOn: 'b' },
    ]);
    assert.deepEqual(graph.nodes.map((n) => [n.id, n.tier, n.cycle]), [['root', 0, false], ['a', -1, true], ['b', -1, true], ['self', 1, true], ['after', -1, false]]);
    assert.equal(graph.nodes[1].discriminator, 'deploy');
    const edges = graph.edges.map((e) => `${e.from}->${e.to}${e.cycle ? '!' : ''}`).sort();
    assert.deepEqual(edges, ['a->b!', 'b->a!', 'b->after', 'root->a', 'root->self', 'self->self!']);
  });

  it('builds a layered, top-down ELK graph with measured boxes', () => {
    const graph = graphOf([{ id: 'short', type: 't' }, { id: 'a-rather-long-activity-id', type: 't', dependsOn: 'short' }]);
    const elk = toElkGraph(graph);
    assert.equal(elk.layoutOptions?.['elk.algorithm'], 'layered');
    assert.equal(elk.layoutOptions?.['elk.direction'], 'DOWN');
    assert.equal(elk.layoutOptions?.['elk.layered.layering.strategy'], 'LONGEST_PATH_SOURCE');
    assert.equal(elk.layoutOptions?.['elk.layered.considerModelOrder.strategy'], 'NODES_AND_EDGES');
    assert.equal(elk.children?.length, 2);
    assert.equal(elk.children?.[0].width, NODE_METRICS.minWidth);
    assert.equal(elk.children?.[1].width, monospaceWidth('a-rather-long-activity-id', NODE_METRICS.idFontSize) + 2 * NODE_METRICS.paddingX);
    assert.equal(elk.edges?.length, 1);
    // A measuring function from the caller (the webview measures real glyphs) sizes the boxes.
    const wide = toElkGraph(graph, { measureText: (text) => text.length * 20 });
    assert.equal(wide.children?.[1].width, NODE_METRICS.maxWidth);
    // Large graphs trade the file order for speed.
    const big = graphOf(Array.from({ length: LARGE_GRAPH + 1 }, (_, i) => ({ id: `n${i}`, type: 't' })));
    assert.equal(toElkGraph(big).layoutOptions?.['elk.layered.considerModelOrder.strategy'], 'NONE');
  });

  it('passes previous positions to ELK for a stable re-layout', () => {
    const graph = graphOf([{ id: 'a', type: 't' }, { id: 'b', type: 't' }]);
    const elk = toElkGraph(graph, { previous: { b: { x: 10, y: 20 } } });
    assert.equal(elk.layoutOptions?.['elk.layered.crossingMinimization.semiInteractive'], 'true');
    assert.equal(elk.children?.[0].layoutOptions, undefined);
    assert.equal(elk.children?.[1].layoutOptions?.['elk.position'], '(10,20)');
  });

  it('reads positions and edge routes back from ELK\'s answer', () => {
    const graph = graphOf([{ id: 'a', type: 't' }, { id: 'b', type: 't', dependsOn: 'a' }, { id: 'c', type: 't', dependsOn: 'a' }]);
    const input = toElkGraph(graph);
    const answer: ElkNode = {
      ...input,
      width: 300,
      height: 200,
      children: input.children?.map((c, i) => ({ ...c, x: i * 100, y: i * 50 })),
      edges: [{ ...input.edges![0], sections: [{ id: 's', startPoint: { x: 1, y: 2 }, bendPoints: [{ x: 3, y: 4 }], endPoint: { x: 5, y: 6 } }] }, input.edges![1]],
    };
    const layout = fromElkLayout(graph, answer);
    assert.deepEqual(layout.nodes.map((n) => [n.id, n.x, n.y]), [['a', 0, 0], ['b', 100, 50], ['c', 200, 100]]);
    assert.deepEqual(layout.edges[0], { from: 'a', to: 'b', points: [{ x: 1, y: 2 }, { x: 3, y: 4 }, { x: 5, y: 6 }] });
    // An edge without a route gets a straight line from the bottom of one box to the top of the other.
    assert.deepEqual(layout.edges[1].points, [{ x: NODE_METRICS.minWidth / 2, y: NODE_METRICS.height }, { x: 200 + NODE_METRICS.minWidth / 2, y: 100 }]);
    assert.equal(layout.width, 300);
  });

  it('lays tiers out as rows, top-down, with every edge routed downwards', async () => {
    const graph = graphOf([
      { id: 'a', type: 't' }, { id: 'b', type: 't' },
      { id: 'c', type: 't', dependsOn: ['a', 'b'] },
      { id: 'd', type: 't', dependsOn: 'c' }, { id: 'e', type: 't', dependsOn: 'a' },
    ]);
    const layout = await layoutGraph(graph);
    const y = new Map(layout.nodes.map((n) => [n.id, n.y]));
    assert.equal(y.get('a'), y.get('b'));
    assert.equal(y.get('c'), y.get('e'));
    assert.ok(y.get('a')! < y.get('c')! && y.get('c')! < y.get('d')!);
    for (const edge of layout.edges) {
      assert.ok(edge.points.length >= 2);
      assert.ok(edge.points[0].y < edge.points[edge.points.length - 1].y, `${edge.from} -> ${edge.to} points down`);
    }
    for (const a of layout.nodes) for (const b of layout.nodes) {
      if (a === b) continue;
      const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
      assert.ok(!overlap, `${a.id} overlaps ${b.id}`);
    }
  });

  it('escapes text for XML, including characters XML cannot hold', () => {
    assert.equal(escapeXml(`<a href="x">&'</a>`), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
    assert.equal(escapeXml('bell\u0007 tab\t lone\uD800 pair\uD83D\uDE00'), 'bell\uFFFD tab\t lone\uFFFD pair\uD83D\uDE00');
  });

  it('renders ids and types escaped, with one arrow per edge', async () => {
    const graph = graphOf([{ id: 'a', type: '<script>alert(1)</script>' }, { id: 'b', type: 't', dependsOn: 'a' }]);
    const svg = renderSvg(graph, await layoutGraph(graph), { title: 'T & "quotes"' });
    assert.ok(!svg.includes('<script>'));
    assert.ok(svg.includes('&lt;script&gt;'));
    assert.ok(svg.includes('<title>T &amp; &quot;quotes&quot;</title>'));
    assert.equal((svg.match(/marker-end=/g) ?? []).length, 1);
  });

  it('keeps the shared layout code free of Node and DOM APIs (the webview compiles it)', () => {
    for (const file of ['elkGraph.ts', 'layoutGraph.ts', 'svg.ts']) {
      const source = readFileSync(join(repoRoot, 'runtime', 'layout', file), 'utf8');
      const imports = [...source.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
      for (const name of imports) {
        assert.ok(name.startsWith('.') || name === 'elkjs/lib/elk-api', `${file} imports ${name}`);
      }
      const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      assert.ok(!/\b(document|window|process|require|Buffer)\b\s*[.(]/.test(code), `${file} uses a host API`);
    }
  });
});
