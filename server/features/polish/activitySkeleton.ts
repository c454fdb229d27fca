/**
 * The ActivityDefinition a quick fix creates for an unknown activity type, derived from how the
 * workspace uses the type: the targets its activities supply become the inputSchema (required when
 * every use supplies them, typed when the values say so), and the output properties that other
 * activities read from it become the outputSchema.
 */
import type { ParsedDocument } from '../../../runtime/analysis/document';
import type { WorkspaceIndex } from '../../../runtime/index/workspaceIndex';
import type { OrchestrationModel, SourceRef } from '../../../runtime/model/located';
import { inputEnvName } from '../../../runtime/providers/shared/inputEnv';

interface PropertyUse {
  /** JSON Schema type names seen; more than one means "say nothing". */
  types: Set<string>;
  /** Number of uses (activities) supplying it. */
  count: number;
}

export interface TypeUsage {
  type: string;
  /** Activities of this type, as `id` or `activities[i]`, with the orchestration they are in. */
  users: { activity: string; orchestration?: string }[];
  inputs: Map<string, PropertyUse>;
  outputs: Map<string, PropertyUse>;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function note(map: Map<string, PropertyUse>, name: string, type: string | undefined, counted: Set<string> | undefined): void {
  let use = map.get(name);
  if (!use) map.set(name, (use = { types: new Set(), count: 0 }));
  if (type) use.types.add(type);
  if (counted && !counted.has(name)) { counted.add(name); use.count++; }
}

/** The type of a run-input property as the definition's `schema` declares it. */
function runInputType(model: OrchestrationModel, source: SourceRef): string | undefined {
  if (source.activityId !== undefined || source.segments.length !== 1) return undefined;
  const schema = model.schema;
  if (!schema || typeof schema !== 'object') return undefined;
  const props = schema.properties as Record<string, { type?: unknown }> | undefined;
  const type = props?.[source.segments[0]]?.type;
  return typeof type === 'string' ? type : undefined;
}

/** Adds the uses of `type` in one orchestration to `usage`. */
export function collectUsage(usage: TypeUsage, model: OrchestrationModel): void {
  const ofType = new Set<string>();
  for (const activity of model.activities) {
    if (activity.type !== usage.type) continue;
    if (activity.id !== undefined) ofType.add(activity.id);
    usage.users.push({ activity: activity.id ?? `activities[${activity.index}]`, orchestration: model.type?.value });
    const counted = new Set<string>();
    for (const input of activity.inputs) {
      if (input.target === undefined) continue;
      const type = input.kind === 'value' ? jsonType(input.value) : input.source ? runInputType(model, input.source) : undefined;
      note(usage.inputs, input.target, type, counted);
    }
    if (activity.forEach?.as) note(usage.inputs, activity.forEach.as, undefined, counted);
  }
  if (ofType.size === 0) return;
  const read = (source: SourceRef | undefined, type?: string) => {
    if (source?.activityId !== undefined && ofType.has(source.activityId) && source.outputPath.length > 0) {
      note(usage.outputs, source.outputPath[0], source.outputPath.length > 1 ? 'object' : type, undefined);
    }
  };
  for (const activity of model.activities) {
    for (const input of activity.inputs) read(input.source);
    // forEach fans out over an array.
    read(activity.forEach?.items, 'array');
  }
  for (const output of model.output) read(output.source);
}

/** The uses of `type` in `doc` and in every other orchestration of the workspace. */
export function usageOf(type: string, doc: ParsedDocument, model: OrchestrationModel, index: WorkspaceIndex | undefined): TypeUsage {
  const usage: TypeUsage = { type, users: [], inputs: new Map(), outputs: new Map() };
  collectUsage(usage, model);
  for (const uri of index?.filesUsing(type) ?? []) {
    if (uri === doc.uri) continue;
    const other = index?.get(uri)?.model;
    if (other?.kind === 'orchestration') collectUsage(usage, other);
  }
  return usage;
}

function propertySchema(use: PropertyUse): Record<string, unknown> {
  return use.types.size === 1 ? { type: [...use.types][0] } : {};
}

function describeUsers(usage: TypeUsage): string {
  const names = usage.users.slice(0, 3).map((u) => `'${u.activity}'${u.orchestration ? ` of ${u.orchestration}` : ''}`);
  const more = usage.users.length > 3 ? ` and ${usage.users.length - 3} more` : '';
  return names.length ? `Used by ${names.join(', ')}${more}.` : '';
}

/**
 * The shell command of a new type fails with a message saying what to write, rather than succeeding
 * without doing anything: a run must not go on with outputs nobody produced.
 */
function shellConfig(usage: TypeUsage, fileName: string): Record<string, unknown> {
  const vars = [...usage.inputs.keys()].map((name) => `$${inputEnvName(name)}`);
  const outputs = [...usage.outputs.keys()];
  const parts = [`${usage.type} has no command yet: set config.command in ${fileName}.`];
  if (vars.length) parts.push(`Inputs arrive as ${vars.join(', ')}.`);
  parts.push(outputs.length ? `Write its outputs (${outputs.join(', ')}) as key=value lines to $ORCH_OUTPUTS_FILE.` : 'Outputs go to $ORCH_OUTPUTS_FILE as key=value lines.');
  const message = parts.join(' ').replace(/'/g, `'\\''`);
  return { command: 'sh', args: ['-c', `echo '${message}' >&2; exit 1`] };
}

export interface SkeletonOptions {
  fileName: string;
  /** The orchestration's `$schema`, to point the new file at the activity schema beside it. */
  orchestrationSchemaRef?: string;
  unit: string;
  eol: string;
}

export function activitySkeleton(usage: TypeUsage, options: SkeletonOptions): string {
  const definition: Record<string, unknown> = {};
  const ref = options.orchestrationSchemaRef;
  if (ref && ref.endsWith('orchestration-definition.schema.json')) {
    definition.$schema = ref.slice(0, -'orchestration-definition.schema.json'.length) + 'activity-definition.schema.json';
  }
  definition.type = usage.type;
  const described = describeUsers(usage);
  if (described) definition.description = described;
  definition.provider = 'shell';
  definition.config = shellConfig(usage, options.fileName);
  const inputProps: Record<string, unknown> = {};
  const required: string[] = [];
  for (const [name, use] of usage.inputs) {
    inputProps[name] = propertySchema(use);
    if (use.count === usage.users.length) required.push(name);
  }
  definition.inputSchema = required.length ? { type: 'object', required, properties: inputProps } : { type: 'object', properties: inputProps };
  const outputProps: Record<string, unknown> = {};
  for (const [name, use] of usage.outputs) outputProps[name] = propertySchema(use);
  definition.outputSchema = { type: 'object', properties: outputProps };
  return JSON.stringify(definition, null, options.unit).replace(/\n/g, options.eol) + options.eol;
}

/** `<type>.activity.json`, with the characters file systems refuse replaced. */
export function definitionFileName(type: string): string {
  // eslint-disable-next-line no-control-regex
  const safe = type.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '-').replace(/^\.+/, '') || 'activity';
  return `${safe}.activity.json`;
}
