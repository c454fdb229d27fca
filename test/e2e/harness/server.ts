/**
 * One code-server (a real VS Code 1.100.3 server with a Node extension host) in its own process group,
 * with private config, user-data and extensions folders, so runs never touch ~/.config or each other.
 * Stopping kills the whole group: the launcher alone would leave the server child and extension hosts behind.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { codeServerEntry } from './paths';

export interface ServerOptions {
  /** A folder of its own for this server: config, user data, extensions, log. */
  runDir: string;
  /** User settings (settings.json), written before any page loads. */
  settings: Record<string, unknown>;
  /** Extra environment: the extension host inherits the server's environment. */
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

export class CodeServer {
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly logFile: string;
  private child: ChildProcess | undefined;
  private portValue = 0;

  constructor(private readonly options: ServerOptions) {
    this.userDataDir = join(options.runDir, 'ud');
    this.extensionsDir = join(options.runDir, 'ext');
    this.logFile = join(options.runDir, 'server.log');
  }

  get port(): number { return this.portValue; }
  /** host:port exactly as pages use it: `vscode-remote://` URIs must repeat it verbatim. */
  get host(): string { return `127.0.0.1:${this.portValue}`; }
  get url(): string { return `http://${this.host}`; }

  private baseArgs(): string[] {
    return ['--config', join(this.options.runDir, 'config.yaml'), '--user-data-dir', this.userDataDir, '--extensions-dir', this.extensionsDir];
  }

  private prepare(): void {
    mkdirSync(join(this.userDataDir, 'User'), { recursive: true });
    mkdirSync(this.extensionsDir, { recursive: true });
    writeFileSync(join(this.options.runDir, 'config.yaml'), 'auth: none\ncert: false\n');
    writeFileSync(join(this.userDataDir, 'User', 'settings.json'), JSON.stringify(this.options.settings, null, 2));
  }

  /** Installs a VSIX with the server's CLI (same folders as the server). Returns the installed folder. */
  installVsix(vsixPath: string, extensionId: string): string {
    this.prepare();
    const result = spawnSync(process.execPath, [codeServerEntry, ...this.baseArgs(), '--install-extension', vsixPath, '--force'], {
      encoding: 'utf8', timeout: 120_000,
    });
    const output = `${result.stdout}\n${result.stderr}`;
    if (result.status !== 0 || !/successfully installed/i.test(output)) {
      throw new Error(`code-server --install-extension ${vsixPath} failed (exit ${result.status}):\n${output.trim()}`);
    }
    const folder = readdirSync(this.extensionsDir).find((name) => name.toLowerCase().startsWith(`${extensionId.toLowerCase()}-`));
    if (!folder) throw new Error(`VSIX installed but no ${extensionId}-* folder in ${this.extensionsDir}: ${readdirSync(this.extensionsDir).join(', ')}`);
    return join(this.extensionsDir, folder);
  }

  /**
   * Makes a folder the installed copy of an extension (a link in the extensions dir). Picked up only by
   * a fresh extensions dir, before its first scan writes extensions.json.
   */
  linkExtension(folder: string, extensionId: string, version: string): string {
    this.prepare();
    const target = join(this.extensionsDir, `${extensionId}-${version}`);
    if (existsSync(join(this.extensionsDir, 'extensions.json'))) throw new Error(`${this.extensionsDir} was scanned already; link extensions before the first start`);
    symlinkSync(folder, target, 'dir');
    return target;
  }

  async start(workspace: string): Promise<void> {
    if (!existsSync(codeServerEntry)) throw new Error(`code-server is not installed (${codeServerEntry}); run scripts/e2e-setup.sh`);
    this.prepare();
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(process.execPath, [
      codeServerEntry, '--auth', 'none', '--bind-addr', '127.0.0.1:0', '--disable-telemetry', '--disable-update-check',
      ...this.baseArgs(), workspace,
    ], {
      detached: true, // its own process group, killed as a whole in stop()
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...this.options.env },
    });
    this.child = child;
    const timeoutMs = this.options.startTimeoutMs ?? 60_000;
    this.portValue = await new Promise<number>((resolvePort, reject) => {
      let buffer = '';
      const timer = setTimeout(() => reject(new Error(`code-server did not report its port within ${timeoutMs} ms; see ${this.logFile}`)), timeoutMs);
      const onData = (chunk: Buffer) => {
        log.write(chunk);
        buffer += chunk.toString();
        const match = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(buffer);
        if (match) { clearTimeout(timer); resolvePort(Number(match[1])); }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`code-server exited during start (${code ?? signal}); see ${this.logFile}`)); });
    });
    await this.waitHealthy(timeoutMs);
  }

  private async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await new Promise<number>((resolveStatus) => {
        const request = get(`${this.url}/healthz`, (response) => { response.resume(); resolveStatus(response.statusCode ?? 0); });
        request.on('error', () => resolveStatus(0));
        request.setTimeout(5_000, () => { request.destroy(); resolveStatus(0); });
      });
      if (status === 200) return;
      if (Date.now() > deadline) throw new Error(`code-server /healthz did not answer 200 within ${timeoutMs} ms`);
      // /healthz answers within a second of the port line; a short back-off between probes is enough.
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The extension host's log files of this server (newest session), to read activation lines. */
  extensionHostLogs(): string[] {
    const logsDir = join(this.userDataDir, 'logs');
    if (!existsSync(logsDir)) return [];
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else found.push(path);
      }
    };
    walk(logsDir);
    return found;
  }

  /** The full text of an output channel, from the log file the host writes as the extension appends. */
  outputChannelText(channelName: string): string {
    return this.extensionHostLogs()
      // A LogOutputChannel writes <exthost>/<extension id>/<name>.log; a plain one output_logging_*/<n>-<name>.log.
      .filter((file) => file.endsWith(`/${channelName}.log`) || file.endsWith(`-${channelName}.log`))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.pid === undefined || child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
    const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ } }, 10_000);
    await exited;
    clearTimeout(timer);
    // Children of the group that outlive the launcher (extension hosts, watchers) get the same signal.
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* group empty: good */ }
  }

  /** Synchronous last resort for process exit handlers. */
  killNow(): void {
    if (this.child?.pid !== undefined) try { process.kill(-this.child.pid, 'SIGKILL'); } catch { /* gone */ }
  }
}
