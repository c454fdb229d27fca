/**
 * What the e2e run needs on disk: the extension built, the in-host suite compiled for the extension host
 * (one CommonJS bundle per test file, with `vscode` and `mocha` left to the host and the repo's
 * node_modules), and the packaged VSIX.
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { artifactsDir, repoRoot, suiteOutDir } from './paths';

function run(command: string, args: string[], label: string): void {
  try {
    execFileSync(command, args, { cwd: repoRoot, stdio: 'inherit', env: { ...process.env } });
  } catch (error) {
    throw new Error(`${label} failed: ${command} ${args.join(' ')} (${(error as Error).message})`);
  }
}

export function buildExtension(): void {
  run(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], 'extension build');
  if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing after the build');
}

function suiteEntries(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...suiteEntries(path));
    else if (name.endsWith('.test.ts') || (name === 'index.ts' && dir.endsWith('suite'))) found.push(path);
  }
  return found;
}

/** out/test/suite/index.js (the run() entry) and out/test/suite/*.test.js. */
export async function buildSuite(): Promise<string> {
  const suiteSrc = join(repoRoot, 'test', 'e2e', 'suite');
  rmSync(suiteOutDir, { recursive: true, force: true });
  mkdirSync(suiteOutDir, { recursive: true });
  await build({
    entryPoints: suiteEntries(suiteSrc),
    outbase: suiteSrc,
    outdir: suiteOutDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    // As scripts/build.mjs: jsonc-parser's UMD entry cannot be bundled, its ESM build can; ssh2's
    // optional native addons are left out (it falls back to JavaScript).
    external: ['vscode', 'mocha', 'cpu-features'],
    mainFields: ['module', 'main'],
    loader: { '.node': 'empty' },
    logLevel: 'warning',
  });
  return join(suiteOutDir, 'index.js');
}

export interface PackageInfo { id: string; name: string; version: string; publisher: string }

export function packageInfo(): PackageInfo {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string; publisher: string };
  return { id: `${pkg.publisher}.${pkg.name}`, name: pkg.name, version: pkg.version, publisher: pkg.publisher };
}

/**
 * The VSIX users get: `npm run package` when the manifest defines it (its `-o` names the file), else vsce
 * directly (which runs `vscode:prepublish`). E2E_VSIX points at a ready-made one instead. A copy goes to
 * test-artifacts/e2e/ with the other results.
 */
export function packageVsix(): string {
  if (process.env.E2E_VSIX) {
    if (!existsSync(process.env.E2E_VSIX)) throw new Error(`E2E_VSIX=${process.env.E2E_VSIX} does not exist`);
    return process.env.E2E_VSIX;
  }
  mkdirSync(artifactsDir, { recursive: true });
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const script = pkg.scripts?.package;
  const named = script ? /(?:^|\s)(?:-o|--out)\s+(\S+\.vsix)/.exec(script)?.[1] : undefined;
  let out: string;
  if (script && named) {
    out = join(repoRoot, named);
    rmSync(out, { force: true });
    run('npm', ['run', '--silent', 'package'], 'npm run package');
  } else {
    out = join(artifactsDir, `${packageInfo().name}.vsix`);
    rmSync(out, { force: true });
    const args = ['vsce', 'package', '--out', out];
    if (!existsSync(join(repoRoot, 'LICENSE')) && !existsSync(join(repoRoot, 'LICENSE.md'))) args.push('--skip-license');
    run('npx', ['--no-install', ...args], 'vsce package');
  }
  if (!existsSync(out)) throw new Error(`packaging did not write ${relative(repoRoot, out)}`);
  const copy = join(artifactsDir, basename(out));
  if (copy !== out) copyFileSync(out, copy);
  return out;
}
