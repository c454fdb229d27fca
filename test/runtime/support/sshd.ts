/**
 * A real OpenSSH server for tests: Debian's sshd (package openssh-server), started as a
 * non-daemon on a free 127.0.0.1 port with freshly generated host and user keys, all in a
 * temporary folder. It lets in the current user with the generated key only.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const SSHD_PATH = '/usr/sbin/sshd';
/** A bound on sshd's start (it normally listens within milliseconds). */
const STARTUP_LIMIT_MS = 15_000;

export interface Sshd {
  host: string;
  port: number;
  username: string;
  dir: string;
  /** The user's private key (authorized on the server). */
  userKeyPath: string;
  /** A known_hosts line for the server's real host key. */
  knownHostsLine: string;
  /** A known_hosts line for the same host with a different key (a "changed" host key). */
  wrongKnownHostsLine: string;
  /** sshd's log (stderr), line by line, as it comes. */
  log: string[];
  /** Resolves with the first log line (seen or future) that matches. */
  logged(pattern: RegExp): Promise<string>;
  stop(): Promise<void>;
}

/** Why sshd cannot run here, or undefined when it can. */
export function sshdUnavailable(): string | undefined {
  if (!existsSync(SSHD_PATH)) return `${SSHD_PATH} is not installed (apt-get install -y openssh-server)`;
  try { execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' }); } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'ssh-keygen is not installed (apt-get install -y openssh-client)';
  }
  return undefined;
}

function keygen(path: string, comment: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], { stdio: 'ignore' });
}

function publicKey(path: string): string {
  return readFileSync(`${path}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startSshd(): Promise<Sshd> {
  const unavailable = sshdUnavailable();
  if (unavailable) throw new Error(unavailable);
  const dir = mkdtempSync(join(tmpdir(), 'orch-sshd-'));
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  const otherHostKey = join(dir, 'other_host_key');
  const userKeyPath = join(dir, 'id_ed25519');
  keygen(hostKey, 'orch-test-host');
  keygen(otherHostKey, 'orch-test-other-host');
  keygen(userKeyPath, 'orch-test-user');
  writeFileSync(join(dir, 'authorized_keys'), `${publicKey(userKeyPath)}\n`, { mode: 0o600 });
  // sshd refuses to start without its privilege separation folder (created by the package's init script).
  if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const username = userInfo().username;

  for (let tries = 0; ; tries++) {
    const port = await freePort();
    const configPath = join(dir, 'sshd_config');
    writeFileSync(configPath, [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      `AllowUsers ${username}`,
      'LogLevel INFO',
      '',
    ].join('\n'));
    const child = spawn(SSHD_PATH, ['-D', '-e', '-f', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    const log: string[] = [];
    const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
    let pending = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        log.push(line);
        for (const w of waiters.slice()) if (w.pattern.test(line)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(line); }
      }
    });
    const logged = (pattern: RegExp) => {
      const seen = log.find((l) => pattern.test(l));
      return seen !== undefined ? Promise.resolve(seen) : new Promise<string>((resolve) => waiters.push({ pattern, resolve }));
    };
    let bound: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      logged(/Server listening on 127\.0\.0\.1 port/).then(() => 'listening' as const),
      new Promise<'exited'>((resolve) => child.once('exit', () => resolve('exited'))),
      new Promise<'silent'>((resolve) => { bound = setTimeout(() => resolve('silent'), STARTUP_LIMIT_MS); }),
    ]);
    clearTimeout(bound);
    if (outcome === 'silent') {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`sshd did not report listening within ${STARTUP_LIMIT_MS} ms: ${log.join('\n') || 'no output'}`);
    }
    if (outcome === 'exited') {
      const reason = log.join('\n') || 'no output';
      // Another process took the port between our probe and sshd's bind: try another one.
      if (/Bind to port|Address already in use/.test(reason) && tries < 3) continue;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`sshd did not start: ${reason}`);
    }
    return {
      host: '127.0.0.1', port, username, dir, userKeyPath, log, logged,
      knownHostsLine: `[127.0.0.1]:${port} ${publicKey(hostKey)}`,
      wrongKnownHostsLine: `[127.0.0.1]:${port} ${publicKey(otherHostKey)}`,
      stop: () => stop(child, dir),
    };
  }
}

async function stop(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
  rmSync(dir, { recursive: true, force: true });
}
