/**
 * The definition format as plain data (see ../shared/spec/definition-format.md; the JSON Schemas in
 * schemas/ are the source of truth). The engine works on these types; the editor features work on
 * the located model in ./located.ts, which keeps the syntax nodes beside the values.
 */
export type JsonSchema = Record<string, unknown> | boolean;

export type When = 'success' | 'failure' | 'always';
export type Backoff = 'fixed' | 'exponential';

export interface RetryPolicy {
  maxAttempts?: number;
  backoff?: Backoff;
  delayMs?: number;
  maxDelayMs?: number;
  jitter?: boolean;
}

export type InputSpec = string | { source: string; target?: string } | { value: unknown; target: string };

export interface ForEachSpec {
  items: string;
  as: string;
  concurrency?: number;
}

export interface ActivitySpec {
  id: string;
  type: string;
  discriminator?: string;
  dependsOn?: string | string[];
  when?: When;
  inputs?: InputSpec[];
  retry?: RetryPolicy;
  timeoutMs?: number;
  forEach?: ForEachSpec;
  hosts?: string[];
  acquires?: Record<string, number>;
  continueOnError?: boolean;
}

export interface OrchestrationDefinition {
  $schema?: string;
  type: string;
  description?: string;
  active?: boolean;
  schema?: JsonSchema;
  input?: Record<string, unknown>;
  output?: Record<string, string>;
  concurrency?: number;
  pools?: Record<string, number>;
  defaults?: { retry?: RetryPolicy; timeoutMs?: number };
  activities: ActivitySpec[];
}

export interface ActivityDefinition {
  $schema?: string;
  type: string;
  provider: string;
  description?: string;
  inputSchema?: JsonSchema;
  outputSchema?: JsonSchema;
  config?: Record<string, unknown>;
  retry?: RetryPolicy;
  timeoutMs?: number;
}

export interface HostEntry {
  host: string;
  port?: number;
  username: string;
  privateKeyPath?: string;
  agent?: boolean | string;
  knownHostsPath?: string;
}

export interface HostsInventory {
  $schema?: string;
  hosts: Record<string, HostEntry>;
}

/** `{ openAPIV3Schema: s }` and a plain schema mean the same; empty means "checks nothing". */
export function unwrapSchema(schema: unknown): JsonSchema | undefined {
  if (schema === undefined || schema === null) return undefined;
  if (typeof schema === 'boolean') return schema;
  if (typeof schema !== 'object' || Array.isArray(schema)) return undefined;
  const record = schema as Record<string, unknown>;
  if ('openAPIV3Schema' in record && Object.keys(record).length === 1) return unwrapSchema(record.openAPIV3Schema) ?? {};
  return record;
}

/** The properties a schema lists, and whether it forbids others. Undefined when it says nothing. */
export function schemaProperties(schema: JsonSchema | undefined): { names: Set<string>; closed: boolean; required: string[] } | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const props = schema.properties;
  const required = Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : [];
  if (!props || typeof props !== 'object') {
    return required.length ? { names: new Set(), closed: false, required } : undefined;
  }
  return { names: new Set(Object.keys(props)), closed: schema.additionalProperties === false, required };
}

export const DEFAULT_CONCURRENCY = 8;
export const ACTIVITY_ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;
