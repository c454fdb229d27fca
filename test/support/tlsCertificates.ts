/**
 * A throwaway certificate authority and the certificates it signs, made with the `openssl` CLI:
 * a server certificate for 127.0.0.1 and localhost, and on request a client certificate for
 * mutual TLS. Short-lived (2 days) and written to the caller's temporary folder.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TlsFiles {
  /** The CA certificate clients trust (PEM). */
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  /** A client certificate signed by the same CA, when asked for. */
  clientCertFile?: string;
  clientKeyFile?: string;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const err = error as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') throw new Error('openssl is not installed (apt-get install -y openssl); it makes the test certificates');
    throw new Error(`openssl ${args.join(' ')} failed: ${err.stderr?.toString().trim() || err.message}`);
  }
}

/** A P-256 key and a certificate for `subject`, signed by the CA in `dir`, with `extensions`. */
function issue(dir: string, name: string, subject: string, extensions: string[]): { cert: string; key: string } {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.pem`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, `${extensions.join('\n')}\n`);
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', csr, '-subj', subject], dir);
  openssl(['x509', '-req', '-in', csr, '-CA', join(dir, 'ca.pem'), '-CAkey', join(dir, 'ca.key'), '-CAcreateserial',
    '-days', '2', '-sha256', '-extfile', ext, '-out', cert], dir);
  return { cert, key };
}

export function createTlsFiles(parent: string, options: { client?: boolean } = {}): TlsFiles {
  const dir = join(parent, 'tls');
  mkdirSync(dir, { recursive: true });
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-sha256', '-subj', '/CN=Orchestration Studio test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  const server = issue(dir, 'server', '/CN=localhost', [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  const files: TlsFiles = { caFile: join(dir, 'ca.pem'), serverCertFile: server.cert, serverKeyFile: server.key };
  if (options.client) {
    const client = issue(dir, 'client', '/CN=orch-test-client', [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=clientAuth',
    ]);
    files.clientCertFile = client.cert;
    files.clientKeyFile = client.key;
  }
  return files;
}
