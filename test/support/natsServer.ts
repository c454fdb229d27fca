/**
 * A real NATS server for tests and benchmarks: Debian's nats-server, on a free 127.0.0.1 port,
 * with JetStream on file storage in a temporary folder that survives restart() (so a test can
 * prove durable state outlives the server) and is removed by stop(). Auth (token, user/password,
 * nkey) and TLS (a throwaway CA) are configured on request. Every server started here is killed,
 * and its folder removed, when the test process exits.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions } from 'nats';
import {
  LOOPBACK, LogBuffer, ServerProcess, StartError, freePort, programMissing, releaseDir, startUntilReady, tcpExchange, trackDir,
} from './serverProcess';
import { createTlsFiles, type TlsFiles } from './tlsCertificates';

/** Debian installs the server in /usr/sbin, which is not on every user's PATH; NATS_SERVER_BIN overrides. */
export function natsServerBinary(): string {
  if (process.env.NATS_SERVER_BIN) return process.env.NATS_SERVER_BIN;
  return existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server';
}

export type NatsAuth =
  | { token: string }
  | { user: string; password: string }
  /** A user nkey's public key ("U..."); the client signs with the seed (`nkeyAuthenticator(seed)`). */
  | { nkey: string };

export interface NatsServerOptions {
  auth?: NatsAuth;
  /** Require TLS with a throwaway CA; `verifyClients` also requires a client certificate (mutual TLS). */
  tls?: boolean | { verifyClients?: boolean };
  /** JetStream is on unless false; limits use nats-server units ("256MB") or bytes. */
  jetstream?: boolean | { maxMemoryStore?: number | string; maxFileStore?: number | string };
  /** Debug and protocol trace lines in logs(). */
  trace?: boolean;
  /** Appended to the generated configuration file (nats-server config syntax). */
  extraConfig?: string;
  /** How long a start may take before it fails with the server's log (10 s by default). */
  readyTimeoutMs?: number;
}

export interface NatsServer {
  /** nats://127.0.0.1:port, or tls://127.0.0.1:port when TLS is required. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The temporary folder that holds everything below; removed by stop(). */
  readonly dir: string;
  /** JetStream's store_dir (file storage), kept across restart() and kill(). */
  readonly storeDir: string;
  readonly configFile: string;
  /** With TLS: the CA certificate a client must trust. */
  readonly caFile?: string;
  /** With `tls: { verifyClients: true }`: a client certificate and key the server accepts. */
  readonly clientCertFile?: string;
  readonly clientKeyFile?: string;
  /** The running process's id; undefined after kill() or stop(). */
  readonly pid: number | undefined;
  readonly running: boolean;
  /**
   * Options for `connect()` from 'nats': servers, TLS files and token or user/password.
   * For nkey auth add `authenticator: nkeyAuthenticator(seed)` (in `extra`).
   */
  connectOptions(extra?: Partial<ConnectionOptions>): ConnectionOptions;
  /** Everything the server logged (all starts), one line per line. */
  logs(): string;
  /** The first log line matching `pattern` (logged already, or to come), rejecting after `timeoutMs`. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Stops gracefully (SIGTERM) if running, then starts on the same port and store; resolves when ready. */
  restart(): Promise<void>;
  /** Stops gracefully and removes the temporary folder. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL, resolving once the process is gone; the store stays, so restart() recovers it. */
  kill(): Promise<void>;
}

const DEFAULT_READY_MS = 10_000;
const START_ATTEMPTS = 5;

/** A value in nats-server's config syntax: a double-quoted string with JSON's escapes. */
const q = (value: string): string => JSON.stringify(value);

function jetstreamBlock(storeDir: string, jetstream: NatsServerOptions['jetstream']): string[] {
  if (jetstream === false) return [];
  const limits = typeof jetstream === 'object' ? jetstream : {};
  const size = (v: number | string): string => (typeof v === 'number' ? String(v) : q(v));
  return [
    'jetstream {',
    `  store_dir: ${q(storeDir)}`,
    ...(limits.maxMemoryStore !== undefined ? [`  max_memory_store: ${size(limits.maxMemoryStore)}`] : []),
    ...(limits.maxFileStore !== undefined ? [`  max_file_store: ${size(limits.maxFileStore)}`] : []),
    '}',
  ];
}

function authBlock(auth: NatsAuth | undefined): string[] {
  if (!auth) return [];
  if ('token' in auth) return ['authorization {', `  token: ${q(auth.token)}`, '}'];
  if ('user' in auth) return ['authorization {', `  user: ${q(auth.user)}`, `  password: ${q(auth.password)}`, '}'];
  if (!/^U[A-Z2-7]{55}$/.test(auth.nkey)) {
    throw new Error(`auth.nkey must be a user nkey's public key (U followed by 55 base32 characters), got ${JSON.stringify(auth.nkey)}`);
  }
  return ['authorization {', `  users: [ { nkey: ${q(auth.nkey)} } ]`, '}'];
}

function tlsBlock(files: TlsFiles | undefined, verifyClients: boolean): string[] {
  if (!files) return [];
  return [
    'tls {',
    `  cert_file: ${q(files.serverCertFile)}`,
    `  key_file: ${q(files.serverKeyFile)}`,
    ...(verifyClients ? [`  ca_file: ${q(files.caFile)}`, '  verify: true'] : []),
    '  timeout: 5',
    '}',
  ];
}

class NatsServerHandle implements NatsServer {
  readonly host = LOOPBACK;
  readonly storeDir: string;
  readonly configFile: string;
  readonly caFile?: string;
  readonly clientCertFile?: string;
  readonly clientKeyFile?: string;
  port = 0;
  private process: ServerProcess | undefined;
  private readonly log = new LogBuffer();
  private stopped = false;
  /** Serialises restart/stop/kill, so overlapping calls never run two servers on one store. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string, private readonly options: NatsServerOptions, private readonly tls: TlsFiles | undefined) {
    this.storeDir = join(dir, 'jetstream');
    this.configFile = join(dir, 'nats-server.conf');
    this.caFile = tls?.caFile;
    this.clientCertFile = tls?.clientCertFile;
    this.clientKeyFile = tls?.clientKeyFile;
  }

  get url(): string { return `${this.tls ? 'tls' : 'nats'}://${this.host}:${this.port}`; }
  get pid(): number | undefined { return this.process?.running ? this.process.pid : undefined; }
  get running(): boolean { return this.process?.running ?? false; }

  connectOptions(extra: Partial<ConnectionOptions> = {}): ConnectionOptions {
    const auth = this.options.auth;
    return {
      servers: this.url,
      ...(auth && 'token' in auth ? { token: auth.token } : {}),
      ...(auth && 'user' in auth ? { user: auth.user, pass: auth.password } : {}),
      ...(this.tls ? {
        tls: {
          caFile: this.tls.caFile,
          ...(this.tls.clientCertFile ? { certFile: this.tls.clientCertFile, keyFile: this.tls.clientKeyFile } : {}),
        },
      } : {}),
      ...extra,
    };
  }

  logs(): string { return this.log.text(); }

  waitForLog(pattern: RegExp, timeoutMs = DEFAULT_READY_MS): Promise<string> {
    return this.log.wait(pattern, { timeoutMs });
  }

  /** The first start: a fresh port each attempt, since another process may take a probed port first. */
  async start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.port = await freePort();
      try {
        await this.launch();
        return;
      } catch (error) {
        if (error instanceof StartError && /address already in use/i.test(error.log) && attempt < START_ATTEMPTS) continue;
        throw error;
      }
    }
  }

  private async launch(): Promise<void> {
    const options = this.options;
    writeFileSync(this.configFile, [
      `listen: ${q(`${this.host}:${this.port}`)}`,
      `server_name: ${q(`orch-test-${this.port}`)}`,
      ...(options.trace ? ['debug: true', 'trace: true'] : []),
      ...jetstreamBlock(this.storeDir, options.jetstream),
      ...authBlock(options.auth),
      ...tlsBlock(this.tls, typeof options.tls === 'object' && options.tls.verifyClients === true),
      options.extraConfig ?? '',
      '',
    ].join('\n'));
    const binary = natsServerBinary();
    try {
      this.process = await startUntilReady({
        name: `nats-server (${binary}, port ${this.port}, config ${this.configFile})`,
        command: binary,
        args: ['-c', this.configFile],
        cwd: this.dir,
        logs: this.log,
        ready: /Server is ready/,
        // The server greets every connection with INFO in clear text. With TLS the probe is skipped:
        // hanging up before the handshake logs a "TLS handshake error" that would mislead a reader.
        probe: async () => { if (!this.tls) await tcpExchange(this.port, undefined, /^INFO .*\r\n/); },
        timeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_MS,
      });
    } catch (error) {
      if (error instanceof StartError && programMissing(error)) {
        throw new Error(`${binary} is not installed (apt-get install -y nats-server, or set NATS_SERVER_BIN)`);
      }
      throw error;
    }
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  restart(): Promise<void> {
    return this.serial(async () => {
      if (this.stopped) throw new Error('restart() after stop(): the server and its store are gone; start a new one');
      await this.process?.stop('SIGTERM');
      await this.launch();
    });
  }

  kill(): Promise<void> {
    return this.serial(async () => { await this.process?.stop('SIGKILL'); });
  }

  stop(): Promise<void> {
    return this.serial(async () => {
      if (this.stopped) return;
      this.stopped = true;
      await this.process?.stop('SIGTERM');
      releaseDir(this.dir);
    });
  }
}

export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'orch-nats-'));
  trackDir(dir);
  try {
    const tls = options.tls
      ? createTlsFiles(dir, { client: typeof options.tls === 'object' && options.tls.verifyClients === true })
      : undefined;
    const server = new NatsServerHandle(dir, options, tls);
    await server.start();
    return server;
  } catch (error) {
    releaseDir(dir);
    throw error;
  }
}
