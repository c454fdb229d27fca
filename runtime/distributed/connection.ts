/**
 * How both sides connect to NATS: the URL, the credentials (user/password, token, or an nkey seed,
 * from options or the environment, never from the command line where `ps` would show them) and TLS
 * (when the URL says `tls://` or a CA/certificate is given). A lost connection is retried forever
 * with a jittered backoff: NATS restarting must never end a run or an agent.
 */
import { readFileSync } from 'node:fs';
import { connect, nkeyAuthenticator, type ConnectionOptions, type NatsConnection } from 'nats';

export interface NatsSettings {
  /** `nats://host:port` or `tls://host:port`; several separated by commas. `nats://user:pass@host` works too. */
  url: string;
  user?: string;
  password?: string;
  token?: string;
  /** An nkey seed (`SU...`), or the path of a file holding one (nkeyFile). */
  nkeySeed?: string;
  nkeyFile?: string;
  /** TLS: a CA to trust (for a private CA), and a client certificate + key when the server asks for one. */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** Shown by the server's monitoring (`orch agent <name>`, `orch run <runId>`). */
  name?: string;
}

/** Reads what the environment says: ORCH_NATS_URL, _USER, _PASSWORD, _TOKEN, _NKEY (seed), _NKEY_FILE, _CA, _CERT, _KEY. */
export function natsSettingsFromEnv(env: Readonly<Record<string, string | undefined>>, url?: string): NatsSettings | undefined {
  const resolved = url ?? env.ORCH_NATS_URL;
  if (!resolved) return undefined;
  const settings: NatsSettings = { url: resolved };
  const take = (key: keyof NatsSettings, variable: string) => {
    const value = env[variable];
    if (value) (settings as unknown as Record<string, string>)[key] = value;
  };
  take('user', 'ORCH_NATS_USER');
  take('password', 'ORCH_NATS_PASSWORD');
  take('token', 'ORCH_NATS_TOKEN');
  take('nkeySeed', 'ORCH_NATS_NKEY');
  take('nkeyFile', 'ORCH_NATS_NKEY_FILE');
  take('caFile', 'ORCH_NATS_CA');
  take('certFile', 'ORCH_NATS_CERT');
  take('keyFile', 'ORCH_NATS_KEY');
  return settings;
}

export class NatsSettingsError extends Error {
  override readonly name = 'NatsSettingsError';
}

/** The nats.js options for `settings`; throws NatsSettingsError for a setting that cannot work. */
export function connectionOptions(settings: NatsSettings): ConnectionOptions {
  const servers = settings.url.split(',').map((s) => s.trim()).filter(Boolean);
  if (!servers.length) throw new NatsSettingsError('the NATS URL is empty (expected nats://host:port)');
  let wantsTls = false;
  for (const server of servers) {
    const scheme = /^([a-z]+):\/\//i.exec(server)?.[1]?.toLowerCase();
    if (scheme && scheme !== 'nats' && scheme !== 'tls') throw new NatsSettingsError(`the NATS URL ${server} has scheme ${scheme}:// (expected nats:// or tls://)`);
    if (scheme === 'tls') wantsTls = true;
  }
  const options: ConnectionOptions = {
    servers,
    name: settings.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 250,
    reconnectJitterTLS: 500,
    waitOnFirstConnect: true,
    // Reports and heartbeats must not sit in a buffer for long while the server is away.
    pingInterval: 10_000,
    // An async stack trace per request costs ~5% of CPU on the per-activity path, for errors we word ourselves.
    noAsyncTraces: true,
  };
  const authKinds = [settings.token ? 'token' : '', settings.user ? 'user' : '', settings.nkeySeed || settings.nkeyFile ? 'nkey' : ''].filter(Boolean);
  if (authKinds.length > 1) throw new NatsSettingsError(`give one kind of NATS credentials, not ${authKinds.join(' and ')}`);
  if (settings.password && !settings.user) throw new NatsSettingsError('a NATS password needs a user (ORCH_NATS_USER)');
  if (settings.token) options.token = settings.token;
  if (settings.user) {
    options.user = settings.user;
    options.pass = settings.password ?? '';
  }
  if (settings.nkeySeed || settings.nkeyFile) {
    const seed = (settings.nkeySeed ?? readSecretFile(settings.nkeyFile!, 'nkey seed')).trim();
    if (!/^S[A-Z2-7]{20,}$/.test(seed)) throw new NatsSettingsError('the nkey seed must be an nkey seed (it starts with S, e.g. SUA...)');
    options.authenticator = nkeyAuthenticator(new TextEncoder().encode(seed));
  }
  if (wantsTls || settings.caFile || settings.certFile || settings.keyFile) {
    if (!!settings.certFile !== !!settings.keyFile) throw new NatsSettingsError('a TLS client certificate needs both a certificate file and a key file');
    options.tls = {};
    if (settings.caFile) options.tls.caFile = settings.caFile;
    if (settings.certFile) options.tls.certFile = settings.certFile;
    if (settings.keyFile) options.tls.keyFile = settings.keyFile;
  }
  return options;
}

function readSecretFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new NatsSettingsError(`cannot read the ${what} file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * Connects, waiting for the server if it is not up yet (it may be starting), for at most `timeoutMs`
 * so a wrong URL is reported instead of retried forever. Each try is a single pass that fails fast:
 * a nats.js connect waiting on its first connection would keep dialling after we gave up on it.
 * Once connected, a lost connection is retried forever (connectionOptions).
 */
export async function connectNats(settings: NatsSettings, timeoutMs = 15_000): Promise<NatsConnection> {
  const options = connectionOptions(settings);
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let pause = 250; ; pause = Math.min(pause * 2, 2000)) {
    try {
      return await connect({ ...options, waitOnFirstConnect: false, timeout: Math.max(500, Math.min(deadline - Date.now(), 20_000)) });
    } catch (error) {
      last = error;
      // Credentials and certificates do not get better by waiting.
      if (/authorization|authentication|tls|certificate|self.signed/i.test(error instanceof Error ? error.message : String(error))) throw explain(error, settings.url);
    }
    if (Date.now() + pause >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  const why = last instanceof Error ? ` (last error: ${last.message})` : '';
  throw new NatsSettingsError(`cannot reach NATS at ${settings.url} within ${Math.round(timeoutMs / 1000)} s${why}; is nats-server running, with JetStream (-js)?`);
}

function explain(error: unknown, url: string): Error {
  if (error instanceof NatsSettingsError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/authorization|authentication/i.test(message)) return new NatsSettingsError(`NATS at ${url} refused the credentials (${message}); check ORCH_NATS_USER/PASSWORD, ORCH_NATS_TOKEN or ORCH_NATS_NKEY`);
  if (/tls|certificate|self.signed/i.test(message)) return new NatsSettingsError(`TLS with NATS at ${url} failed (${message}); give the server's CA with ORCH_NATS_CA`);
  return new NatsSettingsError(`cannot connect to NATS at ${url}: ${message}`);
}
