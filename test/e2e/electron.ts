/**
 * `npm run test:electron`: the same in-host mocha suite as the code-server harness, in a desktop VS Code
 * that @vscode/test-electron downloads (into .vscode-test/). For machines that can reach
 * update.code.visualstudio.com: the project's CI machines cannot, and run `npm run test:e2e` instead.
 *
 * On Linux without a display, run it under a virtual one: `xvfb-run -a npm run test:electron`.
 * Options (environment): VSCODE_VERSION (default: the lowest version engines.vscode accepts, so the
 * extension is tested against what it claims to support; `stable` or `insiders` also work),
 * E2E_GREP (a mocha grep), E2E_SKIP_BUILD=1.
 *
 * test-electron always starts VS Code with --disable-workspace-trust, so only the trusted suite runs
 * here; the restricted-mode suite needs the code-server harness, which can turn trust on.
 */
import { runTests } from '@vscode/test-electron';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildExtension, buildSuite } from './harness/build';
import { repoRoot, workspaceFixture } from './harness/paths';

function lowestSupportedVersion(): string {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { engines?: { vscode?: string } };
  const match = /(\d+\.\d+\.\d+)/.exec(pkg.engines?.vscode ?? '');
  return match ? match[1] : 'stable';
}

async function main(): Promise<number> {
  if (process.env.E2E_SKIP_BUILD !== '1') buildExtension();
  const testsModule = await buildSuite();
  const tmp = mkdtempSync(join(tmpdir(), 'orch-electron-'));
  const workspace = join(tmp, 'workspace');
  cpSync(workspaceFixture, workspace, { recursive: true });
  const resultsFile = join(tmp, 'results.json');
  const version = process.env.VSCODE_VERSION ?? lowestSupportedVersion();
  try {
    const exitCode = await runTests({
      version,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: testsModule,
      launchArgs: [workspace, '--disable-extensions', '--user-data-dir', join(tmp, 'user-data'), '--extensions-dir', join(tmp, 'extensions')],
      extensionTestsEnv: {
        E2E_MODE: 'trusted',
        E2E_RESULTS_FILE: resultsFile,
        ...(process.env.E2E_GREP ? { E2E_GREP: process.env.E2E_GREP } : {}),
      },
    });
    if (existsSync(resultsFile)) {
      const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as { passed: number; failed: number; pending: number };
      process.stdout.write(`test:electron: VS Code ${version}: ${results.passed} passed, ${results.failed} failed, ${results.pending} pending\n`);
    }
    return exitCode;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code), (error: unknown) => {
  // runTests rejects when VS Code cannot be downloaded or exits non-zero.
  process.stderr.write(`test:electron: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
