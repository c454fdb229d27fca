import { readFileSync } from 'node:fs';
import { algorithmsForKeyType, fingerprint, keyType } from './hostKey';
import { checkHostKey, knownHostName, knownKeyTypes, parseKnownHosts, type KnownHostEntry } from './knownHosts';

/** Who we are connecting to, for the check and for messages. */
export interface VerifiedHost {
  /** The inventory name (`web1`). */
  name: string;
  host: string;
  port: number;
  knownHostsPath: string;
}

export interface HostVerification {
  /** For ssh2's `hostVerifier`: true only for a key that known_hosts vouches for. */
  verify(key: Buffer): boolean;
  /** Host key algorithms to ask for first: the types known_hosts has for this host. */
  preferredAlgorithms: string[];
  /** Why the last key was refused, worded for the user; undefined while nothing was refused. */
  readonly failure: string | undefined;
}

/**
 * Checks the server's host key against known_hosts, as OpenSSH's StrictHostKeyChecking=yes does:
 * an unknown key, a changed key, or a revoked one fails the connection; nothing is ever added.
 */
export function createHostVerification(target: VerifiedHost): HostVerification {
  const lookup = knownHostName(target.host, target.port);
  let entries: KnownHostEntry[] = [];
  let unreadable: string | undefined;
  try {
    entries = parseKnownHosts(readFileSync(target.knownHostsPath, 'utf8'));
  } catch (error) {
    unreadable = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`;
  }
  const preferredAlgorithms = knownKeyTypes(entries, lookup).flatMap(algorithmsForKeyType);
  let failure: string | undefined;
  const where = `${target.name} (${target.host}:${target.port})`;
  const file = target.knownHostsPath;

  return {
    preferredAlgorithms,
    get failure() { return failure; },
    verify(key: Buffer): boolean {
      const type = keyType(key) ?? 'unknown-type';
      const print = fingerprint(key);
      const check = checkHostKey(entries, lookup, key);
      switch (check.status) {
        case 'trusted':
          return true;
        case 'revoked':
          failure = `ssh host key verification failed for ${where}: the server's ${type} key ${print} is marked @revoked in ${file} line ${check.line}`;
          return false;
        case 'changed': {
          const known = check.known.map((k) => `${k.fingerprint} (line ${k.line})`).join(', ');
          failure = `ssh host key verification failed for ${where}: THE HOST KEY HAS CHANGED. The server presented ${type} key ${print}, `
            + `but ${file} has ${known} for ${lookup}. Someone could be intercepting the connection (man-in-the-middle), or the host `
            + `was reinstalled. If the change is expected, remove the old entry (ssh-keygen -R '${lookup}' -f ${file}) and add the new key.`;
          return false;
        }
        case 'other-type': {
          const known = check.known.map((k) => `${k.type} ${k.fingerprint} (line ${k.line})`).join(', ');
          failure = `ssh host key verification failed for ${where}: the server presented ${type} key ${print}, but ${file} only knows `
            + `${known} for ${lookup}. Check the host's keys out of band before adding this one.`;
          return false;
        }
        case 'unknown':
          failure = `ssh host key verification failed for ${where}: the server's ${type} key ${print} is not in ${file}`
            + `${unreadable ? ` (the file ${unreadable})` : ''}. Unknown hosts are never trusted automatically: check the fingerprint out of band, `
            + `then add the key (for example: ssh-keyscan -p ${target.port} ${target.host} >> ${file}) or set knownHostsPath in orch.hosts.json.`;
          return false;
      }
    },
  };
}
