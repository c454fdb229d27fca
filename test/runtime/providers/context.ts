/** A ProcessorContext for provider tests: real folders, recorded logs, an abort controller. */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogStream, ProcessorContext, ProcessorResult } from '../../../runtime/engine/provider';

export interface LogLine { stream: LogStream; line: string }

export interface TestContext {
  ctx: ProcessorContext;
  logs: LogLine[];
  controller: AbortController;
  /** Resolves with the first log line (already seen or future) that matches. */
  logged(match: (line: LogLine) => boolean): Promise<LogLine>;
  lines(stream: LogStream): string[];
}

const roots: string[] = [];

export function tempDir(prefix = 'orch-prov-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  roots.push(dir);
  return dir;
}

const fifos: string[] = [];

/** A named pipe, for a test and a process to wait on each other by events. */
export function fifo(): string {
  const path = join(tempDir('orch-fifo-'), 'fifo');
  execFileSync('mkfifo', [path]);
  fifos.push(path);
  return path;
}

export function removeTempDirs(): void {
  // A side still blocked in open() (a failed test) must not keep the process alive: opening
  // read-write never blocks and completes the other side's open.
  for (const path of fifos.splice(0)) {
    try { closeSync(openSync(path, 'r+')); } catch { /* already gone */ }
  }
  for (const dir of roots.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function makeContext(options: {
  provider: string;
  config?: Record<string, unknown>;
  inputs?: Record<string, unknown>;
  baseDir?: string;
  state?: unknown;
  poll?: number;
  attempt?: number;
  host?: string;
  activityId?: string;
}): TestContext {
  const controller = new AbortController();
  const logs: LogLine[] = [];
  const waiters: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  const activityId = options.activityId ?? 'step';
  const ctx: ProcessorContext = {
    runId: 'run-1',
    activityId,
    activity: { id: activityId, type: 'test.type' },
    definition: { type: 'test.type', provider: options.provider, config: options.config },
    inputs: options.inputs ?? {},
    signal: controller.signal,
    log(stream, line) {
      const entry = { stream, line };
      logs.push(entry);
      for (const waiter of waiters.slice()) {
        if (waiter.match(entry)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(entry);
        }
      }
    },
    idempotencyKey: `run-1/${activityId}`,
    attempt: options.attempt ?? 1,
    poll: options.poll ?? 0,
    state: options.state,
    host: options.host,
    workDir: tempDir('orch-work-'),
    baseDir: options.baseDir ?? tempDir('orch-base-'),
  };
  return {
    ctx,
    logs,
    controller,
    logged(match) {
      const seen = logs.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    lines(stream) {
      return logs.filter((l) => l.stream === stream).map((l) => l.line);
    },
  };
}

/** Whether a process is alive (a zombie, which nobody reaps in some containers, counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** The outputs of a Complete result (failing the test, with the result, when it is not one). */
export function outputsOf<T = Record<string, unknown>>(result: ProcessorResult): T {
  if (result.kind !== 'complete') throw new Error(`expected a complete result, got ${JSON.stringify(result)}`);
  return (result.outputs ?? {}) as T;
}

/** An abort reason like the engine's TimeoutError. */
export function timeoutError(message: string): Error {
  return Object.assign(new Error(message), { name: 'TimeoutError' });
}
