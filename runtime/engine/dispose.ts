/**
 * Tearing down what a run created. For every activity (or instance) that succeeded, its dispose
 * counterpart (an activity with `discriminator: dispose` and the same type, from the `--dispose`
 * definition or the run's own definition) runs, in the reverse order of the dependencies: what was
 * created last is removed first. The dispose run is an ordinary run (journaled, resumable) of a
 * definition generated here, kept in its own run folder and linked to the original both ways.
 *
 * A counterpart's inputs are read in the original run's context: its sources name the original
 * activities' outputs and the original run input (a source naming the disposed activity itself reads
 * the outputs of the very instance being disposed). A counterpart without inputs gets the disposed
 * unit's own inputs with its outputs over them, which is what a teardown script usually needs.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ActivitySpec, InputSpec, OrchestrationDefinition } from '../model/types';
import { realClock } from './clock';
import { readRun, startRun, type EngineOptions } from './engine';
import { unitKey } from './events';
import { resolveInputs, type SourceScope } from './inputs';
import { loadDefinition, RunRefusedError } from './load';
import { dependencyIds, runnableActivities } from './plan';
import type { ActivitySnapshot, RunSnapshot, UnitSnapshot } from './replay';
import { liveHolder, readSummary, runPaths, writeSummary } from './runFolder';
import { Secrets } from './secrets';
import type { RunHandle } from './session';

export interface DisposeOptions extends EngineOptions {
  /** A definition whose `dispose` activities are the counterparts (default: the run's own definition). */
  disposeDefinition?: string;
  defs?: string[];
  concurrency?: number;
}

export interface DisposalPlan {
  definition: OrchestrationDefinition;
  /** Units of the original run that get disposed, as `id` or `id[i]`. */
  disposed: string[];
  /** Succeeded units whose type has no dispose counterpart. */
  withoutCounterpart: string[];
}

export interface DisposeHandle extends RunHandle {
  readonly disposal: DisposalPlan;
}

export async function disposeRun(runDir: string, options: DisposeOptions): Promise<DisposeHandle> {
  const cwd = options.cwd ?? process.cwd();
  const paths = runPaths(runDir);
  const { snapshot } = readRun(paths);
  if (snapshot.disposeOf !== undefined) throw new RunRefusedError('state', [`run ${snapshot.runId} is itself a dispose run (of ${snapshot.disposeOf})`]);
  const holder = liveHolder(paths);
  if (holder) throw new RunRefusedError('state', [`run ${snapshot.runId} is live in process ${holder.pid}: cancel it (or let it finish) before disposing of it`]);
  const originalText = readFileSync(paths.definition, 'utf8');
  const original = loadDefinition(snapshot.definition.path, { cwd, defs: snapshot.defs, text: originalText, generated: true }).definition;
  let disposeDefinition: OrchestrationDefinition | undefined;
  let disposePath = snapshot.definition.path;
  if (options.disposeDefinition) {
    const loaded = loadDefinition(options.disposeDefinition, { cwd, defs: options.defs });
    disposeDefinition = loaded.definition;
    disposePath = loaded.path;
  }
  const plan = planDisposal(snapshot, original, disposeDefinition);
  const text = JSON.stringify(plan.definition, null, 2) + '\n';
  const loaded = loadDefinition(disposePath, { cwd, defs: options.defs?.length ? options.defs : snapshot.defs, text, generated: true });
  const clock = options.clock ?? realClock();
  const handle = await startRun({
    ...options,
    clock,
    parsed: loaded,
    runsDir: dirname(paths.dir),
    disposeOf: snapshot.runId,
    concurrency: options.concurrency,
  });
  const summary = readSummary(paths);
  if (summary) {
    try { writeSummary(paths, { ...summary, disposedBy: [...(summary.disposedBy ?? []), handle.runId] }); } catch { /* the link from the dispose run remains */ }
  }
  return Object.assign(handle, { disposal: plan });
}

function counterpartsOf(original: OrchestrationDefinition, disposeDefinition: OrchestrationDefinition | undefined): Map<string, ActivitySpec> {
  const source = disposeDefinition ?? original;
  const all = source.activities ?? [];
  let candidates = all.filter((a) => a.discriminator === 'dispose');
  // A teardown file written without discriminators still says what it is by being named with --dispose.
  if (!candidates.length && disposeDefinition) candidates = all;
  const byType = new Map<string, ActivitySpec>();
  for (const a of candidates) if (!byType.has(a.type)) byType.set(a.type, a);
  return byType;
}

interface DisposedUnit {
  id: string;
  activity: ActivitySnapshot;
  unit: UnitSnapshot;
  instance?: number;
}

/** The generated definition of a dispose run. */
export function planDisposal(run: RunSnapshot, original: OrchestrationDefinition, disposeDefinition?: OrchestrationDefinition): DisposalPlan {
  const counterparts = counterpartsOf(original, disposeDefinition);
  const specs = runnableActivities(original);
  const usedIds = new Set(specs.map((s) => s.id));
  const unitsOf = new Map<string, DisposedUnit[]>();
  const disposed: string[] = [];
  const withoutCounterpart: string[] = [];
  for (const spec of specs) {
    const activity = run.activities[spec.id];
    if (!activity) continue;
    const succeeded: { unit: UnitSnapshot; instance?: number }[] = activity.instances
      ? activity.instances.filter((u) => u?.state === 'succeeded').map((u) => ({ unit: u, instance: u.instance }))
      : activity.state === 'succeeded' ? [{ unit: activity }] : [];
    if (!succeeded.length) continue;
    if (!counterparts.has(spec.type)) {
      for (const s of succeeded) withoutCounterpart.push(unitKey(spec.id, s.instance));
      continue;
    }
    const units: DisposedUnit[] = [];
    for (const s of succeeded) {
      let id = s.instance === undefined ? spec.id : `${spec.id}_${s.instance}`;
      while (s.instance !== undefined && usedIds.has(id)) id += '_';
      usedIds.add(id);
      units.push({ id, activity, unit: s.unit, instance: s.instance });
      disposed.push(unitKey(spec.id, s.instance));
    }
    unitsOf.set(spec.id, units);
  }
  const below = nearestDisposedBelow(specs, new Set(unitsOf.keys()));
  const activities: ActivitySpec[] = [];
  for (const spec of specs) {
    const units = unitsOf.get(spec.id);
    if (!units) continue;
    const counterpart = counterparts.get(spec.type)!;
    const after = [...(below.get(spec.id) ?? [])].flatMap((id) => unitsOf.get(id)!.map((u) => u.id));
    for (const unit of units) {
      const generated: ActivitySpec = {
        id: unit.id,
        type: spec.type,
        discriminator: 'dispose',
        inputs: inputsFor(unit, spec, counterpart, run),
      };
      if (after.length) generated.dependsOn = after;
      if (counterpart.retry) generated.retry = counterpart.retry;
      if (counterpart.timeoutMs !== undefined) generated.timeoutMs = counterpart.timeoutMs;
      if (counterpart.continueOnError) generated.continueOnError = true;
      if (counterpart.acquires) generated.acquires = counterpart.acquires;
      if (unit.unit.host !== undefined) generated.hosts = [unit.unit.host];
      activities.push(generated);
    }
  }
  const source = disposeDefinition ?? original;
  const definition: OrchestrationDefinition = {
    type: source.type,
    description: `dispose of run ${run.runId}`,
    activities,
  };
  if (source.concurrency !== undefined) definition.concurrency = source.concurrency;
  if (source.pools) definition.pools = source.pools;
  if (source.defaults) definition.defaults = source.defaults;
  return { definition, disposed, withoutCounterpart };
}

/** For each disposed activity, the disposed activities nearest below it (through activities that are not disposed). */
function nearestDisposedBelow(specs: ActivitySpec[], disposedIds: Set<string>): Map<string, Set<string>> {
  const dependents = new Map<string, string[]>();
  const ids = new Set(specs.map((s) => s.id));
  const remaining = new Map<string, number>();
  for (const spec of specs) {
    const deps = dependencyIds(spec).filter((d) => ids.has(d));
    remaining.set(spec.id, deps.length);
    for (const dep of deps) (dependents.get(dep) ?? dependents.set(dep, []).get(dep)!).push(spec.id);
  }
  const order: string[] = specs.filter((s) => remaining.get(s.id) === 0).map((s) => s.id);
  for (let i = 0; i < order.length; i++) {
    for (const next of dependents.get(order[i]) ?? []) {
      const left = remaining.get(next)! - 1;
      remaining.set(next, left);
      if (left === 0) order.push(next);
    }
  }
  const below = new Map<string, Set<string>>();
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i];
    const set = new Set<string>();
    for (const child of dependents.get(id) ?? []) {
      if (disposedIds.has(child)) set.add(child);
      else for (const b of below.get(child) ?? []) set.add(b);
    }
    below.set(id, set);
  }
  return below;
}

function inputsFor(unit: DisposedUnit, spec: ActivitySpec, counterpart: ActivitySpec, run: RunSnapshot): InputSpec[] {
  const as = spec.forEach?.as;
  const item = as !== undefined && unit.unit.inputs && as in unit.unit.inputs ? { as, value: unit.unit.inputs[as] } : undefined;
  const scope: SourceScope = {
    isActivity: (id) => id in run.activities,
    upstream: (id) => {
      if (id === spec.id) return { succeeded: true, outputs: unit.unit.outputs };
      const a = run.activities[id];
      return a ? { succeeded: a.state === 'succeeded', outputs: a.outputs } : undefined;
    },
    input: run.input,
    item,
  };
  let values: Record<string, unknown>;
  if (counterpart.inputs?.length) {
    // Secrets stay as references here; the dispose run resolves them from its own store.
    try {
      values = resolveInputs(counterpart, scope, Secrets.none);
    } catch (error) {
      throw new RunRefusedError('plan', [`the dispose counterpart of ${unitKey(spec.id, unit.instance)} (${counterpart.id}): inputs ${(error as Error).message}`]);
    }
  } else {
    let own: Record<string, unknown>;
    try { own = resolveInputs(spec, scope, Secrets.none); } catch { own = { ...(unit.unit.inputs ?? {}) }; }
    const outputs = unit.unit.outputs && typeof unit.unit.outputs === 'object' && !Array.isArray(unit.unit.outputs) ? unit.unit.outputs as Record<string, unknown> : {};
    values = { ...own, ...outputs };
  }
  return Object.entries(values).map(([target, value]) => ({ value, target }));
}
