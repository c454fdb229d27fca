import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { disposeRun } from '../../../runtime/engine/dispose';
import { readRun, resumeRun } from '../../../runtime/engine/engine';
import { RunRefusedError } from '../../../runtime/engine/load';
import { FakeProvider } from '../support/fakes';
import { act, activityTypes, definition, Recorder, runDefinition, testWorkspace, type TestWorkspace } from '../support/harness';

describe('engine: dispose', () => {
  let ws: TestWorkspace;
  beforeEach(() => { ws = testWorkspace(); });
  afterEach(() => ws.cleanup());

  const types = activityTypes([{ type: 'net', provider: 'fake' }, { type: 'vm', provider: 'fake' }, { type: 'app', provider: 'fake' }, { type: 'note', provider: 'fake' }]);

  it('runs the dispose counterparts of what succeeded, in reverse dependency order, as a linked run', async () => {
    const deploy = new FakeProvider()
      .on('network', () => ({ kind: 'complete', outputs: { networkId: 'n-1' } }))
      .on('vm', (c) => ({ kind: 'complete', outputs: { vmId: `vm-${c.instance}` } }))
      .on('app', () => ({ kind: 'fatal', error: 'image missing' }));
    const def = definition([
      { id: 'network', type: 'net', inputs: [{ value: 'eu', target: 'region' }] },
      { id: 'vm', type: 'vm', dependsOn: 'network', forEach: { items: 'names', as: 'name' } },
      { id: 'log', type: 'note', dependsOn: 'vm' },
      { id: 'app', type: 'app', dependsOn: 'log' },
      // The teardown counterparts: not run by orch run.
      { id: 'drop-network', type: 'net', discriminator: 'dispose', dependsOn: 'network', inputs: [{ source: 'network.networkId', target: 'id' }] },
      { id: 'drop-vm', type: 'vm', discriminator: 'dispose' },
      { id: 'drop-app', type: 'app', discriminator: 'dispose' },
    ], { schema: { type: 'object', properties: { names: { type: 'array' } } } });
    const first = await runDefinition(ws, def, { providers: { fake: deploy }, types, input: { names: ['a', 'b'] } });
    const original = await first.handle.done;
    assert.equal(original.state, 'failed');
    assert.deepEqual(deploy.calls.map((c) => c.activityId).filter((id) => id.startsWith('drop')), [], 'dispose activities are not run by a run');

    const teardown = new FakeProvider();
    const recorder = new Recorder();
    const handle = await disposeRun(first.handle.runDir, { providers: { fake: teardown }, listeners: [recorder.listener], watchControl: false, cwd: ws.dir });
    assert.deepEqual(handle.disposal.disposed, ['network', 'vm[0]', 'vm[1]']);
    assert.deepEqual(handle.disposal.withoutCounterpart, ['log'], 'log (type note) succeeded but has no counterpart; app failed');
    const result = await handle.done;
    assert.equal(result.state, 'succeeded');
    const order = teardown.calls.map((c) => c.activityId);
    assert.deepEqual(order.slice(-1), ['network'], 'the network goes last: the VMs depended on it');
    assert.deepEqual(order.slice(0, 2).sort(), ['vm_0', 'vm_1']);
    assert.ok(teardown.calls.every((c) => c.ctx.activity.discriminator === 'dispose'));
    assert.deepEqual(teardown.callsOf('network')[0].inputs, { id: 'n-1' }, 'counterpart inputs read the original run');
    assert.deepEqual(teardown.callsOf('vm_1')[0].inputs, { name: 'b', vmId: 'vm-1' }, 'no inputs: the unit\'s own inputs and outputs');
    assert.equal(recorder.of('run.started')[0].disposeOf, first.handle.runId);
    const summary = JSON.parse(readFileSync(join(first.handle.runDir, 'run.json'), 'utf8'));
    assert.deepEqual(summary.disposedBy, [handle.runId]);
    assert.equal(readRun({ journal: join(handle.runDir, 'journal.jsonl') } as never).snapshot.disposeOf, first.handle.runId);
  });

  it('takes the counterparts from a --dispose definition, and a failed dispose run resumes', async () => {
    const deploy = new FakeProvider();
    const first = await runDefinition(ws, definition([{ id: 'vm', type: 'vm' }, { id: 'app', type: 'app', dependsOn: 'vm' }]), { providers: { fake: deploy }, types });
    await first.handle.done;
    const teardownPath = ws.write('teardown.orch.json', definition([
      { id: 'remove-app', type: 'app', discriminator: 'dispose', retry: { maxAttempts: 1 } },
      { id: 'remove-vm', type: 'vm', discriminator: 'dispose' },
    ], { type: 'teardown' }));
    let appGone = false;
    const teardown = new FakeProvider().on('app', () => (appGone ? { kind: 'complete' } : { kind: 'fatal', error: 'busy' }));
    const handle = await disposeRun(first.handle.runDir, { providers: { fake: teardown }, disposeDefinition: teardownPath, watchControl: false, cwd: ws.dir });
    const failed = await handle.done;
    assert.equal(failed.state, 'failed');
    assert.equal(failed.snapshot.activities.vm.state, 'skipped', 'the vm waits for the app to be gone');
    appGone = true;
    const resumed = await resumeRun(handle.runDir, { providers: { fake: teardown }, watchControl: false, cwd: ws.dir });
    assert.equal((await resumed.done).state, 'succeeded');
    assert.deepEqual(teardown.calls.map((c) => c.activityId), ['app', 'app', 'vm']);
    await assert.rejects(disposeRun(handle.runDir, { providers: { fake: teardown } }), (e: unknown) => e instanceof RunRefusedError && /itself a dispose run/.test(e.message));
  });
});

describe('engine: hosts', () => {
  let ws: TestWorkspace;
  beforeEach(() => { ws = testWorkspace(); });
  afterEach(() => ws.cleanup());

  it('runs one instance per host (times each forEach item) through the ssh provider', async () => {
    ws.write('orch.hosts.json', { hosts: { web1: { host: '10.0.0.1', username: 'deploy' }, web2: { host: '10.0.0.2', username: 'deploy' } } });
    const ssh = new FakeProvider('ssh');
    const { handle } = await runDefinition(ws, definition([
      act('rollout', { hosts: ['web1', 'web2'], forEach: { items: 'versions', as: 'version' } }),
    ], { schema: { type: 'object', properties: { versions: { type: 'array' } } } }), { providers: { fake: new FakeProvider(), ssh }, input: { versions: ['v1', 'v2'] } });
    const result = await handle.done;
    assert.equal(result.state, 'succeeded', result.error);
    assert.deepEqual(ssh.calls.map((c) => [c.key, c.host, c.inputs.version]).sort(), [
      ['rollout[0]', 'web1', 'v1'], ['rollout[1]', 'web2', 'v1'], ['rollout[2]', 'web1', 'v2'], ['rollout[3]', 'web2', 'v2'],
    ]);
    const call = ssh.calls.find((c) => c.host === 'web2')!;
    assert.deepEqual(call.ctx.hostEntry, { host: '10.0.0.2', username: 'deploy' });
    assert.equal(call.ctx.inventoryDir, ws.dir);
    assert.deepEqual(result.snapshot.activities.rollout.instances?.map((u) => u.host), ['web1', 'web2', 'web1', 'web2']);
  });
});
