/**
 * `orch run FILE`: checks the definition and its input, runs it durably with live progress, and exits
 * 0 (succeeded), 1 (failed, or refused before starting) or 130 (cancelled, e.g. by Ctrl-C: the first
 * Ctrl-C cancels gracefully, a second stops waiting for the providers; the run can be resumed).
 *
 * The helpers below are shared by the other commands that drive a run (resume, dispose, complete).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startRun } from '../../engine/engine';
import type { RunHandle, RunResult } from '../../engine/engine';
import { setPath } from '../../engine/inputs';
import { loadDefinition, RunRefusedError, type HostInfo } from '../../engine/load';
import { defaultRunsDir, resolveRunDir, RunNotFoundError } from '../../engine/runFolder';
import type { HostEntry } from '../../model/types';
import { createProviderRegistry, type ProviderRegistry } from '../../providers/registry';
import { UsageError } from '../args';
import { defineCommand } from '../command';
import { textDiagnostics } from '../diagnose';
import { paletteFor, toJsonDiagnostic } from '../format';
import { ExitCode, type CliIo } from '../io';
import { createProgress, type Progress } from '../progress';
import { displayPath, loadWorkspace } from '../workspace';
import { executionMode, natsFlags } from '../executionMode';

/** Exit statuses of the commands that drive a run. */
export const RunExit = { succeeded: 0, failed: 1, cancelled: 130 } as const;

export function exitCodeOf(result: RunResult): number {
  return RunExit[result.state];
}

export const runsDirFlag = { kind: 'string', valueName: 'DIR', description: 'the runs folder (default: .orch/runs under the workspace root)' } as const;
export const jsonFlag = { kind: 'boolean', description: 'print the run\'s events as NDJSON (one JSON object per line)' } as const;

/** The runs folder a command works in: --runs-dir, else .orch/runs under the workspace root of the cwd. */
export function runsDirOf(io: CliIo, flag: string | undefined): string {
  return flag ? resolve(io.cwd, flag) : defaultRunsDir(io.cwd);
}

/** A RUN argument (a run folder, a run id, a unique prefix, `latest`) as a run folder. */
export function runDirOf(io: CliIo, run: string, runsDirFlagValue: string | undefined): string {
  try {
    return resolveRunDir(run, runsDirOf(io, runsDirFlagValue), io.cwd);
  } catch (error) {
    if (error instanceof RunNotFoundError) throw new UsageError(error.message);
    throw error;
  }
}

export function parsePositiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} must be a positive integer, not '${value}'`);
  return n;
}

/** `--input FILE.json` then each `--set key.path=value` over it. */
export function runInput(io: CliIo, inputFile: string | undefined, sets: readonly string[]): Record<string, unknown> {
  let input: Record<string, unknown> = {};
  if (inputFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(resolve(io.cwd, inputFile), 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read --input ${inputFile} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    let parsed: unknown;
    try { parsed = JSON.parse(text); } catch (error) { throw new UsageError(`--input ${inputFile} is not valid JSON: ${(error as Error).message}`); }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`--input ${inputFile} must hold a JSON object`);
    input = parsed as Record<string, unknown>;
  }
  for (const set of sets) {
    const eq = set.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set ${set}: expected key=value (key may be a dotted path: config.timeout=30)`);
    try {
      setPath(input, set.slice(0, eq), set.slice(eq + 1));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  return input;
}

/** Prints why a run may not start (diagnostics exactly as `orch validate` prints them); exit 1. */
export function printRefusal(io: CliIo, error: RunRefusedError): number {
  const palette = paletteFor(io.stderr, io.env);
  if (error.diagnostics) {
    const { doc, diagnostics } = error.diagnostics;
    const view = (file: string) => ({ display: displayPath(io.cwd, file), lines: file === doc.uri ? doc.lineIndex : undefined });
    const json = diagnostics.filter((d) => d.severity === 'error').map((d) => toJsonDiagnostic(d, view(doc.uri), view));
    io.stderr.write(textDiagnostics(json, palette));
    io.stderr.write(`the run was refused: ${displayPath(io.cwd, doc.uri)} has ${json.length === 1 ? 'an error' : `${json.length} errors`} (orch validate shows the same)\n`);
  } else if (error.reason === 'state') {
    io.stderr.write(`${error.problems.join('\n')}\n`);
  } else {
    const what = { inactive: 'the definition is inactive', input: 'the input does not match the definition\'s schema', plan: 'the run cannot be planned', secrets: 'secrets are missing', invalid: 'the definition is invalid' }[error.reason];
    io.stderr.write(`the run was refused: ${what}\n${error.problems.map((p) => `  ${p}`).join('\n')}\n`);
  }
  return ExitCode.problems;
}

/**
 * Finds inventory hosts for the ssh provider by looking around a definition (as validate does),
 * built on first use, so runs without hosts never read an inventory.
 */
export function lazyHostLookup(definitionPath: string, defs: readonly string[], cwd: string): (name: string) => HostInfo | undefined {
  let hosts: Map<string, HostInfo> | undefined;
  return (name) => {
    if (!hosts) {
      hosts = new Map();
      try {
        const target = resolve(cwd, definitionPath);
        const index = loadWorkspace([target], { cwd, defs: defs.length ? defs : undefined }).index;
        for (const host of index.hostNames()) {
          const declaration = index.hostsNamed(host)[0];
          if (declaration) hosts.set(host, { entry: declaration.value as HostEntry, file: declaration.doc.uri });
        }
      } catch {
        // The file moved since the run started: hosts are then unknown, and ssh says so per attempt.
      }
    }
    return hosts.get(name);
  };
}

export function providersFor(hostLookup: (name: string) => HostInfo | undefined): ProviderRegistry {
  return createProviderRegistry({ hostLookup });
}

/**
 * Shows a run's progress until it ends, cancelling it gracefully on Ctrl-C (SIGINT) or SIGTERM; a
 * second signal stops waiting for the providers. Returns the exit status.
 */
export async function followRun(io: CliIo, handle: RunHandle, progress: Progress, providers: ProviderRegistry): Promise<number> {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      progress.note(`${signal === 'SIGINT' ? 'Ctrl-C' : signal}: cancelling run ${handle.runId} (running attempts get 10s to stop; press Ctrl-C again to stop now)`);
      handle.cancel({ reason: `cancelled by ${signal === 'SIGINT' ? 'Ctrl-C' : signal}` });
    } else {
      handle.cancel({ reason: 'cancelled', graceMs: 0 });
    }
  };
  // A closed pipe (`orch run --json | head`) must not take the run down: it goes on, unseen.
  const onPipeError = (error: NodeJS.ErrnoException) => { if (error.code !== 'EPIPE') throw error; };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.stdout.on('error', onPipeError);
  try {
    const result = await handle.done;
    progress.finish(result);
    return exitCodeOf(result);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    process.stdout.off('error', onPipeError);
    await providers.dispose();
  }
}

export const runCommand = defineCommand({
  name: 'run',
  summary: 'Run an orchestration durably, with live progress (resumable after a crash or Ctrl-C).',
  usage: 'run FILE [--input FILE.json] [--set key=value]... [--concurrency N] [--runs-dir DIR] [--defs DIR]... [--json] [--nats URL]',
  details: [
    'The definition is checked exactly as `orch validate` checks it, and the input against its `schema`\n' +
    '(the definition\'s `input` gives defaults; --input and --set go over them); a run with problems is refused\n' +
    'before anything starts. Secrets (${secret:NAME}) come from environment variables ORCH_SECRET_NAME.',
    'Each run gets a folder (.orch/runs/<run id>/ beside the workspace root, or --runs-dir) with its journal,\n' +
    'logs and summary. Ctrl-C cancels gracefully (a second Ctrl-C stops at once); `orch resume` continues.',
    'With --nats URL the activities run on `orch agent` workers of that NATS JetStream server (distributed\n' +
    'mode, docs/distributed.md); the journal, progress and exit status are the same as on this machine.',
    'Exit status: 0 succeeded, 1 failed or refused, 2 usage error, 130 cancelled.',
  ],
  flags: {
    input: { kind: 'string', valueName: 'FILE.json', description: 'the run input (a JSON object)' },
    set: { kind: 'string', valueName: 'key=value', repeatable: true, description: 'set one input property (dotted path; the value is JSON, or else a string)' },
    concurrency: { kind: 'string', valueName: 'N', description: 'most activities running at once (overrides the definition)' },
    'runs-dir': runsDirFlag,
    defs: { kind: 'string', valueName: 'DIR', repeatable: true, description: 'folder of activity definitions and host inventories' },
    json: jsonFlag,
    ...natsFlags,
  },
  positionals: { name: 'FILE', min: 1, max: 1 },
  examples: [
    'orch run deploy.orch.json --set cell=eu-1',
    'orch run deploy.orch.json --input input.json --concurrency 4',
    'orch run deploy.orch.json --json | jq -c \'select(.type == "activity.failed")\'',
  ],
  async run({ flags, positionals }, io) {
    const input = runInput(io, flags.input, flags.set);
    const concurrency = parsePositiveInt(flags.concurrency, 'concurrency');
    let loaded;
    try {
      loaded = loadDefinition(positionals[0], { cwd: io.cwd, defs: flags.defs });
    } catch (error) {
      if (error instanceof RunRefusedError) return printRefusal(io, error);
      throw error;
    }
    const mode = executionMode(io, flags, loaded.host);
    const providers = mode.providers;
    const progress = createProgress(io, { json: flags.json });
    let handle: RunHandle;
    try {
      await mode.ready();
      handle = await startRun({
        parsed: loaded,
        input,
        concurrency,
        runsDir: flags['runs-dir'] ? resolve(io.cwd, flags['runs-dir']) : undefined,
        providers,
        secrets: mode.secrets,
        cwd: io.cwd,
        listeners: [progress.listener],
      });
    } catch (error) {
      await providers.dispose();
      if (error instanceof UsageError) throw error;
      if (error instanceof RunRefusedError) return printRefusal(io, error);
      if ((error as NodeJS.ErrnoException).code) {
        // The runs folder cannot be created or written (permissions, a full disk): say so, in one line.
        io.stderr.write(`cannot start the run: ${(error as Error).message}\n`);
        return ExitCode.problems;
      }
      throw error;
    }
    return followRun(io, handle, progress, providers);
  },
});
