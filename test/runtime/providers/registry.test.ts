import { strict as assert } from 'node:assert';
import type { Provider } from '../../../runtime/engine/provider';
import { createProviderRegistry } from '../../../runtime/providers/registry';
import { makeContext, removeTempDirs } from './context';

describe('provider registry', () => {
  after(removeTempDirs);

  it('holds the built-in providers by name', async () => {
    const registry = createProviderRegistry();
    try {
      assert.ok(registry instanceof Map, 'the engine takes it as its providers map');
      assert.deepEqual(registry.names(), ['shell', 'ssh', 'http', 'node', 'noop']);
      for (const name of registry.names()) assert.equal(registry.get(name)?.name, name);
      assert.equal(registry.get('nope'), undefined);
    } finally {
      await registry.dispose();
    }
  });

  it('gives the ssh provider the inventory', async () => {
    const registry = createProviderRegistry({ hosts: { hosts: { web1: { host: '127.0.0.1', username: 'x', agent: '/nonexistent.sock' } } }, hostsDir: '/' });
    try {
      const result = await registry.get('ssh')!.execute(makeContext({ provider: 'ssh', host: 'db2', config: { command: 'true' } }).ctx);
      assert.deepEqual(result, { kind: 'fatal', error: 'ssh provider: host "db2" is not in orch.hosts.json (known hosts: web1)' });
    } finally {
      await registry.dispose();
    }
  });

  it('finds hosts through a lookup, relative paths starting at the declaring file', async () => {
    const registry = createProviderRegistry({
      hostLookup: (name) => name === 'db1' ? { entry: { host: '127.0.0.1', username: 'x', privateKeyPath: 'keys/missing' }, file: 'file:///srv/infra/orch.hosts.json' } : undefined,
    });
    try {
      const result = await registry.get('ssh')!.execute(makeContext({ provider: 'ssh', host: 'db1', config: { command: 'true' } }).ctx);
      assert.equal(result.kind, 'fatal');
      assert.match((result as { error: string }).error, /cannot read the private key \/srv\/infra\/keys\/missing/);
    } finally {
      await registry.dispose();
    }
  });

  it('registers and replaces providers, and disposes each one once', async () => {
    const registry = createProviderRegistry();
    let disposed = 0;
    const fake = (name: string): Provider => ({ name, execute: async () => ({ kind: 'wait' }), dispose: async () => { disposed++; } });
    const first = fake('shell');
    registry.register(first);
    registry.register(fake('shell'));
    registry.register(fake('custom'));
    assert.deepEqual(registry.names(), ['shell', 'ssh', 'http', 'node', 'noop', 'custom']);
    assert.notEqual(registry.get('shell'), first);
    assert.throws(() => registry.register({ name: '', execute: async () => ({ kind: 'wait' }) }), /non-empty name/);
    await registry.dispose();
    await registry.dispose();
    assert.equal(disposed, 3);
  });

  it('noop completes with its inputs, or with config.outputs', async () => {
    const registry = createProviderRegistry();
    try {
      const noop = registry.get('noop')!;
      assert.deepEqual(await noop.execute(makeContext({ provider: 'noop', inputs: { a: 1 } }).ctx), { kind: 'complete', outputs: { a: 1 } });
      assert.deepEqual(await noop.execute(makeContext({ provider: 'noop', inputs: { a: 1 }, config: { outputs: { b: 2 } } }).ctx), { kind: 'complete', outputs: { b: 2 } });
      const bad = await noop.execute(makeContext({ provider: 'noop', config: { outputs: [1] } }).ctx);
      assert.deepEqual(bad, { kind: 'fatal', error: 'noop provider config: "outputs" must be an object' });
    } finally {
      await registry.dispose();
    }
  });

  it('noop rehearses the other results on request, a given number of times', async () => {
    const noop = createProviderRegistry().get('noop')!;
    const call = (config: Record<string, unknown>, at: { attempt?: number; poll?: number } = {}) => noop.execute(makeContext({ provider: 'noop', config, inputs: { x: 1 }, ...at }).ctx);
    assert.deepEqual(await call({ result: 'wait', message: 'approve' }), { kind: 'wait', message: 'approve' });
    assert.deepEqual(await call({ result: 'schedule', delayMs: 10, times: 2 }, { poll: 1 }), { kind: 'schedule', delayMs: 10, state: { poll: 2 } });
    assert.deepEqual(await call({ result: 'schedule', delayMs: 10, times: 2 }, { poll: 2 }), { kind: 'complete', outputs: { x: 1 } });
    assert.deepEqual(await call({ result: 'retry', error: 'flaky', times: 1 }, { attempt: 1 }), { kind: 'retry', error: 'flaky' });
    assert.deepEqual(await call({ result: 'retry', error: 'flaky', times: 1 }, { attempt: 2 }), { kind: 'complete', outputs: { x: 1 } });
    assert.deepEqual(await call({ result: 'fatal' }), { kind: 'fatal', error: 'noop: planned failure' });
    assert.equal((await call({ result: 'explode' })).kind, 'fatal');
  });
});
