import { strict as assert } from 'node:assert';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { fingerprint, keyType } from '../../../runtime/providers/ssh/hostKey';
import { checkHostKey, entryMatches, knownHostName, knownKeyTypes, parseKnownHosts } from '../../../runtime/providers/ssh/knownHosts';

/** An ssh-ed25519 public key blob (string "ssh-ed25519", string key). */
function ed25519Blob(): Buffer {
  const raw = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const str = (b: Buffer) => { const len = Buffer.alloc(4); len.writeUInt32BE(b.length); return Buffer.concat([len, b]); };
  return Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)]);
}

const line = (hosts: string, blob: Buffer, marker = '') => `${marker ? `${marker} ` : ''}${hosts} ${keyType(blob)} ${blob.toString('base64')} comment`;

describe('known_hosts', () => {
  const key = ed25519Blob();
  const other = ed25519Blob();

  it('names a host as OpenSSH records it', () => {
    assert.equal(knownHostName('web1.example', 22), 'web1.example');
    assert.equal(knownHostName('10.0.0.5', 2222), '[10.0.0.5]:2222');
  });

  it('parses entries, skipping comments, blank, unknown-marker and corrupt lines', () => {
    const entries = parseKnownHosts([
      '# comment',
      '',
      line('web1', key),
      '@unknown-marker web2 ssh-ed25519 AAAA',
      'web3 ssh-ed25519 not*base64',
      `web4 ssh-rsa ${key.toString('base64')}`,
      line('web5', other, '@revoked'),
    ].join('\n'));
    assert.deepEqual(entries.map((e) => [e.line, e.patterns, e.marker]), [[3, 'web1', undefined], [7, 'web5', 'revoked']]);
  });

  it('matches plain names, [host]:port, wildcards and negations, case-insensitively', () => {
    const [entry] = parseKnownHosts(line('web1,[10.0.0.5]:2222,*.prod.example,!db.prod.example,build-??', key));
    assert.ok(entryMatches(entry, 'WEB1'));
    assert.ok(entryMatches(entry, '[10.0.0.5]:2222'));
    assert.ok(!entryMatches(entry, '10.0.0.5'));
    assert.ok(entryMatches(entry, 'api.prod.example'));
    assert.ok(!entryMatches(entry, 'db.prod.example'), 'a negation wins');
    assert.ok(entryMatches(entry, 'build-01'));
    assert.ok(!entryMatches(entry, 'build-001'));
  });

  it('matches hashed entries (|1|salt|hash)', () => {
    const salt = Buffer.from('0123456789abcdefghij');
    const hash = createHmac('sha1', salt).update('[10.0.0.5]:2222').digest('base64');
    const [entry] = parseKnownHosts(line(`|1|${salt.toString('base64')}|${hash}`, key));
    assert.ok(entryMatches(entry, '[10.0.0.5]:2222'));
    assert.ok(!entryMatches(entry, '10.0.0.5'));
  });

  it('trusts a listed key; reports changed, other-type, revoked and unknown ones', () => {
    const entries = parseKnownHosts([line('web1', key), line('web2', other, '@revoked'), line('web2', other), line('web3', other)].join('\n'));
    assert.deepEqual(checkHostKey(entries, 'web1', key), { status: 'trusted', line: 1 });
    assert.deepEqual(checkHostKey(entries, 'web1', other), { status: 'changed', known: [{ line: 1, fingerprint: fingerprint(key) }] });
    assert.deepEqual(checkHostKey(entries, 'web2', other), { status: 'revoked', line: 2 });
    assert.deepEqual(checkHostKey(entries, 'nowhere', key), { status: 'unknown' });
    const rsaLike = Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from('ssh-rsa'), Buffer.from([0, 0, 0, 1, 1])]);
    assert.deepEqual(checkHostKey(entries, 'web1', rsaLike), { status: 'other-type', known: [{ line: 1, type: 'ssh-ed25519', fingerprint: fingerprint(key) }] });
  });

  it('never lets a @cert-authority line vouch for a host key', () => {
    const entries = parseKnownHosts(line('*', key, '@cert-authority'));
    assert.deepEqual(checkHostKey(entries, 'web1', key), { status: 'unknown' });
  });

  it('lists the key types known for a host, for the handshake', () => {
    const entries = parseKnownHosts([line('web1', key), line('web1', key)].join('\n'));
    assert.deepEqual(knownKeyTypes(entries, 'web1'), ['ssh-ed25519']);
    assert.deepEqual(knownKeyTypes(entries, 'web9'), []);
  });

  it('fingerprints like ssh-keygen -l (SHA256, unpadded base64)', () => {
    assert.match(fingerprint(key), /^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});
