/**
 * Validation with the schemas users write: a definition's run-input `schema` and an activity type's
 * `inputSchema`/`outputSchema`. The runtime checks values with them before and after every attempt,
 * so each schema is compiled once (cached by object, then by its JSON text) and the messages name
 * the wrong property the way the rest of the product does.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { unwrapSchema, type JsonSchema } from '../model/types';
import { explainErrors, pathText, plainNamer, SchemaRoots, type PathSegment, type SchemaProblem } from './schemaErrors';

export interface ValueProblem {
  /** Where in the value: `cell`, `config.timeout`, `items[2]`; `` for the value itself. */
  path: string;
  message: string;
}

const META_SCHEMA = 'http://json-schema.org/draft-07/schema';
/** Enough for every schema of a large workspace; beyond it the oldest compiled schema is dropped. */
const MAX_CACHED = 500;

interface UserAjv {
  ajv: Ajv;
  roots: SchemaRoots;
}

let instance: UserAjv | undefined;

function userAjv(): UserAjv {
  if (!instance) {
    // addUsedSchema: false, so that two users' schemas with the same `$id` never collide.
    const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, logger: false, addUsedSchema: false });
    addFormats(ajv);
    const roots = new SchemaRoots(ajv);
    roots.add(ajv.getSchema(META_SCHEMA)?.schema, META_SCHEMA);
    instance = { ajv, roots };
  }
  return instance;
}

type Compiled = { validate: ValidateFunction } | { error: unknown };

const compiledByObject = new WeakMap<object, Compiled>();
const compiledByText = new Map<string, Compiled>();
const problemsByText = new Map<string, SchemaProblem[]>();

function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(key, value);
  return value;
}

function compile(schema: object | boolean): Compiled {
  if (typeof schema === 'object') {
    const hit = compiledByObject.get(schema);
    if (hit) return hit;
  }
  const text = JSON.stringify(schema);
  let compiled = compiledByText.get(text);
  if (!compiled) {
    const { ajv, roots } = userAjv();
    try {
      compiled = { validate: ajv.compile(schema) };
      roots.add(schema);
    } catch (error) {
      compiled = { error };
    }
    remember(compiledByText, text, compiled);
  }
  if (typeof schema === 'object') compiledByObject.set(schema, compiled);
  return compiled;
}

/**
 * The problems of `value` against `schema` (plain or `{ openAPIV3Schema }`); empty when it is valid
 * or when there is no schema. A schema that is itself invalid gives one problem saying so. Messages
 * never quote the value (it may hold secrets): they name the path and what the schema expects.
 */
export function validateAgainst(schema: JsonSchema | undefined, value: unknown): ValueProblem[] {
  const unwrapped = unwrapSchema(schema);
  if (unwrapped === undefined) return [];
  const compiled = compile(unwrapped);
  if ('error' in compiled) return [{ path: '', message: `the schema is not a valid JSON Schema: ${errorText(compiled.error)}` }];
  if (compiled.validate(value)) return [];
  const errors = compiled.validate.errors ?? [];
  const problems = explainErrors(errors, { roots: userAjv().roots, data: value, namer: plainNamer('the value') });
  return problems.map((p) => ({ path: pathText(problemPath(p)), message: p.message }));
}

/** The path a problem names: the property itself for unknown and missing properties. */
function problemPath(problem: SchemaProblem): PathSegment[] {
  return problem.on !== 'value' && problem.key !== undefined ? [...problem.path, problem.key] : problem.path;
}

/**
 * What is wrong with a user's JSON Schema (draft-07): meta-schema violations, then what only
 * compiling finds (an unresolvable `$ref`, a pattern JavaScript cannot compile). Paths are relative
 * to the schema. Cached by the schema's JSON text: editors ask again on every keystroke.
 */
export function jsonSchemaProblems(schema: unknown): SchemaProblem[] {
  if (typeof schema === 'boolean') return [];
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    return [{ code: 'ORCH108', path: [], on: 'value', keyword: 'type', message: 'the schema must be an object or a boolean' }];
  }
  const text = JSON.stringify(schema);
  const cached = problemsByText.get(text);
  if (cached) return cached;
  return remember(problemsByText, text, computeSchemaProblems(schema as Record<string, unknown>));
}

function computeSchemaProblems(schema: Record<string, unknown>): SchemaProblem[] {
  const { ajv, roots } = userAjv();
  let valid: boolean;
  try {
    valid = ajv.validateSchema(schema) as boolean;
  } catch {
    // validateSchema throws when `$schema` names a meta-schema ajv does not have.
    return [{
      code: 'ORCH108',
      path: ['$schema'],
      on: 'value',
      keyword: '$schema',
      message: `\`$schema\` must be JSON Schema draft-07 (${META_SCHEMA}#) or be left out`,
    }];
  }
  if (!valid) {
    const problems = explainErrors(ajv.errors ?? [], { roots, data: schema, namer: plainNamer('the schema'), quoteData: true });
    return problems.map((p) => ({ ...p, code: 'ORCH108' as const }));
  }
  const compiled = compile(schema);
  if (!('error' in compiled)) return [];
  return [compileProblem(schema, compiled.error)];
}

function compileProblem(schema: Record<string, unknown>, error: unknown): SchemaProblem {
  const message = errorText(error);
  const ref = /can't resolve reference (\S+)/.exec(message)?.[1];
  if (ref !== undefined) {
    const where = findKeyword(schema, '$ref', ref);
    return { code: 'ORCH108', path: where ? [...where, '$ref'] : [], on: 'value', keyword: '$ref', message: `\`$ref\` ${ref} cannot be resolved` };
  }
  const regex = /Invalid regular expression: \/(.*)\/[a-z]*: (.*)$/.exec(message);
  if (regex) {
    // ajv compiles patterns with the `u` flag, which is stricter than what most people test with.
    const where = findKeyword(schema, 'pattern', regex[1]);
    return { code: 'ORCH108', path: where ? [...where, 'pattern'] : [], on: 'value', keyword: 'pattern', message: `\`pattern\` is not a valid regular expression (${lowerFirst(regex[2])})` };
  }
  return { code: 'ORCH108', path: [], on: 'value', keyword: 'compile', message: `the schema cannot be compiled: ${message}` };
}

/** The path of the first object whose `keyword` equals `value`. */
function findKeyword(node: unknown, keyword: string, value: string, path: PathSegment[] = []): PathSegment[] | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const found = findKeyword(node[i], keyword, value, [...path, i]);
      if (found) return found;
    }
    return undefined;
  }
  const record = node as Record<string, unknown>;
  if (record[keyword] === value) return path;
  for (const [key, child] of Object.entries(record)) {
    const found = findKeyword(child, keyword, value, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
