/**
 * What the test server launchers (NATS, Redis) share: a free loopback port, a log kept line by
 * line that can be waited on, a start that resolves only once the server answers (or fails with
 * its log), a bounded stop, and a registry that kills every server still running and removes its
 * temporary folder when the test process ends, so a failed or interrupted run leaves nothing behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';

export const LOOPBACK = '127.0.0.1';
/** How long a graceful stop may take before the process is killed. */
const STOP_LIMIT_MS = 10_000;

/** A port nothing listens on right now (the OS picks it); the caller retries if it is taken before use. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, LOOPBACK, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface LogWaiter {
  pattern: RegExp;
  from: number;
  resolve: (line: string) => void;
}

/**
 * A process's output, line by line, across restarts. Lines are numbered for good (`seq`), so a
 * wait can ask for a line written after a point (a restart's "ready", not the previous one's).
 */
export class LogBuffer {
  /** The most lines kept: a chatty server (trace logging) must not grow a test's memory without end. */
  private static readonly KEEP = 20_000;
  private readonly lines: string[] = [];
  private dropped = 0;
  private readonly waiters = new Set<LogWaiter>();

  /** The number of lines written so far, a mark for `wait` and `since`. */
  get seq(): number { return this.dropped + this.lines.length; }

  attach(stream: Readable | null, prefix = ''): void {
    if (!stream) return;
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop()!;
      for (const line of parts) this.add(prefix + line.replace(/\r$/, ''));
    });
    stream.on('end', () => { if (pending) this.add(prefix + pending); pending = ''; });
  }

  add(line: string): void {
    const seq = this.seq;
    this.lines.push(line);
    if (this.lines.length > LogBuffer.KEEP) { this.lines.shift(); this.dropped++; }
    for (const waiter of [...this.waiters]) {
      if (seq >= waiter.from && waiter.pattern.test(line)) { this.waiters.delete(waiter); waiter.resolve(line); }
    }
  }

  /** The log text from line `from` on (the whole kept log by default). */
  text(from = 0): string {
    return this.lines.slice(Math.max(0, from - this.dropped)).join('\n');
  }

  /** The first line from `from` on that matches, written already or to come; rejects after `timeoutMs`. */
  wait(pattern: RegExp, options: { from?: number; timeoutMs?: number } = {}): Promise<string> {
    const from = options.from ?? 0;
    const seen = this.lines.slice(Math.max(0, from - this.dropped)).find((line) => pattern.test(line));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: LogWaiter = { pattern, from, resolve: (line) => { clearTimeout(timer); resolve(line); } };
      this.waiters.add(waiter);
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`no log line matching ${pattern} within ${options.timeoutMs} ms; log:\n${this.text(from) || '(empty)'}`));
        }, options.timeoutMs);
      }
    });
  }
}

// ---- cleanup at exit ---------------------------------------------------------------------------

const liveChildren = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let exitHooked = false;

function cleanUpNow(): void {
  for (const child of liveChildren) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
  liveChildren.clear();
  for (const dir of liveDirs) removeDir(dir);
  liveDirs.clear();
}

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', cleanUpNow);
  // A signal nobody handles ends Node without 'exit': then clean up and re-raise it, so it ends
  // the process as it would have. Another listener handles the signal (a graceful Ctrl-C, say):
  // the servers stay up for it, and 'exit' cleans up if it ends the process.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      if (process.listenerCount(signal) > 1) return;
      cleanUpNow();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** Removes `dir` at process exit unless `releaseDir` (or an explicit removal) came first. */
export function trackDir(dir: string): void {
  hookExit();
  liveDirs.add(dir);
}

export function releaseDir(dir: string): void {
  liveDirs.delete(dir);
  removeDir(dir);
}

function removeDir(dir: string): void {
  // Retries cover a server killed a moment ago that has not yet closed its files.
  try { rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }); } catch { /* best effort at exit */ }
}

// ---- one process -------------------------------------------------------------------------------

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (ENOENT, EACCES). */
  error?: Error;
}

/**
 * util-linux's setpriv (always on Debian) execs the server with a parent-death signal, so even a
 * test process killed with SIGKILL, when no exit handler runs, takes its servers along. The pid
 * stays the server's own, since setpriv replaces itself with it.
 */
const SETPRIV = '/usr/bin/setpriv';
const withParentDeathSignal = process.platform === 'linux' && existsSync(SETPRIV);

/** A spawned server process: its exit as a promise (never missed, whenever asked). */
export class ServerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  private exit: Exit | undefined;

  constructor(command: string, args: string[], logs: LogBuffer, cwd: string) {
    hookExit();
    this.child = withParentDeathSignal
      ? spawn(SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    liveChildren.add(this.child);
    logs.attach(this.child.stdout);
    logs.attach(this.child.stderr);
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        // 'error' without 'exit' means it never ran; with a running process, 'exit' follows.
        if (this.child.pid === undefined) this.settle({ code: null, signal: null, error }, resolve);
      });
      this.child.once('exit', (code, signal) => this.settle({ code, signal }, resolve));
    });
  }

  private settle(exit: Exit, resolve: (exit: Exit) => void): void {
    if (this.exit) return;
    this.exit = exit;
    liveChildren.delete(this.child);
    resolve(exit);
  }

  get pid(): number | undefined { return this.child.pid; }
  get running(): boolean { return this.exit === undefined; }

  /** Sends `signal` and waits for the exit; a process that ignores a gentle signal is killed after a bound. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit> {
    if (!this.running) return this.exited;
    this.child.kill(signal);
    if (signal === 'SIGKILL') return this.exited;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), STOP_LIMIT_MS); });
    const outcome = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (outcome !== 'late') return outcome;
    this.child.kill('SIGKILL');
    return this.exited;
  }
}

/** Whether a failed start means the server's program is missing (directly, or as setpriv reports it). */
export function programMissing(error: StartError): boolean {
  const code = (error.exit?.error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || (error.exit?.code === 127 && /failed to execute .*No such file/i.test(error.log));
}

export function describeExit(exit: Exit): string {
  if (exit.error) return `could not be started: ${exit.error.message}`;
  return exit.signal ? `was ended by ${exit.signal}` : `exited with code ${exit.code}`;
}

export interface StartSpec {
  /** A name for messages ("nats-server"). */
  name: string;
  command: string;
  args: string[];
  cwd: string;
  logs: LogBuffer;
  /** The log line that says the server listens. */
  ready: RegExp;
  /** Confirms, once `ready` is logged, that the server really answers on its port. */
  probe: () => Promise<void>;
  timeoutMs: number;
}

/** Why a start failed, with what the caller needs to decide on a retry. */
export class StartError extends Error {
  constructor(message: string, readonly log: string, readonly exit: Exit | undefined) {
    super(message);
    this.name = 'StartError';
  }
}

/** Spawns the server and resolves once it is ready; on exit or silence, rejects with its log. */
export async function startUntilReady(spec: StartSpec): Promise<ServerProcess> {
  const mark = spec.logs.seq;
  const server = new ServerProcess(spec.command, spec.args, spec.logs, spec.cwd);
  let timer: NodeJS.Timeout | undefined;
  const silent = new Promise<{ kind: 'silent' }>((resolve) => { timer = setTimeout(() => resolve({ kind: 'silent' }), spec.timeoutMs); });
  const ready = spec.logs.wait(spec.ready, { from: mark })
    .then(() => spec.probe())
    .then(() => ({ kind: 'ready' as const }), (error: Error) => ({ kind: 'unanswered' as const, error }));
  const exited = server.exited.then((exit) => ({ kind: 'exited' as const, exit }));
  const outcome = await Promise.race([ready, exited, silent]);
  clearTimeout(timer);
  if (outcome.kind === 'ready') return server;
  if (outcome.kind === 'exited') {
    const exit = outcome.exit;
    const log = spec.logs.text(mark);
    throw new StartError(`${spec.name} ${describeExit(exit)} before it was ready. Its log:\n${log || '(empty)'}`, log, exit);
  }
  await server.stop('SIGKILL');
  const log = spec.logs.text(mark);
  const why = outcome.kind === 'silent'
    ? `was not ready within ${spec.timeoutMs} ms`
    : `logged that it was ready but did not answer on its port (${outcome.error.message})`;
  throw new StartError(`${spec.name} ${why}; it was killed. Its log:\n${log || '(empty)'}`, log, undefined);
}

/**
 * Connects to `port`, optionally writes `send`, and resolves once what the server writes back
 * matches `expect` (a NATS server greets with INFO, Redis answers PING with +PONG).
 */
export function tcpExchange(port: number, send: string | undefined, expect: RegExp, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: LOOPBACK, port });
    let received = '';
    let done = false;
    const finish = (error?: Error): void => {
      if (done) return;
      done = true;
      socket.destroy();
      if (error) reject(error); else resolve(received);
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`no answer on port ${port} within ${timeoutMs} ms (got ${JSON.stringify(received)})`)));
    socket.setEncoding('utf8');
    socket.on('connect', () => { if (send !== undefined) socket.write(send); });
    socket.on('data', (chunk: string) => { received += chunk; if (expect.test(received)) finish(); });
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(new Error(`port ${port} closed the connection after ${JSON.stringify(received)}`)));
  });
}
