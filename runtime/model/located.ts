/**
 * The definition model with its syntax nodes: what checks, editor features and the graph read.
 * Extraction is tolerant: a value of the wrong type is left out here (the schema check reports it),
 * so every later step can rely on the types below without re-checking.
 */
import { keyOf, propertyValue, type JsonNode } from '../json/node';
import { unwrapSchema, type JsonSchema, type When } from './types';

export type DocumentKind = 'orchestration' | 'activity' | 'hosts';

export interface LocatedString {
  value: string;
  /** The string node (offsets include the quotes). */
  node: JsonNode;
}

/** A source: an input property path, or `activityId.outputPath` when the first segment is an activity id. */
export interface SourceRef extends LocatedString {
  segments: string[];
  /** Set when the first segment names an activity of the same definition. */
  activityId?: string;
  /** Segments after the activity id (empty for `activityId` alone). */
  outputPath: string[];
}

export interface InputModel {
  node: JsonNode;
  kind: 'shorthand' | 'source' | 'value';
  source?: SourceRef;
  /** The effective target: explicit, or the last segment of the source for shorthand and missing targets. */
  target?: string;
  /** The node that spells the target (the source string for shorthand). */
  targetNode?: JsonNode;
  value?: unknown;
}

export interface ActivityModel {
  index: number;
  node: JsonNode;
  id?: string;
  idNode?: JsonNode;
  type?: string;
  typeNode?: JsonNode;
  discriminator?: string;
  dependsOn: LocatedString[];
  /** The `dependsOn` value node (string or array). */
  dependsOnNode?: JsonNode;
  when: When;
  inputs: InputModel[];
  inputsNode?: JsonNode;
  forEach?: { node: JsonNode; items?: SourceRef; as?: string; asNode?: JsonNode; concurrency?: number };
  hosts: LocatedString[];
  acquires: { pool: string; amount: number; keyNode: JsonNode; valueNode: JsonNode }[];
  continueOnError: boolean;
  retryNode?: JsonNode;
  timeoutMs?: number;
}

export interface OrchestrationModel {
  kind: 'orchestration';
  root: JsonNode;
  type?: LocatedString;
  description?: string;
  active: boolean;
  activeNode?: JsonNode;
  schema?: JsonSchema;
  schemaNode?: JsonNode;
  inputDefaults: Record<string, unknown>;
  output: { name: string; keyNode: JsonNode; source: SourceRef }[];
  concurrency?: number;
  pools: { name: string; capacity: number; keyNode: JsonNode; valueNode: JsonNode }[];
  activities: ActivityModel[];
  activitiesNode?: JsonNode;
  /** The first activity with each id (duplicates are diagnosed, not indexed). */
  byId: Map<string, ActivityModel>;
}

export interface ActivityTypeModel {
  node: JsonNode;
  type?: LocatedString;
  provider?: LocatedString;
  description?: string;
  inputSchema?: JsonSchema;
  outputSchema?: JsonSchema;
  config?: Record<string, unknown>;
  /** `config.module` of a node provider, for document links. */
  moduleNode?: JsonNode;
}

export interface ActivityDefinitionsModel {
  kind: 'activity';
  root: JsonNode;
  definitions: ActivityTypeModel[];
}

export interface HostsModel {
  kind: 'hosts';
  root: JsonNode;
  hosts: { name: string; keyNode: JsonNode; valueNode: JsonNode }[];
}

export type DocumentModel = OrchestrationModel | ActivityDefinitionsModel | HostsModel;

const SCHEMA_NAMES: Record<string, DocumentKind> = {
  'orchestration-definition.schema.json': 'orchestration',
  'activity-definition.schema.json': 'activity',
  'orch-hosts.schema.json': 'hosts',
};

/** The kind of a document from its file name, or from a `$schema` naming one of our schemas. */
export function documentKind(fileName: string, root?: JsonNode): DocumentKind | undefined {
  const base = fileName.replace(/\\/g, '/').split('/').pop() ?? '';
  if (base.endsWith('.orch.json')) return 'orchestration';
  if (base.endsWith('.activity.json')) return 'activity';
  if (base === 'orch.hosts.json') return 'hosts';
  const schemaRef = propertyValue(root, '$schema')?.value;
  if (typeof schemaRef === 'string') {
    const name = schemaRef.split(/[\\/]/).pop() ?? '';
    return SCHEMA_NAMES[name];
  }
  return undefined;
}

export function extractModel(kind: DocumentKind, root: JsonNode | undefined): DocumentModel | undefined {
  if (!root) return undefined;
  switch (kind) {
    case 'orchestration': return root.type === 'object' ? extractOrchestration(root) : undefined;
    case 'activity': return extractActivityDefinitions(root);
    case 'hosts': return root.type === 'object' ? extractHosts(root) : undefined;
  }
}

function str(node: JsonNode | undefined): LocatedString | undefined {
  return node && node.type === 'string' ? { value: node.value as string, node } : undefined;
}

function objectEntries(node: JsonNode | undefined): { key: string; keyNode: JsonNode; valueNode: JsonNode }[] {
  if (!node || node.type !== 'object' || !node.children) return [];
  const out: { key: string; keyNode: JsonNode; valueNode: JsonNode }[] = [];
  for (const prop of node.children) {
    const keyNode = prop.children?.[0];
    const valueNode = prop.children?.[1];
    if (keyNode && valueNode && typeof keyNode.value === 'string') out.push({ key: keyNode.value, keyNode, valueNode });
  }
  return out;
}

export function extractOrchestration(root: JsonNode): OrchestrationModel {
  const activitiesNode = propertyValue(root, 'activities');
  const activeNode = propertyValue(root, 'active');
  const schemaNode = propertyValue(root, 'schema');
  const inputNode = propertyValue(root, 'input');
  const concurrency = propertyValue(root, 'concurrency')?.value;
  const description = propertyValue(root, 'description')?.value;
  const model: OrchestrationModel = {
    kind: 'orchestration',
    root,
    type: str(propertyValue(root, 'type')),
    description: typeof description === 'string' ? description : undefined,
    active: activeNode?.value !== false,
    activeNode,
    schema: schemaNode ? unwrapSchema(schemaNode.value) : undefined,
    schemaNode,
    inputDefaults: inputNode?.type === 'object' ? (inputNode.value as Record<string, unknown>) : {},
    output: [],
    concurrency: typeof concurrency === 'number' ? concurrency : undefined,
    pools: [],
    activities: [],
    activitiesNode,
    byId: new Map(),
  };
  for (const { key, keyNode, valueNode } of objectEntries(propertyValue(root, 'pools'))) {
    if (typeof valueNode.value === 'number') model.pools.push({ name: key, capacity: valueNode.value, keyNode, valueNode });
  }
  if (activitiesNode?.type === 'array' && activitiesNode.children) {
    const children = activitiesNode.children;
    for (let i = 0; i < children.length; i++) {
      const node = children[i];
      if (node.type !== 'object') continue;
      const activity = extractActivity(node, i);
      model.activities.push(activity);
      if (activity.id !== undefined && !model.byId.has(activity.id)) model.byId.set(activity.id, activity);
    }
  }
  // Sources can be resolved only once every id is known.
  for (const activity of model.activities) {
    for (const input of activity.inputs) if (input.source) resolveSource(input.source, model.byId);
    if (activity.forEach?.items) resolveSource(activity.forEach.items, model.byId);
  }
  for (const { key, keyNode, valueNode } of objectEntries(propertyValue(root, 'output'))) {
    if (valueNode.type === 'string') {
      const source = makeSource(valueNode);
      resolveSource(source, model.byId);
      model.output.push({ name: key, keyNode, source });
    }
  }
  return model;
}

function extractActivity(node: JsonNode, index: number): ActivityModel {
  const id = str(propertyValue(node, 'id'));
  const type = str(propertyValue(node, 'type'));
  const dependsOnNode = propertyValue(node, 'dependsOn');
  const dependsOn: LocatedString[] = [];
  if (dependsOnNode?.type === 'string') dependsOn.push({ value: dependsOnNode.value as string, node: dependsOnNode });
  else if (dependsOnNode?.type === 'array') for (const c of dependsOnNode.children ?? []) { const s = str(c); if (s) dependsOn.push(s); }
  const whenValue = propertyValue(node, 'when')?.value;
  const inputsNode = propertyValue(node, 'inputs');
  const inputs: InputModel[] = [];
  if (inputsNode?.type === 'array') for (const c of inputsNode.children ?? []) { const input = extractInput(c); if (input) inputs.push(input); }
  const hosts: LocatedString[] = [];
  const hostsNode = propertyValue(node, 'hosts');
  if (hostsNode?.type === 'array') for (const c of hostsNode.children ?? []) { const s = str(c); if (s) hosts.push(s); }
  const acquires: ActivityModel['acquires'] = [];
  for (const { key, keyNode, valueNode } of objectEntries(propertyValue(node, 'acquires'))) {
    if (typeof valueNode.value === 'number') acquires.push({ pool: key, amount: valueNode.value, keyNode, valueNode });
  }
  const forEachNode = propertyValue(node, 'forEach');
  let forEach: ActivityModel['forEach'];
  if (forEachNode?.type === 'object') {
    const itemsNode = propertyValue(forEachNode, 'items');
    const asNode = propertyValue(forEachNode, 'as');
    const concurrency = propertyValue(forEachNode, 'concurrency')?.value;
    forEach = {
      node: forEachNode,
      items: itemsNode?.type === 'string' ? makeSource(itemsNode) : undefined,
      as: typeof asNode?.value === 'string' ? asNode.value : undefined,
      asNode,
      concurrency: typeof concurrency === 'number' ? concurrency : undefined,
    };
  }
  const timeoutMs = propertyValue(node, 'timeoutMs')?.value;
  const discriminator = propertyValue(node, 'discriminator')?.value;
  return {
    index,
    node,
    id: id?.value,
    idNode: id?.node,
    type: type?.value,
    typeNode: type?.node,
    discriminator: typeof discriminator === 'string' ? discriminator : undefined,
    dependsOn,
    dependsOnNode,
    when: whenValue === 'failure' || whenValue === 'always' ? whenValue : 'success',
    inputs,
    inputsNode,
    forEach,
    hosts,
    acquires,
    continueOnError: propertyValue(node, 'continueOnError')?.value === true,
    retryNode: propertyValue(node, 'retry'),
    timeoutMs: typeof timeoutMs === 'number' ? timeoutMs : undefined,
  };
}

function extractInput(node: JsonNode): InputModel | undefined {
  if (node.type === 'string') {
    const source = makeSource(node);
    return { node, kind: 'shorthand', source, target: source.segments[source.segments.length - 1], targetNode: node };
  }
  if (node.type !== 'object') return undefined;
  const sourceNode = propertyValue(node, 'source');
  const targetNode = propertyValue(node, 'target');
  const valueNode = propertyValue(node, 'value');
  const target = targetNode?.type === 'string' ? (targetNode.value as string) : undefined;
  if (sourceNode?.type === 'string') {
    const source = makeSource(sourceNode);
    return { node, kind: 'source', source, target: target ?? source.segments[source.segments.length - 1], targetNode: targetNode?.type === 'string' ? targetNode : sourceNode };
  }
  if (valueNode) return { node, kind: 'value', value: valueNode.value, target, targetNode: targetNode?.type === 'string' ? targetNode : undefined };
  return undefined;
}

export function makeSource(node: JsonNode): SourceRef {
  const value = node.value as string;
  return { value, node, segments: value.split('.'), outputPath: [] };
}

function resolveSource(source: SourceRef, byId: Map<string, unknown>): void {
  const first = source.segments[0];
  if (first !== undefined && byId.has(first)) {
    source.activityId = first;
    source.outputPath = source.segments.slice(1);
  }
}

function extractActivityDefinitions(root: JsonNode): ActivityDefinitionsModel {
  const items = root.type === 'array' ? root.children ?? [] : [root];
  const definitions: ActivityTypeModel[] = [];
  for (const node of items) {
    if (node.type !== 'object') continue;
    const description = propertyValue(node, 'description')?.value;
    const configNode = propertyValue(node, 'config');
    const inputSchemaNode = propertyValue(node, 'inputSchema');
    const outputSchemaNode = propertyValue(node, 'outputSchema');
    const moduleNode = propertyValue(configNode, 'module');
    definitions.push({
      node,
      type: str(propertyValue(node, 'type')),
      provider: str(propertyValue(node, 'provider')),
      description: typeof description === 'string' ? description : undefined,
      inputSchema: inputSchemaNode ? unwrapSchema(inputSchemaNode.value) : undefined,
      outputSchema: outputSchemaNode ? unwrapSchema(outputSchemaNode.value) : undefined,
      config: configNode?.type === 'object' ? (configNode.value as Record<string, unknown>) : undefined,
      moduleNode: moduleNode?.type === 'string' ? moduleNode : undefined,
    });
  }
  return { kind: 'activity', root, definitions };
}

function extractHosts(root: JsonNode): HostsModel {
  const hosts = objectEntries(propertyValue(root, 'hosts')).map(({ key, keyNode, valueNode }) => ({ name: key, keyNode, valueNode }));
  return { kind: 'hosts', root, hosts };
}

/** The key node of a property value, or the node itself (for diagnostics on object entries). */
export function keyOrSelf(node: JsonNode): JsonNode {
  return keyOf(node) ?? node;
}
