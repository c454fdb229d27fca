/**
 * The definition model with its syntax nodes: what checks, editor features and the graph read.
 * Extraction is tolerant: a value of the wrong type is left out here (the schema check reports it),
 * so every later step can rely on the types below without re-checking.
 */
import { keyOf, propertyValue, type JsonNode } from '../json/node';
import { ARRAY, BOOLEAN, NUMBER, OBJECT, STRING, type JsonTape } from '../json/tape';
import { JsonTree, tapeOfNodes, treeOf, TreeNode } from '../json/tree';
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

/**
 * The orchestration model. The activities are read from the tape (see ../json/tape.ts) and the plain
 * value side by side, in one pass over each activity's properties: their strings come from the plain
 * value and their nodes are made only when someone asks (the getters below), so checking a valid
 * 10,000-activity definition makes almost no node objects. The top level is small and read as nodes.
 */
export function extractOrchestration(root: JsonNode): OrchestrationModel {
  const tree = treeOf(root) ?? treeOfForeignNodes(root);
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
  if (activitiesNode?.type === 'array') {
    const tape = tree.tape;
    const at = entryOf(tree, activitiesNode);
    const items = Array.isArray(activitiesNode.value) ? (activitiesNode.value as unknown[]) : undefined;
    let i = 0;
    for (let a = at + 1, end = tape.skip[at]; a < end; a = tape.skip[a], i++) {
      if (tape.kind[a] !== OBJECT) continue;
      const activity = extractActivity(tree, a, i, items ? items[i] : tape.plainValue(a));
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

/** A tree over nodes that did not come from parseJsonc (a tree built by hand, or by jsonc-parser). */
function treeOfForeignNodes(root: JsonNode): JsonTree {
  const { tape, order } = tapeOfNodes('', root);
  return new JsonTree(tape, root.value, order);
}

/** The tape entry of a node of `tree`. */
function entryOf(tree: JsonTree, node: JsonNode): number {
  if (node instanceof TreeNode && node.tree === tree) return node.index;
  // A foreign tree: its nodes were listed in tape order.
  for (let i = 0; i < tree.tape.count; i++) if (tree.madeNode(i) === node) return i;
  throw new Error('node not in tree');
}

/** A string of the document whose node is made on first use. */
class TreeString implements LocatedString {
  constructor(readonly value: string, protected readonly tree: JsonTree, protected readonly entry: number) {}

  get node(): JsonNode {
    return this.tree.node(this.entry);
  }
}

/** A source whose node, segments and output path are made on first use. */
class TreeSource extends TreeString implements SourceRef {
  activityId: string | undefined = undefined;
  private split: string[] | undefined = undefined;
  private path: string[] | undefined = undefined;

  get segments(): string[] {
    return (this.split ??= this.value.split('.'));
  }

  set segments(segments: string[]) {
    this.split = segments;
  }

  get outputPath(): string[] {
    if (this.path === undefined) {
      const id = this.activityId;
      this.path = id === undefined || this.value.length === id.length ? [] : this.value.slice(id.length + 1).split('.');
    }
    return this.path;
  }

  set outputPath(path: string[]) {
    this.path = path;
  }

  resolve(byId: ReadonlyMap<string, unknown>): void {
    const first = firstSegment(this.value);
    if (byId.has(first)) {
      this.activityId = first;
      this.path = undefined;
    }
  }
}

function treeSource(tree: JsonTree, entry: number, plain: unknown): TreeSource {
  return new TreeSource(typeof plain === 'string' ? plain : tree.tape.stringValue(entry), tree, entry);
}

/** The string at `entry` (a string entry), from the plain value when it is there. */
function treeString(tree: JsonTree, entry: number, plain: unknown): TreeString {
  return new TreeString(typeof plain === 'string' ? plain : tree.tape.stringValue(entry), tree, entry);
}

/** `segments[0]` of a source, without splitting it. */
export function firstSegment(value: string): string {
  const dot = value.indexOf('.');
  return dot < 0 ? value : value.slice(0, dot);
}

function lastSegment(value: string): string {
  return value.slice(value.lastIndexOf('.') + 1);
}

class TreeInput implements InputModel {
  constructor(
    private readonly tree: JsonTree,
    private readonly entry: number,
    readonly kind: InputModel['kind'],
    readonly source: SourceRef | undefined,
    readonly target: string | undefined,
    private readonly targetEntry: number,
    readonly value: unknown,
  ) {}

  get node(): JsonNode {
    return this.tree.node(this.entry);
  }

  get targetNode(): JsonNode | undefined {
    return this.targetEntry < 0 ? undefined : this.tree.node(this.targetEntry);
  }
}

class TreeClaim {
  constructor(private readonly tree: JsonTree, private readonly keyEntry: number, readonly pool: string, readonly amount: number) {}

  get keyNode(): JsonNode {
    return this.tree.node(this.keyEntry);
  }

  get valueNode(): JsonNode {
    return this.tree.node(this.tree.tape.skip[this.keyEntry]);
  }
}

class TreeForEach {
  constructor(
    private readonly tree: JsonTree,
    private readonly entry: number,
    readonly items: SourceRef | undefined,
    readonly as: string | undefined,
    private readonly asEntry: number,
    readonly concurrency: number | undefined,
  ) {}

  get node(): JsonNode {
    return this.tree.node(this.entry);
  }

  get asNode(): JsonNode | undefined {
    return this.asEntry < 0 ? undefined : this.tree.node(this.asEntry);
  }
}

class TreeActivity implements ActivityModel {
  constructor(
    private readonly tree: JsonTree,
    private readonly entry: number,
    readonly index: number,
    readonly id: string | undefined,
    private readonly idEntry: number,
    readonly type: string | undefined,
    private readonly typeEntry: number,
    readonly discriminator: string | undefined,
    readonly dependsOn: LocatedString[],
    private readonly dependsOnEntry: number,
    readonly when: When,
    readonly inputs: InputModel[],
    private readonly inputsEntry: number,
    readonly forEach: ActivityModel['forEach'],
    readonly hosts: LocatedString[],
    readonly acquires: ActivityModel['acquires'],
    readonly continueOnError: boolean,
    private readonly retryEntry: number,
    readonly timeoutMs: number | undefined,
  ) {}

  get node(): JsonNode { return this.tree.node(this.entry); }
  get idNode(): JsonNode | undefined { return this.nodeOf(this.idEntry); }
  get typeNode(): JsonNode | undefined { return this.nodeOf(this.typeEntry); }
  get dependsOnNode(): JsonNode | undefined { return this.nodeOf(this.dependsOnEntry); }
  get inputsNode(): JsonNode | undefined { return this.nodeOf(this.inputsEntry); }
  get retryNode(): JsonNode | undefined { return this.nodeOf(this.retryEntry); }

  private nodeOf(entry: number): JsonNode | undefined {
    return entry < 0 ? undefined : this.tree.node(entry);
  }
}

// Keys of an activity, found without making strings (see activityKey).
const K_OTHER = 0, K_ID = 1, K_TYPE = 2, K_DEPENDS_ON = 3, K_WHEN = 4, K_INPUTS = 5, K_HOSTS = 6, K_ACQUIRES = 7,
  K_FOR_EACH = 8, K_TIMEOUT = 9, K_DISCRIMINATOR = 10, K_CONTINUE = 11, K_RETRY = 12;
const ACTIVITY_KEYS = new Map<string, number>([
  ['id', K_ID], ['type', K_TYPE], ['dependsOn', K_DEPENDS_ON], ['when', K_WHEN], ['inputs', K_INPUTS], ['hosts', K_HOSTS],
  ['acquires', K_ACQUIRES], ['forEach', K_FOR_EACH], ['timeoutMs', K_TIMEOUT], ['discriminator', K_DISCRIMINATOR],
  ['continueOnError', K_CONTINUE], ['retry', K_RETRY],
]);

/** Value entry of each activity key (K_...) of the activity being read. */
const keyScratch = new Int32Array(ACTIVITY_KEYS.size + 1);

/**
 * An empty list. Fresh each time, and never a frozen one: for...of over arrays of mixed kinds,
 * frozen among them, leaves V8's fast path and allocates per step.
 */
function none<T>(): T[] {
  return [];
}

function activityKey(tape: JsonTape, k: number): number {
  // A key spelt with escapes (or from a recovered tree) is compared as a string.
  if (tape.aux[k] !== 0 || tape.leafValues !== undefined) return ACTIVITY_KEYS.get(tape.stringValue(k)) ?? K_OTHER;
  const text = tape.text;
  const at = tape.start[k] + 1;
  switch (tape.end[k] - at - 1) {
    case 2: return text.startsWith('id', at) ? K_ID : K_OTHER;
    case 4: return text.startsWith('type', at) ? K_TYPE : text.startsWith('when', at) ? K_WHEN : K_OTHER;
    case 5: return text.startsWith('hosts', at) ? K_HOSTS : text.startsWith('retry', at) ? K_RETRY : K_OTHER;
    case 6: return text.startsWith('inputs', at) ? K_INPUTS : K_OTHER;
    case 7: return text.startsWith('forEach', at) ? K_FOR_EACH : K_OTHER;
    case 8: return text.startsWith('acquires', at) ? K_ACQUIRES : K_OTHER;
    case 9: return text.startsWith('dependsOn', at) ? K_DEPENDS_ON : text.startsWith('timeoutMs', at) ? K_TIMEOUT : K_OTHER;
    case 13: return text.startsWith('discriminator', at) ? K_DISCRIMINATOR : K_OTHER;
    case 15: return text.startsWith('continueOnError', at) ? K_CONTINUE : K_OTHER;
    default: return K_OTHER;
  }
}

function field(plain: unknown, key: string): unknown {
  return typeof plain === 'object' && plain !== null && !Array.isArray(plain) ? (plain as Record<string, unknown>)[key] : undefined;
}

/** One activity: entry `a` of the tape (an object) and its plain value `plain`. */
function extractActivity(tree: JsonTree, a: number, index: number, plain: unknown): ActivityModel {
  const tape = tree.tape;
  const kind = tape.kind;
  // The last property with each key wins, as in JSON.parse (and so as in `plain`).
  const at = keyScratch.fill(-1);
  for (let p = a + 1, end = tape.skip[a]; p < end; p = tape.skip[p]) {
    const k = tape.keyOf(p);
    if (k < 0 || kind[k] !== STRING) continue;
    const code = activityKey(tape, k);
    if (code !== K_OTHER) at[code] = tape.valueOf(p);
  }
  const idEntry = at[K_ID] >= 0 && kind[at[K_ID]] === STRING ? at[K_ID] : -1;
  const typeEntry = at[K_TYPE] >= 0 && kind[at[K_TYPE]] === STRING ? at[K_TYPE] : -1;
  const id = idEntry < 0 ? undefined : stringAt(tape, idEntry, field(plain, 'id'));
  const type = typeEntry < 0 ? undefined : stringAt(tape, typeEntry, field(plain, 'type'));

  const d = at[K_DEPENDS_ON];
  const dependsOn = d < 0 ? none<LocatedString>() : kind[d] === STRING ? [treeString(tree, d, field(plain, 'dependsOn'))] : kind[d] === ARRAY ? strings(tree, d, field(plain, 'dependsOn')) : none<LocatedString>();

  const whenValue = at[K_WHEN] >= 0 ? field(plain, 'when') : undefined;

  const inputsEntry = at[K_INPUTS];
  let inputs: InputModel[] = none();
  if (inputsEntry >= 0 && kind[inputsEntry] === ARRAY && inputsEntry + 1 < tape.skip[inputsEntry]) {
    // Sized up front: 10,000 activities keep these arrays for as long as the document is open.
    inputs = new Array<InputModel>(tape.childCount(inputsEntry));
    const items = field(plain, 'inputs');
    const values = Array.isArray(items) ? items : undefined;
    let i = 0;
    let n = 0;
    for (let k = inputsEntry + 1, end = tape.skip[inputsEntry]; k < end; k = tape.skip[k], i++) {
      const input = extractInput(tree, k, values ? values[i] : tape.plainValue(k));
      if (input) inputs[n++] = input;
    }
    inputs.length = n;
  }

  const h = at[K_HOSTS];
  const hosts = h >= 0 && kind[h] === ARRAY ? strings(tree, h, field(plain, 'hosts')) : none<LocatedString>();

  let acquires: ActivityModel['acquires'] = none();
  const q = at[K_ACQUIRES];
  if (q >= 0 && kind[q] === OBJECT) {
    acquires = [];
    for (let p = q + 1, end = tape.skip[q]; p < end; p = tape.skip[p]) {
      const k = tape.keyOf(p);
      const v = tape.valueOf(p);
      if (k < 0 || v < 0 || kind[k] !== STRING || kind[v] !== NUMBER) continue;
      acquires.push(new TreeClaim(tree, k, tape.stringValue(k), tape.leafValue(v) as number));
    }
  }

  let forEach: ActivityModel['forEach'];
  const f = at[K_FOR_EACH];
  if (f >= 0 && kind[f] === OBJECT) {
    const plainForEach = field(plain, 'forEach');
    const items = tape.property(f, 'items');
    const as = tape.property(f, 'as');
    const concurrency = tape.property(f, 'concurrency');
    forEach = new TreeForEach(
      tree, f,
      items >= 0 && kind[items] === STRING ? treeSource(tree, items, field(plainForEach, 'items')) : undefined,
      as >= 0 && kind[as] === STRING ? stringAt(tape, as, field(plainForEach, 'as')) : undefined,
      as,
      concurrency >= 0 && kind[concurrency] === NUMBER ? (tape.leafValue(concurrency) as number) : undefined,
    );
  }

  const timeout = at[K_TIMEOUT] >= 0 && kind[at[K_TIMEOUT]] === NUMBER ? (tape.leafValue(at[K_TIMEOUT]) as number) : undefined;
  const discriminator = at[K_DISCRIMINATOR] >= 0 && kind[at[K_DISCRIMINATOR]] === STRING ? stringAt(tape, at[K_DISCRIMINATOR], field(plain, 'discriminator')) : undefined;
  const c = at[K_CONTINUE];
  const continueOnError = c >= 0 && kind[c] === BOOLEAN && tape.leafValue(c) === true;
  return new TreeActivity(
    tree, a, index,
    id, idEntry,
    type, typeEntry,
    discriminator,
    dependsOn, d,
    whenValue === 'failure' || whenValue === 'always' ? whenValue : 'success',
    inputs, inputsEntry,
    forEach,
    hosts,
    acquires,
    continueOnError,
    at[K_RETRY],
    timeout,
  );
}

function stringAt(tape: JsonTape, entry: number, plain: unknown): string {
  return typeof plain === 'string' ? plain : tape.stringValue(entry);
}

/** The string items of array entry `array` (whose plain value is `plain`). */
function strings(tree: JsonTree, array: number, plain: unknown): LocatedString[] {
  const tape = tree.tape;
  if (array + 1 >= tape.skip[array]) return none();
  const items = Array.isArray(plain) ? plain : undefined;
  let count = 0;
  for (let k = array + 1, end = tape.skip[array]; k < end; k = tape.skip[k]) if (tape.kind[k] === STRING) count++;
  // Sized up front: a pushed-to array reserves room for 17.
  const out = new Array<LocatedString>(count);
  let i = 0;
  let n = 0;
  for (let k = array + 1, end = tape.skip[array]; k < end; k = tape.skip[k], i++) {
    if (tape.kind[k] === STRING) out[n++] = treeString(tree, k, items ? items[i] : undefined);
  }
  return out;
}

function extractInput(tree: JsonTree, entry: number, plain: unknown): InputModel | undefined {
  const tape = tree.tape;
  const kind = tape.kind;
  if (kind[entry] === STRING) {
    const source = treeSource(tree, entry, plain);
    return new TreeInput(tree, entry, 'shorthand', source, lastSegment(source.value), entry, undefined);
  }
  if (kind[entry] !== OBJECT) return undefined;
  let sourceEntry = -1;
  let targetEntry = -1;
  let valueEntry = -1;
  for (let p = entry + 1, end = tape.skip[entry]; p < end; p = tape.skip[p]) {
    const k = tape.keyOf(p);
    if (k < 0) continue;
    if (tape.stringIs(k, 'source')) sourceEntry = tape.valueOf(p);
    else if (tape.stringIs(k, 'target')) targetEntry = tape.valueOf(p);
    else if (tape.stringIs(k, 'value')) valueEntry = tape.valueOf(p);
  }
  const targetString = targetEntry >= 0 && kind[targetEntry] === STRING ? targetEntry : -1;
  const target = targetString < 0 ? undefined : stringAt(tape, targetString, field(plain, 'target'));
  if (sourceEntry >= 0 && kind[sourceEntry] === STRING) {
    const source = treeSource(tree, sourceEntry, field(plain, 'source'));
    return new TreeInput(tree, entry, 'source', source, target ?? lastSegment(source.value), targetString >= 0 ? targetString : sourceEntry, undefined);
  }
  if (valueEntry >= 0) return new TreeInput(tree, entry, 'value', undefined, target, targetString, field(plain, 'value'));
  return undefined;
}

export function makeSource(node: JsonNode): SourceRef {
  const value = node.value as string;
  return { value, node, segments: value.split('.'), outputPath: [] };
}

function resolveSource(source: SourceRef, byId: Map<string, unknown>): void {
  if (source instanceof TreeSource) { source.resolve(byId); return; }
  const first = source.segments[0];
  if (first !== undefined && byId.has(first)) {
    source.activityId = first;
    source.outputPath = source.segments.slice(1);
  }
}

/** The type of an activity as a located string (its node made on first use), for indexes of type uses. */
export function activityTypeOf(activity: ActivityModel): LocatedString | undefined {
  const type = activity.type;
  if (type === undefined) return undefined;
  return { value: type, get node(): JsonNode { return activity.typeNode!; } };
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
