/**
 * The schema check: a document against the JSON Schema of its kind (schemas/, the single source of
 * truth of the format), and the JSON Schemas it embeds against draft-07. Every problem lands on the
 * node it is about (the key of an unknown property, the parent key of an object missing a property),
 * phrased relative to its activity, host or activity type.
 *
 * The validators are compiled once per process; a valid document costs one ajv pass over the value
 * the parser already built, plus a cache lookup per embedded schema.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import activitySchema from '../../../schemas/activity-definition.schema.json';
import hostsSchema from '../../../schemas/orch-hosts.schema.json';
import orchestrationSchema from '../../../schemas/orchestration-definition.schema.json';
import { keyOf, propertyNode, propertyValue, type JsonNode, type Span } from '../../json/node';
import type { ParseResult } from '../../json/parse';
import type { DocumentKind } from '../../model/located';
import { diagnostic, type Diagnostic } from '../diagnostic';
import type { ParsedDocument } from '../document';
import { explainErrors, pathText, SchemaRoots, type PathNamer, type PathSegment, type SchemaProblem } from '../schemaErrors';
import { jsonSchemaProblems } from '../valueValidation';

/** The schema of each document kind, by `$id`. */
export const DOCUMENT_SCHEMAS: Record<DocumentKind, { $id: string }> = {
  orchestration: orchestrationSchema,
  activity: activitySchema,
  hosts: hostsSchema,
};

const META_SCHEMA = 'http://json-schema.org/draft-07/schema';

interface DocumentValidators {
  roots: SchemaRoots;
  /** Stops at the first error: answers "is it valid?" at the lowest cost. */
  quick: Record<DocumentKind, ValidateFunction>;
  /** Every error, with the schema and data that phrasing needs (allErrors, verbose). */
  validate: Record<DocumentKind, ValidateFunction>;
  /** The schema of one item of each document's large collection (activities, hosts, definitions). */
  item: Record<DocumentKind, ValidateFunction>;
  /** The same, stopping at the first error. */
  quickItem: Record<DocumentKind, ValidateFunction>;
}

const ITEM_SCHEMAS: Record<DocumentKind, string> = {
  orchestration: `${orchestrationSchema.$id}#/definitions/activity`,
  activity: `${activitySchema.$id}#/definitions/activityDefinition`,
  hosts: `${hostsSchema.$id}#/definitions/host`,
};

let validators: DocumentValidators | undefined;

function documentValidators(): DocumentValidators {
  if (validators) return validators;
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, logger: false });
  const quickAjv = new Ajv({ strict: false, logger: false });
  const roots = new SchemaRoots(ajv);
  const quick = {} as Record<DocumentKind, ValidateFunction>;
  const validate = {} as Record<DocumentKind, ValidateFunction>;
  const item = {} as Record<DocumentKind, ValidateFunction>;
  const quickItem = {} as Record<DocumentKind, ValidateFunction>;
  for (const schema of Object.values(DOCUMENT_SCHEMAS)) {
    ajv.addSchema(schema);
    quickAjv.addSchema(schema);
    roots.add(schema, schema.$id);
  }
  const compiled = (instance: Ajv, key: string): ValidateFunction => {
    const fn = instance.getSchema(key);
    if (!fn) throw new Error(`schema ${key} did not compile`);
    return fn;
  };
  for (const [kind, schema] of Object.entries(DOCUMENT_SCHEMAS) as [DocumentKind, { $id: string }][]) {
    quick[kind] = compiled(quickAjv, schema.$id);
    validate[kind] = compiled(ajv, schema.$id);
    item[kind] = compiled(ajv, ITEM_SCHEMAS[kind]);
    quickItem[kind] = compiled(quickAjv, ITEM_SCHEMAS[kind]);
  }
  roots.add(ajv.getSchema(META_SCHEMA)?.schema, META_SCHEMA);
  return (validators = { roots, quick, validate, item, quickItem });
}

export function schemaDiagnostics(doc: ParsedDocument): Diagnostic[] {
  const kind = doc.kind;
  const root = doc.parse.root;
  if (!kind || !root) return [];
  const value = doc.parse.value;
  const validators = documentValidators();
  const namer = namerFor(kind, value);
  const errors = documentErrors(kind, value, validators, doc.parse.derivedFrom);
  let problems: SchemaProblem[] = errors.length ? explainErrors(errors, { roots: validators.roots, data: value, namer, quoteData: true }) : [];
  for (const location of embeddedSchemas(kind, value)) problems = withEmbeddedSchema(problems, location, value, namer);
  const diagnostics = problems.map((p) => diagnostic(p.code, locate(root, p), p.message, p.data ? { data: p.data } : undefined));
  return diagnostics.sort((a, b) => a.offset - b.offset || a.code.localeCompare(b.code));
}

/**
 * The ajv errors of a document. A valid document costs one pass that stops at the first error. An
 * invalid one is validated again for every error, collection item by collection item (each activity,
 * host, activity definition on its own), because ajv concatenates the error list at every non-inlined
 * `$ref`: with the same mistake in 10,000 activities one pass over the whole would take seconds.
 */
function documentErrors(kind: DocumentKind, value: unknown, validators: DocumentValidators, derivedFrom?: ParseResult['derivedFrom']): ErrorObject[] {
  if (quickValid(kind, value, validators, derivedFrom)) return [];
  const check = validators.validate[kind];
  const items = collectionOf(kind, value);
  if (!items) return check(value) ? [] : [...(check.errors ?? [])];
  const errors: ErrorObject[] = [];
  if (items.container !== undefined) {
    if (!check(items.container)) errors.push(...(check.errors ?? []));
  }
  const validateItem = validators.item[kind];
  for (const [pointer, item] of items.entries) {
    if (validateItem(item)) continue;
    for (const e of validateItem.errors ?? []) errors.push({ ...e, instancePath: pointer + e.instancePath });
  }
  return errors;
}

/** Plain values of documents found valid (plain values are never changed once parsed). */
const validValues = new WeakSet<object>();

/**
 * "Is it valid?" at the lowest cost. After a keystroke inside one activity of a valid orchestration
 * (the re-parse says which value it replaced), that activity is all there is to validate: a definition
 * is valid exactly when its top level (activities emptied) and each activity are, which is also how
 * its errors are collected (documentErrors).
 */
function quickValid(kind: DocumentKind, value: unknown, validators: DocumentValidators, derivedFrom: ParseResult['derivedFrom']): boolean {
  let valid: boolean;
  const changed = derivedFrom && changedActivity(derivedFrom, value);
  if (kind === 'orchestration' && changed !== undefined && isObject(value) && Array.isArray(value.activities)) {
    valid = validators.quickItem[kind](value.activities[changed]);
  } else {
    valid = validators.quick[kind](value);
  }
  if (valid && typeof value === 'object' && value !== null) validValues.add(value);
  return valid;
}

/** The index of the one activity an edit replaced in a valid orchestration, if that is all it did. */
function changedActivity(derivedFrom: NonNullable<ParseResult['derivedFrom']>, value: unknown): number | undefined {
  const { value: previous, path } = derivedFrom;
  if (path.length < 2 || path[0] !== 'activities' || typeof path[1] !== 'number') return undefined;
  if (typeof previous !== 'object' || previous === null || !validValues.has(previous)) return undefined;
  const before = (previous as Record<string, unknown>).activities;
  const after = isObject(value) ? value.activities : undefined;
  return Array.isArray(before) && Array.isArray(after) && before.length === after.length ? path[1] : undefined;
}

/** The document with its collection emptied (checked on its own), and the collection's items by JSON pointer. */
function collectionOf(kind: DocumentKind, value: unknown): { container?: unknown; entries: [string, unknown][] } | undefined {
  if (kind === 'activity') {
    return Array.isArray(value) ? { entries: value.map((item, i) => [`/${i}`, item]) } : undefined;
  }
  if (!isObject(value)) return undefined;
  if (kind === 'orchestration') {
    if (!Array.isArray(value.activities)) return undefined;
    return { container: { ...value, activities: [] }, entries: value.activities.map((item, i) => [`/activities/${i}`, item]) };
  }
  if (!isObject(value.hosts)) return undefined;
  const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');
  return { container: { ...value, hosts: {} }, entries: Object.entries(value.hosts).map(([name, item]) => [`/hosts/${escape(name)}`, item]) };
}

/** Where a document embeds JSON Schemas of its own (each may be wrapped in `openAPIV3Schema`). */
function embeddedSchemas(kind: DocumentKind, value: unknown): PathSegment[][] {
  const found: PathSegment[][] = [];
  const at = (object: unknown, path: PathSegment[], keys: string[]) => {
    if (!isObject(object)) return;
    for (const key of keys) if (key in object) found.push([...path, key]);
  };
  if (kind === 'orchestration') at(value, [], ['schema']);
  else if (kind === 'activity') {
    if (Array.isArray(value)) value.forEach((item, i) => at(item, [i], ['inputSchema', 'outputSchema']));
    else at(value, [], ['inputSchema', 'outputSchema']);
  }
  return found;
}

/**
 * Replaces the meta-schema errors under an embedded schema by ORCH108 problems that say "invalid JSON
 * Schema" and point inside it. A value that is no schema at all (a number) keeps its type error.
 */
function withEmbeddedSchema(problems: SchemaProblem[], location: PathSegment[], value: unknown, namer: PathNamer): SchemaProblem[] {
  const outer = valueAt(value, location);
  const wrapped = isObject(outer) && 'openAPIV3Schema' in outer;
  const path = wrapped ? [...location, 'openAPIV3Schema'] : location;
  const schema = wrapped ? outer.openAPIV3Schema : outer;
  if (typeof schema !== 'boolean' && !isObject(schema)) return problems;
  const kept = problems.filter((p) => !startsWith(p.path, path));
  const name = namer(path);
  const where = '`' + pathText(name.relative) + '`';
  for (const inner of jsonSchemaProblems(schema)) {
    kept.push({ ...inner, code: 'ORCH108', path: [...path, ...inner.path], message: `${name.prefix}invalid JSON Schema in ${where}: ${inner.message}` });
  }
  return kept;
}

/** Messages name paths relative to the activity, host or activity type they are in. */
function namerFor(kind: DocumentKind, value: unknown): PathNamer {
  switch (kind) {
    case 'orchestration':
      return (path) => {
        if (path[0] === 'activities' && typeof path[1] === 'number' && isObject(value) && Array.isArray(value.activities)) {
          const activity = value.activities[path[1]];
          if (isObject(activity) && typeof activity.id === 'string' && activity.id) {
            return { prefix: `activity \`${activity.id}\`: `, relative: path.slice(2), self: 'the activity' };
          }
        }
        return { prefix: '', relative: path, self: 'the definition' };
      };
    case 'activity':
      return (path) => {
        if (Array.isArray(value) && typeof path[0] === 'number') {
          const item = value[path[0]];
          if (isObject(item) && typeof item.type === 'string' && item.type) {
            return { prefix: `activity type \`${item.type}\`: `, relative: path.slice(1), self: 'the activity definition' };
          }
        }
        return { prefix: '', relative: path, self: isObject(value) ? 'the activity definition' : 'the document' };
      };
    case 'hosts':
      return (path) => {
        if (path[0] === 'hosts' && typeof path[1] === 'string') {
          return { prefix: `host \`${path[1]}\`: `, relative: path.slice(2), self: 'the host' };
        }
        return { prefix: '', relative: path, self: 'the inventory' };
      };
  }
}

/**
 * The span a problem is shown on: an unknown property's key; for a whole object, the key it is the
 * value of (or its opening brace); never the whole file.
 */
function locate(root: JsonNode, problem: SchemaProblem): Span {
  const node = deepestNode(root, problem.path);
  if (problem.on === 'key' && problem.key !== undefined && node.type === 'object') {
    const key = propertyNode(node, problem.key)?.children?.[0];
    if (key) return { offset: key.offset, length: key.length };
  }
  if (node.type === 'object' || node.type === 'array') {
    const key = keyOf(node);
    if (key) return { offset: key.offset, length: key.length };
    return { offset: node.offset, length: 1 };
  }
  return { offset: node.offset, length: node.length };
}

/** The node at `path`, or its deepest existing ancestor (a recovered tree may lack the tail). */
function deepestNode(root: JsonNode, path: readonly PathSegment[]): JsonNode {
  let node = root;
  for (const segment of path) {
    let next: JsonNode | undefined;
    if (node.type === 'array' && typeof segment === 'number') next = node.children?.[segment];
    else if (node.type === 'object') next = propertyValue(node, String(segment));
    if (!next) break;
    node = next;
  }
  return node;
}

function valueAt(value: unknown, path: readonly PathSegment[]): unknown {
  let current = value;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number') current = current[segment];
    else if (isObject(current)) current = current[String(segment)];
    else return undefined;
  }
  return current;
}

function startsWith(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
  if (path.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (path[i] !== prefix[i]) return false;
  return true;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
