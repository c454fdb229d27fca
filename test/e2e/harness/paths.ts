/** Where the end-to-end harness finds its tools and puts its results. */
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..', '..');
export const runnerDir = join(repoRoot, 'test', 'e2e', 'runner');
export const codeServerEntry = join(runnerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const workspaceFixture = join(repoRoot, 'test', 'e2e', 'workspace');
export const artifactsDir = join(repoRoot, 'test-artifacts', 'e2e');
/** The in-host suite, compiled for the extension host (see build.ts). */
export const suiteOutDir = join(repoRoot, 'out', 'test', 'suite');
export const chromiumPath = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
