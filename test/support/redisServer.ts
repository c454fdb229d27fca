/**
 * A real Redis for benchmarks and tests (BullMQ's backend): Debian's redis-server on a free
 * 127.0.0.1 port, without persistence (no RDB snapshots, no AOF), working in a temporary folder.
 * Ready once it answers PING; killed and cleaned up when the test process exits.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LOOPBACK, LogBuffer, ServerProcess, StartError, freePort, programMissing, releaseDir, startUntilReady, tcpExchange, trackDir,
} from './serverProcess';

export function redisServerBinary(): string {
  if (process.env.REDIS_SERVER_BIN) return process.env.REDIS_SERVER_BIN;
  return existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : 'redis-server';
}

export interface RedisServerOptions {
  /** How long a start may take before it fails with the server's log (10 s by default). */
  readyTimeoutMs?: number;
}

export interface RedisServer {
  /** redis://127.0.0.1:port */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  readonly pid: number | undefined;
  readonly running: boolean;
  logs(): string;
  /** Stops gracefully (SIGTERM, without saving: persistence is off) and removes the folder. Idempotent. */
  stop(): Promise<void>;
}

const START_ATTEMPTS = 5;

/** Sends PING over a plain socket and resolves on +PONG: no client library needed. */
export async function pingRedis(port: number, timeoutMs = 5_000): Promise<void> {
  await tcpExchange(port, 'PING\r\n', /^\+PONG\r\n/, timeoutMs);
}

async function launch(dir: string, port: number, logs: LogBuffer, timeoutMs: number): Promise<ServerProcess> {
  const binary = redisServerBinary();
  try {
    return await startUntilReady({
      name: `redis-server (${binary}, port ${port})`,
      command: binary,
      args: [
        '--bind', LOOPBACK, '--port', String(port), '--dir', dir,
        '--save', '', '--appendonly', 'no',
        '--daemonize', 'no', '--logfile', '', '--loglevel', 'notice',
        '--databases', '16', '--protected-mode', 'yes',
      ],
      cwd: dir,
      logs,
      ready: /Ready to accept connections/,
      probe: () => pingRedis(port),
      timeoutMs,
    });
  } catch (error) {
    if (error instanceof StartError && programMissing(error)) {
      throw new Error(`${binary} is not installed (apt-get install -y redis-server, or set REDIS_SERVER_BIN)`);
    }
    throw error;
  }
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'orch-redis-'));
  trackDir(dir);
  const logs = new LogBuffer();
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      let server: ServerProcess;
      try {
        server = await launch(dir, port, logs, options.readyTimeoutMs ?? 10_000);
      } catch (error) {
        // Another process took the probed port before redis bound it: try another.
        if (error instanceof StartError && /address already in use/i.test(error.log) && attempt < START_ATTEMPTS) continue;
        throw error;
      }
      let stopping: Promise<void> | undefined;
      return {
        url: `redis://${LOOPBACK}:${port}`,
        host: LOOPBACK,
        port,
        dir,
        get pid() { return server.running ? server.pid : undefined; },
        get running() { return server.running; },
        logs: () => logs.text(),
        stop: () => (stopping ??= server.stop('SIGTERM').then(() => releaseDir(dir))),
      };
    }
  } catch (error) {
    releaseDir(dir);
    throw error;
  }
}
