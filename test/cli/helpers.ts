/**
 * Runs the BUILT command line (dist/cli.js, as `orch` users get it) in a child process, against
 * throw-away workspaces under the system temp folder. `npm test` builds before mocha runs.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..');
/** ORCH_CLI_PATH tests another build (a packaged extension's, say) with the same specs. */
export const cliPath = process.env.ORCH_CLI_PATH ?? join(repoRoot, 'dist', 'cli.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function requireBuiltCli(): void {
  if (!existsSync(cliPath)) {
    throw new Error(`${cliPath} is missing: run \`npm run build\` first (npm test does it before mocha).`);
  }
}

export function runOrch(args: readonly string[], options: { cwd: string; env?: Record<string, string | undefined> }): Promise<CliResult> {
  requireBuiltCli();
  return new Promise((resolvePromise, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, ...options.env };
    delete env.FORCE_COLOR;
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/**
 * A temporary workspace: `files` maps relative paths to contents (objects are written as pretty JSON).
 * A package.json at its root makes it the workspace root, so nothing above it is ever read.
 */
export class TempWorkspace {
  readonly root: string;

  constructor(files: Record<string, string | object> = {}) {
    this.root = mkdtempSync(join(tmpdir(), 'orch-cli-test-'));
    this.write('package.json', { name: 'orch-cli-test', private: true });
    for (const [path, content] of Object.entries(files)) this.write(path, content);
  }

  write(path: string, content: string | object): string {
    const full = join(this.root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, typeof content === 'string' ? content : JSON.stringify(content, null, 2) + '\n');
    return full;
  }

  path(...segments: string[]): string {
    return join(this.root, ...segments);
  }

  run(args: readonly string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<CliResult> {
    return runOrch(args, { cwd: options.cwd ?? this.root, env: options.env });
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** An ActivityDefinition with an open input schema, for workspaces that should validate cleanly. */
export function activityType(type: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type, provider: 'noop', ...extra };
}
