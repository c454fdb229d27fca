import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * A local process and everything it starts. On POSIX the process leads its own process group, so a
 * signal to the group reaches grandchildren too; on Windows `taskkill /T` walks the tree.
 * When the process ends, what it left behind in its group is terminated as well: an activity's
 * processes never outlive the activity.
 */
export interface TreeEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (ENOENT, EACCES, ...). */
  spawnError?: NodeJS.ErrnoException;
}

export interface TreeOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Between SIGTERM and SIGKILL. */
  graceMs: number;
  onStdout(chunk: Buffer): void;
  onStderr(chunk: Buffer): void;
}

export interface TreeProcess {
  readonly pid: number | undefined;
  /** Resolves once the process exited, its group is gone and its output is drained. */
  readonly done: Promise<TreeEnd>;
  /** SIGTERM to the whole tree now, SIGKILL after the grace period. Idempotent. */
  terminate(): void;
}

const isWindows = process.platform === 'win32';

export function spawnTree(command: string, args: string[], options: TreeOptions): TreeProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    shell: false,
    detached: !isWindows,
    windowsHide: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  let terminating = false;
  let killed = false;
  let killTimer: NodeJS.Timeout | undefined;
  let drainTimer: NodeJS.Timeout | undefined;
  let maybeFinish = () => {};

  const killGroup = (signal: NodeJS.Signals) => {
    if (pid === undefined) return;
    if (isWindows) {
      spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { windowsHide: true, stdio: 'ignore' }).on('error', () => {});
      return;
    }
    try { process.kill(-pid, signal); } catch { /* ESRCH: the group is already gone */ }
  };

  const terminateGroup = () => {
    killGroup('SIGTERM');
    if (killTimer) return;
    killTimer = setTimeout(() => {
      killGroup('SIGKILL');
      killed = true;
      maybeFinish();
    }, options.graceMs);
  };

  const terminate = () => {
    if (terminating) return;
    terminating = true;
    terminateGroup();
  };

  const done = new Promise<TreeEnd>((resolve) => {
    let exit: TreeEnd | undefined;
    let closed = false;
    let finished = false;
    const finish = (end: TreeEnd) => {
      if (finished) return;
      finished = true;
      clearTimeout(killTimer);
      clearTimeout(drainTimer);
      resolve(end);
    };
    maybeFinish = () => {
      if (!exit || !closed) return;
      // Leftovers that ignore SIGTERM get SIGKILL when the grace timer fires: wait for it.
      if (!killed && killTimer && pid !== undefined && !isWindows && groupAlive(pid)) return;
      finish(exit);
    };

    child.stdout!.on('data', options.onStdout);
    child.stderr!.on('data', options.onStderr);
    child.on('error', (error: NodeJS.ErrnoException) => {
      // Only a failed spawn reaches here without an exit; a kill error after exit is harmless.
      if (!exit) finish({ code: null, signal: null, spawnError: error });
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // What the process left behind in its group (background jobs) goes with it.
      if (!isWindows && pid !== undefined && groupAlive(pid)) terminateGroup();
      // A process that escaped the group (setsid) may still hold our pipes: stop waiting for it.
      drainTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        closed = true;
        maybeFinish();
      }, options.graceMs * 2 + 100);
      maybeFinish();
    });
    child.on('close', () => {
      closed = true;
      maybeFinish();
    });
  });

  return { pid, done, terminate };
}

/**
 * Whether any live process remains in the group. `kill(-pgid, 0)` also counts zombies, which an
 * init that does not reap (containers) leaves around, so on Linux the members are looked up.
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  let entries: string[];
  try { entries = readdirSync('/proc'); } catch { return true; }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') return true;
  }
  return false;
}

/** State and process group of a Linux process from /proc/PID/stat (the command may contain spaces and parentheses). */
export function readStat(pid: string | number): { state: string; pgrp: number } | undefined {
  let text: string;
  try { text = readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { return undefined; }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], pgrp: Number(fields[2]) };
}

