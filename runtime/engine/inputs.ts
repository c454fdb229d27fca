/**
 * Inputs as the spec defines them: a source is an activity's output (`activity1.resource`) when its
 * first segment names an activity, the forEach item when it names the `as` variable, and a run input
 * property otherwise (`config.timeout`); `{ value, target }` is a constant. The outputs of a fanned-out
 * activity are the array of its instances' outputs: a numeric segment picks an instance
 * (`scan.0.url`), a name maps over them (`scan.url` is every instance's url).
 */
import type { ActivitySpec, InputSpec } from '../model/types';
import type { Secrets } from './secrets';

export interface Upstream {
  /** Whether the activity succeeded (a missing output of a succeeded activity is an error). */
  succeeded: boolean;
  outputs: unknown;
}

export interface SourceScope {
  isActivity(id: string): boolean;
  upstream(id: string): Upstream | undefined;
  /** The run input, defaults merged, secrets resolved. */
  input: Record<string, unknown>;
  item?: { as: string; value: unknown };
}

export class InputError extends Error {
  override readonly name = 'InputError';
}

/** `{ found, value }` at `segments` below `value`. */
export function readPath(value: unknown, segments: readonly string[]): { found: boolean; value: unknown } {
  let current = value;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (Array.isArray(current)) {
      if (/^\d+$/.test(segment)) {
        const index = Number(segment);
        if (index >= current.length) return { found: false, value: undefined };
        current = current[index];
        continue;
      }
      const rest = segments.slice(i);
      return { found: true, value: current.map((element) => readPath(element, rest).value) };
    }
    if (!current || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, segment)) return { found: false, value: undefined };
    current = (current as Record<string, unknown>)[segment];
  }
  return { found: true, value: current };
}

/** The value a source names; undefined when it is absent (an error for a succeeded activity's missing output). */
export function readSource(source: string, scope: SourceScope): unknown {
  const segments = source.split('.');
  const first = segments[0];
  if (scope.isActivity(first)) {
    const upstream = scope.upstream(first);
    if (!upstream) return undefined;
    const read = readPath(upstream.outputs, segments.slice(1));
    if (!read.found && upstream.succeeded) {
      const keys = upstream.outputs && typeof upstream.outputs === 'object' && !Array.isArray(upstream.outputs) ? Object.keys(upstream.outputs) : [];
      throw new InputError(`'${source}': ${first} has no output '${segments.slice(1).join('.')}'${keys.length ? ` (its outputs: ${keys.slice(0, 10).join(', ')})` : ' (it has no outputs)'}`);
    }
    return read.value;
  }
  if (scope.item && first === scope.item.as) return readPath(scope.item.value, segments.slice(1)).value;
  return readPath(scope.input, segments).value;
}

/** The input name a spec fills. */
export function targetOf(spec: InputSpec): string {
  if (typeof spec === 'string') return spec.split('.').pop()!;
  if ('value' in spec) return spec.target;
  return spec.target ?? spec.source.split('.').pop()!;
}

/** The inputs of one unit (secrets resolved: keep in memory). Throws InputError for a missing output. */
export function resolveInputs(activity: ActivitySpec, scope: SourceScope, secrets: Secrets): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  if (scope.item) inputs[scope.item.as] = scope.item.value;
  for (const spec of activity.inputs ?? []) {
    const target = targetOf(spec);
    let value: unknown;
    if (typeof spec === 'string') value = readSource(spec, scope);
    else if ('value' in spec) value = secrets.resolve(spec.value);
    else value = readSource(spec.source, scope);
    if (value !== undefined) inputs[target] = value;
  }
  return inputs;
}

/** The run's `output`: each name read from its source; sources that read nothing are listed. */
export function resolveRunOutput(output: Record<string, string> | undefined, scope: SourceScope): { output: Record<string, unknown>; missing: string[] } {
  const result: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const [name, source] of Object.entries(output ?? {})) {
    let value: unknown;
    try { value = readSource(source, scope); } catch { value = undefined; }
    if (value === undefined) missing.push(`${name} (${source})`);
    else result[name] = value;
  }
  return { output: result, missing };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

/** The definition's `input` defaults under the values given at run time, objects merged deeply. */
export function mergeInput(defaults: unknown, given: unknown): Record<string, unknown> {
  const merged = merge(defaults, given);
  return isPlainObject(merged) ? merged : {};
}

function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
    return out;
  }
  return over;
}

/** `--set a.b=value`: the value parsed as JSON when it is JSON, else kept as a string. */
export function setPath(target: Record<string, unknown>, path: string, raw: string): void {
  const segments = path.split('.');
  if (segments.some((s) => s === '')) throw new InputError(`--set ${path}=...: empty segment in the property path`);
  let value: unknown;
  try { value = JSON.parse(raw); } catch { value = raw; }
  let node = target;
  for (const segment of segments.slice(0, -1)) {
    const next = node[segment];
    if (!isPlainObject(next)) node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  }
  node[segments[segments.length - 1]] = value;
}
