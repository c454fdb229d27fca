/**
 * The static side of a run: each activity with its resolved type, provider, retry policy, pools and
 * dependency edges, built once before the first start. Everything that can be known without running
 * (an activity type nobody declares, a provider that is not installed, a host missing from the
 * inventory) is found here and refuses the run with every problem listed.
 */
import { dirname } from 'node:path';
import type { ActivityDefinition, ActivitySpec, HostEntry, OrchestrationDefinition, When } from '../model/types';
import { DEFAULT_CONCURRENCY } from '../model/types';
import { attemptPolicy, type AttemptPolicy } from './attempts';
import type { PlannedActivity } from './events';
import type { Provider } from './provider';

export type ProviderRegistry = ReadonlyMap<string, Provider> | Readonly<Record<string, Provider>>;

export function providerNamed(registry: ProviderRegistry, name: string): Provider | undefined {
  if (registry instanceof Map) return registry.get(name);
  const record = registry as Readonly<Record<string, Provider>>;
  return Object.prototype.hasOwnProperty.call(record, name) ? record[name] : undefined;
}

function providerNames(registry: ProviderRegistry): string[] {
  return registry instanceof Map ? [...registry.keys()] : Object.keys(registry);
}

const NO_POOLS: [string, number][] = [];

export interface PlanNode {
  index: number;
  id: string;
  spec: ActivitySpec;
  type: ActivityDefinition;
  /** The folder of the file declaring the type. */
  baseDir: string;
  provider: Provider;
  deps: number[];
  dependents: number[];
  when: When;
  policy: AttemptPolicy;
  pools: [string, number][];
  /** forEach or hosts: the activity runs as instances. */
  fanOut: boolean;
  unitLimit: number;
  hosts?: { name: string; entry?: HostEntry; inventoryDir?: string }[];
}

export interface RunPlan {
  nodes: PlanNode[];
  byId: Map<string, PlanNode>;
  concurrency: number;
  pools: Record<string, number>;
}

export interface PlanSources {
  typeOf(type: string): { definition: ActivityDefinition; file: string } | undefined;
  host?(name: string): { entry: HostEntry; file: string } | undefined;
  providers: ProviderRegistry;
}

export class PlanError extends Error {
  override readonly name = 'PlanError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/**
 * The activities `orch run` runs. `discriminator: dispose` marks the teardown counterparts that
 * `orch dispose` runs; a definition made only of them is a teardown definition and runs as a whole.
 */
export function runnableActivities(definition: OrchestrationDefinition): ActivitySpec[] {
  const all = definition.activities ?? [];
  const forward = all.filter((a) => a.discriminator !== 'dispose');
  return forward.length ? forward : all;
}

export function dependencyIds(spec: ActivitySpec): string[] {
  const deps = spec.dependsOn;
  const list = deps === undefined ? [] : typeof deps === 'string' ? [deps] : deps;
  return [...new Set(list)];
}

export function buildPlan(definition: OrchestrationDefinition, sources: PlanSources, concurrencyOverride?: number): RunPlan {
  const problems: string[] = [];
  const specs = runnableActivities(definition);
  const byId = new Map<string, PlanNode>();
  const nodes: PlanNode[] = [];
  const runnable = new Set(specs);
  const excluded = new Set((definition.activities ?? []).filter((a) => !runnable.has(a)).map((a) => a.id));
  // Per type, once: 10,000 activities usually share a handful of types.
  const typeCache = new Map<string, { info: ReturnType<PlanSources['typeOf']>; baseDir?: string; policy?: AttemptPolicy }>();
  for (const spec of specs) {
    let cached = typeCache.get(spec.type);
    if (!cached) typeCache.set(spec.type, (cached = { info: sources.typeOf(spec.type) }));
    const typeInfo = cached.info;
    if (!typeInfo) {
      problems.push(`activity ${spec.id}: no activity definition declares type '${spec.type}' (add a *.activity.json for it, or point --defs at the folder that has one)`);
      continue;
    }
    const providerName = spec.hosts?.length ? 'ssh' : typeInfo.definition.provider;
    const provider = providerNamed(sources.providers, providerName);
    if (!provider) {
      const why = spec.hosts?.length ? 'it runs on hosts, through the ssh provider' : `its type '${spec.type}' uses provider '${providerName}'`;
      problems.push(`activity ${spec.id}: ${why}, which is not available (available: ${providerNames(sources.providers).join(', ') || 'none'})`);
      continue;
    }
    let hosts: PlanNode['hosts'];
    if (spec.hosts?.length) {
      hosts = [];
      for (const name of new Set(spec.hosts)) {
        const info = sources.host?.(name);
        if (sources.host && !info) problems.push(`activity ${spec.id}: host '${name}' is not in the inventory (orch.hosts.json)`);
        hosts.push(info ? { name, entry: info.entry, inventoryDir: dirname(info.file) } : { name });
      }
    }
    const node: PlanNode = {
      index: nodes.length,
      id: spec.id,
      spec,
      type: typeInfo.definition,
      baseDir: (cached.baseDir ??= dirname(typeInfo.file)),
      provider,
      deps: [],
      dependents: [],
      when: spec.when ?? 'success',
      // An activity that says nothing about retries and timeouts shares its type's policy.
      policy: spec.retry === undefined && spec.timeoutMs === undefined
        ? (cached.policy ??= attemptPolicy(spec, typeInfo.definition, definition.defaults))
        : attemptPolicy(spec, typeInfo.definition, definition.defaults),
      pools: spec.acquires ? Object.entries(spec.acquires).filter(([, amount]) => amount > 0) : NO_POOLS,
      fanOut: spec.forEach !== undefined || (spec.hosts?.length ?? 0) > 0,
      unitLimit: spec.forEach?.concurrency ?? Infinity,
    };
    if (hosts) node.hosts = hosts;
    nodes.push(node);
    byId.set(spec.id, node);
  }
  for (const node of nodes) {
    for (const dep of dependencyIds(node.spec)) {
      const from = byId.get(dep);
      if (from) {
        node.deps.push(from.index);
        from.dependents.push(node.index);
      } else if (excluded.has(dep)) {
        problems.push(`activity ${node.id} depends on '${dep}', a dispose activity, which orch run does not run`);
      }
    }
  }
  for (const [pool, capacity] of Object.entries(definition.pools ?? {})) {
    for (const node of nodes) {
      const amount = node.spec.acquires?.[pool];
      if (amount !== undefined && amount > capacity) problems.push(`activity ${node.id} acquires ${amount} of pool '${pool}', which holds ${capacity}`);
    }
  }
  for (const node of nodes) {
    for (const [pool] of node.pools) if (!(pool in (definition.pools ?? {}))) problems.push(`activity ${node.id} acquires undeclared pool '${pool}'`);
  }
  if (problems.length) throw new PlanError(problems);
  const concurrency = concurrencyOverride ?? definition.concurrency ?? DEFAULT_CONCURRENCY;
  return { nodes, byId, concurrency, pools: { ...(definition.pools ?? {}) } };
}

export function plannedActivities(plan: RunPlan): PlannedActivity[] {
  return plan.nodes.map((node) => {
    const planned: PlannedActivity = { id: node.id, type: node.spec.type, dependsOn: node.deps.map((d) => plan.nodes[d].id), when: node.when };
    if (node.spec.discriminator !== undefined) planned.discriminator = node.spec.discriminator;
    if (node.spec.continueOnError) planned.continueOnError = true;
    if (node.fanOut) planned.fanOut = true;
    if (node.hosts) planned.hosts = node.hosts.map((h) => h.name);
    return planned;
  });
}
