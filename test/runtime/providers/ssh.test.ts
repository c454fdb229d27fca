import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostsInventory } from '../../../runtime/model/types';
import { createSshProvider, type SshProvider } from '../../../runtime/providers/ssh/sshProvider';
import { sshdUnavailable, startSshd, type Sshd } from '../support/sshd';
import { fifo, isAlive, makeContext, removeTempDirs, tempDir, timeoutError } from './context';

function fingerprintOf(line: string): string {
  const file = join(tempDir(), 'key.pub');
  writeFileSync(file, `${line.split(' ').slice(1).join(' ')}\n`);
  return execFileSync('ssh-keygen', ['-l', '-f', file]).toString().split(' ')[1];
}

function remoteDirs(): string[] {
  return readdirSync('/tmp').filter((name) => /^orch-[0-9a-f]{24}$/.test(name));
}

describe('ssh provider (against a real OpenSSH server)', function () {
  this.timeout(60_000);
  let sshd: Sshd;
  let knownHosts: string;
  let inventory: HostsInventory;
  let ssh: SshProvider;

  before(async function () {
    const unavailable = sshdUnavailable();
    if (unavailable) {
      if (process.env.CI) throw new Error(`the ssh tests need sshd: ${unavailable}`);
      this.skip();
    }
    sshd = await startSshd();
    knownHosts = join(tempDir(), 'known_hosts');
    writeFileSync(knownHosts, `# test known_hosts\nother.example ssh-ed25519 ${sshd.wrongKnownHostsLine.split(' ')[2]}\n${sshd.knownHostsLine}\n`);
    inventory = { hosts: { web1: { host: sshd.host, port: sshd.port, username: sshd.username, privateKeyPath: 'id_ed25519', knownHostsPath: knownHosts } } };
    ssh = createSshProvider({ inventory, inventoryDir: sshd.dir, graceMs: 300, env: {} });
  });

  after(async () => {
    await ssh?.dispose?.();
    await sshd?.stop();
    removeTempDirs();
  });

  const run = (config: Record<string, unknown>, extra: Partial<Parameters<typeof makeContext>[0]> = {}) =>
    makeContext({ provider: 'ssh', host: 'web1', config, ...extra });

  it('runs the command remotely with inputs as variables and a file, and reads the outputs back', async () => {
    const before = remoteDirs().length;
    const t = run({
      command: 'sh',
      args: ['-c', 'printf "greeting=hello %s\\nhost=%s\\n" "$ORCH_INPUT_NAME" "$ORCH_HOST" > "$ORCH_OUTPUTS_FILE"; cat "$ORCH_INPUTS_FILE"; echo "count=$ORCH_INPUT_COUNT key=$ORCH_IDEMPOTENCY_KEY"'],
    }, { inputs: { name: "o'brien", count: 2 } });
    const result = await ssh.execute(t.ctx);
    assert.deepEqual(result, { kind: 'complete', outputs: { greeting: "hello o'brien", host: 'web1' } });
    assert.deepEqual(JSON.parse(t.lines("stdout").slice(0, -1).join("\n")), { name: "o'brien", count: 2 });
    assert.equal(t.lines('stdout').at(-1), 'count=2 key=run-1/step');
    assert.equal(remoteDirs().length, before, 'the remote folder is removed');
  });

  it('writes JSON outputs and honours cwd and env', async () => {
    const t = run({ command: 'sh', args: ['-c', 'printf "{\\"dir\\": \\"%s\\", \\"mode\\": \\"%s\\"}" "$(pwd)" "$MODE" > "$ORCH_OUTPUTS_FILE"'], cwd: '/tmp', env: { MODE: "a 'quoted' $(value)" } });
    assert.deepEqual(await ssh.execute(t.ctx), { kind: 'complete', outputs: { dir: '/tmp', mode: "a 'quoted' $(value)" } });
  });

  it('never lets the remote shell interpret an input', async () => {
    const dir = tempDir();
    const pwned = join(dir, 'pwned');
    const canary = join(dir, 'canary');
    writeFileSync(canary, 'alive');
    const evil = { a: `$(touch ${pwned})`, b: `'; rm -f ${canary}; '`, c: `\`touch ${pwned}\``, d: `"; touch ${pwned}; "\nsecond line` };
    const t = run({ command: 'printenv', args: ['ORCH_INPUT_A', 'ORCH_INPUT_B', 'ORCH_INPUT_C', 'ORCH_INPUT_D'] }, { inputs: evil });
    assert.equal((await ssh.execute(t.ctx)).kind, 'complete');
    assert.deepEqual(t.lines('stdout'), [evil.a, evil.b, evil.c, ...evil.d.split('\n')]);
    assert.ok(!existsSync(pwned));
    assert.ok(existsSync(canary));
  });

  it('streams output as it comes', async () => {
    const go = fifo();
    const t = run({ command: 'sh', args: ['-c', 'echo one; echo warn >&2; read x < "$0"; echo two', go] });
    const pending = ssh.execute(t.ctx);
    await t.logged((l) => l.line === 'one');
    await t.logged((l) => l.line === 'warn');
    assert.ok(!t.logs.some((l) => l.line === 'two'));
    await writeFile(go, 'go\n');
    assert.equal((await pending).kind, 'complete');
    assert.deepEqual(t.lines('stdout'), ['one', 'two']);
    assert.deepEqual(t.lines('stderr'), ['warn']);
  });

  it('maps exit codes like the shell provider', async () => {
    const retry = await ssh.execute(run({ command: 'sh', args: ['-c', 'echo retryAfterMs=700 > "$ORCH_OUTPUTS_FILE"; echo "db busy" >&2; exit 75'] }).ctx);
    assert.equal(retry.kind, 'retry');
    assert.equal((retry as { delayMs?: number }).delayMs, 700);
    assert.match((retry as { error: string }).error, /sh on web1 asked for a retry \(exit code 75\)\ndb busy/);

    const schedule = await ssh.execute(run({ command: 'sh', args: ['-c', 'echo scheduleMs=50 > "$ORCH_OUTPUTS_FILE"; echo \'{"job": 5}\' > "$ORCH_STATE_FILE"; exit 76'] }).ctx);
    assert.deepEqual(schedule, { kind: 'schedule', delayMs: 50, state: { job: 5 } });
    const next = await ssh.execute(run({ command: 'sh', args: ['-c', 'cat "$ORCH_STATE_FILE"; echo; echo "poll=$ORCH_POLL"'] }, { poll: 1, state: { job: 5 } }).ctx);
    assert.equal(next.kind, 'complete');

    assert.deepEqual(await ssh.execute(run({ command: 'sh', args: ['-c', 'echo "message=needs approval" > "$ORCH_OUTPUTS_FILE"; exit 77'] }).ctx), { kind: 'wait', message: 'needs approval' });

    const fatal = await ssh.execute(run({ command: 'sh', args: ['-c', 'echo "disk full" >&2; exit 4'] }).ctx);
    assert.deepEqual(fatal, { kind: 'fatal', error: 'sh on web1 failed with exit code 4\ndisk full' });

    const missing = await ssh.execute(run({ command: 'orch-no-such-command' }).ctx);
    assert.equal(missing.kind, 'fatal');
    assert.match((missing as { error: string }).error, /exit code 127[\s\S]*orch-no-such-command/);
  });

  it('passes the Schedule state of one poll to the next', async () => {
    const t = run({ command: 'sh', args: ['-c', 'printf "seen=%s\\npoll=%s\\n" "$(cat "$ORCH_STATE_FILE")" "$ORCH_POLL" > "$ORCH_OUTPUTS_FILE"'] }, { poll: 3, state: 'job-9' });
    assert.deepEqual(await ssh.execute(t.ctx), { kind: 'complete', outputs: { seen: 'job-9', poll: '3' } });
  });

  it('reuses one connection per host across activities, sequential and concurrent', async () => {
    const own = createSshProvider({ inventory, inventoryDir: sshd.dir, env: {} });
    const accepted = () => sshd.log.filter((l) => l.includes('Accepted publickey')).length;
    const before = accepted();
    try {
      assert.equal((await own.execute(run({ command: 'true' }).ctx)).kind, 'complete');
      assert.equal((await own.execute(run({ command: 'true' }, { activityId: 'second' }).ctx)).kind, 'complete');
      const both = await Promise.all([own.execute(run({ command: 'true' }).ctx), own.execute(run({ command: 'true' }).ctx)]);
      assert.deepEqual(both.map((r) => r.kind), ['complete', 'complete']);
      assert.deepEqual(own.connections, { open: 1, opened: 1 });
      assert.equal(accepted() - before, 1, 'sshd accepted a single login');
    } finally {
      await own.dispose?.();
    }
    assert.equal(own.connections.open, 0);
  });

  it('fails clearly on an UNKNOWN host key, naming the host and the key fingerprint', async () => {
    const empty = join(tempDir(), 'known_hosts');
    writeFileSync(empty, 'other.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n');
    const own = createSshProvider({ inventory: { hosts: { web1: { ...inventory.hosts.web1, knownHostsPath: empty } } }, inventoryDir: sshd.dir, env: {} });
    try {
      const result = await own.execute(run({ command: 'true' }).ctx);
      assert.equal(result.kind, 'fatal');
      const error = (result as { error: string }).error;
      assert.match(error, /^ssh host key verification failed for web1 \(127\.0\.0\.1:\d+\)/);
      assert.ok(error.includes(fingerprintOf(sshd.knownHostsLine)), error);
      assert.ok(error.includes(`is not in ${empty}`), error);
    } finally {
      await own.dispose?.();
    }
  });

  it('fails clearly on a CHANGED host key, giving both fingerprints', async () => {
    const changed = join(tempDir(), 'known_hosts');
    writeFileSync(changed, `${sshd.wrongKnownHostsLine}\n`);
    const own = createSshProvider({ inventory: { hosts: { web1: { ...inventory.hosts.web1, knownHostsPath: changed } } }, inventoryDir: sshd.dir, env: {} });
    try {
      const result = await own.execute(run({ command: 'true' }).ctx);
      assert.equal(result.kind, 'fatal');
      const error = (result as { error: string }).error;
      assert.match(error, /web1 .*THE HOST KEY HAS CHANGED/);
      assert.ok(error.includes(fingerprintOf(sshd.knownHostsLine)), 'the presented key');
      assert.ok(error.includes(`${fingerprintOf(sshd.wrongKnownHostsLine)} (line 1)`), 'the known key');
    } finally {
      await own.dispose?.();
    }
  });

  it('trusts a hashed known_hosts entry', async () => {
    const hashed = join(tempDir(), 'known_hosts');
    writeFileSync(hashed, `${sshd.knownHostsLine}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', hashed], { stdio: 'ignore' });
    const own = createSshProvider({ inventory: { hosts: { web1: { ...inventory.hosts.web1, knownHostsPath: hashed } } }, inventoryDir: sshd.dir, env: {} });
    try {
      assert.deepEqual(await own.execute(run({ command: 'true' }).ctx), { kind: 'complete', outputs: {} });
    } finally {
      await own.dispose?.();
    }
  });

  it('aborting closes the channel and kills the remote process tree', async () => {
    const before = remoteDirs().length;
    const t = run({ command: 'sh', args: ['-c', 'sleep 1000 & echo "grandchild $!"; echo "child $$"; wait'] });
    const pending = ssh.execute(t.ctx);
    const grandchild = Number((await t.logged((l) => l.line.startsWith('grandchild '))).line.split(' ')[1]);
    const child = Number((await t.logged((l) => l.line.startsWith('child '))).line.split(' ')[1]);
    assert.ok(isAlive(child) && isAlive(grandchild));
    t.controller.abort();
    assert.deepEqual(await pending, { kind: 'retry', error: 'aborted' });
    assert.ok(!isAlive(child), 'the remote child is gone');
    assert.ok(!isAlive(grandchild), 'the remote grandchild is gone');
    assert.equal(remoteDirs().length, before, 'the remote folder is removed');
    assert.equal((await ssh.execute(run({ command: 'true' }).ctx)).kind, 'complete', 'the connection is still usable');
  });

  it('kills a remote tree that ignores SIGTERM after the grace period', async () => {
    const t = run({ command: 'sh', args: ['-c', 'trap "" TERM; sleep 1000 & echo "grandchild $!"; while :; do wait; done'] });
    const pending = ssh.execute(t.ctx);
    const grandchild = Number((await t.logged((l) => l.line.startsWith('grandchild '))).line.split(' ')[1]);
    t.controller.abort(timeoutError('timed out after 200 ms'));
    assert.deepEqual(await pending, { kind: 'retry', error: 'timed out after 200 ms' });
    assert.ok(!isAlive(grandchild));
  });

  it('a lost connection is a RetryError, and the remote command is stopped too', async () => {
    const signals = fifo();
    const own = createSshProvider({ inventory, inventoryDir: sshd.dir, env: {}, graceMs: 300 });
    // stderr goes nowhere: the shell's own "Terminated" notice on a closed pipe would kill it with SIGPIPE first.
    const t = run({ command: 'sh', args: ['-c', 'exec 2>/dev/null; trap \'echo terminated > "$0"; exit 1\' TERM; echo started; while :; do sleep 1 & wait $!; done', signals] });
    const pending = own.execute(t.ctx);
    const terminated = new Promise<string>((resolve) => {
      let text = '';
      createReadStream(signals, 'utf8').on('data', (chunk) => { text += chunk; }).on('end', () => resolve(text));
    });
    await t.logged((l) => l.line === 'started');
    await own.dispose?.();
    const result = await pending;
    assert.equal(result.kind, 'retry');
    assert.match((result as { error: string }).error, /the connection to web1 was lost while sh on web1 ran/);
    assert.equal(await terminated, 'terminated\n', 'the remote command got SIGTERM when the session ended');
  });

  describe('configuration and connection problems', () => {
    it('an activity without a host, or with a host not in the inventory, is a FatalError', async () => {
      const noHost = await ssh.execute(makeContext({ provider: 'ssh', config: { command: 'true' } }).ctx);
      assert.match((noHost as { error: string }).error, /add "hosts"/);
      const unknown = await ssh.execute(run({ command: 'true' }, { host: 'db9' }).ctx);
      assert.equal(unknown.kind, 'fatal');
      assert.match((unknown as { error: string }).error, /host "db9" is not in orch\.hosts\.json \(known hosts: web1\)/);
    });

    it('a refused key is a FatalError naming the user, host and key', async () => {
      const stranger = join(tempDir(), 'stranger');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger], { stdio: 'ignore' });
      const own = createSshProvider({ inventory: { hosts: { web1: { ...inventory.hosts.web1, privateKeyPath: stranger } } }, env: {} });
      try {
        const result = await own.execute(run({ command: 'true' }).ctx);
        assert.equal(result.kind, 'fatal');
        assert.match((result as { error: string }).error, new RegExp(`ssh authentication failed for ${sshd.username}@127\\.0\\.0\\.1:${sshd.port} \\(web1\\) \\(tried key ${stranger}\\)`));
      } finally {
        await own.dispose?.();
      }
    });

    it('an unreachable host is a RetryError', async () => {
      const own = createSshProvider({ inventory: { hosts: { web1: { ...inventory.hosts.web1, port: 1 } } }, inventoryDir: sshd.dir, env: {} });
      try {
        const result = await own.execute(run({ command: 'true' }).ctx);
        assert.equal(result.kind, 'retry');
        assert.match((result as { error: string }).error, /cannot connect to .*127\.0\.0\.1:1 .*ECONNREFUSED/);
      } finally {
        await own.dispose?.();
      }
    });
  });
});
