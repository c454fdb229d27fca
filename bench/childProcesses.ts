/**
 * The worker processes of the distributed benchmark (orch agents, BullMQ workers): started together,
 * each ready once its output shows a line matching `ready`, stopped with SIGTERM (SIGKILL after a
 * bound), and killed when the benchmark process exits however it exits.
 *
 * Their output goes to a file, not a pipe: an agent prints a line or two per activity, and reading
 * that in the benchmark process would bill the orchestrator (which runs there) for the agents' logs
 * and steal its event loop. The file is watched (inotify) only until the ready line shows up.
 *
 * Also reads a process's CPU time from /proc, so a run's cost can be split between its processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { closeSync, fstatSync, openSync, readFileSync, readSync, watch } from 'node:fs';
import { join } from 'node:path';

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  cwd: string;
}

export interface Children {
  readonly pids: number[];
  /** The last lines each process printed (stdout and stderr), prefixed with its name. */
  logs(lines?: number): string;
  /** Stops every process (SIGTERM, SIGKILL after 10 s); resolves once all are gone. Idempotent. */
  stop(): Promise<void>;
}

const STOP_LIMIT_MS = 10_000;
const live = new Set<ChildProcess>();
let exitHooked = false;

function killAll(): void {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* gone already */ }
  }
  live.clear();
}

/** A benchmark interrupted or failing must not leave workers behind: whatever is still running dies with it. */
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', killAll);
  // A signal ends Node without 'exit'. After the cleanup the signal is raised again, so it does what it
  // would have done; another cleanup listener still registered (the servers' registry) gets its turn then.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAll();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

interface Exit { code: number | null; signal: NodeJS.Signals | null; error?: Error }

class Child {
  readonly process: ChildProcess;
  readonly exited: Promise<Exit>;
  private exit: Exit | undefined;

  constructor(readonly spec: ChildSpec, readonly logFile: string) {
    hookExit();
    const fd = openSync(logFile, 'w');
    try {
      this.process = spawn(spec.command, spec.args, { cwd: spec.cwd, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    live.add(this.process);
    this.exited = new Promise((resolve) => {
      const settle = (exit: Exit) => {
        if (this.exit) return;
        this.exit = exit;
        live.delete(this.process);
        resolve(exit);
      };
      this.process.once('error', (error) => { if (this.process.pid === undefined) settle({ code: null, signal: null, error }); });
      this.process.once('exit', (code, signal) => settle({ code, signal }));
    });
  }

  get running(): boolean { return this.exit === undefined; }

  log(lines: number): string {
    let text = '';
    try { text = readFileSync(this.logFile, 'utf8'); } catch { /* not written yet */ }
    const all = text.split('\n').filter(Boolean);
    return (all.length > lines ? all.slice(-lines) : all).map((line) => `${this.spec.name}: ${line}`).join('\n');
  }

  /** Resolves once the output holds a line matching `ready`; rejects with the output if the process exits first or `timeoutMs` passes. */
  ready(pattern: RegExp, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      let offset = 0;
      let pending = '';
      let finished = false;
      const fd = openSync(this.logFile, 'r');
      const finish = (error?: Error) => {
        if (finished) return;
        finished = true;
        watcher.close();
        clearTimeout(timer);
        closeSync(fd);
        if (error) reject(error); else resolve();
      };
      const scan = () => {
        if (finished) return;
        const size = fstatSync(fd).size;
        if (size <= offset) return;
        const buffer = Buffer.alloc(size - offset);
        offset += readSync(fd, buffer, 0, buffer.length, offset);
        const lines = (pending + buffer.toString('utf8')).split('\n');
        pending = lines.pop()!;
        if (lines.some((line) => pattern.test(line))) finish();
      };
      const watcher = watch(this.logFile, scan);
      const timer = setTimeout(() => finish(new Error(`${this.spec.name} was not ready within ${timeoutMs / 1000} s; its output:\n${this.log(60) || '(none)'}`)), timeoutMs);
      void this.exited.then((exit) => {
        scan();
        const how = exit.error ? `could not be started (${exit.error.message})` : exit.signal ? `was ended by ${exit.signal}` : `exited with code ${exit.code}`;
        finish(new Error(`${this.spec.name} ${how} before it was ready; its output:\n${this.log(60) || '(none)'}`));
      });
      // What was written before the watch began.
      scan();
    });
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.process.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), STOP_LIMIT_MS); });
    const outcome = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (outcome === 'late') {
      this.process.kill('SIGKILL');
      await this.exited;
    }
  }
}

/**
 * Starts every process at once, their output in `logDir`; resolves when all printed a line matching
 * `ready`, or rejects (after stopping them all) with the output of one that did not.
 */
export async function startChildren(specs: readonly ChildSpec[], ready: RegExp, logDir: string, timeoutMs = 30_000): Promise<Children> {
  const children = specs.map((spec) => new Child(spec, join(logDir, `${spec.name}.log`)));
  const stopAll = async () => { await Promise.all(children.map((c) => c.stop())); };
  const outcomes = await Promise.allSettled(children.map((c) => c.ready(ready, timeoutMs)));
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) {
    await stopAll();
    throw failed.reason;
  }
  let stopping: Promise<void> | undefined;
  return {
    pids: children.map((c) => c.process.pid!),
    logs: (lines = 40) => children.map((c) => c.log(lines)).join('\n'),
    stop: () => (stopping ??= stopAll()),
  };
}

let ticksPerSecond: number | undefined;

/** CPU milliseconds (user + system) a process has used so far; NaN where /proc cannot tell (not Linux, or gone). */
export function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name, which is in parentheses and may itself hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return NaN;
  }
}
