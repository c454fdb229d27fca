/**
 * Which units a remote provider may hand to its agent together with the one it dispatches, so that a
 * chain of activities goes on on the agent without a round trip through the orchestrator per link
 * (RemoteAttempts.successors). A successor qualifies when the engine would start it, unchanged, the
 * moment the unit before it in the chain succeeds:
 * - a plain activity (no forEach, no hosts, no pools), `when: success`, not started or restored yet,
 *   run by the same provider;
 * - every other dependency already succeeded;
 * - its inputs resolve now, except those read from an output of a unit earlier in the chain, which
 *   the agent fills in from what it reports (deferred); an input that cannot resolve, or inputs that
 *   already fail the inputSchema, end the chain there (the engine then fails the unit as usual).
 * The engine still starts every successor itself when its predecessor's success arrives (resolving
 * the same inputs from the same reported outputs); the provider only matches the start to the work
 * the agent already took on. Nothing is granted while the run is failing or cancelling.
 */
import { validateAgainst } from '../analysis/valueValidation';
import type { ActivitySpec } from '../model/types';
import type { AttemptPolicy } from './attempts';
import { InputError, readSource, targetOf, type SourceScope } from './inputs';
import type { RunPlan } from './plan';
import type { Provider } from './provider';
import type { Secrets } from './secrets';
import type { ActivityRun } from './units';

export interface RemoteSuccessor {
  activityId: string;
  /** The unit key (a successor is a plain activity: its id). */
  unitKey: string;
  type: string;
  idempotencyKey: string;
  activity: ActivitySpec;
  /** Resolved, secrets included (the provider decides what leaves as references). */
  inputs: Record<string, unknown>;
  deferred: { target: string; from: string; path: string[] }[];
  /** Deferred inputs and an inputSchema: the agent checks the inputs once complete. */
  checkInputs: boolean;
  policy: AttemptPolicy;
}

export interface SuccessorScope {
  runId: string;
  plan: RunPlan;
  activities: readonly ActivityRun[];
  secrets: Secrets;
  scope: SourceScope;
  /** The run is failing or cancelling: nothing new may start. */
  stopping: boolean;
  /** A resumed run has a saved state for this activity (it is restored, not started afresh). */
  restored(activityId: string): boolean;
}

/** Up to `max` successors in a chain after `first` (an activity with one plain unit, run by `provider`). */
export function chainAfter(first: ActivityRun, provider: Provider, max: number, s: SuccessorScope): RemoteSuccessor[] {
  const chain: RemoteSuccessor[] = [];
  if (s.stopping || max <= 0 || first.plan.fanOut) return chain;
  const inChain = new Set<number>([first.plan.index]);
  let previous = first;
  while (chain.length < max) {
    const next = nextLink(previous, provider, inChain, s);
    if (!next) break;
    chain.push(next.successor);
    inChain.add(next.activity.plan.index);
    previous = next.activity;
  }
  return chain;
}

function nextLink(previous: ActivityRun, provider: Provider, inChain: ReadonlySet<number>, s: SuccessorScope): { activity: ActivityRun; successor: RemoteSuccessor } | undefined {
  for (const d of previous.plan.dependents) {
    const activity = s.activities[d];
    if (!eligible(activity, provider, inChain, s)) continue;
    const successor = successorOf(activity, inChain, s);
    if (successor) return { activity, successor };
  }
  return undefined;
}

function eligible(activity: ActivityRun, provider: Provider, inChain: ReadonlySet<number>, s: SuccessorScope): boolean {
  const plan = activity.plan;
  if (activity.decided || activity.state !== 'pending' || s.restored(plan.id) || plan.fanOut || plan.pools.length || plan.when !== 'success' || plan.provider !== provider) return false;
  return plan.deps.every((dep) => inChain.has(dep) || (s.activities[dep].settled && s.activities[dep].state === 'succeeded'));
}

function successorOf(activity: ActivityRun, inChain: ReadonlySet<number>, s: SuccessorScope): RemoteSuccessor | undefined {
  const plan = activity.plan;
  const inputs: Record<string, unknown> = {};
  const deferred: RemoteSuccessor['deferred'] = [];
  for (const spec of plan.spec.inputs ?? []) {
    const target = targetOf(spec);
    if (typeof spec !== 'string' && 'value' in spec) {
      const value = s.secrets.resolve(spec.value);
      if (value !== undefined) inputs[target] = value;
      continue;
    }
    const source = typeof spec === 'string' ? spec : spec.source;
    const segments = source.split('.');
    const from = s.plan.byId.get(segments[0]);
    if (from && inChain.has(from.index)) {
      deferred.push({ target, from: from.id, path: segments.slice(1) });
      continue;
    }
    // An activity outside the chain that has not settled yet may have by the time the engine starts
    // this one: its inputs are not known now.
    if (from && !s.activities[from.index].settled) return undefined;
    try {
      const value = readSource(source, s.scope);
      if (value !== undefined) inputs[target] = value;
    } catch (error) {
      if (error instanceof InputError) return undefined;
      throw error;
    }
  }
  const schema = plan.type.inputSchema;
  if (schema !== undefined && deferred.length === 0 && validateAgainst(schema, inputs).length) return undefined;
  return {
    activityId: plan.id,
    unitKey: plan.id,
    type: plan.type.type,
    idempotencyKey: `${s.runId}/${plan.id}`,
    activity: plan.spec,
    inputs,
    deferred,
    checkInputs: schema !== undefined && deferred.length > 0,
    policy: plan.policy,
  };
}
