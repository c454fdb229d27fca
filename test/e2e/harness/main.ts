/**
 * `npm run test:e2e`: builds the extension and the in-host suite, packages the VSIX, then in a real VS Code
 * 1.100.3 (code-server) driven by Chromium:
 *   1. trusted workspace (trust disabled): the in-host mocha suite against the installed VSIX's folder;
 *   2. the same server: the Playwright UI suite against the installed VSIX, screenshots to test-artifacts/e2e/;
 *   3. restricted workspace (trust enabled, not granted): the in-host restricted-mode suite.
 * Options: --dev (load the extension from the source folder, no VSIX; E2E_EXTENSION_ROOT names another folder),
 * --skip-build, --only=inhost,ui,restricted, --grep=PATTERN (UI suite; E2E_GREP for the in-host one), --keep (keep
 * the temporary folders). Exit code 0 only when every phase passed.
 */
import Mocha from 'mocha';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { closePage, launchBrowser, newPage, workbenchUrl } from './browser';
import { buildExtension, buildSuite, packageInfo, packageVsix } from './build';
import { runInHostSuite, type InHostRun } from './inhost';
import { artifactsDir, codeServerEntry, repoRoot, workspaceFixture } from './paths';
import { CodeServer } from './server';
import { Workbench } from './workbench';
import { setUiContext } from '../ui/context';

type Phase = 'inhost' | 'ui' | 'restricted';

interface PhaseResult { phase: Phase; ok: boolean; detail: string; durationMs: number; results?: unknown }

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',') as Phase[] | undefined;
const grep = args.find((a) => a.startsWith('--grep='))?.slice('--grep='.length);
const wants = (phase: Phase) => !only || only.includes(phase);

const baseSettings = {
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'editor.codeLens': true,
  'files.autoSave': 'off',
};

const servers = new Set<CodeServer>();
process.on('exit', () => { for (const server of servers) server.killNow(); });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => { for (const server of servers) server.killNow(); process.exit(130); });

function log(message: string): void {
  process.stdout.write(`e2e: ${message}\n`);
}

function copyWorkspace(tmp: string, name: string): string {
  const target = join(tmp, name);
  cpSync(workspaceFixture, target, { recursive: true });
  return target;
}

function describeInHost(run: InHostRun): string {
  const r = run.results;
  const lines = [`exit code ${run.exitCode}, ${Math.round(run.durationMs / 1000)} s`];
  if (r) {
    lines.push(`${r.passed} passed, ${r.failed} failed, ${r.pending} pending`);
    if (r.fatal) lines.push(`fatal: ${r.fatal}`);
    for (const t of r.tests) lines.push(`  ${t.state === 'passed' ? 'ok  ' : t.state === 'failed' ? 'FAIL' : 'skip'} ${t.title}${t.error ? `\n        ${t.error.split('\n').join('\n        ')}` : ''}`);
  } else {
    lines.push('no results file was written (the suite did not start); extension host console:');
    lines.push(...run.console.slice(-40).map((l) => `  ${l}`));
  }
  return lines.join('\n');
}

async function inHostPhase(phase: Phase, server: CodeServer, browser: Browser, tmp: string, extensionPath: string, testsModule: string, resultsFile: string): Promise<PhaseResult> {
  const workspace = copyWorkspace(tmp, `ws-${phase}`);
  const run = await runInHostSuite({ browser, server, workspace, extensionPath, testsModule, resultsFile, timeoutMs: 300_000 });
  writeFileSync(join(artifactsDir, `${phase}-console.log`), run.console.join('\n'));
  const ok = run.exitCode === 0 && !!run.results && run.results.failed === 0 && run.results.passed > 0;
  // The suite prints its measurements; keep them in the summary.
  const metrics: Record<string, number[]> = {};
  for (const line of run.console) {
    const activation = /activation took ([\d.]+) ms/.exec(line);
    if (activation) (metrics.activationMs ??= []).push(Number(activation[1]));
    const graph = /(graph\d+): on screen (\d+) ms after the message/.exec(line);
    if (graph) (metrics[`${graph[1]}Ms`] ??= []).push(Number(graph[2]));
  }
  const detail = `${describeInHost(run)}${Object.keys(metrics).length ? `\nmetrics ${JSON.stringify(metrics)}` : ''}`;
  return { phase, ok, detail, durationMs: run.durationMs, results: { ...run.results, metrics } };
}

async function uiPhase(server: CodeServer, browser: Browser, tmp: string): Promise<PhaseResult> {
  const started = Date.now();
  const workspace = copyWorkspace(tmp, 'ws-ui');
  const consoleLines: string[] = [];
  const page = await newPage(browser, consoleLines);
  const metrics: Record<string, number> = {};
  const wb = new Workbench(page);
  setUiContext({ server, browser, workspace, page, wb, consoleLines, metrics });
  try {
    const loadStart = Date.now();
    await page.goto(workbenchUrl(server.url, workspace));
    await wb.waitReady('pipeline.orch.json');
    await wb.waitExtensionRegistered();
    metrics.workbenchReadyMs = Date.now() - loadStart;
    const mocha = new Mocha({ ui: 'tdd', timeout: 180_000, reporter: 'spec', bail: false });
    if (grep) mocha.grep(grep);
    const uiDir = join(repoRoot, 'test', 'e2e', 'ui');
    for (const file of readdirSync(uiDir).filter((f) => f.endsWith('.ui.ts')).sort()) mocha.addFile(join(uiDir, file));
    const failures = await new Promise<number>((resolve) => mocha.run(resolve));
    writeFileSync(join(artifactsDir, 'ui-console.log'), consoleLines.join('\n'));
    const activation = /activated in ([\d.]+) ms/.exec(server.outputChannelText('Orchestration Studio'));
    if (activation) metrics.activationMs = Number(activation[1]);
    return { phase: 'ui', ok: failures === 0, detail: `${failures} failed; metrics ${JSON.stringify(metrics)}`, durationMs: Date.now() - started, results: { failures, metrics } };
  } finally {
    setUiContext(undefined);
    await closePage(page);
  }
}

async function main(): Promise<number> {
  if (!existsSync(codeServerEntry)) throw new Error('code-server is not installed: run `bash scripts/e2e-setup.sh` first');
  rmSync(artifactsDir, { recursive: true, force: true });
  mkdirSync(artifactsDir, { recursive: true });
  const dev = flag('dev');
  const devRoot = process.env.E2E_EXTENSION_ROOT ?? repoRoot;
  // The VSIX is packaged with its own (minified) build; the development copy needs dist/ built.
  if (dev && !flag('skip-build') && !process.env.E2E_EXTENSION_ROOT) { log('building the extension'); buildExtension(); }
  const testsModule = await buildSuite();
  if (!dev) log('packaging the VSIX');
  const vsix = dev ? undefined : packageVsix();
  if (vsix) log(`packaged ${vsix}`);
  const info = packageInfo();
  const tmp = mkdtempSync(join(tmpdir(), 'orch-e2e-'));
  const results: PhaseResult[] = [];
  const browser = await launchBrowser();
  try {
    if (wants('inhost') || wants('ui')) {
      const runDir = join(tmp, 'trusted');
      const resultsFile = join(runDir, 'results.json');
      const server = new CodeServer({
        runDir, settings: { ...baseSettings, 'security.workspace.trust.enabled': false },
        env: { E2E_MODE: 'trusted', E2E_RESULTS_FILE: resultsFile, ...(process.env.E2E_GREP ? { E2E_GREP: process.env.E2E_GREP } : {}) },
      });
      servers.add(server);
      mkdirSync(runDir, { recursive: true });
      // The UI phase uses the installed VSIX; the in-host phase loads the same installed folder as the
      // development extension (code-server runs tests only for a development extension).
      const extensionPath = vsix ? server.installVsix(vsix, info.id) : server.linkExtension(devRoot, info.id, info.version);
      await server.start(repoRoot);
      log(`server (trusted) on ${server.url}, extension from ${extensionPath}`);
      try {
        if (wants('inhost')) {
          log('in-host suite (trusted)');
          results.push(await inHostPhase('inhost', server, browser, tmp, extensionPath, testsModule, resultsFile));
          log(results[results.length - 1].detail);
        }
        if (wants('ui')) {
          log('UI suite');
          results.push(await uiPhase(server, browser, tmp));
          log(results[results.length - 1].detail);
        }
      } finally {
        await server.stop();
        servers.delete(server);
      }
    }
    if (wants('restricted')) {
      const runDir = join(tmp, 'restricted');
      const resultsFile = join(runDir, 'results.json');
      const server = new CodeServer({
        runDir,
        settings: { ...baseSettings, 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'always' },
        env: { E2E_MODE: 'restricted', E2E_RESULTS_FILE: resultsFile, ...(process.env.E2E_GREP ? { E2E_GREP: process.env.E2E_GREP } : {}) },
      });
      servers.add(server);
      mkdirSync(runDir, { recursive: true });
      const extensionPath = vsix ? server.installVsix(vsix, info.id) : server.linkExtension(devRoot, info.id, info.version);
      await server.start(repoRoot);
      log(`server (restricted) on ${server.url}`);
      try {
        results.push(await inHostPhase('restricted', server, browser, tmp, extensionPath, testsModule, resultsFile));
        log(results[results.length - 1].detail);
      } finally {
        await server.stop();
        servers.delete(server);
      }
    }
  } finally {
    await browser.close();
    if (!flag('keep')) rmSync(tmp, { recursive: true, force: true });
    else log(`kept ${tmp}`);
  }
  writeFileSync(join(artifactsDir, 'summary.json'), JSON.stringify({ vsix: vsix ?? null, dev, phases: results }, null, 2));
  const failed = results.filter((r) => !r.ok);
  for (const r of results) log(`${r.ok ? 'PASS' : 'FAIL'} ${r.phase} (${Math.round(r.durationMs / 1000)} s)`);
  if (!results.length) { log('no phase ran'); return 1; }
  return failed.length ? 1 : 0;
}

main().then((code) => process.exit(code), (error: unknown) => {
  process.stderr.write(`e2e: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
