import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startRun } from '../../../runtime/engine/engine';
import { mergeInput, readPath, setPath } from '../../../runtime/engine/inputs';
import { RunRefusedError } from '../../../runtime/engine/load';
import { FakeProvider } from '../support/fakes';
import { act, activityTypes, definition, runDefinition, testWorkspace, type TestWorkspace } from '../support/harness';

describe('engine: inputs', () => {
  let ws: TestWorkspace;
  beforeEach(() => { ws = testWorkspace(); });
  afterEach(() => ws.cleanup());

  it('reads paths, mapping over arrays of instance outputs', () => {
    const value = { a: { b: [{ c: 1 }, { c: 2 }] } };
    assert.deepEqual(readPath(value, ['a', 'b', 'c']), { found: true, value: [1, 2] });
    assert.deepEqual(readPath(value, ['a', 'b', '1', 'c']), { found: true, value: 2 });
    assert.deepEqual(readPath(value, ['a', 'x']), { found: false, value: undefined });
  });

  it('merges the run input over the defaults, objects deeply', () => {
    assert.deepEqual(mergeInput({ region: 'eu', limits: { cpu: 1, mem: 2 }, tags: ['a'] }, { limits: { cpu: 4 }, tags: ['b'] }),
      { region: 'eu', limits: { cpu: 4, mem: 2 }, tags: ['b'] });
    const target: Record<string, unknown> = {};
    setPath(target, 'config.timeout', '30');
    setPath(target, 'name', 'web');
    setPath(target, 'flags', '["x"]');
    assert.deepEqual(target, { config: { timeout: 30 }, name: 'web', flags: ['x'] });
  });

  it('resolves run input, defaults, constants and upstream outputs as the spec says, and the run output', async () => {
    const fake = new FakeProvider()
      .on('provision', () => ({ kind: 'complete', outputs: { resource: { id: 'r-1' }, endpoint: 'https://r-1' } }));
    const { handle } = await runDefinition(ws, definition([
      act('provision', { inputs: ['cell', { source: 'config.timeout', target: 'timeout' }, { value: { n: 1 }, target: 'constant' }] }),
      act('configure', { dependsOn: 'provision', inputs: [{ source: 'provision.resource.id', target: 'resourceId' }, 'region'] }),
    ], {
      input: { region: 'eu-west', config: { timeout: 10 } },
      output: { url: 'provision.endpoint', region: 'region' },
    }), { providers: { fake }, input: { cell: 'c7', config: { timeout: 30 } } });
    const result = await handle.done;
    assert.equal(result.state, 'succeeded');
    assert.deepEqual(fake.callsOf('provision')[0].inputs, { cell: 'c7', timeout: 30, constant: { n: 1 } });
    assert.deepEqual(fake.callsOf('configure')[0].inputs, { resourceId: 'r-1', region: 'eu-west' });
    assert.deepEqual(result.output, { url: 'https://r-1', region: 'eu-west' });
    assert.deepEqual(result.snapshot.output, { url: 'https://r-1', region: 'eu-west' });
  });

  it('fails an activity reading an output its succeeded upstream does not have, naming what exists', async () => {
    const fake = new FakeProvider().on('a', () => ({ kind: 'complete', outputs: { id: 1, name: 'x' } }));
    const { handle, recorder } = await runDefinition(ws, definition([act('a'), act('b', { dependsOn: 'a', inputs: ['a.idd'] })]), { providers: { fake } });
    assert.equal((await handle.done).state, 'failed');
    assert.equal(recorder.of('activity.failed', 'b')[0].error, "inputs: 'a.idd': a has no output 'idd' (its outputs: id, name)");
    assert.equal(fake.callsOf('b').length, 0);
  });

  it('checks inputs against the inputSchema before each attempt and outputs against the outputSchema after', async () => {
    const types = activityTypes([
      { type: 'strict-in', provider: 'fake', inputSchema: { openAPIV3Schema: { type: 'object', properties: { port: { type: 'integer' } }, required: ['port'] } } },
      { type: 'strict-out', provider: 'fake', outputSchema: { type: 'object', properties: { url: { type: 'string' } }, required: ['url'] } },
    ]);
    const fake = new FakeProvider().on('out', () => ({ kind: 'complete', outputs: { url: 5 } }));
    const { handle, recorder } = await runDefinition(ws, definition([
      { id: 'in', type: 'strict-in', inputs: [{ value: 'eighty', target: 'port' }], continueOnError: true },
      { id: 'out', type: 'strict-out', continueOnError: true },
    ]), { providers: { fake }, types });
    await handle.done;
    assert.match(recorder.of('activity.failed', 'in')[0].error, /^inputs do not match the inputSchema of strict-in: port: .*integer/);
    assert.equal(fake.callsOf('in').length, 0, 'refused before the provider is called');
    assert.match(recorder.of('activity.failed', 'out')[0].error, /^outputs do not match the outputSchema of strict-out: url: .*string/);
  });
});

describe('engine: refusals', () => {
  let ws: TestWorkspace;
  beforeEach(() => { ws = testWorkspace(); });
  afterEach(() => ws.cleanup());

  async function refusal(def: unknown, options: Record<string, unknown> = {}): Promise<RunRefusedError> {
    ws.write('types.activity.json', activityTypes([{ type: 'other', provider: 'missing-provider' }]));
    const path = ws.write('flow.orch.json', def);
    try {
      await startRun({ definitionPath: path, runsDir: ws.runsDir, providers: { fake: new FakeProvider() }, watchControl: false, ...options });
    } catch (error) {
      assert.ok(error instanceof RunRefusedError, String(error));
      assert.ok(!existsSync(ws.runsDir), 'nothing is created for a refused run');
      return error;
    }
    assert.fail('the run was not refused');
  }

  it('refuses an invalid definition with the diagnostics of orch validate', async () => {
    const error = await refusal(definition([act('a', { dependsOn: 'nope' })]));
    assert.equal(error.reason, 'invalid');
    assert.ok(error.diagnostics?.diagnostics.some((d) => d.code === 'ORCH202'));
    assert.match(error.problems[0], /flow\.orch\.json:\d+:\d+ error ORCH202 /);
  });

  it('refuses an inactive definition', async () => {
    const error = await refusal(definition([act('a')], { active: false }));
    assert.equal(error.reason, 'inactive');
    assert.match(error.message, /inactive/);
  });

  it('refuses an input that does not match the schema, naming each wrong property', async () => {
    const error = await refusal(definition([act('a')], {
      schema: { type: 'object', properties: { cell: { type: 'string' }, size: { type: 'integer', minimum: 1 } }, required: ['cell'] },
    }), { input: { size: 0, extra: true } });
    assert.equal(error.reason, 'input');
    assert.equal(error.problems.length, 2);
    assert.ok(error.problems.some((p) => /^input(\.cell)?: .*cell/.test(p)), error.problems.join('\n'));
    assert.ok(error.problems.some((p) => /^input\.size: /.test(p)), error.problems.join('\n'));
  });

  it('refuses activities whose provider is not available', async () => {
    const error = await refusal(definition([{ id: 'x', type: 'other' }]));
    assert.equal(error.reason, 'plan');
    assert.match(error.message, /activity x: its type 'other' uses provider 'missing-provider', which is not available \(available: fake\)/);
  });

  it('refuses a run whose secrets are not set, naming each and how to set it', async () => {
    const error = await refusal(definition([act('a', { inputs: [{ value: 'Bearer ${secret:API_TOKEN}', target: 'auth' }] })]), {
      secrets: { get: () => undefined, hint: (n: string) => `set ORCH_SECRET_${n}` },
    });
    assert.equal(error.reason, 'secrets');
    assert.deepEqual(error.problems, ['secret API_TOKEN is not set (set ORCH_SECRET_API_TOKEN)']);
  });
});
