import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { activityType, TempWorkspace } from './helpers';

const FLOW = {
  type: 'flow.example.com',
  description: 'Builds & ships <everything>',
  activities: [
    { id: 'build', type: 'step' },
    { id: 'test', type: 'step', dependsOn: 'build' },
    { id: 'lint', type: 'check<&>' },
    { id: 'ship', type: 'step', dependsOn: ['test', 'lint'], discriminator: 'deploy' },
  ],
};

describe('orch graph', () => {
  let ws: TempWorkspace;
  afterEach(() => ws?.dispose());

  it('writes a self-contained SVG with every id, type, arrowheads and the title', async () => {
    ws = new TempWorkspace({ 'flow.orch.json': FLOW, 'types.activity.json': [activityType('step'), activityType('check<&>')] });
    const r = await ws.run(['graph', 'flow.orch.json', '--svg', 'flow.svg']);
    assert.equal(r.code, 0, r.stderr);
    const svg = readFileSync(ws.path('flow.svg'), 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<\/svg>\n$/);
    for (const id of ['build', 'test', 'lint', 'ship']) assert.ok(svg.includes(`>${id}</text>`), `missing ${id}`);
    assert.ok(svg.includes('<title>flow.example.com</title>'));
    assert.ok(svg.includes('Builds &amp; ships &lt;everything&gt;'), 'description escaped');
    assert.ok(svg.includes('check&lt;&amp;&gt;'), 'type escaped');
    assert.ok(!svg.includes('check<&>'), 'no raw markup from the definition');
    assert.match(svg, /<marker id="arrow"/);
    assert.equal((svg.match(/marker-end="url\(#arrow\)"/g) ?? []).length, 3, 'one arrow per dependency');
    assert.ok(!svg.includes('url(#arrow-cycle)'), 'no cycle edges');
    assert.ok(svg.includes('>tier 1</text>') && svg.includes('>tier 3</text>'), 'tiers labelled');
    assert.ok(!/\b(href|src)=/.test(svg), 'self-contained');
    assert.match(r.stdout, /wrote flow\.svg: 4 activities, 3 dependencies/);
  });

  it('--svg - writes the SVG to stdout', async () => {
    ws = new TempWorkspace({ 'flow.orch.json': FLOW, 'types.activity.json': [activityType('step'), activityType('check<&>')] });
    const r = await ws.run(['graph', 'flow.orch.json', '--svg', '-']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^<svg /);
  });

  it('draws a cycle-only definition with the cycle in red, and exits 1', async () => {
    const cyclic = {
      type: 'cyclic.example.com',
      activities: [
        { id: 'start', type: 'step' },
        { id: 'a', type: 'step', dependsOn: ['start', 'b'] },
        { id: 'b', type: 'step', dependsOn: 'a' },
      ],
    };
    ws = new TempWorkspace({ 'cyclic.orch.json': cyclic, 'types.activity.json': [activityType('step')] });
    const r = await ws.run(['graph', 'cyclic.orch.json', '--svg', 'cyclic.svg']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error ORCH205/);
    const svg = readFileSync(ws.path('cyclic.svg'), 'utf8');
    assert.equal((svg.match(/marker-end="url\(#arrow-cycle\)"/g) ?? []).length, 2, 'a -> b and b -> a in red');
    assert.equal((svg.match(/marker-end="url\(#arrow\)"/g) ?? []).length, 1, 'start -> a in grey');
    assert.match(svg, /class="node cycle" data-id="a"/);
    assert.match(svg, /class="node" data-id="start"/);
  });

  it('does not draw a definition with other errors', async () => {
    const broken = { type: 'broken.example.com', activities: [{ id: 'a', type: 'step', dependsOn: 'missing' }] };
    ws = new TempWorkspace({ 'broken.orch.json': broken, 'types.activity.json': [activityType('step')] });
    const r = await ws.run(['graph', 'broken.orch.json', '--svg', 'broken.svg']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error ORCH202/);
    assert.match(r.stderr, /not drawn/);
    assert.ok(!existsSync(ws.path('broken.svg')));
  });

  it('needs --svg (exit 2)', async () => {
    ws = new TempWorkspace({ 'flow.orch.json': FLOW });
    const r = await ws.run(['graph', 'flow.orch.json']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /missing --svg/);
  });
});
