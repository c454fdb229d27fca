import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNodeProvider, type NodeProvider } from '../../../runtime/providers/node/nodeProvider';
import { findWorkerEntry } from '../../../runtime/providers/node/workerEntry';
import { isAlive, makeContext, outputsOf, removeTempDirs, tempDir, timeoutError } from './context';

const MODULES: Record<string, string> = {
  'complete.js': `module.exports = async (ctx) => ({ greeting: 'hello ' + ctx.inputs.name, attempt: ctx.attempt, key: ctx.idempotencyKey, cwd: process.cwd() });`,
  'esm.mjs': `export default (ctx) => ctx.complete({ esm: true });\nexport function deploy(ctx) { return { kind: 'complete', outputs: { deployed: ctx.inputs.name } }; }`,
  'named.js': `exports.handler = (ctx) => ({ named: true });`,
  'results.js': `
    module.exports = async (ctx) => {
      switch (ctx.inputs.want) {
        case 'wait': return { kind: 'wait', message: 'approve it' };
        case 'schedule': return ctx.schedule(100, { n: (ctx.state?.n ?? 0) + 1 }, 'poll ' + ctx.poll);
        case 'retry': throw Object.assign(new Error('flaky backend'), { retryAfterMs: 300 });
        case 'fatal': throw Object.assign(new Error('bad input'), { fatal: true });
        case 'fatal-result': return ctx.fatal('refused');
        case 'number': return 42;
        case 'crash': process.exit(3);
        case 'uncaught': setTimeout(() => { throw new Error('boom in a timer'); }); return new Promise(() => {});
        case 'pid': return { pid: process.pid };
      }
    };`,
  'logs.js': `
    module.exports = (ctx) => {
      console.log('from console');
      ctx.log('from ctx.log');
      ctx.log('stderr', 'to stderr');
      process.stdout.write('partial ');
      process.stdout.write('line\\nlast without newline');
      return {};
    };`,
  'loop.js': `module.exports = (ctx) => { ctx.log('looping in ' + process.pid); for (;;) {} };`,
  'cooperative.js': `module.exports = (ctx) => new Promise((resolve) => { ctx.log('waiting in ' + process.pid); ctx.signal.addEventListener('abort', () => resolve({ stopped: String(ctx.signal.reason) })); });`,
  'notfn.js': `module.exports = { value: 1 };`,
};

describe('node provider', () => {
  let base: string;
  let node: NodeProvider;

  before(() => {
    base = tempDir();
    for (const [name, text] of Object.entries(MODULES)) writeFileSync(join(base, name), text);
    node = createNodeProvider({ graceMs: 300 });
  });
  after(async () => {
    await node.dispose?.();
    removeTempDirs();
  });

  const run = (module: string, inputs: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
    makeContext({ provider: 'node', baseDir: base, config: { module, ...extra }, inputs });

  it('finds its worker script from the TypeScript sources', () => {
    const entry = findWorkerEntry(join(__dirname, '../../../runtime/providers/node'));
    assert.match(entry.script, /runtime\/node-provider\/worker\.ts$/);
    assert.equal(entry.execArgv[0], '--import');
  });

  it('returns plain outputs as Complete, with the context a processor expects', async () => {
    const t = run('complete.js', { name: 'ada' });
    assert.deepEqual(await node.execute(t.ctx), { kind: 'complete', outputs: { greeting: 'hello ada', attempt: 1, key: 'run-1/step', cwd: base } });
  });

  it('loads ES modules (default and named exports) and CommonJS named exports', async () => {
    assert.deepEqual(await node.execute(run('esm.mjs').ctx), { kind: 'complete', outputs: { esm: true } });
    assert.deepEqual(await node.execute(run('esm.mjs', { name: 'x' }, { export: 'deploy' }).ctx), { kind: 'complete', outputs: { deployed: 'x' } });
    assert.deepEqual(await node.execute(run('named.js', {}, { export: 'handler' }).ctx), { kind: 'complete', outputs: { named: true } });
  });

  it('expresses Wait, Schedule (with state), RetryError and FatalError', async () => {
    assert.deepEqual(await node.execute(run('results.js', { want: 'wait' }).ctx), { kind: 'wait', message: 'approve it' });
    const first = makeContext({ provider: 'node', baseDir: base, config: { module: 'results.js' }, inputs: { want: 'schedule' }, poll: 0 });
    assert.deepEqual(await node.execute(first.ctx), { kind: 'schedule', delayMs: 100, state: { n: 1 }, message: 'poll 0' });
    const second = makeContext({ provider: 'node', baseDir: base, config: { module: 'results.js' }, inputs: { want: 'schedule' }, poll: 1, state: { n: 1 } });
    assert.deepEqual(await node.execute(second.ctx), { kind: 'schedule', delayMs: 100, state: { n: 2 }, message: 'poll 1' });
    assert.deepEqual(await node.execute(run('results.js', { want: 'retry' }).ctx), { kind: 'retry', error: 'flaky backend', delayMs: 300 });
    assert.deepEqual(await node.execute(run('results.js', { want: 'fatal' }).ctx), { kind: 'fatal', error: 'bad input' });
    assert.deepEqual(await node.execute(run('results.js', { want: 'fatal-result' }).ctx), { kind: 'fatal', error: 'refused' });
    const odd = await node.execute(run('results.js', { want: 'number' }).ctx);
    assert.equal(odd.kind, 'fatal');
    assert.match((odd as { error: string }).error, /returned a number \(42\)/);
  });

  it('streams console output and ctx.log lines in order', async () => {
    const t = run('logs.js');
    assert.equal((await node.execute(t.ctx)).kind, 'complete');
    assert.deepEqual(t.logs, [
      { stream: 'stdout', line: 'from console' },
      { stream: 'info', line: 'from ctx.log' },
      { stream: 'stderr', line: 'to stderr' },
      { stream: 'stdout', line: 'partial line' },
      { stream: 'stdout', line: 'last without newline' },
    ]);
  });

  it('reuses a worker between activities, and replaces one that crashed (a RetryError)', async () => {
    const a = outputsOf<{ pid: number }>(await node.execute(run('results.js', { want: 'pid' }).ctx));
    const b = outputsOf<{ pid: number }>(await node.execute(run('results.js', { want: 'pid' }).ctx));
    assert.equal(a.pid, b.pid);
    const crash = await node.execute(run('results.js', { want: 'crash' }).ctx);
    assert.equal(crash.kind, 'retry');
    assert.match((crash as { error: string }).error, /the node worker running results\.js exited with code 3/);
    assert.ok(!isAlive(a.pid));
    const c = outputsOf<{ pid: number }>(await node.execute(run('results.js', { want: 'pid' }).ctx));
    assert.notEqual(c.pid, a.pid);
  });

  it('an uncaught exception in the worker is a RetryError carrying the stack', async () => {
    const result = await node.execute(run('results.js', { want: 'uncaught' }).ctx);
    assert.equal(result.kind, 'retry');
    assert.match((result as { error: string }).error, /exited with code 1[\s\S]*boom in a timer/);
  });

  it('kills a worker stuck in an endless loop when the attempt is aborted', async () => {
    const t = run('loop.js');
    const pending = node.execute(t.ctx);
    const pid = Number((await t.logged((l) => l.line.startsWith('looping in '))).line.split(' ').pop());
    t.controller.abort(timeoutError('timed out after 300 ms'));
    assert.deepEqual(await pending, { kind: 'retry', error: 'timed out after 300 ms' });
    assert.ok(!isAlive(pid));
  });

  it('tells a cooperative processor through ctx.signal', async () => {
    const t = run('cooperative.js');
    const pending = node.execute(t.ctx);
    await t.logged((l) => l.line.startsWith('waiting in '));
    t.controller.abort('cancelled by user');
    assert.deepEqual(await pending, { kind: 'retry', error: 'cancelled by user' });
  });

  it('bad configuration is a FatalError with a clear message', async () => {
    const missing = await node.execute(run('nope.js').ctx);
    assert.equal(missing.kind, 'fatal');
    assert.match((missing as { error: string }).error, /module .*nope\.js does not exist/);
    const noExport = await node.execute(run('named.js', {}, { export: 'main' }).ctx);
    assert.equal(noExport.kind, 'fatal');
    assert.match((noExport as { error: string }).error, /no processor function as export "main" \(it exports: .*handler/);
    const notFn = await node.execute(run('notfn.js').ctx);
    assert.equal(notFn.kind, 'fatal');
    const noModule = await node.execute(makeContext({ provider: 'node', baseDir: base, config: {} }).ctx);
    assert.match((noModule as { error: string }).error, /"module" is required/);
  });

  it('a module that does not load is a FatalError with the reason', async () => {
    writeFileSync(join(base, 'broken.js'), 'module.exports = (ctx) => {');
    const result = await node.execute(run('broken.js').ctx);
    assert.equal(result.kind, 'fatal');
    assert.match((result as { error: string }).error, /cannot load .*broken\.js: [\s\S]*(SyntaxError|Unexpected end)/);
  });

  it('dispose kills every worker', async () => {
    const own = createNodeProvider();
    const r = outputsOf<{ pid: number }>(await own.execute(run('results.js', { want: 'pid' }).ctx));
    assert.equal(own.workers, 1);
    await own.dispose?.();
    assert.equal(own.workers, 0);
    assert.ok(!isAlive(r.pid));
  });
});
