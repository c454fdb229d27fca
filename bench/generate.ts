/**
 * Seeded generator of realistic, valid orchestration workloads: a layered DAG whose activities depend
 * on 1-3 activities of earlier tiers (one always on the tier just above, so the tiers are exact), read
 * upstream outputs (`dep.out`) and input properties (`cell`, `config.region`), and use a handful of
 * activity types that ActivityDefinitions declare with input and output schemas. Pretty-printed with a
 * 2-space indent, as people write them: about 2 MB at 10,000 activities. The same seed gives the same
 * bytes, so timings compare across runs and machines.
 */
import type { ActivityDefinition, ActivitySpec, InputSpec, OrchestrationDefinition } from '../runtime/model/types';

export interface Workload {
  /** Number of activities. */
  size: number;
  /** The `*.orch.json` text. */
  definition: string;
  /** The `*.activity.json` text: an array of the ActivityDefinitions the definition uses. */
  activityDefinitions: string;
  /** Number of tiers of the DAG (for checking the generator and reading the figures). */
  tiers: number;
}

/** mulberry32: tiny, fast and good enough to shape test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface TypeShape {
  type: string;
  provider: string;
  /** Input names; the first ones up to `required` are required. */
  inputs: string[];
  required: number;
  outputs: string[];
  config: Record<string, unknown>;
}

const TYPES: TypeShape[] = [
  { type: 'vm.provision', provider: 'shell', inputs: ['cell', 'region', 'upstream', 'size'], required: 1, outputs: ['out', 'address', 'id'], config: { command: './provision.sh', args: ['--cell', '${cell}'] } },
  { type: 'dns.configure', provider: 'http', inputs: ['upstream', 'zone', 'ttl'], required: 1, outputs: ['out', 'record'], config: { url: 'https://dns.example.com/records', method: 'POST' } },
  { type: 'service.deploy', provider: 'ssh', inputs: ['upstream', 'image', 'replicas', 'cell', 'region'], required: 1, outputs: ['out', 'endpoint'], config: { command: 'deploy', args: ['--image', '${image}'] } },
  { type: 'health.check', provider: 'http', inputs: ['upstream', 'path', 'timeout'], required: 1, outputs: ['out', 'status'], config: { url: 'https://health.example.com/check' } },
  { type: 'notify', provider: 'node', inputs: ['upstream', 'channel', 'cell'], required: 0, outputs: ['out'], config: { module: './notify.js', export: 'send' } },
  { type: 'marker', provider: 'noop', inputs: ['upstream'], required: 0, outputs: ['out'], config: {} },
];

function objectSchema(names: string[], required: string[]): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const name of names) properties[name] = name === 'replicas' || name === 'ttl' || name === 'timeout' ? { type: 'integer' } : { type: 'string' };
  const schema: Record<string, unknown> = { type: 'object', properties };
  if (required.length) schema.required = required;
  return { openAPIV3Schema: schema };
}

export function activityDefinitions(): ActivityDefinition[] {
  return TYPES.map((t) => ({
    type: t.type,
    provider: t.provider,
    description: `Generated benchmark type ${t.type}`,
    inputSchema: objectSchema(t.inputs, t.inputs.slice(0, t.required)),
    outputSchema: objectSchema(t.outputs, []),
    config: t.config,
  }));
}

/** Tier widths: wide enough that reachability checks matter, deep enough that chains are long. */
function tierWidths(size: number, random: () => number): number[] {
  const depth = Math.max(1, Math.round(Math.sqrt(size) * 0.8));
  const widths: number[] = [];
  let left = size;
  for (let t = 0; t < depth && left > 0; t++) {
    const tiersLeft = depth - t;
    const even = left / tiersLeft;
    const width = t === depth - 1 ? left : Math.max(1, Math.min(left, Math.round(even * (0.6 + random() * 0.8))));
    widths.push(width);
    left -= width;
  }
  return widths;
}

export function generateWorkload(size: number, seed = 42): Workload {
  const random = seededRandom(seed ^ size);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const widths = tierWidths(size, random);
  const idWidth = String(size).length;
  const tiers: string[][] = [];
  const typeOf = new Map<string, TypeShape>();
  const activities: ActivitySpec[] = [];
  let counter = 0;
  for (let t = 0; t < widths.length; t++) {
    const tier: string[] = [];
    for (let k = 0; k < widths[t]; k++) {
      const id = `a${String(counter++).padStart(idWidth, '0')}`;
      const shape = pick(TYPES);
      typeOf.set(id, shape);
      const activity: ActivitySpec = { id, type: shape.type };
      const deps: string[] = [];
      if (t > 0) {
        deps.push(pick(tiers[t - 1]));
        const extra = Math.floor(random() * 3);
        for (let e = 0; e < extra; e++) {
          const from = tiers[Math.floor(random() * t)];
          const dep = pick(from);
          if (!deps.includes(dep)) deps.push(dep);
        }
        activity.dependsOn = deps.length === 1 && random() < 0.3 ? deps[0] : deps;
      }
      activity.inputs = inputsFor(shape, deps, typeOf, random);
      if (random() < 0.05) activity.retry = { maxAttempts: 3, backoff: 'exponential', delayMs: 500 };
      if (random() < 0.05) activity.timeoutMs = 60000;
      activities.push(activity);
      tier.push(id);
    }
    tiers.push(tier);
  }
  const definition: OrchestrationDefinition = {
    type: `bench-${size}.example.com`,
    description: `Generated benchmark workload: ${size} activities in ${tiers.length} tiers (seed ${seed})`,
    schema: {
      openAPIV3Schema: {
        type: 'object',
        properties: { cell: { type: 'string' }, config: { type: 'object', properties: { region: { type: 'string' }, image: { type: 'string' } } } },
        required: ['cell'],
      },
    },
    input: { config: { region: 'eu-west-1', image: 'registry.example.com/app:1.0' } },
    concurrency: 16,
    activities,
  };
  return {
    size,
    definition: JSON.stringify(definition, null, 2),
    activityDefinitions: JSON.stringify(activityDefinitions(), null, 2),
    tiers: tiers.length,
  };
}

/** Reads an upstream output or an input property into each target the type knows, required ones first. */
function inputsFor(shape: TypeShape, deps: string[], typeOf: Map<string, TypeShape>, random: () => number): InputSpec[] {
  const inputs: InputSpec[] = [];
  for (const [i, target] of shape.inputs.entries()) {
    if (i >= shape.required && random() < 0.85) continue;
    if (target === 'upstream' && deps.length) {
      const dep = deps[Math.floor(random() * deps.length)];
      const outputs = typeOf.get(dep)!.outputs;
      inputs.push({ source: `${dep}.${outputs[Math.floor(random() * outputs.length)]}`, target });
    } else if (target === 'cell') {
      inputs.push('cell');
    } else if (target === 'region' || target === 'image') {
      inputs.push(`config.${target}`);
    } else if (target === 'replicas' || target === 'ttl' || target === 'timeout') {
      inputs.push({ value: 1 + Math.floor(random() * 5), target });
    } else {
      inputs.push({ value: `${target}-${Math.floor(random() * 100)}`, target });
    }
  }
  return inputs;
}
