/**
 * Our JSON Schemas as the editor features read them: which schemas apply at a path of a document,
 * taking `$ref`, `allOf`, `anyOf`/`oneOf` and `if`/`then`/`else` into account against the document's
 * current values. Completion lists the properties and values they allow; hover shows their docs.
 *
 * Only local references (`#/definitions/...`) are followed: the embedded JSON Schemas point at the
 * draft-07 meta-schema, which says nothing useful for completion here.
 */
import activitySchema from '../../schemas/activity-definition.schema.json';
import hostsSchema from '../../schemas/orch-hosts.schema.json';
import orchestrationSchema from '../../schemas/orchestration-definition.schema.json';
import type { DocumentKind } from '../../runtime/model/located';

export interface Schema {
  $ref?: string;
  type?: string | string[];
  description?: string;
  markdownDescription?: string;
  title?: string;
  properties?: Record<string, Schema | boolean>;
  patternProperties?: Record<string, Schema | boolean>;
  additionalProperties?: Schema | boolean;
  required?: string[];
  items?: Schema | boolean | (Schema | boolean)[];
  additionalItems?: Schema | boolean;
  enum?: unknown[];
  enumDescriptions?: string[];
  markdownEnumDescriptions?: string[];
  const?: unknown;
  default?: unknown;
  examples?: unknown[];
  defaultSnippets?: { label?: string; description?: string; markdownDescription?: string; body?: unknown; bodyText?: string }[];
  allOf?: (Schema | boolean)[];
  anyOf?: (Schema | boolean)[];
  oneOf?: (Schema | boolean)[];
  if?: Schema | boolean;
  then?: Schema | boolean;
  else?: Schema | boolean;
  deprecationMessage?: string;
  doNotSuggest?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  pattern?: string;
  [key: string]: unknown;
}

const ROOTS: Record<DocumentKind, Schema> = {
  orchestration: orchestrationSchema as unknown as Schema,
  activity: activitySchema as unknown as Schema,
  hosts: hostsSchema as unknown as Schema,
};

export function rootSchema(kind: DocumentKind): Schema {
  return ROOTS[kind];
}

/** A schema that applies at a place, with the root it belongs to (for its references). */
export interface Applied {
  schema: Schema;
  root: Schema;
}

function asSchema(s: Schema | boolean | undefined): Schema | undefined {
  if (s === undefined || s === false) return undefined;
  return s === true ? {} : s;
}

function resolveRef(ref: string, root: Schema): Schema | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let at: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!at || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at && typeof at === 'object' ? (at as Schema) : undefined;
}

/**
 * The schemas that a schema stands for, flattened: references followed (the referring schema's own
 * keywords, like its description, kept first), `allOf` members added, `anyOf`/`oneOf` alternatives
 * added (all of them: completion offers the union), `if` decided against `value` when it is known.
 */
export function expand(schema: Schema | boolean | undefined, root: Schema, value?: unknown, depth = 0): Schema[] {
  const s = asSchema(schema);
  if (!s || depth > 32) return [];
  const out: Schema[] = [s];
  if (s.$ref) {
    const target = resolveRef(s.$ref, root);
    if (target) out.push(...expand(target, root, value, depth + 1));
  }
  for (const member of s.allOf ?? []) out.push(...expand(member, root, value, depth + 1));
  const alternatives = [...(s.anyOf ?? []), ...(s.oneOf ?? [])];
  if (alternatives.length) {
    const expanded = alternatives.map((a) => expand(a, root, value, depth + 1));
    // Alternatives that cannot match the current value (wrong JSON type) say nothing about it.
    const fitting = value === undefined ? expanded : expanded.filter((group) => group.every((g) => typeFits(g, value)));
    for (const group of fitting.length ? fitting : expanded) out.push(...group);
  }
  if (s.if !== undefined && value !== undefined) {
    const branch = matchesCondition(asSchema(s.if), value, root) ? s.then : s.else;
    out.push(...expand(branch, root, value, depth + 1));
  }
  return out;
}

/** Whether a schema's `type` admits the value (a schema without `type` admits anything). */
export function typeFits(schema: Schema, value: unknown): boolean {
  if (schema.type === undefined) return true;
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return types.includes(jsonType(value)) || (types.includes('number') && jsonType(value) === 'integer');
}

export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** A small evaluator for `if` conditions: type, required, const, enum and nested properties. */
function matchesCondition(schema: Schema | undefined, value: unknown, root: Schema, depth = 0): boolean {
  if (!schema) return false;
  if (depth > 8) return false;
  for (const s of expand(schema, root, undefined, depth + 1)) {
    if (!typeFits(s, value)) return false;
    if (s.const !== undefined && JSON.stringify(s.const) !== JSON.stringify(value)) return false;
    if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) return false;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const record = value as Record<string, unknown>;
      for (const key of s.required ?? []) if (!(key in record)) return false;
      for (const [key, sub] of Object.entries(s.properties ?? {})) {
        if (!(key in record)) continue;
        if (sub === false) return false;
        if (sub !== true && !matchesCondition(sub, record[key], root, depth + 1)) return false;
      }
    }
  }
  return true;
}

/**
 * The schemas that apply at `path` (keys and indices from the root). `valueAt(i)` gives the current
 * value at path prefix i (the root's value for 0), to decide alternatives and conditions.
 */
export function schemasAt(kind: DocumentKind, path: readonly (string | number)[], valueAt: (depth: number) => unknown): Applied[] {
  const root = rootSchema(kind);
  let current = expand(root, root, valueAt(0));
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    const next: Schema[] = [];
    const value = valueAt(i + 1);
    for (const s of current) {
      for (const child of childSchemas(s, segment)) next.push(...expand(child, root, value));
    }
    current = next;
    if (!current.length) break;
  }
  return current.map((schema) => ({ schema, root }));
}

/** The schemas a schema gives to its property `segment` or item `segment`. */
export function childSchemas(s: Schema, segment: string | number): Schema[] {
  const out: Schema[] = [];
  if (typeof segment === 'number') {
    if (Array.isArray(s.items)) {
      const item = asSchema(s.items[segment] ?? s.additionalItems);
      if (item) out.push(item);
    } else {
      const item = asSchema(s.items);
      if (item) out.push(item);
    }
    return out;
  }
  const property = s.properties?.[segment];
  if (property !== undefined) {
    const p = asSchema(property);
    if (p) out.push(p);
    return out;
  }
  let matchedPattern = false;
  for (const [pattern, sub] of Object.entries(s.patternProperties ?? {})) {
    if (safeRegExp(pattern)?.test(segment)) {
      matchedPattern = true;
      const p = asSchema(sub);
      if (p) out.push(p);
    }
  }
  if (!matchedPattern && s.additionalProperties !== undefined && s.additionalProperties !== false) {
    const p = asSchema(s.additionalProperties);
    if (p) out.push(p);
  }
  return out;
}

const regexps = new Map<string, RegExp | undefined>();
function safeRegExp(pattern: string): RegExp | undefined {
  if (!regexps.has(pattern)) {
    try {
      regexps.set(pattern, new RegExp(pattern, 'u'));
    } catch {
      regexps.set(pattern, undefined);
    }
  }
  return regexps.get(pattern);
}

/** The documentation of a schema as markdown: its markdownDescription, else its description. */
export function docsOf(schemas: readonly Schema[]): string | undefined {
  for (const s of schemas) if (typeof s.markdownDescription === 'string') return s.markdownDescription;
  for (const s of schemas) if (typeof s.description === 'string') return escapeMarkdown(s.description);
  return undefined;
}

export function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_{}[\]<>#|])/g, '\\$1');
}

/** The properties the schemas describe, first description wins, in schema order. */
export function propertiesOf(schemas: readonly Schema[]): Map<string, { schemas: Schema[]; required: boolean }> {
  const out = new Map<string, { schemas: Schema[]; required: boolean }>();
  const required = new Set<string>();
  for (const s of schemas) for (const r of s.required ?? []) required.add(r);
  for (const s of schemas) {
    for (const [key, sub] of Object.entries(s.properties ?? {})) {
      const p = asSchema(sub);
      if (!p) continue;
      const entry = out.get(key);
      if (entry) entry.schemas.push(p);
      else out.set(key, { schemas: [p], required: false });
    }
  }
  for (const [key, entry] of out) entry.required = required.has(key);
  return out;
}
