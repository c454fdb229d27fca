import * as assert from 'node:assert/strict';
import { activityType, TempWorkspace } from './helpers';

const BROKEN = [
  '{',
  '  "type": "broken.example.com",',
  '  "activities": [',
  '    { "id": "build", "type": "step" },',
  '    { "id": "deploy", "type": "step", "dependsOn": ["build", "biuld"] }',
  '  ]',
  '}',
  '',
].join('\n');

const DUPLICATE = [
  '{',
  '  "type": "dup.example.com",',
  '  "activities": [',
  '    { "id": "a", "type": "step" },',
  '    { "id": "a", "type": "step" }',
  '  ]',
  '}',
  '',
].join('\n');

const VALID = {
  type: 'ok.example.com',
  activities: [
    { id: 'build', type: 'step' },
    { id: 'deploy', type: 'step', dependsOn: 'build' },
  ],
};

describe('orch validate', () => {
  let ws: TempWorkspace;
  afterEach(() => ws?.dispose());

  it('exits 0 and prints a summary for a valid workspace (cwd by default)', async () => {
    ws = new TempWorkspace({ 'flows/ok.orch.json': VALID, 'types.activity.json': [activityType('step')] });
    const r = await ws.run(['validate']);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, '2 files, 0 errors, 0 warnings\n');
    assert.equal(r.code, 0);
  });

  it('reports an error as file:line:col severity code message and exits 1', async () => {
    ws = new TempWorkspace({ 'broken.orch.json': BROKEN, 'types.activity.json': [activityType('step')] });
    const r = await ws.run(['validate', 'broken.orch.json']);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    // "biuld" starts at line 5, column 62 (1-based; the column of its opening quote).
    assert.match(lines[0], /^broken\.orch\.json:5:62 error ORCH202 .*'biuld'/);
    assert.equal(lines[lines.length - 1], '1 file, 1 error, 0 warnings');
    assert.ok(!r.stdout.includes('\x1b['), 'no colours when stdout is not a terminal');
  });

  it('prints related locations indented under the diagnostic', async () => {
    ws = new TempWorkspace({ 'dup.orch.json': DUPLICATE, 'types.activity.json': [activityType('step')] });
    const r = await ws.run(['validate', 'dup.orch.json']);
    assert.equal(r.code, 1);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^dup\.orch\.json:5:13 error ORCH201 /);
    assert.match(lines[1], /^ {4}dup\.orch\.json:4:13 \S/);
  });

  it('--format json gives 0-based ranges, related locations and a summary', async () => {
    ws = new TempWorkspace({ 'dup.orch.json': DUPLICATE, 'broken.orch.json': BROKEN, 'types.activity.json': [activityType('step')] });
    const r = await ws.run(['validate', 'dup.orch.json', 'broken.orch.json', '--format', 'json']);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as { diagnostics: Record<string, unknown>[]; summary: Record<string, number> };
    assert.deepEqual(out.summary, { files: 2, errors: 2, warnings: 0, notes: 0 });
    const [dup, unknown] = out.diagnostics;
    assert.deepEqual(Object.keys(dup), ['file', 'range', 'severity', 'code', 'message', 'related']);
    assert.equal(dup.file, 'dup.orch.json');
    assert.deepEqual(dup.range, { start: { line: 4, character: 12 }, end: { line: 4, character: 15 } });
    assert.equal(dup.severity, 'error');
    assert.equal(dup.code, 'ORCH201');
    const related = dup.related as { file: string; range: unknown; message: string }[];
    assert.equal(related.length, 1);
    assert.equal(related[0].file, 'dup.orch.json');
    assert.deepEqual(related[0].range, { start: { line: 3, character: 12 }, end: { line: 3, character: 15 } });
    assert.equal(typeof related[0].message, 'string');
    assert.equal(unknown.file, 'broken.orch.json');
    assert.equal(unknown.code, 'ORCH202');
    assert.deepEqual(unknown.range, { start: { line: 4, character: 61 }, end: { line: 4, character: 68 } });
  });

  it('exits 0 when there are only warnings', async () => {
    // No ActivityDefinition declares 'step': an unknown type is a warning.
    ws = new TempWorkspace({ 'ok.orch.json': VALID });
    const r = await ws.run(['validate']);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /ok\.orch\.json:\d+:\d+ warning ORCH301 /);
    assert.match(r.stdout, /1 file, 0 errors, 2 warnings\n$/);
  });

  it('reports syntax errors with their position', async () => {
    ws = new TempWorkspace({ 'bad.orch.json': '{\n  "type": "x",\n  "activities": [\n' });
    const r = await ws.run(['validate', 'bad.orch.json']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^bad\.orch\.json:\d+:\d+ error ORCH001 /m);
  });

  it('finds activity definitions in the file\'s parent folders, not in sibling folders', async () => {
    ws = new TempWorkspace({
      'types.activity.json': [activityType('step')],
      'flows/deploy/ok.orch.json': VALID,
      'elsewhere/other.activity.json': [activityType('elsewhere')],
      'flows/deploy/nested/more.activity.json': [activityType('nested')],
    });
    const uses = { type: 'uses.example.com', activities: [{ id: 'a', type: 'step' }, { id: 'b', type: 'nested' }, { id: 'c', type: 'elsewhere' }] };
    ws.write('flows/deploy/uses.orch.json', uses);
    const r = await ws.run(['validate', 'flows/deploy/uses.orch.json', '--format', 'json']);
    const out = JSON.parse(r.stdout) as { diagnostics: { code: string; message: string }[] };
    // 'step' (root, a parent) and 'nested' (below the file's own folder) are found; 'elsewhere' is not.
    assert.deepEqual(out.diagnostics.map((d) => d.code), ['ORCH301']);
    assert.match(out.diagnostics[0].message, /'elsewhere'/);
    assert.equal(r.code, 0);
  });

  it('--defs replaces the default lookup', async () => {
    ws = new TempWorkspace({ 'flows/ok.orch.json': VALID, 'shared/types.activity.json': [activityType('step')] });
    const without = await ws.run(['validate', 'flows/ok.orch.json']);
    assert.match(without.stdout, /ORCH301/);
    const withDefs = await ws.run(['validate', 'flows/ok.orch.json', '--defs', 'shared']);
    assert.equal(withDefs.stdout, '1 file, 0 errors, 0 warnings\n');
  });

  it('validates every definition below a folder argument', async () => {
    ws = new TempWorkspace({ 'a/one.orch.json': VALID, 'a/b/two.orch.json': BROKEN, 'a/types.activity.json': [activityType('step')], 'other/three.orch.json': BROKEN });
    const r = await ws.run(['validate', 'a']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`^a[\\\\/]b[\\\\/]two\\.orch\\.json:5:62 error ORCH202`, 'm'));
    assert.ok(!r.stdout.includes('three'));
    assert.match(r.stdout, /3 files, 1 error, 0 warnings\n$/);
  });

  it('reports a JSON file that is no definition (ORCH005)', async () => {
    ws = new TempWorkspace({ 'data.json': { hello: 'world' } });
    const r = await ws.run(['validate', 'data.json']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^data\.json:1:1 error ORCH005 /);
  });

  it('exits 2 with one line on stderr for a missing path', async () => {
    ws = new TempWorkspace();
    const r = await ws.run(['validate', 'nope.orch.json']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, r.stderr);
    assert.match(r.stderr, /nope\.orch\.json/);
  });

  it('exits 2 with one line on stderr for an unknown flag or a bad value', async () => {
    ws = new TempWorkspace({ 'ok.orch.json': VALID });
    const unknown = await ws.run(['validate', '--formt', 'json']);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr.split('\n').filter(Boolean).length, 1, unknown.stderr);
    assert.match(unknown.stderr, /unknown flag --formt.*did you mean --format/);
    const bad = await ws.run(['validate', '--format', 'xml']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--format must be text or json/);
    const missing = await ws.run(['validate', '--format']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--format needs a value/);
  });

  it('treats arguments after -- as paths', async () => {
    ws = new TempWorkspace({ '--odd.orch.json': VALID, 'types.activity.json': [activityType('step')] });
    const r = await ws.run(['validate', '--', '--odd.orch.json']);
    assert.equal(r.stdout, '1 file, 0 errors, 0 warnings\n');
    assert.equal(r.code, 0);
  });
});
