import { createHmac } from 'node:crypto';
import { fingerprint, keyType } from './hostKey';

/**
 * OpenSSH's known_hosts format (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): per line an optional
 * marker (`@revoked`, `@cert-authority`), comma-separated host patterns (plain names, `[host]:port`,
 * `*`/`?` wildcards, `!` negations, or one hashed `|1|salt|hash` entry), the key type, the base64
 * key and a comment.
 */
export interface KnownHostEntry {
  /** 1-based line number, for messages. */
  line: number;
  marker?: 'revoked' | 'cert-authority';
  patterns: string;
  type: string;
  key: Buffer;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const fields = lines[i].trim().split(/\s+/);
    if (fields[0] === '' || fields[0].startsWith('#')) continue;
    let marker: KnownHostEntry['marker'];
    if (fields[0].startsWith('@')) {
      const name = fields.shift()!.slice(1);
      if (name !== 'revoked' && name !== 'cert-authority') continue;
      marker = name;
    }
    if (fields.length < 3) continue;
    const [patterns, type, base64] = fields;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) continue;
    const key = Buffer.from(base64, 'base64');
    // A line whose blob disagrees with its declared type is corrupt: never let it vouch for a key.
    if (keyType(key) !== type) continue;
    entries.push({ line: i + 1, marker, patterns, type, key });
  }
  return entries;
}

/** The name a host is recorded under: `host`, or `[host]:port` for a port other than 22. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function entryMatches(entry: KnownHostEntry, name: string): boolean {
  if (entry.patterns.startsWith('|1|')) return hashedMatches(entry.patterns, name);
  let matched = false;
  for (const raw of entry.patterns.split(',')) {
    if (!raw) continue;
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (!wildcardMatch(pattern.toLowerCase(), name.toLowerCase())) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function hashedMatches(field: string, name: string): boolean {
  const [, , salt, hash] = field.split('|');
  if (!salt || !hash) return false;
  const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return digest === hash;
}

function wildcardMatch(pattern: string, text: string): boolean {
  // Iterative glob with backtracking on the last `*`: linear enough for host names.
  let p = 0, t = 0, star = -1, mark = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) { p++; t++; }
    else if (p < pattern.length && pattern[p] === '*') { star = p++; mark = t; }
    else if (star !== -1) { p = star + 1; t = ++mark; }
    else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

export type HostKeyCheck =
  | { status: 'trusted'; line: number }
  | { status: 'revoked'; line: number }
  /** Known with a different key of the same type: possibly an attack, or a reinstalled host. */
  | { status: 'changed'; known: { line: number; fingerprint: string }[] }
  /** Known, but only with keys of other types than the one presented. */
  | { status: 'other-type'; known: { line: number; type: string; fingerprint: string }[] }
  | { status: 'unknown' };

/** What the known_hosts entries say about the key a server presented for `name`. */
export function checkHostKey(entries: KnownHostEntry[], name: string, key: Buffer): HostKeyCheck {
  const presentedType = keyType(key);
  const matching = entries.filter((e) => e.marker !== 'cert-authority' && entryMatches(e, name));
  const revoked = matching.find((e) => e.marker === 'revoked' && e.key.equals(key));
  if (revoked) return { status: 'revoked', line: revoked.line };
  const plain = matching.filter((e) => e.marker === undefined);
  const trusted = plain.find((e) => e.key.equals(key));
  if (trusted) return { status: 'trusted', line: trusted.line };
  const sameType = plain.filter((e) => e.type === presentedType);
  if (sameType.length) return { status: 'changed', known: sameType.map((e) => ({ line: e.line, fingerprint: fingerprint(e.key) })) };
  if (plain.length) return { status: 'other-type', known: plain.map((e) => ({ line: e.line, type: e.type, fingerprint: fingerprint(e.key) })) };
  return { status: 'unknown' };
}

/** The key types known for a host, so that the handshake can ask the server for one of them first. */
export function knownKeyTypes(entries: KnownHostEntry[], name: string): string[] {
  const types: string[] = [];
  for (const e of entries) if (e.marker === undefined && entryMatches(e, name) && !types.includes(e.type)) types.push(e.type);
  return types;
}
