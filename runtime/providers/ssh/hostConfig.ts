import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostEntry, HostsInventory } from '../../model/types';

/**
 * Finds a host by name when the inventory is spread over several orch.hosts.json files (the
 * engine's loader has one); `file` (a path or a file: URI) anchors relative paths.
 */
export type HostLookup = (name: string) => { entry: HostEntry; file?: string } | undefined;

/** Everything needed to open (and pool) a connection to one inventory host. */
export interface SshTarget {
  /** The inventory name (`web1`). */
  name: string;
  host: string;
  port: number;
  username: string;
  privateKey?: Buffer;
  privateKeyPath?: string;
  agent?: string;
  knownHostsPath: string;
  /** Connections are shared between activities with the same key. */
  poolKey: string;
}

export interface HostResolveOptions {
  inventory?: HostsInventory;
  /** Consulted before `inventory`. */
  lookup?: HostLookup;
  /** The folder of orch.hosts.json: relative key and known_hosts paths start there. */
  inventoryDir?: string;
  /** The environment for SSH_AUTH_SOCK (default: this process's). */
  env?: NodeJS.ProcessEnv;
  home?: string;
}

const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/** The inventory entry for `name`, resolved; a string is the reason it cannot be used. */
export function resolveTarget(name: string | undefined, options: HostResolveOptions): SshTarget | string {
  if (!name) return 'the ssh provider runs an activity on the hosts it lists: add "hosts": ["<name>"] to the activity (names from orch.hosts.json)';
  const hosts = options.inventory?.hosts;
  const found = options.lookup?.(name);
  let entry: HostEntry | undefined = found?.entry;
  let dir = found?.file ? dirname(found.file.startsWith('file:') ? fileURLToPath(found.file) : found.file) : options.inventoryDir;
  if (!entry && hosts && Object.prototype.hasOwnProperty.call(hosts, name)) {
    entry = hosts[name];
    dir = options.inventoryDir;
  }
  if (!entry) {
    if (!hosts && !options.lookup) return `host "${name}" cannot be resolved: no orch.hosts.json inventory was loaded`;
    return `host "${name}" is not in orch.hosts.json${hosts ? ` (known hosts: ${Object.keys(hosts).join(', ') || 'none'})` : ''}`;
  }
  if (typeof entry.host !== 'string' || !entry.host) return `orch.hosts.json: host "${name}" has no "host" address`;
  if (typeof entry.username !== 'string' || !entry.username) return `orch.hosts.json: host "${name}" has no "username"`;
  const port = entry.port ?? 22;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `orch.hosts.json: host "${name}" has an invalid port ${String(entry.port)}`;

  const home = options.home ?? homedir();
  const env = options.env ?? process.env;
  const base = dir ?? process.cwd();
  const path = (p: string) => (p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : isAbsolute(p) ? p : resolve(base, p));

  const target: SshTarget = {
    name, host: entry.host, port, username: entry.username,
    knownHostsPath: entry.knownHostsPath ? path(entry.knownHostsPath) : join(home, '.ssh', 'known_hosts'),
    poolKey: '',
  };
  if (entry.privateKeyPath) {
    target.privateKeyPath = path(entry.privateKeyPath);
    try {
      target.privateKey = readFileSync(target.privateKeyPath);
    } catch (error) {
      return `host "${name}": cannot read the private key ${target.privateKeyPath}: ${(error as Error).message}`;
    }
  }
  if (entry.agent === true) {
    if (!env.SSH_AUTH_SOCK) return `host "${name}" uses the ssh agent ("agent": true) but SSH_AUTH_SOCK is not set`;
    target.agent = env.SSH_AUTH_SOCK;
  } else if (typeof entry.agent === 'string' && entry.agent) {
    target.agent = path(entry.agent);
  }
  if (!target.privateKey && !target.agent) {
    // As ssh does without -i: the agent when there is one, else the default identity files.
    if (env.SSH_AUTH_SOCK) target.agent = env.SSH_AUTH_SOCK;
    const identity = DEFAULT_IDENTITIES.map((f) => join(home, '.ssh', f)).find((f) => existsSync(f));
    if (identity) {
      try { target.privateKey = readFileSync(identity); target.privateKeyPath = identity; } catch { /* unreadable: the agent may still do */ }
    }
    if (!target.privateKey && !target.agent) {
      return `host "${name}": no way to authenticate: set "privateKeyPath" or "agent" in orch.hosts.json (no SSH_AUTH_SOCK and no ~/.ssh/id_* key found)`;
    }
  }
  target.poolKey = [target.username, target.host, target.port, target.privateKeyPath ?? '', target.agent ?? '', target.knownHostsPath].join('\u0000');
  return target;
}
