import assert from 'node:assert/strict';
import type { NodeRunInfo } from '../../client/graph/protocol';
import { criticalPath } from '../../media/graph/criticalPath';
import { tieredLayout } from '../../media/graph/fallbackLayout';
import { DEFAULT_PALETTE, paletteKeys, sanitizePalette } from '../../media/graph/palette';
import { bandsOf, fitText, markerDefs, nodeElement, type El } from '../../media/graph/scene';
import { exportCss, exportSvg, pngScale, toMarkup, type ExportInput } from '../../media/graph/svgExport';
import { buildViewModel, toLayoutGraph } from '../../media/graph/viewModel';
import { graphMessage, PIPELINE, type SampleDefinition } from '../webview/samples';

const measure = (text: string, size: number) => text.length * size * 0.6;
const T0 = 1_700_000_000_000;

function input(def: SampleDefinition, extra: Partial<ExportInput> = {}): ExportInput {
  const model = buildViewModel(graphMessage(def));
  const placement = tieredLayout(toLayoutGraph(model), () => 180);
  return { model, placement, run: null, nodes: new Map(), now: T0, tiers: false, palette: DEFAULT_PALETTE, measure, ...extra };
}

function count(markup: string, pattern: RegExp): number {
  return markup.match(pattern)?.length ?? 0;
}

describe('webview SVG export', () => {
  it('serialises element trees with every attribute and text escaped', () => {
    const el: El = { tag: 'g', attrs: { 'data-id': 'a"b<c>&', skip: undefined }, children: [{ tag: 'text', attrs: {}, text: '</text><script>x</script>' }, { tag: 'rect', attrs: { x: 1 } }] };
    assert.equal(toMarkup(el), '<g data-id="a&quot;b&lt;c&gt;&amp;"><text>&lt;/text&gt;&lt;script&gt;x&lt;/script&gt;</text><rect x="1"/></g>');
  });

  it('draws one group per activity and one path per edge, with the run\'s states', () => {
    const nodes = new Map<string, NodeRunInfo>([['transform', { state: 'running', attempt: 2, startedAt: T0 - 4200 }], ['extract-orders', { state: 'succeeded', attempt: 1, startedAt: T0 - 9000, endedAt: T0 - 6860 }]]);
    const { markup, width, height } = exportSvg(input(PIPELINE, { run: { runId: 'r1', state: 'running', startedAt: T0 - 9000 }, nodes }));
    assert.equal(count(markup, /<g class="node /g), 6);
    assert.equal(count(markup, /<path class="edge/g), 6);
    assert.match(markup, /<g class="node state-running[^"]*" data-id="transform" data-state="running"/);
    assert.match(markup, /<text class="duration"[^>]*>4\.2 s<\/text>/);
    assert.match(markup, /<text class="attempt"[^>]*>attempt 2<\/text>/);
    assert.match(markup, /<text class="duration"[^>]*>2\.1 s<\/text>/);
    assert.match(markup, /run r1 · running · 9\.0 s/);
    assert.match(markup, new RegExp(`^<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"`));
    assert.ok(!/<script|foreignObject|href=|var\(--/.test(markup), 'self-contained: no scripts, links or theme variables');
  });

  it('escapes hostile ids, types and descriptions', () => {
    const evil: SampleDefinition = {
      type: '<script>alert(1)</script>', description: 'a & b',
      activities: [{ id: 'x', type: '"><img src=x onerror=alert(1)>' }, { id: 'y', type: 't\u0001', dependsOn: ['x'] }],
    };
    const { markup } = exportSvg(input(evil));
    assert.ok(!markup.includes('<script>') && !markup.includes('<img'));
    assert.match(markup, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.ok(!markup.includes('\u0001'), 'characters XML forbids are replaced');
    assert.match(markup, /<desc>a &amp; b<\/desc>/);
  });

  it('writes the theme\'s resolved colours, and only values that are plainly colours', () => {
    const palette = sanitizePalette((key) => (key === 'bg' ? '#1f1f1f' : key === 'edge' ? 'red;}</style><script>x</script>' : key === 'font' ? '"DejaVu Sans Mono", monospace' : ''));
    assert.equal(palette.bg, '#1f1f1f');
    assert.equal(palette.edge, DEFAULT_PALETTE.edge, 'an injection attempt falls back to the default');
    assert.equal(palette.font, '"DejaVu Sans Mono", monospace');
    for (const key of paletteKeys()) assert.ok(palette[key], key);
    const css = exportCss(palette);
    assert.match(css, /\.node\.state-failed \.stripe,\.node\.state-failed \.dot\{fill:#e51400\}/);
    assert.ok(!css.includes('</style>'));
    const { markup } = exportSvg(input(PIPELINE, { palette }));
    assert.match(markup, /<rect width="100%" height="100%" fill="#1f1f1f"\/>/);
  });

  it('draws the critical path and tier bands when they are on', () => {
    const base = input(PIPELINE);
    const nodes = new Map<string, NodeRunInfo>(base.model.nodes.map((n, i) => [n.id, { state: 'succeeded', attempt: 1, startedAt: T0 + i, endedAt: T0 + i + 1000 * (i + 1) }]));
    const critical = criticalPath(base.model, nodes, undefined, T0);
    const { markup } = exportSvg({ ...base, nodes, critical, tiers: true });
    assert.equal(count(markup, /class="node [^"]*critical/g), critical.nodes.size);
    assert.equal(count(markup, /class="edge[^"]*critical/g), critical.edges.size);
    assert.equal(count(markup, /class="node [^"]*dimmed/g), 6 - critical.nodes.size);
    assert.equal(count(markup, /<g class="band( odd)?"/g), 4);
    assert.match(markup, />tier 4<\/text>/);
  });

  it('has one arrowhead marker per edge look', () => {
    const ids = markerDefs().children!.map((m) => m.attrs.id);
    assert.deepEqual(ids, ['arrow-default', 'arrow-cycle', 'arrow-error', 'arrow-warning', 'arrow-related', 'arrow-critical']);
  });

  it('cuts labels that do not fit with an ellipsis', () => {
    assert.equal(fitText('short', 100, 10, measure), 'short');
    const cut = fitText('a-very-long-activity-identifier', 60, 10, measure);
    assert.ok(cut.endsWith('…') && measure(cut, 10) <= 60, cut);
    assert.equal(fitText('abc', 1, 10, measure), '…');
  });

  it('gives each box stable test hooks and no inline style', () => {
    const model = buildViewModel(graphMessage(PIPELINE));
    const el = nodeElement(model.byId.get('cleanup')!, { x: 10, y: 20, width: 180, height: 46 }, { state: 'pending', attempt: 0 }, {}, { measure, now: T0 });
    assert.equal(el.attrs['data-id'], 'cleanup');
    assert.equal(el.attrs['data-state'], 'pending');
    assert.equal(el.attrs.tabindex, 0);
    assert.equal(el.attrs.transform, 'translate(10 20)');
    const walk = (e: El): boolean => !('style' in e.attrs) && (e.children ?? []).every(walk);
    assert.ok(walk(el));
    assert.deepEqual(el.children!.map((c) => c.attrs.class), ['halo', 'box', 'stripe', 'id', 'type', 'dot', 'duration', 'attempt']);
    const exported = nodeElement(model.byId.get('cleanup')!, { x: 10, y: 20, width: 180, height: 46 }, undefined, {}, { measure, now: T0, forExport: true });
    assert.deepEqual(exported.children!.map((c) => c.attrs.class ?? c.tag), ['title', 'box', 'stripe', 'id', 'type', 'dot', 'duration', 'attempt']);
    assert.equal(exported.attrs.tabindex, undefined);
  });

  it('bands need each tier on its own row', () => {
    const model = buildViewModel(graphMessage(PIPELINE));
    const placement = tieredLayout(toLayoutGraph(model), () => 180);
    assert.deepEqual(bandsOf(model, placement).map((b) => b.tier), [1, 2, 3, 4]);
    placement.nodes.get('cleanup')!.y = placement.nodes.get('transform')!.y; // tier 4 drawn on tier 2's row
    assert.deepEqual(bandsOf(model, placement), []);
  });

  it('scales the PNG to twice the size, less when a canvas could not hold it', () => {
    assert.equal(pngScale(1000, 800), 2);
    assert.equal(pngScale(40_000, 400), 16_384 / 40_000, 'the longest side');
    assert.equal(pngScale(40_000, 8_000), Math.sqrt(40_000_000 / (40_000 * 8_000)), 'the area');
    assert.ok(pngScale(12_000, 12_000) * 12_000 * pngScale(12_000, 12_000) * 12_000 <= 40_000_001);
  });
});
