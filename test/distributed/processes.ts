/**
 * The built `orch` CLI as real child processes (orchestrators and agents), with their NDJSON output
 * parsed as it arrives so tests can wait for a given line instead of sleeping.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');

/** Builds dist/cli.js when a test is run on its own before any build. */
export function ensureBuilt(): void {
  if (existsSync(CLI)) return;
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('node scripts/build.mjs failed');
}

type Line = Record<string, unknown>;

export class CliProcess {
  readonly child: ChildProcess;
  readonly lines: Line[] = [];
  stderr = '';
  stdoutText = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: { match: (line: Line) => boolean; resolve: (line: Line) => void; reject: (e: Error) => void }[] = [];
  private buffer = '';

  constructor(readonly label: string, args: string[], options: { cwd: string; env?: Record<string, string> }) {
    this.child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.onStdout(chunk));
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { this.stderr += chunk; });
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => {
      for (const w of this.waiters.splice(0)) w.reject(new Error(`${this.label} exited (${code ?? signal}) before the line came\nstderr:\n${this.stderr.slice(-3000)}\nstdout:\n${this.stdoutText.slice(-3000)}`));
      resolve({ code, signal });
    }));
  }

  private onStdout(chunk: string): void {
    this.stdoutText += chunk;
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const text = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (!text.startsWith('{')) continue;
      let line: Line;
      try { line = JSON.parse(text) as Line; } catch { continue; }
      this.lines.push(line);
      for (const w of [...this.waiters]) {
        if (w.match(line)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  }

  /** The first line (already seen or still to come) that `match` accepts. */
  waitFor(match: (line: Line) => boolean): Promise<Line> {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => this.waiters.push({ match, resolve, reject }));
  }

  events(type: string, activityId?: string): Line[] {
    return this.lines.filter((l) => l.type === type && (activityId === undefined || l.activityId === activityId));
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

/** An `orch agent` process, resolved once it says it is ready. */
export async function startAgent(cwd: string, url: string, name: string, args: string[] = [], env: Record<string, string> = {}): Promise<CliProcess> {
  const agent = new CliProcess(`agent ${name}`, ['agent', '--nats', url, '--name', name, '--json', ...args], { cwd, env: { AGENT_NAME: name, ...env } });
  await agent.waitFor((l) => l.event === 'ready' || l.type === 'ready' || l.type === 'agent.ready');
  return agent;
}
