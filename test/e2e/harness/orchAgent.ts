/**
 * An `orch agent` child process (distributed mode's worker), for the in-host suite and the UI suite: started
 * from the CLI bundle the extension ships (dist/cli.js), read through its NDJSON events (`--json`), stopped with
 * SIGTERM as a user would. Node modules only: the in-host bundle includes this file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

/** One NDJSON line of `orch agent --json`: `event` is ready, started, finished, error, stopping, closed, ... */
export interface AgentLine {
  event: string;
  [key: string]: unknown;
}

export interface OrchAgentOptions {
  /** The CLI bundle: <extension folder>/dist/cli.js. */
  cli: string;
  natsUrl: string;
  name: string;
  types: string[];
  /** Folders of *.activity.json the agent serves its types from. */
  defs: string[];
  cwd: string;
  readyTimeoutMs?: number;
}

interface Waiter { match: (line: AgentLine) => boolean; resolve: (line: AgentLine) => void }

export class OrchAgent {
  readonly lines: AgentLine[] = [];
  private stderrText = '';
  private readonly waiters = new Set<Waiter>();
  private readonly exited: Promise<number | NodeJS.Signals>;

  private constructor(private readonly child: ChildProcess, readonly name: string) {
    let pending = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop()!;
      for (const text of parts) this.add(text);
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => { this.stderrText += chunk; });
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  }

  /** Starts the agent and resolves once it reported `ready`; rejects with its output if it exits or stays silent. */
  static async start(options: OrchAgentOptions): Promise<OrchAgent> {
    if (!existsSync(options.cli)) throw new Error(`the CLI bundle ${options.cli} is missing (build the extension first)`);
    const env = { ...process.env };
    // The agent's connection comes from its flags only, not from whatever the test's environment holds.
    for (const key of Object.keys(env)) if (key.startsWith('ORCH_NATS_')) delete env[key];
    const child = spawn(process.execPath, [
      options.cli, 'agent', '--nats', options.natsUrl, '--types', options.types.join(','),
      ...options.defs.flatMap((d) => ['--defs', d]), '--name', options.name, '--json',
    ], {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      // In an Electron extension host (test:electron) execPath is Electron: make it behave as Node.
      env: { ...env, ELECTRON_RUN_AS_NODE: '1', NO_COLOR: '1' },
    });
    const agent = new OrchAgent(child, options.name);
    const timeoutMs = options.readyTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        agent.waitFor((l) => l.event === 'ready'),
        agent.exited.then((status) => { throw new Error(`orch agent exited (${status}) before it was ready:\n${agent.output()}`); }),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`orch agent was not ready within ${timeoutMs} ms:\n${agent.output()}`)), timeoutMs); }),
      ]);
    } catch (error) {
      await agent.stop();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    return agent;
  }

  private add(text: string): void {
    if (!text.trim()) return;
    let line: AgentLine;
    try {
      line = JSON.parse(text) as AgentLine;
    } catch {
      line = { event: 'unparsed', text };
    }
    this.lines.push(line);
    for (const waiter of [...this.waiters]) {
      if (waiter.match(line)) { this.waiters.delete(waiter); waiter.resolve(line); }
    }
  }

  /** The first line `match` accepts, printed already or to come; rejects after `timeoutMs` with the agent's output. */
  waitFor(match: (line: AgentLine) => boolean, timeoutMs = 60_000, what = 'an agent event'): Promise<AgentLine> {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.waiters.delete(waiter); reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; agent output:\n${this.output()}`)); }, timeoutMs);
      const waiter: Waiter = { match, resolve: (line) => { clearTimeout(timer); resolve(line); } };
      this.waiters.add(waiter);
    });
  }

  /** What the agent printed, for failure messages. */
  output(): string {
    return [...this.lines.map((l) => JSON.stringify(l)), this.stderrText.trim()].filter(Boolean).join('\n');
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM (a graceful stop: it drains, then exits 0); SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 15_000): Promise<number | NodeJS.Signals> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => { if (this.running) this.child.kill('SIGKILL'); }, graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
