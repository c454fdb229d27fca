import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { activityType, TempWorkspace } from './helpers';

/** Two independent roots, a join, and a tail: tiers [a, b], [c], [d, e]; longest chain a -> c -> d. */
const DIAMOND = {
  type: 'diamond.example.com',
  activities: [
    { id: 'b', type: 'step' },
    { id: 'a', type: 'step' },
    { id: 'c', type: 'step', dependsOn: ['a', 'b'] },
    { id: 'd', type: 'step', dependsOn: 'c' },
    { id: 'e', type: 'step', dependsOn: ['a'] },
  ],
};

describe('orch plan', () => {
  let ws: TempWorkspace;
  afterEach(() => ws?.dispose());

  it('prints the tiers, the activity count and the critical path', async () => {
    ws = new TempWorkspace({ 'diamond.orch.json': DIAMOND, 'types.activity.json': [activityType('step')] });
    const r = await ws.run(['plan', 'diamond.orch.json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, readFileSync(join(__dirname, 'golden', 'plan-diamond.txt'), 'utf8'));
  });

  it('--json prints exactly { tiers }', async () => {
    ws = new TempWorkspace({ 'diamond.orch.json': DIAMOND, 'types.activity.json': [activityType('step')] });
    const r = await ws.run(['plan', 'diamond.orch.json', '--json']);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), { tiers: [['a', 'b'], ['c', 'e'], ['d']] });
  });

  it('prints an empty plan for a definition without activities', async () => {
    ws = new TempWorkspace({ 'empty.orch.json': { type: 'empty.example.com', activities: [] } });
    const json = await ws.run(['plan', 'empty.orch.json', '--json']);
    assert.deepEqual(JSON.parse(json.stdout), { tiers: [] });
    const text = await ws.run(['plan', 'empty.orch.json']);
    assert.match(text.stdout, /0 activities in 0 tiers/);
    assert.equal(text.code, 0);
  });

  it('prints warnings on stderr and still plans', async () => {
    ws = new TempWorkspace({ 'diamond.orch.json': DIAMOND });
    const r = await ws.run(['plan', 'diamond.orch.json']);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /warning ORCH301/);
    assert.match(r.stdout, /^tier 1: a, b$/m);
  });

  it('prints the diagnostics of an invalid definition and exits 1', async () => {
    const cyclic = { type: 'cyclic.example.com', activities: [{ id: 'a', type: 'step', dependsOn: 'b' }, { id: 'b', type: 'step', dependsOn: 'a' }] };
    ws = new TempWorkspace({ 'cyclic.orch.json': cyclic, 'types.activity.json': [activityType('step')] });
    const json = await ws.run(['plan', 'cyclic.orch.json', '--json']);
    assert.equal(json.code, 1);
    const out = JSON.parse(json.stdout) as { diagnostics: { file: string; code: string; range: unknown }[] };
    assert.deepEqual(Object.keys(out), ['diagnostics']);
    assert.ok(out.diagnostics.some((d) => d.code === 'ORCH205' && d.file === 'cyclic.orch.json'));
    const text = await ws.run(['plan', 'cyclic.orch.json']);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /^cyclic\.orch\.json:\d+:\d+ error ORCH205 /m);
    assert.ok(!/^tier /m.test(text.stdout));
  });

  it('refuses a file that is not an orchestration definition, a folder, or two files (exit 2)', async () => {
    ws = new TempWorkspace({ 'types.activity.json': [activityType('step')], 'diamond.orch.json': DIAMOND });
    for (const args of [['plan', 'types.activity.json'], ['plan', '.'], ['plan', 'diamond.orch.json', 'diamond.orch.json'], ['plan'], ['plan', 'missing.orch.json']]) {
      const r = await ws.run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, r.stderr);
    }
  });
});
