/**
 * The server launchers the distributed-mode tests and the benchmark stand on: a real nats-server
 * (JetStream on file storage that outlives restart and SIGKILL; token, user/password, nkey and TLS
 * auth that really refuse the wrong credentials) and a real redis-server answering PING.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { connect as connectTcp, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  connect, Events, nkeyAuthenticator, nkeys, StorageType, StringCodec, type NatsConnection,
} from 'nats';
import { startNatsServer, type NatsServer } from '../support/natsServer';
import { pingRedis, startRedisServer } from '../support/redisServer';

const sc = StringCodec();

/** Whether the process with `pid` still exists (signal 0 only checks). */
function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (error) { return (error as NodeJS.ErrnoException).code !== 'ESRCH'; }
}

/** Resolves with the first status event of `type` on `nc`. */
async function nextStatus(nc: NatsConnection, type: string): Promise<void> {
  for await (const status of nc.status()) if (status.type === type) return;
}

/** Alive and not a zombie: a process killed after its parent exited may linger unreaped. */
function running(pid: number): boolean {
  if (!alive(pid)) return false;
  try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
}

/** A raw socket to a server's port, connected, with a promise of its close (the server process ending closes it). */
function watchPort(port: number): Promise<{ closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connectTcp({ host: '127.0.0.1', port });
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('data', () => undefined);
    socket.once('error', reject);
    socket.once('connect', () => { socket.removeListener('error', reject); socket.on('error', () => undefined); resolve({ closed }); });
  });
}

function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const blocker = createServer();
    blocker.once('error', reject);
    blocker.listen(port, '127.0.0.1', () => resolve(blocker));
  });
}

async function refused(attempt: Promise<NatsConnection>, code: RegExp): Promise<void> {
  await assert.rejects(async () => { const nc = await attempt; await nc.close(); }, (error: Error & { code?: string }) => {
    assert.match(`${error.code ?? ''} ${error.message}`, code);
    return true;
  });
}

describe('test support: nats-server launcher', () => {
  const servers: NatsServer[] = [];
  const connections: NatsConnection[] = [];
  async function start(options?: Parameters<typeof startNatsServer>[0]): Promise<NatsServer> {
    const server = await startNatsServer(options);
    servers.push(server);
    return server;
  }
  async function open(attempt: Promise<NatsConnection>): Promise<NatsConnection> {
    const nc = await attempt;
    connections.push(nc);
    return nc;
  }
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((nc) => nc.close().catch(() => undefined)));
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  it('runs JetStream on file storage that survives restart() on the same port, and stop() cleans up', async () => {
    const server = await start();
    assert.match(server.url, /^nats:\/\/127\.0\.0\.1:\d+$/);
    const { port, dir, storeDir } = server;
    const nc = await open(connect(server.connectOptions({ maxReconnectAttempts: -1, reconnectTimeWait: 50 })));
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'HARNESS', subjects: ['harness.>'], storage: StorageType.File });
    const ack = await nc.jetstream().publish('harness.one', sc.encode('survives restart'));
    assert.equal(ack.seq, 1);

    const firstPid = server.pid;
    const reconnected = nextStatus(nc, Events.Reconnect);
    await server.restart();
    assert.equal(server.port, port);
    assert.notEqual(server.pid, firstPid);
    assert.ok(firstPid !== undefined && !alive(firstPid), 'the first server process is gone');
    await reconnected; // the same client found the new server on the same port

    const stored = await jsm.streams.getMessage('HARNESS', { seq: 1 });
    assert.equal(stored.string(), 'survives restart');
    assert.ok(existsSync(storeDir));
    assert.match(server.logs(), /Starting JetStream/);

    await server.stop();
    await server.stop(); // idempotent
    assert.equal(server.running, false);
    assert.ok(!existsSync(dir), 'stop() removes the temporary folder');
    await assert.rejects(server.restart(), /after stop\(\)/);
  });

  it('kill() ends the process at once, and restart() recovers the store it left', async () => {
    const server = await start();
    const nc = await open(connect(server.connectOptions()));
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'KILLED', subjects: ['killed'], storage: StorageType.File });
    await nc.jetstream().publish('killed', sc.encode('written before SIGKILL'));
    await nc.close();

    const pid = server.pid!;
    assert.ok(alive(pid));
    await server.kill();
    assert.equal(server.running, false);
    assert.equal(server.pid, undefined);
    assert.ok(!alive(pid), 'the killed process no longer exists');
    await refused(connect(server.connectOptions()), /CONNECTION_REFUSED|ECONNREFUSED/);

    await server.restart();
    const again = await open(connect(server.connectOptions()));
    const stored = await (await again.jetstreamManager()).streams.getMessage('KILLED', { seq: 1 });
    assert.equal(stored.string(), 'written before SIGKILL');
  });

  it('restart() on a port someone else took fails with the server log, and succeeds once it is free', async () => {
    const server = await start();
    await server.kill();
    const blocker = await listenOn(server.port);
    try {
      await assert.rejects(server.restart(), /address already in use/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    await server.restart();
    const nc = await open(connect(server.connectOptions()));
    await nc.flush();
  });

  it('token auth refuses a missing or wrong token and accepts the right one', async () => {
    const server = await start({ auth: { token: 's3cret "quoted" token' } });
    await refused(connect({ servers: server.url }), /AUTHORIZATION_VIOLATION/);
    await refused(connect({ servers: server.url, token: 'wrong' }), /AUTHORIZATION_VIOLATION/);
    const nc = await open(connect(server.connectOptions()));
    await nc.flush();
    // The global account keeps JetStream under auth.
    const info = await (await nc.jetstreamManager()).getAccountInfo();
    assert.equal(info.streams, 0);
  });

  it('user/password auth refuses a wrong password and accepts the right one', async () => {
    const server = await start({ auth: { user: 'worker', password: 'pa$$word' } });
    await refused(connect({ servers: server.url, user: 'worker', pass: 'nope' }), /AUTHORIZATION_VIOLATION/);
    await refused(connect({ servers: server.url, user: 'other', pass: 'pa$$word' }), /AUTHORIZATION_VIOLATION/);
    const nc = await open(connect({ servers: server.url, user: 'worker', pass: 'pa$$word' }));
    await nc.flush();
  });

  it('nkey auth accepts the user who signs with the seed and refuses another key', async () => {
    const user = nkeys.createUser();
    const server = await start({ auth: { nkey: user.getPublicKey() } });
    const stranger = nkeys.createUser();
    await refused(connect(server.connectOptions({ authenticator: nkeyAuthenticator(stranger.getSeed()) })), /AUTHORIZATION_VIOLATION/);
    await refused(connect({ servers: server.url }), /AUTHORIZATION_VIOLATION/);
    const nc = await open(connect(server.connectOptions({ authenticator: nkeyAuthenticator(user.getSeed()) })));
    await nc.flush();
    await (await nc.jetstreamManager()).getAccountInfo();
  });

  it('rejects an nkey that is not a user public key before starting anything', async () => {
    const user = nkeys.createUser();
    await assert.rejects(startNatsServer({ auth: { nkey: new TextDecoder().decode(user.getSeed()) } }), /user nkey's public key/);
  });

  it('TLS: requires TLS, trusts only its CA, and takes a client that trusts it', async () => {
    const server = await start({ tls: true });
    assert.match(server.url, /^tls:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(server.caFile && existsSync(server.caFile));
    // Without the CA, the client cannot verify the throwaway certificate.
    await assert.rejects(async () => (await connect({ servers: server.url })).close());
    const nc = await open(connect({ servers: server.url, tls: { caFile: server.caFile } }));
    await nc.flush();
    assert.equal(nc.info?.tls_required, true);
  });

  it('mutual TLS: refuses a client without a certificate and takes one with it', async () => {
    const server = await start({ tls: { verifyClients: true }, auth: { token: 't' } });
    assert.ok(server.clientCertFile && server.clientKeyFile);
    // Under TLS 1.3 the client only learns of the refusal at its connect timeout (nats.js 2.29),
    // so the server's log is the proof, and a short timeout ends the attempt.
    const attempt = connect({ servers: server.url, token: 't', tls: { caFile: server.caFile }, timeout: 2_000 });
    await server.waitForLog(/client didn't provide a certificate/);
    await assert.rejects(async () => (await attempt).close());
    const nc = await open(connect(server.connectOptions()));
    await nc.flush();
  });

  it('fails a start with the server log when the configuration is bad, leaving nothing behind', async () => {
    const error = await startNatsServer({ extraConfig: 'jetstream_nonsense {{{ ' }).then(
      () => assert.fail('a bad configuration must not start'),
      (e: Error) => e,
    );
    assert.match(error.message, /nats-server .* before it was ready\. Its log:\n/);
    const folder = /(\/\S*orch-nats-[^/\s]+)/.exec(error.message)?.[1];
    assert.ok(folder, `the message names the configuration file: ${error.message}`);
    assert.ok(!existsSync(folder), 'the temporary folder is removed');
  });

  it('says how to install the server when its program is missing', async () => {
    const saved = process.env.NATS_SERVER_BIN;
    process.env.NATS_SERVER_BIN = '/nonexistent/nats-server';
    try {
      await assert.rejects(startNatsServer(), /\/nonexistent\/nats-server is not installed \(apt-get install -y nats-server/);
    } finally {
      if (saved === undefined) delete process.env.NATS_SERVER_BIN; else process.env.NATS_SERVER_BIN = saved;
    }
  });

  it('waitForLog resolves on lines logged before and after the call; trace logs the protocol', async () => {
    const server = await start({ trace: true });
    assert.match(await server.waitForLog(/Server is ready/), /Server is ready/);
    const created = server.waitForLog(/Client connection created/);
    const nc = await open(connect(server.connectOptions()));
    await created;
    await nc.flush();
    assert.match(await server.waitForLog(/\[TRC\].*- <<- \[CONNECT /), /CONNECT/, 'trace: true logs the protocol');
  });
});

describe('test support: redis-server launcher', () => {
  it('answers PING on a free loopback port, then stops and cleans up', async () => {
    const redis = await startRedisServer();
    try {
      assert.match(redis.url, /^redis:\/\/127\.0\.0\.1:\d+$/);
      await pingRedis(redis.port);
      assert.match(redis.logs(), /Ready to accept connections/);
    } finally {
      await redis.stop();
    }
    assert.equal(redis.running, false);
    assert.ok(!existsSync(redis.dir));
    await assert.rejects(pingRedis(redis.port), /ECONNREFUSED/);
  });
});

describe('test support: servers never outlive the test process', () => {
  const launcher = join(__dirname, '..', 'support');
  const script = `
    const { startNatsServer } = require(${JSON.stringify(join(launcher, 'natsServer.ts'))});
    const { startRedisServer } = require(${JSON.stringify(join(launcher, 'redisServer.ts'))});
    (async () => {
      const nats = await startNatsServer();
      const redis = await startRedisServer();
      process.on('SIGUSR2', () => process.exit(0)); // "exit": a normal end, through process.exit
      console.log(JSON.stringify({ nats: { port: nats.port, pid: nats.pid, dir: nats.dir }, redis: { port: redis.port, pid: redis.pid, dir: redis.dir } }));
      process.stdin.once('data', (line) => process.kill(process.pid, String(line).trim()));
    })().catch((error) => { console.error(error); process.exit(2); });
  `;

  const endings = [
    { how: 'process.exit()', signal: 'SIGUSR2', exit: { code: 0, signal: null }, cleaned: true },
    { how: 'SIGTERM', signal: 'SIGTERM', exit: { code: null, signal: 'SIGTERM' }, cleaned: true },
    // Nothing runs in a process killed with SIGKILL: the servers' parent-death signal ends them,
    // and only their folders stay behind.
    { how: 'SIGKILL', signal: 'SIGKILL', exit: { code: null, signal: 'SIGKILL' }, cleaned: false },
  ];
  for (const ending of endings) {
    it(`kills the servers when the process ends by ${ending.how}${ending.cleaned ? ', and removes their folders' : ''}`, async () => {
      const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
      const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
      try {
        const first = await new Promise<string>((resolve, reject) => {
          createInterface({ input: child.stdout! }).once('line', resolve);
          child.once('exit', (code) => reject(new Error(`the child exited (${code}) before starting its servers`)));
        });
        const started = JSON.parse(first) as Record<'nats' | 'redis', { port: number; pid: number; dir: string }>;
        const watches = await Promise.all([watchPort(started.nats.port), watchPort(started.redis.port)]);
        assert.ok(running(started.nats.pid) && running(started.redis.pid));

        child.stdin!.write(`${ending.signal}\n`);
        assert.deepEqual(await ended, ending.exit);
        // Neither server hangs up on an idle client by itself: the closes say their processes ended.
        await Promise.all(watches.map((w) => w.closed));
        const folders = [started.nats.dir, started.redis.dir];
        if (ending.cleaned) assert.ok(folders.every((dir) => !existsSync(dir)), 'their folders are removed');
        else for (const dir of folders) rmSync(dir, { recursive: true, force: true });
      } finally {
        // On a failure, end the child gently so its own clean-up still stops its servers.
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      }
    });
  }
});
