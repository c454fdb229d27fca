/**
 * The engine's public API: start a run, resume one, dispose of what one created. A pure Node library
 * (the CLI uses it now, the extension and remote agents later): no server, nothing global, every
 * dependency (providers, secrets, clock) handed in.
 *
 *   const run = await startRun({ definitionPath, input, providers });
 *   run.events.subscribe((e) => ...);
 *   const result = await run.done;
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { OrchestrationDefinition } from '../model/types';
import { realClock, type Clock } from './clock';
import type { Listener, ListenerErrorReporter } from './emitter';
import type { RunEvent } from './events';
import { mergeInput } from './inputs';
import { readJournal, truncateTorn } from './journal';
import { inputProblems, loadDefinition, RunRefusedError, type LoadedDefinition } from './load';
import { buildPlan, PlanError, plannedActivities, type ProviderRegistry, type RunPlan } from './plan';
import { replay, type RunSnapshot } from './replay';
import { acquireLock, createNewRunFolder, createRunFolder, defaultRunsDir, liveHolder, readSummary, releaseLock, runPaths, type RunPaths } from './runFolder';
import { MissingSecretsError, secretReferences, Secrets, type SecretStore } from './secrets';
import { openSession, type RunHandle } from './session';

export type { RunHandle, RunResult } from './session';
export { RunRefusedError } from './load';

export interface EngineOptions {
  /** Providers by name (`shell`, `ssh`, `http`, `node`, `noop`, plugins...). */
  providers: ProviderRegistry;
  /** Where `${secret:NAME}` values come from (the CLI: environment variables `ORCH_SECRET_NAME`). */
  secrets?: SecretStore;
  clock?: Clock;
  /** Jitter's randomness, in [0, 1). */
  random?: () => number;
  /** Relative paths start here (default: the process's cwd). */
  cwd?: string;
  /** Listeners subscribed before the first event. */
  listeners?: Listener<RunEvent>[];
  onListenerError?: ListenerErrorReporter<RunEvent>;
  /** How long a timed-out attempt gets to stop before it is abandoned (default 5 s). */
  timeoutGraceMs?: number;
  /** Watch the run's control folder for requests from other processes (default true). */
  watchControl?: boolean;
  /** Parent folder of the attempts' work folders (default: the system's temporary folder). */
  workRoot?: string;
}

export interface StartRunOptions extends EngineOptions {
  /** The orchestration file; or `parsed`, a definition already loaded with loadDefinition. */
  definitionPath?: string;
  parsed?: LoadedDefinition;
  /** Folders of activity definitions (default: the definition's folder and its parents up to the workspace root). */
  defs?: string[];
  /** Merged over the definition's `input` defaults. */
  input?: Record<string, unknown>;
  /** Default: `.orch/runs` beside the workspace root of the definition. */
  runsDir?: string;
  /** Overrides the definition's `concurrency`. */
  concurrency?: number;
  runId?: string;
  /** Set by dispose: the run this one tears down. */
  disposeOf?: string;
}

export interface ResumeOptions extends EngineOptions {
  concurrency?: number;
  /** Instead of continuing, mark the run cancelled (for a run whose process is gone). */
  cancel?: { reason: string };
}

export const DEFAULT_TIMEOUT_GRACE_MS = 5000;

/** Checks everything, creates the run folder and starts. Throws RunRefusedError when the run may not start. */
export async function startRun(options: StartRunOptions): Promise<RunHandle> {
  const cwd = options.cwd ?? process.cwd();
  const clock = options.clock ?? realClock();
  let loaded = options.parsed;
  if (!loaded) {
    if (!options.definitionPath) throw new TypeError('startRun needs definitionPath or parsed');
    loaded = loadDefinition(options.definitionPath, { cwd, defs: options.defs });
  }
  const definition = loaded.definition;
  const plan = planOf(loaded, options, options.concurrency);
  const rawInput = mergeInput(definition.input, options.input ?? {});
  const secrets = await fetchSecrets(plan, rawInput, options.secrets);
  const input = secrets.resolve(rawInput);
  const problems = inputProblems(definition, input, secrets.redactor);
  if (problems.length) throw new RunRefusedError('input', problems);

  const runsDir = options.runsDir ?? defaultRunsDir(dirname(loaded.path));
  const { runId, paths } = options.runId !== undefined
    ? { runId: options.runId, paths: createRunFolder(runsDir, options.runId) }
    : createNewRunFolder(runsDir, clock.now());
  writeFileSync(paths.definition, loaded.text);
  acquireLock(paths, clock.now());
  return openSession({
    ...sessionBasics(options, clock, runId, paths, plan, secrets, input, definition),
    started: {
      type: 'run.started',
      journalVersion: 1,
      definition: { type: definition.type, path: loaded.path, hash: loaded.hash, ...(definition.description ? { description: definition.description } : {}) },
      input: rawInput,
      concurrency: plan.concurrency,
      activities: plannedActivities(plan),
      defs: loaded.defs,
      pid: process.pid,
      ...(options.disposeOf ? { disposeOf: options.disposeOf } : {}),
    },
    summaryBase: { definition: { type: definition.type, path: loaded.path }, ...(options.disposeOf ? { disposeOf: options.disposeOf } : {}) },
  });
}

/**
 * Continues a run from its journal: attempts in flight when its process died are marked interrupted,
 * and everything that did not succeed runs again (with a fresh retry budget); succeeded activities
 * never run twice. Waiting activities keep waiting. The definition is the copy kept in the run folder;
 * activity definitions are read again, so a fixed script or config applies.
 */
export async function resumeRun(runDir: string, options: ResumeOptions): Promise<RunHandle> {
  const cwd = options.cwd ?? process.cwd();
  const clock = options.clock ?? realClock();
  const paths = runPaths(runDir);
  const { snapshot, contents } = readRun(paths);
  if (snapshot.state === 'succeeded') throw new RunRefusedError('state', [`run ${snapshot.runId} succeeded: there is nothing to resume`]);
  if (options.cancel && snapshot.state !== 'running') throw new RunRefusedError('state', [`run ${snapshot.runId} has already finished (${snapshot.state})`]);
  const holder = liveHolder(paths);
  if (holder && holder.pid !== process.pid) throw new RunRefusedError('state', [`run ${snapshot.runId} is live in process ${holder.pid}: cancel it first, or use orch complete to reach it`]);
  acquireLock(paths, clock.now());
  try {
    truncateTorn(paths.journal, contents);
    const loaded = loadDefinition(snapshot.definition.path, {
      cwd, defs: snapshot.defs, text: definitionText(paths), generated: snapshot.disposeOf !== undefined,
    });
    const plan = planOf(loaded, options, options.concurrency ?? snapshot.concurrency);
    // Marking a run cancelled starts nothing, so it needs no secret.
    const secrets = options.cancel ? Secrets.none : await fetchSecrets(plan, snapshot.input, options.secrets);
    const input = secrets.resolve(snapshot.input);
    const summary = readSummary(paths);
    return openSession({
      ...sessionBasics(options, clock, snapshot.runId, paths, plan, secrets, input, loaded.definition),
      restored: snapshot,
      ...(options.cancel ? { cancelOnOpen: options.cancel.reason } : {}),
      summaryBase: {
        definition: { type: snapshot.definition.type, path: snapshot.definition.path },
        ...(snapshot.disposeOf ? { disposeOf: snapshot.disposeOf } : {}),
        ...(summary?.disposedBy ? { disposedBy: summary.disposedBy } : {}),
      },
    });
  } catch (error) {
    releaseLock(paths);
    throw error;
  }
}

/** A run's journal, replayed. Throws RunRefusedError when there is no readable journal. */
export function readRun(paths: RunPaths): { snapshot: RunSnapshot; contents: ReturnType<typeof readJournal> } {
  const contents = readJournal(paths.journal);
  if (!contents.entries.length) throw new RunRefusedError('state', [`${paths.dir} has no journal entries (not a run folder, or the run never started)`]);
  return { snapshot: replay(contents.entries), contents };
}

function definitionText(paths: RunPaths): string {
  try {
    return readFileSync(paths.definition, 'utf8');
  } catch {
    throw new RunRefusedError('state', [`${paths.definition} is missing: the run folder is incomplete`]);
  }
}

function planOf(loaded: LoadedDefinition, options: EngineOptions, concurrency: number | undefined): RunPlan {
  try {
    return buildPlan(loaded.definition, { typeOf: loaded.typeOf, host: loaded.host, providers: options.providers }, concurrency);
  } catch (error) {
    if (error instanceof PlanError) throw new RunRefusedError('plan', error.problems);
    throw error;
  }
}

async function fetchSecrets(plan: RunPlan, rawInput: Record<string, unknown>, store: SecretStore | undefined): Promise<Secrets> {
  const names = secretReferences(rawInput);
  for (const node of plan.nodes) {
    for (const spec of node.spec.inputs ?? []) if (typeof spec === 'object' && 'value' in spec) secretReferences(spec.value, names);
    secretReferences(node.type.config, names);
  }
  if (!names.size) return Secrets.none;
  try {
    return await Secrets.fetch(names, store);
  } catch (error) {
    if (error instanceof MissingSecretsError) throw new RunRefusedError('secrets', error.missing.map((m) => `secret ${m.name} is not set${m.hint ? ` (${m.hint})` : ''}`));
    throw error;
  }
}

function sessionBasics(
  options: EngineOptions, clock: Clock, runId: string, paths: RunPaths, plan: RunPlan, secrets: Secrets,
  input: Record<string, unknown>, definition: OrchestrationDefinition,
) {
  return {
    runId,
    paths,
    plan,
    output: definition.output,
    clock,
    random: options.random ?? Math.random,
    secrets,
    input,
    workRoot: join(options.workRoot ?? tmpdir(), `orch-${runId}`),
    timeoutGraceMs: options.timeoutGraceMs ?? DEFAULT_TIMEOUT_GRACE_MS,
    listeners: options.listeners ?? [],
    onListenerError: options.onListenerError,
    watchControl: options.watchControl ?? true,
  };
}
