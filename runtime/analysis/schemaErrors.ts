/**
 * Turns ajv's raw errors into problems people can act on: one message per real mistake, on the
 * exact place, in the words of the format ("`retry.maxAttempts` must be an integer >= 1").
 *
 * The hard part is oneOf/anyOf. ajv reports every failing branch plus the combinator itself, so an
 * input `{ "source": 1 }` yields three unrelated complaints. We re-validate the value against each
 * branch on its own (validators compiled once per branch), pick the branch the author most likely
 * meant, and keep only its errors. Both the document validators and the run-time value validators
 * (user schemas) go through here, so every message in the product reads the same.
 */
import type { default as Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { Code } from './codes';

export type PathSegment = string | number;

export interface SchemaProblem {
  code: Code;
  /** Path of the value the problem is about (the object, for `key` and `object` problems). */
  path: PathSegment[];
  /** Where it shows: the value itself, the key `key` of the object, or the object as a whole. */
  on: 'value' | 'key' | 'object';
  /** The property the problem names (unknown property, missing property, bad property name). */
  key?: string;
  message: string;
  keyword: string;
  data?: Record<string, unknown>;
}

/** How to name a path in a message: a context prefix ("activity `deploy`: ") and the path inside it. */
export interface PathName {
  prefix: string;
  relative: PathSegment[];
  /** The noun for the context itself, when `relative` is empty ("the activity"). */
  self: string;
}
export type PathNamer = (path: PathSegment[]) => PathName;

export const plainNamer = (self: string): PathNamer => (path) => ({ prefix: '', relative: path, self });

/**
 * Where the subschemas of every schema we validate with live, so that a branch of a oneOf met in an
 * error can be compiled on its own. Our own schemas and the meta-schema are registered in ajv under
 * their ids; a user's schema is not, and its branches are compiled through a small wrapper.
 */
export class SchemaRoots {
  private readonly located = new WeakMap<object, { root: RootEntry; pointer: string }>();
  private readonly indexed = new WeakSet<object>();
  private readonly branches = new WeakMap<object, Map<string, ValidateFunction | null>>();
  private readonly resolved = new WeakMap<object, unknown>();

  constructor(readonly ajv: Ajv) {}

  /** Indexes `schema` (once); `key` is the id ajv knows it by, if any. */
  add(schema: unknown, key?: string): void {
    if (!isObject(schema) || this.indexed.has(schema)) return;
    this.indexed.add(schema);
    const root: RootEntry = { schema, key };
    const walk = (node: unknown, pointer: string) => {
      if (!isObject(node) && !Array.isArray(node)) return;
      if (isObject(node) && !this.located.has(node)) this.located.set(node, { root, pointer });
      const entries = Array.isArray(node) ? node.map((v, i) => [String(i), v] as const) : Object.entries(node);
      for (const [k, v] of entries) if (typeof v === 'object' && v !== null) walk(v, `${pointer}/${escapePointer(k)}`);
    };
    walk(schema, '');
  }

  /** The validator of branch `index` of `parentSchema[keyword]`, compiled once. */
  branch(parentSchema: unknown, keyword: string, index: number): ValidateFunction | undefined {
    if (!isObject(parentSchema)) return undefined;
    let cache = this.branches.get(parentSchema);
    if (!cache) this.branches.set(parentSchema, (cache = new Map()));
    const cacheKey = `${keyword}/${index}`;
    const cached = cache.get(cacheKey);
    if (cached !== undefined) return cached ?? undefined;
    const compiled = this.compileBranch(parentSchema, keyword, index) ?? null;
    cache.set(cacheKey, compiled);
    return compiled ?? undefined;
  }

  /** Follows local `$ref`s (`#/...`) of the root that holds `schema`, for reading `properties` and `type`. */
  resolve(schema: unknown): unknown {
    if (!isObject(schema)) return schema;
    if (this.resolved.has(schema)) return this.resolved.get(schema);
    let current: unknown = schema;
    for (let hops = 0; hops < 16 && isObject(current) && typeof current.$ref === 'string'; hops++) {
      const ref = current.$ref;
      const where = this.located.get(current);
      if (!ref.startsWith('#') || !where) break;
      const target = followPointer(where.root.schema, ref.slice(1));
      if (target === undefined) break;
      current = target;
    }
    this.resolved.set(schema, current);
    return current;
  }

  private compileBranch(parentSchema: Record<string, unknown>, keyword: string, index: number): ValidateFunction | undefined {
    const branch = (parentSchema[keyword] as unknown[] | undefined)?.[index];
    if (branch === undefined) return undefined;
    const where = this.located.get(parentSchema);
    try {
      const fragment = `${where?.pointer ?? ''}/${keyword}/${index}`.split('/').map(encodeURIComponent).join('/');
      if (where?.root.key) return this.ajv.getSchema(`${where.root.key}#${fragment}`);
      if (where) {
        // The branch may use the root's local refs: compile it inside a schema that carries the root
        // (and its definitions, for refs written as `#/definitions/x`).
        const root = where.root.schema;
        const wrapper: Record<string, unknown> = { 'x-root': root, $ref: `#/x-root${fragment}` };
        if (root.definitions !== undefined) wrapper.definitions = root.definitions;
        if (root.$defs !== undefined) wrapper.$defs = root.$defs;
        return this.ajv.compile(wrapper);
      }
      return this.ajv.compile(branch as object);
    } catch {
      return undefined;
    }
  }
}

interface RootEntry {
  schema: Record<string, unknown>;
  key?: string;
}

export interface ExplainContext {
  roots: SchemaRoots;
  /** The validated value (the instance paths of the errors are relative to it). */
  data: unknown;
  namer: PathNamer;
  /**
   * Whether messages may quote the data (a duplicate host name). Off for run-time values, which may
   * hold secrets: their messages name paths and schema facts only.
   */
  quoteData?: boolean;
}

/** ajv errors -> problems: collapses oneOf/anyOf, drops noise, phrases, dedupes. */
export function explainErrors(errors: readonly ErrorObject[], ctx: ExplainContext): SchemaProblem[] {
  const collapsed = collapseAlternatives([...errors], ctx.roots);
  const problems: SchemaProblem[] = [];
  for (const error of collapsed) {
    const problem = phrase(error, ctx);
    if (problem) problems.push(problem);
  }
  return dedupe(dropShadowedTypeErrors(problems));
}

// ---------------------------------------------------------------------------------------------
// oneOf / anyOf

const ALTERNATIVES = new Set(['oneOf', 'anyOf']);
/** Our name for a oneOf that more than one branch matched (ajv calls it oneOf too). */
const AMBIGUOUS = 'oneOf:ambiguous';

function errorKey(e: ErrorObject): string {
  return `${e.instancePath}\u0000${e.keyword}\u0000${JSON.stringify(e.params)}\u0000${e.propertyName ?? ''}`;
}

/**
 * Replaces every failed oneOf/anyOf by the errors of its most plausible branch. Works in rounds, one
 * per nesting level (a branch's own errors may hold nested alternatives), each round one pass over
 * the errors: a large file with the same mistake in every activity stays linear.
 */
function collapseAlternatives(errors: ErrorObject[], roots: SchemaRoots): ErrorObject[] {
  let result = errors;
  for (let round = 0; round < 64; round++) {
    const outermost = outermostAlternatives(result);
    if (outermost.size === 0) return result;
    const chosen = new Set<ErrorObject>();
    const removals = new Map<string, Set<string>>();
    const added: ErrorObject[] = [];
    for (const [base, alternative] of outermost) {
      chosen.add(alternative);
      const replacement = resolveAlternative(alternative, roots);
      // Without a way to re-validate the branches, keep their errors and drop only the combinator.
      if (!replacement) continue;
      removals.set(base, replacement.remove);
      added.push(...replacement.errors);
    }
    result = result.filter((e) => !chosen.has(e) && !removedByAlternative(e, removals));
    result.push(...added);
  }
  return result.filter((e) => !ALTERNATIVES.has(e.keyword));
}

/** Per instance path, the last alternative there (the outer one: ajv reports it after its branches), for paths with no alternative above them. */
function outermostAlternatives(errors: readonly ErrorObject[]): Map<string, ErrorObject> {
  const byPath = new Map<string, ErrorObject>();
  for (const e of errors) if (ALTERNATIVES.has(e.keyword)) byPath.set(e.instancePath, e);
  for (const path of [...byPath.keys()]) {
    for (const prefix of properPrefixes(path)) {
      if (byPath.has(prefix)) { byPath.delete(path); break; }
    }
  }
  return byPath;
}

function removedByAlternative(e: ErrorObject, removals: ReadonlyMap<string, ReadonlySet<string>>): boolean {
  if (removals.size === 0) return false;
  const key = errorKey(e);
  if (removals.get(e.instancePath)?.has(key)) return true;
  for (const prefix of properPrefixes(e.instancePath)) if (removals.get(prefix)?.has(key)) return true;
  return false;
}

/** "/a/b/c" -> "", "/a", "/a/b". */
function properPrefixes(path: string): string[] {
  const prefixes: string[] = [];
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) prefixes.push(path.slice(0, i));
  return prefixes;
}

interface Candidate {
  index: number;
  errors: ErrorObject[];
  typeMismatch: boolean;
  known: number;
  schema: unknown;
}

function resolveAlternative(alternative: ErrorObject, roots: SchemaRoots): { errors: ErrorObject[]; remove: Set<string> } | undefined {
  const branches = alternative.schema;
  if (!Array.isArray(branches)) return undefined;
  const base = alternative.instancePath;
  const data = alternative.data;
  const remove = new Set<string>();
  const candidates: Candidate[] = [];
  for (let i = 0; i < branches.length; i++) {
    const validate = roots.branch(alternative.parentSchema, alternative.keyword, i);
    if (!validate) return undefined;
    validate(data);
    const errors = (validate.errors ?? []).map((e) => ({ ...e, instancePath: base + e.instancePath }));
    for (const e of errors) remove.add(errorKey(e));
    const schema = roots.resolve(branches[i]);
    candidates.push({
      index: i,
      errors,
      typeMismatch: errors.some((e) => e.instancePath === base && e.keyword === 'type'),
      known: knownKeys(schema, data),
      schema,
    });
  }
  const passing = (alternative.params as { passingSchemas?: number[] | null }).passingSchemas;
  if (Array.isArray(passing)) {
    // oneOf matched several branches: the data is fine in more than one reading; say so once.
    return { errors: [{ ...alternative, keyword: AMBIGUOUS }], remove };
  }
  const fitting = candidates.filter((c) => !c.typeMismatch && c.errors.length > 0);
  if (fitting.length === 0) {
    const synthetic: ErrorObject = {
      instancePath: base,
      schemaPath: alternative.schemaPath,
      keyword: 'type',
      params: { alternatives: candidates.map((c) => c.schema) },
      message: 'must match one of the allowed forms',
      data,
      parentSchema: alternative.parentSchema,
    };
    return { errors: [synthetic], remove };
  }
  fitting.sort((a, b) => b.known - a.known || a.errors.length - b.errors.length || a.index - b.index);
  const best = fitting[0];
  // Equally good branches that each miss one property: "missing required property `a` or `b`".
  const tied = fitting.filter((c) => c.known === best.known && c.errors.length === best.errors.length);
  if (tied.length > 1 && tied.every((c) => c.errors.length === 1 && c.errors[0].keyword === 'required' && c.errors[0].instancePath === base)) {
    const names = [...new Set(tied.map((c) => (c.errors[0].params as { missingProperty: string }).missingProperty))];
    return { errors: [{ ...best.errors[0], params: { missingProperty: names } }], remove };
  }
  return { errors: best.errors, remove };
}

function knownKeys(schema: unknown, data: unknown): number {
  if (!isObject(schema) || !isObject(data) || !isObject(schema.properties)) return 0;
  let n = 0;
  for (const key of Object.keys(data)) if (key in schema.properties) n++;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Phrasing

const CODE_OF: Record<string, Code> = {
  type: 'ORCH101',
  required: 'ORCH102',
  dependencies: 'ORCH102',
  additionalProperties: 'ORCH103',
  'false schema': 'ORCH103',
  enum: 'ORCH104',
  const: 'ORCH104',
  minimum: 'ORCH105',
  maximum: 'ORCH105',
  exclusiveMinimum: 'ORCH105',
  exclusiveMaximum: 'ORCH105',
  multipleOf: 'ORCH105',
  minLength: 'ORCH105',
  maxLength: 'ORCH105',
  minItems: 'ORCH105',
  maxItems: 'ORCH105',
  minProperties: 'ORCH105',
  maxProperties: 'ORCH105',
  pattern: 'ORCH106',
  format: 'ORCH106',
};

/** Keywords whose failure is only the summary of errors reported on their own. */
const SUMMARY_KEYWORDS = new Set(['if', 'propertyNames', '$ref']);

function phrase(error: ErrorObject, ctx: ExplainContext): SchemaProblem | undefined {
  if (SUMMARY_KEYWORDS.has(error.keyword)) return undefined;
  const path = toPath(error.instancePath, ctx.data);
  const parent = (isObject(error.parentSchema) ? error.parentSchema : {}) as Record<string, unknown>;
  const params = error.params as Record<string, unknown>;
  const code: Code = CODE_OF[error.keyword] ?? (error.propertyName !== undefined ? 'ORCH106' : 'ORCH107');
  const make = (message: string, extra?: Partial<SchemaProblem>): SchemaProblem => ({ code, path, on: 'value', message, keyword: error.keyword, ...extra });

  // An error about a property name (propertyNames): it shows on the key.
  if (error.propertyName !== undefined) {
    const name = ctx.namer(path);
    const where = name.relative.length ? ` in ${code_(pathText(name.relative))}` : '';
    return make(`${name.prefix}property name ${code_(error.propertyName)}${where} ${innerPropertyNameMessage(error, parent)}`, { on: 'key', key: error.propertyName });
  }

  switch (error.keyword) {
    case 'required': {
      const missing = params.missingProperty;
      const names = Array.isArray(missing) ? missing.map(String) : [String(missing)];
      const list = names.map(code_).join(' or ');
      const name = ctx.namer(path);
      const body = name.relative.length ? `${code_(pathText(name.relative))} is missing required property ${list}` : `missing required property ${list}`;
      return make(name.prefix + body, { on: 'object', key: names[0], data: { missing: names } });
    }
    case 'dependencies': {
      const name = ctx.namer(path);
      const where = name.relative.length ? `${code_(pathText(name.relative))}: ` : '';
      return make(`${name.prefix}${where}property ${code_(String(params.property))} needs ${code_(String(params.missingProperty))}`, { on: 'object', key: String(params.missingProperty) });
    }
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = isObject(parent.properties) ? Object.keys(parent.properties) : [];
      const name = ctx.namer(path);
      const where = name.relative.length ? ` in ${code_(pathText(name.relative))}` : '';
      const suggestion = closest(key, allowed);
      const tail = suggestion ? `: did you mean ${code_(suggestion)}?` : allowed.length ? ` (allowed: ${allowed.join(', ')})` : '';
      return make(`${name.prefix}unknown property ${code_(key)}${where}${tail}`, {
        on: 'key',
        key,
        data: { property: key, allowed, ...(suggestion ? { suggestion } : {}) },
      });
    }
    case 'false schema': {
      const name = ctx.namer(path);
      return make(`${name.prefix}${subject(name)} is not allowed here`);
    }
    case 'uniqueItems': {
      const i = Number(params.i);
      const j = Number(params.j);
      const items = Array.isArray(error.data) ? error.data : [];
      const name = ctx.namer(path);
      const later = Math.max(i, j);
      const what = ctx.quoteData ? `lists ${code_(display(items[later]))} more than once` : `has the same item at [${Math.min(i, j)}] and [${later}]`;
      return { code, path: [...path, later], on: 'value', keyword: error.keyword, message: `${name.prefix}${subject(name)} ${what}` };
    }
  }

  const name = ctx.namer(path);
  const s = subject(name);
  switch (error.keyword) {
    case 'type': {
      if (Array.isArray(params.alternatives)) {
        const phrases = [...new Set(params.alternatives.map((a) => typePhrase(ctx.roots.resolve(a), ctx.roots)).filter((p) => p))];
        return make(`${name.prefix}${s} must be ${phrases.length ? orList(phrases) : 'one of the allowed forms'}`);
      }
      return make(`${name.prefix}${s} must be ${typePhrase(parent, ctx.roots) || String(params.type)}${rangeSuffix(parent)}`);
    }
    case 'enum': {
      const values = (params.allowedValues as unknown[]) ?? [];
      const list = values.map(display);
      return make(`${name.prefix}${s} must be ${values.length === 1 ? list[0] : `one of ${list.join(', ')}`}`, { data: { allowed: values } });
    }
    case 'const':
      return make(`${name.prefix}${s} must be ${display(params.allowedValue)}`, { data: { allowed: [params.allowedValue] } });
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const type = typePhrase(parent, ctx.roots);
      const suffix = rangeSuffix(parent) || ` ${params.comparison} ${params.limit}`;
      return make(`${name.prefix}${s} must be ${type || 'a number'}${suffix}`);
    }
    case 'multipleOf':
      return make(`${name.prefix}${s} must be a multiple of ${params.multipleOf}`);
    case 'minLength':
      return make(`${name.prefix}${s} ${params.limit === 1 ? 'must not be empty' : `must be at least ${params.limit} characters long`}`);
    case 'maxLength':
      return make(`${name.prefix}${s} must be at most ${params.limit} characters long`);
    case 'minItems':
      return make(`${name.prefix}${s} ${params.limit === 1 ? 'must not be empty' : `must have at least ${params.limit} items`}`);
    case 'maxItems':
      return make(`${name.prefix}${s} must have at most ${params.limit} items`);
    case 'minProperties':
      return make(`${name.prefix}${s} ${params.limit === 1 ? 'must not be empty' : `must have at least ${params.limit} properties`}`);
    case 'maxProperties':
      return make(`${name.prefix}${s} must have at most ${params.limit} properties`);
    case 'pattern':
      return make(`${name.prefix}${s} ${patternMessage(parent, String(params.pattern))}`, { data: { pattern: params.pattern } });
    case 'format':
      return make(`${name.prefix}${s} must be a valid ${params.format}`);
    case AMBIGUOUS:
      return make(`${name.prefix}${s} matches more than one of its allowed forms (oneOf)`);
    case 'not':
      return make(`${name.prefix}${s} must not match the excluded form`);
    case 'contains':
      return make(`${name.prefix}${s} must contain at least one matching item`);
    default:
      return make(`${name.prefix}${s} ${error.message ?? 'is not valid'}`);
  }
}

/** Our schemas give patterns a noun phrase (`patternErrorMessage`, which VS Code shows too). */
function patternMessage(schema: Record<string, unknown>, pattern: string): string {
  const hint = schema.patternErrorMessage ?? schema.errorMessage;
  return typeof hint === 'string' ? `must be ${lowerFirst(hint.replace(/\.$/, ''))}` : `must match the pattern ${code_(pattern)}`;
}

function innerPropertyNameMessage(error: ErrorObject, parent: Record<string, unknown>): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'pattern': return patternMessage(parent, String(params.pattern));
    case 'minLength': return 'must not be empty';
    case 'enum': return `must be one of ${((params.allowedValues as unknown[]) ?? []).map(display).join(', ')}`;
    default: return error.message ?? (typeof parent.description === 'string' ? `is not valid: ${parent.description}` : 'is not valid');
  }
}

function subject(name: PathName): string {
  return name.relative.length ? code_(pathText(name.relative)) : name.self;
}

const ARTICLE: Record<string, string> = {
  string: 'a string', integer: 'an integer', number: 'a number', boolean: 'a boolean', object: 'an object', array: 'an array', null: 'null',
};
const PLURAL: Record<string, string> = {
  string: 'strings', integer: 'integers', number: 'numbers', boolean: 'booleans', object: 'objects', array: 'arrays', null: 'nulls',
};

/** "an integer", "a string or an array of strings", "" when the schema says no type. */
function typePhrase(schema: unknown, roots: SchemaRoots): string {
  if (!isObject(schema)) return '';
  const types = Array.isArray(schema.type) ? schema.type.map(String) : typeof schema.type === 'string' ? [schema.type] : [];
  const phrases = types.map((t) => {
    if (t === 'array') {
      const items = roots.resolve(schema.items);
      if (isObject(items) && typeof items.type === 'string' && PLURAL[items.type]) return `an array of ${PLURAL[items.type]}`;
    }
    return ARTICLE[t] ?? t;
  });
  return orList(phrases);
}

/** "a", "a or b", "a, b or c". */
function orList(items: readonly string[]): string {
  return items.length <= 2 ? items.join(' or ') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** " >= 1", " > 0", " between 1 and 65535": the numeric bounds of a schema. */
function rangeSuffix(schema: Record<string, unknown>): string {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (!types.includes('integer') && !types.includes('number')) return '';
  const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  const max = typeof schema.maximum === 'number' ? schema.maximum : undefined;
  const exMin = typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : undefined;
  const exMax = typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum : undefined;
  if (min !== undefined && max !== undefined) return ` between ${min} and ${max}`;
  const parts: string[] = [];
  if (min !== undefined) parts.push(`>= ${min}`);
  if (exMin !== undefined) parts.push(`> ${exMin}`);
  if (max !== undefined) parts.push(`<= ${max}`);
  if (exMax !== undefined) parts.push(`< ${exMax}`);
  return parts.length ? ' ' + parts.join(' and ') : '';
}

/** "must be a string" next to "must be one of a, b" on the same value says less: keep the latter. */
function dropShadowedTypeErrors(problems: SchemaProblem[]): SchemaProblem[] {
  const withEnum = new Set<string>();
  for (const p of problems) if (p.keyword === 'enum' || p.keyword === 'const') withEnum.add(p.path.join('\u0000'));
  if (withEnum.size === 0) return problems;
  return problems.filter((p) => !(p.keyword === 'type' && withEnum.has(p.path.join('\u0000'))));
}

function dedupe(problems: SchemaProblem[]): SchemaProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path.join('\u0000')}\u0001${p.on}\u0001${p.key ?? ''}\u0001${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// Paths and small helpers

/** A JSON pointer -> path segments, array indices as numbers (decided by the data, not the text). */
export function toPath(pointer: string, data: unknown): PathSegment[] {
  if (!pointer) return [];
  const path: PathSegment[] = [];
  let current: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) {
      const index = Number(segment);
      path.push(index);
      current = current[index];
    } else {
      path.push(segment);
      current = isObject(current) ? current[segment] : undefined;
    }
  }
  return path;
}

/** `retry.maxAttempts`, `inputs[0].source`, `hosts["web 1"]`. */
export function pathText(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

function code_(text: string): string {
  return '`' + text + '`';
}

function display(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function followPointer(root: unknown, pointer: string): unknown {
  if (pointer === '' || pointer === '/') return root;
  let current = root;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) current = current[Number(segment)];
    else if (isObject(current)) current = current[segment];
    else return undefined;
  }
  return current;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const closestCache = new Map<string, string | undefined>();

/** The allowed name closest to a misspelt one, if it is close enough to be a likely typo. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  // The same typo tends to repeat through a file: remember the answers (bounded).
  const cacheKey = `${name}\u0000${candidates.join('\u0000')}`;
  if (closestCache.has(cacheKey)) return closestCache.get(cacheKey);
  if (closestCache.size > 1000) closestCache.clear();
  const answer = findClosest(name, candidates);
  closestCache.set(cacheKey, answer);
  return answer;
}

function findClosest(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = candidate.toLowerCase() === lower ? 0 : editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) { best = candidate; bestDistance = d; }
  }
  const limit = name.length <= 4 ? 1 : 2;
  return best !== undefined && bestDistance <= limit ? best : undefined;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return Infinity;
  // Optimal string alignment over three rolling rows: a swap of two letters counts as one edit.
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2] + 1);
      current[j] = d;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length];
}
