/**
 * ORCH405: required inputs missing. Each is added where its value most likely comes from: the run
 * input when the definition's schema declares a property of that name, else an upstream activity
 * whose type outputs it, else the default the input schema gives, else the run input of that name
 * (which the checks then flag until the definition's schema declares it: the author sees where to act).
 */
import { upstreamOf, type Graph } from '../../../../runtime/graph/graph';
import type { ActivityModel, OrchestrationModel } from '../../../../runtime/model/located';
import { schemaProperties, unwrapSchema, type JsonSchema } from '../../../../runtime/model/types';
import type { WorkspaceIndex } from '../../../../runtime/index/workspaceIndex';
import { anchorFor } from '../dependencyEdits';
import { appendItems, insertProperty } from '../listEdits';
import { replace } from '../offsetEdit';
import { spansLines } from '../textScan';
import { activityContaining, nodeAtSpan } from '../treeLookup';
import type { FixInput, FixProvider } from './types';

function inputSchemaOf(index: WorkspaceIndex | undefined, type: string | undefined): JsonSchema | undefined {
  if (!index || type === undefined) return undefined;
  return index.declarationsOf(type)[0]?.definition.inputSchema;
}

function outputNames(index: WorkspaceIndex | undefined, type: string | undefined): Set<string> {
  if (!index || type === undefined) return new Set();
  const schema = index.declarationsOf(type)[0]?.definition.outputSchema;
  return schemaProperties(schema)?.names ?? new Set();
}

/** The targets `activity` supplies (forEach's `as` is an input too). */
function suppliedTargets(activity: ActivityModel): Set<string> {
  const targets = new Set<string>();
  for (const input of activity.inputs) if (input.target !== undefined) targets.add(input.target);
  if (activity.forEach?.as) targets.add(activity.forEach.as);
  return targets;
}

export function missingRequiredInputs(index: WorkspaceIndex | undefined, activity: ActivityModel): string[] {
  const required = schemaProperties(inputSchemaOf(index, activity.type))?.required ?? [];
  const supplied = suppliedTargets(activity);
  return [...new Set(required)].filter((name) => !supplied.has(name));
}

function runInputDeclares(model: OrchestrationModel, name: string): boolean {
  if (name in model.inputDefaults) return true;
  return schemaProperties(model.schema)?.names.has(name) ?? false;
}

/** The output names of each type, looked up once per fix (a long chain repeats a few types). */
type OutputCache = Map<string | undefined, Set<string>>;

function cachedOutputNames(cache: OutputCache, index: WorkspaceIndex | undefined, type: string | undefined): Set<string> {
  let names = cache.get(type);
  if (!names) cache.set(type, (names = outputNames(index, type)));
  return names;
}

/** The nearest upstream activity (direct dependencies first) whose type outputs `name`. */
function upstreamProviding(graph: Graph, index: WorkspaceIndex | undefined, activity: ActivityModel, name: string, cache: OutputCache): string | undefined {
  const node = activity.id === undefined ? undefined : graph.indexOf.get(activity.id);
  if (node === undefined || graph.activities[node] !== activity) return undefined;
  for (const dep of graph.deps[node]) if (cachedOutputNames(cache, index, graph.activities[dep].type).has(name)) return graph.ids[dep];
  for (const up of upstreamOf(graph, node)) if (cachedOutputNames(cache, index, graph.activities[up].type).has(name)) return graph.ids[up];
  return undefined;
}

function schemaDefault(schema: JsonSchema | undefined, name: string): { value: unknown } | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const props = schema.properties as Record<string, unknown> | undefined;
  const prop = unwrapSchema(props?.[name]);
  if (!prop || typeof prop !== 'object') return undefined;
  if ('default' in prop) return { value: prop.default };
  if ('const' in prop) return { value: prop.const };
  if (Array.isArray(prop.enum) && prop.enum.length) return { value: prop.enum[0] };
  if (Array.isArray(prop.examples) && prop.examples.length) return { value: prop.examples[0] };
  return undefined;
}

export function inputFor({ model, graph, index }: FixInput, activity: ActivityModel, name: string, cache: OutputCache = new Map()): Record<string, unknown> {
  if (runInputDeclares(model, name)) return { source: name, target: name };
  const upstream = upstreamProviding(graph, index, activity, name, cache);
  if (upstream !== undefined) return { source: `${upstream}.${name}`, target: name };
  const fallback = schemaDefault(inputSchemaOf(index, activity.type), name);
  if (fallback) return { value: fallback.value, target: name };
  return { source: name, target: name };
}

/** `{ "source": "a", "target": "a" }`: inputs read best inline. */
function renderInline(value: Record<string, unknown>): string {
  return `{ ${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')} }`;
}

export const requiredInputs: FixProvider = (input, diagnostic) => {
  const { doc, model, index, layout } = input;
  const node = nodeAtSpan(doc.parse.root, diagnostic.offset, diagnostic.length);
  const activity = activityContaining(model, node);
  if (!activity) return [];
  const fromData = Array.isArray(diagnostic.data?.missing) ? (diagnostic.data.missing as unknown[]).filter((m): m is string => typeof m === 'string') : undefined;
  const supplied = suppliedTargets(activity);
  const missing = (fromData ?? missingRequiredInputs(index, activity)).filter((name) => !supplied.has(name));
  if (!missing.length) return [];
  const cache: OutputCache = new Map();
  const rendered = missing.map((name) => renderInline(inputFor(input, activity, name, cache)));
  const text = doc.text;
  const multiline = spansLines(text, activity.node.offset, activity.node.offset + activity.node.length);
  const inputs = activity.inputsNode;
  let edits;
  if (inputs?.type === 'array') {
    edits = appendItems(text, inputs, () => rendered, layout, multiline);
  } else if (inputs) {
    edits = [replace(inputs.offset, inputs.offset + inputs.length, `[${rendered.join(', ')}]`)];
  } else {
    const anchor = anchorFor(activity.node, ['id', 'type', 'discriminator', 'dependsOn', 'when']);
    edits = insertProperty(text, activity.node, anchor, 'inputs', (indent) => multiline
      ? `[${layout.eol}${rendered.map((r) => indent + layout.unit + r).join(',' + layout.eol)}${layout.eol}${indent}]`
      : `[${rendered.join(', ')}]`, layout);
  }
  const names = missing.map((m) => `'${m}'`).join(', ');
  return [{ title: `Add the missing required input${missing.length > 1 ? 's' : ''} ${names}`, edits, preferred: true }];
};
