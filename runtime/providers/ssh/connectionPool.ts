import { Client, type ConnectConfig } from 'ssh2';
import { abortReason } from '../shared/abort';
import { errorMessage } from '../shared/errors';
import type { SshTarget } from './hostConfig';
import { createHostVerification } from './hostVerifier';

/** A connection failure; `fatal` when retrying cannot help (host key, authentication, a bad key). */
export class SshConnectError extends Error {
  constructor(message: string, readonly fatal: boolean) {
    super(message);
  }
}

export interface SshPoolOptions {
  /** Channels (attempts) sharing one connection; sshd allows 10 sessions by default. */
  maxChannelsPerConnection?: number;
  /** An unused connection is closed after this long. */
  idleMs?: number;
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
}

class Connection {
  readonly client = new Client();
  leases = 0;
  closed = false;
  ready!: Promise<void>;
  idleTimer?: NodeJS.Timeout;
}

export interface Lease {
  client: Client;
  release(): void;
}

/** ssh connections per target, shared by the activities that run there; closed by dispose(). */
export class SshPool {
  private readonly connections = new Map<string, Connection[]>();
  private readonly maxChannels: number;
  private readonly idleMs: number;
  /** Connections opened so far (tests check reuse with it). */
  opened = 0;

  constructor(private readonly options: SshPoolOptions = {}) {
    this.maxChannels = options.maxChannelsPerConnection ?? 8;
    this.idleMs = options.idleMs ?? 30_000;
  }

  async lease(target: SshTarget, signal: AbortSignal): Promise<Lease> {
    const list = this.connections.get(target.poolKey) ?? [];
    this.connections.set(target.poolKey, list);
    let connection = list.find((c) => !c.closed && c.leases < this.maxChannels);
    if (!connection) {
      connection = this.open(target);
      list.push(connection);
    }
    connection.leases++;
    clearTimeout(connection.idleTimer);
    const held = connection;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      held.leases--;
      if (held.leases === 0 && !held.closed) {
        held.idleTimer = setTimeout(() => held.client.end(), this.idleMs);
        held.idleTimer.unref();
      }
    };
    try {
      await raceAbort(held.ready, signal);
    } catch (error) {
      release();
      throw error;
    }
    return { client: held.client, release };
  }

  get size(): number {
    let n = 0;
    for (const list of this.connections.values()) n += list.filter((c) => !c.closed).length;
    return n;
  }

  async dispose(): Promise<void> {
    const all = [...this.connections.values()].flat();
    this.connections.clear();
    await Promise.all(all.map((c) => c.closed ? undefined : new Promise<void>((resolve) => {
      clearTimeout(c.idleTimer);
      c.client.once('close', () => resolve());
      c.client.end();
    })));
  }

  private open(target: SshTarget): Connection {
    const connection = new Connection();
    this.opened++;
    const { client } = connection;
    const verification = createHostVerification(target);
    const where = `${target.username}@${target.host}:${target.port} (${target.name})`;
    const forget = () => {
      connection.closed = true;
      clearTimeout(connection.idleTimer);
      const list = this.connections.get(target.poolKey);
      if (list) {
        const at = list.indexOf(connection);
        if (at !== -1) list.splice(at, 1);
      }
    };
    connection.ready = new Promise<void>((resolve, reject) => {
      let isReady = false;
      client.on('ready', () => { isReady = true; resolve(); });
      client.on('error', (error: Error & { level?: string }) => {
        forget();
        if (!isReady) reject(classify(error, verification.failure, where, target));
      });
      client.on('close', () => {
        forget();
        if (!isReady) reject(new SshConnectError(`ssh connection to ${where} closed before it was ready`, false));
      });
      const config: ConnectConfig = {
        host: target.host,
        port: target.port,
        username: target.username,
        readyTimeout: this.options.readyTimeoutMs ?? 20_000,
        keepaliveInterval: this.options.keepaliveIntervalMs ?? 15_000,
        hostVerifier: (key: Buffer) => verification.verify(key),
      };
      if (target.privateKey) config.privateKey = target.privateKey;
      if (target.agent) config.agent = target.agent;
      if (verification.preferredAlgorithms.length) {
        config.algorithms = { serverHostKey: { prepend: verification.preferredAlgorithms } as never };
      }
      try {
        client.connect(config);
      } catch (error) {
        forget();
        const hint = /encrypted/i.test(errorMessage(error)) ? ' (a passphrase-protected key needs the ssh agent: set "agent" in orch.hosts.json)' : '';
        reject(new SshConnectError(`ssh: cannot use the private key ${target.privateKeyPath ?? ''} for ${target.name}: ${errorMessage(error)}${hint}`, true));
      }
    });
    // Nobody may be awaiting yet; a failure is reported to every lease through `ready`.
    connection.ready.catch(() => {});
    return connection;
  }
}

function classify(error: Error & { level?: string }, hostKeyFailure: string | undefined, where: string, target: SshTarget): SshConnectError {
  if (hostKeyFailure) return new SshConnectError(hostKeyFailure, true);
  switch (error.level) {
    case 'client-authentication': {
      const tried = [target.privateKeyPath && `key ${target.privateKeyPath}`, target.agent && `agent ${target.agent}`].filter(Boolean).join(' and ');
      return new SshConnectError(`ssh authentication failed for ${where} (tried ${tried || 'nothing'})`, true);
    }
    case 'client-timeout':
      return new SshConnectError(`ssh: timed out connecting to ${where}`, false);
    case 'client-socket':
      return new SshConnectError(`ssh: cannot connect to ${where}: ${error.message}`, false);
    case 'handshake':
      return new SshConnectError(`ssh: handshake with ${where} failed: ${error.message}`, true);
    default:
      return new SshConnectError(`ssh: connection to ${where} failed: ${error.message}`, false);
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new AbortedError(abortReason(signal)));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortedError(abortReason(signal)));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => { signal.removeEventListener('abort', onAbort); resolve(value); },
      (error) => { signal.removeEventListener('abort', onAbort); reject(error); },
    );
  });
}

export class AbortedError extends Error {}
