import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createShellProvider } from '../../../runtime/providers/shell/shellProvider';
import { fifo, isAlive, makeContext, outputsOf, removeTempDirs, tempDir, timeoutError } from './context';

const node = process.execPath;
const shell = createShellProvider({ graceMs: 300 });

/** A node script as the command: `node -e SCRIPT`, the script written here, never built from inputs. */
function nodeScript(script: string, extra: Record<string, unknown> = {}) {
  return { command: node, args: ['-e', script], ...extra };
}

describe('shell provider', () => {
  after(removeTempDirs);

  it('passes inputs as ORCH_INPUT_* variables and as the inputs file, and reads JSON outputs', async () => {
    const t = makeContext({
      provider: 'shell',
      inputs: { name: 'world', count: 3, nested: { a: [1, 2] }, 'my-key.x': 'dash', flag: false },
      config: nodeScript(`
        const fs = require('fs');
        const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('ORCH_')));
        const inputs = JSON.parse(fs.readFileSync(process.env.ORCH_INPUTS_FILE, 'utf8'));
        fs.writeFileSync(process.env.ORCH_OUTPUTS_FILE, JSON.stringify({ env, inputs }));
      `),
    });
    const outputs = outputsOf<{ env: Record<string, string>; inputs: unknown }>(await shell.execute(t.ctx));
    assert.deepEqual(outputs.inputs, t.ctx.inputs);
    assert.equal(outputs.env.ORCH_INPUT_NAME, 'world');
    assert.equal(outputs.env.ORCH_INPUT_COUNT, '3');
    assert.equal(outputs.env.ORCH_INPUT_NESTED, '{"a":[1,2]}');
    assert.equal(outputs.env.ORCH_INPUT_MY_KEY_X, 'dash');
    assert.equal(outputs.env.ORCH_INPUT_FLAG, 'false');
    assert.equal(outputs.env.ORCH_RUN_ID, 'run-1');
    assert.equal(outputs.env.ORCH_ACTIVITY_ID, 'step');
    assert.equal(outputs.env.ORCH_IDEMPOTENCY_KEY, 'run-1/step');
    assert.equal(outputs.env.ORCH_ATTEMPT, '1');
    assert.equal(outputs.env.ORCH_POLL, '0');
    assert.equal(outputs.env.ORCH_WORK_DIR, t.ctx.workDir);
    assert.equal(outputs.env.ORCH_STATE_FILE, join(t.ctx.workDir, 'state'));
  });

  it('reads key=value outputs, including multi-line values', async () => {
    const t = makeContext({
      provider: 'shell',
      config: { command: 'sh', args: ['-c', 'printf "url=https://x.test/a?b=c\\n# note\\n\\nnotes<<EOF\\nline 1\\nline 2\\nEOF\\nempty=\\n" > "$ORCH_OUTPUTS_FILE"'] },
    });
    assert.deepEqual(await shell.execute(t.ctx), { kind: 'complete', outputs: { url: 'https://x.test/a?b=c', notes: 'line 1\nline 2', empty: '' } });
  });

  it('config.env reaches the process and cwd is relative to the base folder', async () => {
    const base = tempDir();
    execFileSync('mkdir', ['-p', join(base, 'sub')]);
    const t = makeContext({
      provider: 'shell', baseDir: base,
      config: { command: 'sh', args: ['-c', 'printf "cwd=%s\\nmode=%s\\n" "$(pwd)" "$MODE" > "$ORCH_OUTPUTS_FILE"'], cwd: 'sub', env: { MODE: 'fast' } },
    });
    assert.deepEqual(await shell.execute(t.ctx), { kind: 'complete', outputs: { cwd: join(base, 'sub'), mode: 'fast' } });
  });

  it('resolves a relative command against the base folder', async () => {
    const base = tempDir();
    writeFileSync(join(base, 'deploy.sh'), '#!/bin/sh\necho "deployed=yes" > "$ORCH_OUTPUTS_FILE"\n');
    chmodSync(join(base, 'deploy.sh'), 0o755);
    const t = makeContext({ provider: 'shell', baseDir: base, config: { command: './deploy.sh', cwd: '/' } });
    assert.deepEqual(await shell.execute(t.ctx), { kind: 'complete', outputs: { deployed: 'yes' } });
  });

  describe('exit codes', () => {
    it('0 without an outputs file completes with no outputs', async () => {
      assert.deepEqual(await shell.execute(makeContext({ provider: 'shell', config: { command: 'true' } }).ctx), { kind: 'complete', outputs: {} });
    });

    it('75 is a RetryError, with the delay and message from the outputs file', async () => {
      const t = makeContext({ provider: 'shell', config: { command: 'sh', args: ['-c', 'echo "retryAfterMs=1500" > "$ORCH_OUTPUTS_FILE"; echo "message=busy" >> "$ORCH_OUTPUTS_FILE"; echo "server busy" >&2; exit 75'] } });
      const result = await shell.execute(t.ctx);
      assert.equal(result.kind, 'retry');
      assert.equal((result as { delayMs?: number }).delayMs, 1500);
      assert.match((result as { error: string }).error, /exit code 75.*busy[\s\S]*server busy/);
    });

    it('76 is a Schedule with the delay, message and state the process left', async () => {
      const t = makeContext({ provider: 'shell', config: { command: 'sh', args: ['-c', 'echo "{\\"scheduleMs\\": 250, \\"message\\": \\"still copying\\"}" > "$ORCH_OUTPUTS_FILE"; echo "{\\"job\\": 42}" > "$ORCH_STATE_FILE"; exit 76'] } });
      assert.deepEqual(await shell.execute(t.ctx), { kind: 'schedule', delayMs: 250, state: { job: 42 }, message: 'still copying' });
    });

    it('76 without a delay uses the default, and the state of a poll reaches the next one', async () => {
      const t = makeContext({ provider: 'shell', state: 'job-7', poll: 2, config: { command: 'sh', args: ['-c', 'test "$(cat "$ORCH_STATE_FILE")" = job-7 && test "$ORCH_POLL" = 2 || exit 9; echo job-8 > "$ORCH_STATE_FILE"; exit 76'] } });
      assert.deepEqual(await shell.execute(t.ctx), { kind: 'schedule', delayMs: 5000, state: 'job-8' });
    });

    it('77 is a Wait with the message', async () => {
      const t = makeContext({ provider: 'shell', config: { command: 'sh', args: ['-c', 'echo "message=approve in the portal" > "$ORCH_OUTPUTS_FILE"; exit 77'] } });
      assert.deepEqual(await shell.execute(t.ctx), { kind: 'wait', message: 'approve in the portal' });
    });

    it('any other code is a FatalError naming the code and the last stderr lines', async () => {
      const t = makeContext({ provider: 'shell', config: { command: 'sh', args: ['-c', 'for i in $(seq 1 30); do echo "noise $i" >&2; done; echo "terraform: state locked" >&2; exit 3'] } });
      const result = await shell.execute(t.ctx);
      assert.equal(result.kind, 'fatal');
      const error = (result as { error: string }).error;
      assert.match(error, /^sh failed with exit code 3\n/);
      assert.match(error, /terraform: state locked$/);
      assert.doesNotMatch(error, /noise 1\n/, 'only the tail of stderr');
    });

    it('0 with an unreadable outputs file is a FatalError saying why', async () => {
      const t = makeContext({ provider: 'shell', config: { command: 'sh', args: ['-c', 'echo "{ broken" > "$ORCH_OUTPUTS_FILE"'] } });
      const result = await shell.execute(t.ctx);
      assert.equal(result.kind, 'fatal');
      assert.match((result as { error: string }).error, /exited with code 0 but the outputs file is not valid JSON/);
    });

    it('a process killed by a signal it was not sent by us is a RetryError', async () => {
      const t = makeContext({ provider: 'shell', config: { command: 'sh', args: ['-c', 'kill -KILL $$'] } });
      const result = await shell.execute(t.ctx);
      assert.equal(result.kind, 'retry');
      assert.match((result as { error: string }).error, /killed by SIGKILL/);
    });
  });

  it('streams stdout and stderr as lines while the process runs, in order, flushing a last partial line', async () => {
    const go = fifo();
    const t = makeContext({
      provider: 'shell',
      config: { command: 'sh', args: ['-c', 'echo one; echo two; echo warn >&2; read x < "$0"; printf "three\\nfour"', go] },
    });
    const running = shell.execute(t.ctx);
    await t.logged((l) => l.line === 'two');
    await t.logged((l) => l.line === 'warn');
    assert.ok(!t.logs.some((l) => l.line === 'three'), 'the process is still blocked on the fifo');
    await writeFile(go, 'go\n');
    assert.equal((await running).kind, 'complete');
    assert.deepEqual(t.lines('stdout'), ['one', 'two', 'three', 'four']);
    assert.deepEqual(t.lines('stderr'), ['warn']);
  });

  it('never interprets inputs: shell syntax in a value stays data', async () => {
    const canary = join(tempDir(), 'canary');
    writeFileSync(canary, 'alive');
    const pwned = join(tempDir(), 'pwned');
    const evil = { a: `$(touch ${pwned})`, b: `; rm -rf ${canary}`, c: `\`touch ${pwned}\``, d: `' ; touch ${pwned}; '` };
    const t = makeContext({
      provider: 'shell', inputs: evil,
      config: { command: 'sh', args: ['-c', 'printf "%s\\n" "$ORCH_INPUT_A" "$ORCH_INPUT_B" "$ORCH_INPUT_C" "$ORCH_INPUT_D"'] },
    });
    assert.equal((await shell.execute(t.ctx)).kind, 'complete');
    assert.deepEqual(t.lines('stdout'), [evil.a, evil.b, evil.c, evil.d]);
    assert.ok(!existsSync(pwned), 'no command substitution ran');
    assert.ok(existsSync(canary), 'no command after ; ran');
  });

  it('aborting kills the whole process tree, grandchildren included', async () => {
    const t = makeContext({ provider: 'shell', config: { command: 'sh', args: ['-c', 'sleep 1000 & echo "grandchild $!"; echo "child $$"; wait'] } });
    const running = shell.execute(t.ctx);
    const grandchild = Number((await t.logged((l) => l.line.startsWith('grandchild '))).line.split(' ')[1]);
    const child = Number((await t.logged((l) => l.line.startsWith('child '))).line.split(' ')[1]);
    assert.ok(isAlive(child) && isAlive(grandchild));
    t.controller.abort();
    assert.deepEqual(await running, { kind: 'retry', error: 'aborted' });
    assert.ok(!isAlive(child), 'the child is gone');
    assert.ok(!isAlive(grandchild), 'the grandchild is gone');
  });

  it('escalates to SIGKILL for a tree that ignores SIGTERM, and reports a timeout as such', async () => {
    const t = makeContext({ provider: 'shell', config: { command: 'sh', args: ['-c', 'trap "" TERM; sleep 1000 & echo "grandchild $!"; echo "child $$"; while :; do wait; done'] } });
    const running = shell.execute(t.ctx);
    const grandchild = Number((await t.logged((l) => l.line.startsWith('grandchild '))).line.split(' ')[1]);
    const child = Number((await t.logged((l) => l.line.startsWith('child '))).line.split(' ')[1]);
    t.controller.abort(timeoutError('timed out after 1000 ms'));
    assert.deepEqual(await running, { kind: 'retry', error: 'timed out after 1000 ms' });
    assert.ok(!isAlive(child) && !isAlive(grandchild));
  });

  it('terminates what a finished process left running in the background', async () => {
    const t = makeContext({ provider: 'shell', config: { command: 'sh', args: ['-c', 'sleep 1000 & echo "bg $!"'] } });
    assert.equal((await shell.execute(t.ctx)).kind, 'complete');
    const bg = Number(t.lines('stdout')[0].split(' ')[1]);
    assert.ok(!isAlive(bg));
  });

  it('an attempt aborted before it starts runs nothing', async () => {
    const marker = join(tempDir(), 'ran');
    const t = makeContext({ provider: 'shell', config: { command: 'touch', args: [marker] } });
    t.controller.abort('cancelled');
    assert.deepEqual(await shell.execute(t.ctx), { kind: 'retry', error: 'cancelled' });
    assert.ok(!existsSync(marker));
  });

  describe('bad configuration is a FatalError with a clear message', () => {
    it('a missing command', async () => {
      const result = await shell.execute(makeContext({ provider: 'shell', config: { args: ['x'] } }).ctx);
      assert.equal(result.kind, 'fatal');
      assert.match((result as { error: string }).error, /"command" must be a non-empty string/);
    });

    it('a command that does not exist', async () => {
      const result = await shell.execute(makeContext({ provider: 'shell', config: { command: 'orch-no-such-program' } }).ctx);
      assert.equal(result.kind, 'fatal');
      assert.match((result as { error: string }).error, /command not found: orch-no-such-program/);
    });

    it('a cwd that does not exist', async () => {
      const result = await shell.execute(makeContext({ provider: 'shell', config: { command: 'true', cwd: 'nowhere' } }).ctx);
      assert.equal(result.kind, 'fatal');
      assert.match((result as { error: string }).error, /cwd .*nowhere does not exist/);
    });

    it('an invalid env name', async () => {
      const result = await shell.execute(makeContext({ provider: 'shell', config: { command: 'true', env: { 'A=B': 'x' } } }).ctx);
      assert.equal(result.kind, 'fatal');
      assert.match((result as { error: string }).error, /"A=B" is not a valid environment variable name/);
    });
  });

  it('keeps a huge input out of the environment but in the inputs file, and says so', async () => {
    const big = 'x'.repeat(200_000);
    const t = makeContext({ provider: 'shell', inputs: { big }, config: nodeScript(`
      const fs = require('fs');
      fs.writeFileSync(process.env.ORCH_OUTPUTS_FILE, JSON.stringify({ inEnv: 'ORCH_INPUT_BIG' in process.env, size: JSON.parse(fs.readFileSync(process.env.ORCH_INPUTS_FILE, 'utf8')).big.length }));
    `) });
    assert.deepEqual(await shell.execute(t.ctx), { kind: 'complete', outputs: { inEnv: false, size: 200_000 } });
    assert.ok(t.lines('info').some((l) => /ORCH_INPUT_BIG is not set/.test(l)));
  });

  it('keeps the inputs file owner-only while the process runs, and removes it and the outputs after', async () => {
    const t = makeContext({ provider: 'shell', inputs: { token: 's3cret' }, config: {
      command: 'sh', args: ['-c', 'stat -c "mode=%a" "$ORCH_INPUTS_FILE"; echo "{\\"seen\\":true}" > "$ORCH_OUTPUTS_FILE"'],
    } });
    assert.deepEqual(await shell.execute(t.ctx), { kind: 'complete', outputs: { seen: true } });
    assert.deepEqual(t.lines('stdout'), ['mode=600']);
    assert.equal(existsSync(join(t.ctx.workDir, 'inputs.json')), false, 'inputs may hold secrets: gone after the attempt');
    assert.equal(existsSync(join(t.ctx.workDir, 'outputs')), false, 'outputs were read back: gone after the attempt');
  });
});
