/**
 * Proposals that only the workspace can give: activity ids in `dependsOn` (never one that would close a
 * cycle), activity types, sources (input properties; outputs of upstream activities only), input targets
 * from the type's inputSchema, pools, hosts. Each answer says whether it is the whole answer at that
 * place (`exclusive`) or joins the schema's proposals.
 */
import type { ParsedDocument } from '../../../runtime/analysis/document';
import { downstreamOf, upstreamOf, type Graph } from '../../../runtime/graph/graph';
import type { WorkspaceIndex } from '../../../runtime/index/workspaceIndex';
import type { ActivityModel, OrchestrationModel } from '../../../runtime/model/located';
import { schemaProperties, unwrapSchema, type JsonSchema } from '../../../runtime/model/types';
import type { KeyContext, ValueContext } from '../cursor';
import { code } from '../describe';
import { activityAt } from '../occurrences';
import { escapeMarkdown } from '../schemas';
import { CompletionItemKind, escapeSnippet, type Proposal } from './proposal';

export interface DomainEnv {
  doc: ParsedDocument;
  model: OrchestrationModel;
  graph: Graph;
  workspace: WorkspaceIndex;
}

export interface DomainAnswer {
  proposals: Proposal[];
  /** True when schema proposals would only add noise here. */
  exclusive: boolean;
}

const NONE: DomainAnswer = { proposals: [], exclusive: false };

export function domainValueProposals(env: DomainEnv, c: ValueContext): DomainAnswer {
  const p = c.path;
  const comma = c.needsComma ? ',' : '';
  if (p[0] === 'output' && p.length === 2) return { proposals: sourceProposals(env, undefined, comma), exclusive: true };
  if (p[0] !== 'activities' || typeof p[1] !== 'number') return NONE;
  const activity = activityAt(env.model.activities, c.replace.offset);
  if (!activity || activity.index !== p[1]) {
    // A new item of `activities`: the schema's activity snippets, with a free id.
    return NONE;
  }
  const rest = p.slice(2);
  const [a, b, d] = rest;
  if (a === 'dependsOn' && (rest.length === 1 || (rest.length === 2 && typeof b === 'number'))) {
    return { proposals: dependencyProposals(env, activity, c, comma), exclusive: true };
  }
  if (a === 'type' && rest.length === 1) return { proposals: typeProposals(env.workspace, comma), exclusive: true };
  if (a === 'inputs' && typeof b === 'number') {
    if (rest.length === 2) return { proposals: sourceProposals(env, activity, comma), exclusive: false };
    if (rest.length === 3 && d === 'source') return { proposals: sourceProposals(env, activity, comma), exclusive: true };
    if (rest.length === 3 && d === 'target') return { proposals: targetProposals(env, activity, b, comma), exclusive: true };
  }
  if (a === 'forEach' && b === 'items' && rest.length === 2) return { proposals: sourceProposals(env, activity, comma), exclusive: true };
  if (a === 'hosts' && typeof b === 'number' && rest.length === 2) return { proposals: hostProposals(env, activity, c, comma), exclusive: true };
  return NONE;
}

export function domainKeyProposals(env: DomainEnv, c: KeyContext): DomainAnswer {
  const p = c.path;
  if (p[0] === 'activities' && typeof p[1] === 'number' && p[2] === 'acquires' && p.length === 3) {
    const activity = activityAt(env.model.activities, c.replace.offset);
    const taken = new Set(activity?.acquires.filter((x) => x.keyNode !== c.keyNode).map((x) => x.pool) ?? []);
    const proposals: Proposal[] = [];
    for (const pool of env.model.pools) {
      if (taken.has(pool.name)) continue;
      const key = JSON.stringify(pool.name);
      proposals.push({
        label: pool.name,
        kind: CompletionItemKind.Constant,
        insert: c.hasColon ? key : `${escapeSnippet(key)}: \${1:1}${c.needsComma ? ',' : ''}`,
        snippet: !c.hasColon,
        detail: `pool · capacity ${pool.capacity}`,
        source: 'orch',
      });
    }
    return { proposals, exclusive: true };
  }
  return NONE;
}

/** The smallest `activityN` not taken, for the id placeholder of a new activity. */
export function freeActivityId(model: OrchestrationModel): string {
  for (let n = model.activities.length + 1; ; n++) {
    const id = `activity${n}`;
    if (!model.byId.has(id)) return id;
  }
}

function nodeOf(env: DomainEnv, activity: ActivityModel): number | undefined {
  if (activity.id === undefined) return undefined;
  const node = env.graph.indexOf.get(activity.id);
  // A duplicate id is not a node of the graph: its own relations are unknown.
  return node !== undefined && env.graph.activities[node] === activity ? node : undefined;
}

function dependencyProposals(env: DomainEnv, activity: ActivityModel, c: ValueContext, comma: string): Proposal[] {
  const { graph } = env;
  const self = nodeOf(env, activity);
  const excluded = self === undefined ? new Set<number>() : downstreamOf(graph, self);
  if (self !== undefined) excluded.add(self);
  const listed = new Set(activity.dependsOn.filter((d) => d.node !== c.node).map((d) => d.value));
  const out: Proposal[] = [];
  for (let i = 0; i < graph.ids.length; i++) {
    if (excluded.has(i)) continue;
    const id = graph.ids[i];
    if (listed.has(id) || id === activity.id) continue;
    out.push({
      label: id,
      kind: CompletionItemKind.Reference,
      insert: JSON.stringify(id) + comma,
      detail: graph.activities[i].type,
      resolve: 'activity',
      source: 'orch',
    });
  }
  return out;
}

function typeProposals(workspace: WorkspaceIndex, comma: string): Proposal[] {
  const out: Proposal[] = [];
  for (const type of workspace.declaredTypes()) {
    const definition = workspace.declarationsOf(type)[0]?.definition;
    out.push({
      label: type,
      kind: CompletionItemKind.Class,
      insert: JSON.stringify(type) + comma,
      detail: definition?.provider ? `provider ${definition.provider.value}` : undefined,
      documentation: definition?.description !== undefined ? escapeMarkdown(definition.description) : undefined,
      resolve: 'type',
      source: 'orch',
    });
  }
  return out;
}

function propertyDocs(schema: JsonSchema | undefined, name: string): string | undefined {
  const s = unwrapSchema(schema);
  if (!s || typeof s !== 'object' || !s.properties || typeof s.properties !== 'object') return undefined;
  const prop = (s.properties as Record<string, unknown>)[name];
  if (!prop || typeof prop !== 'object') return undefined;
  const p = prop as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof p.type === 'string') parts.push(`type ${code(p.type)}`);
  if (typeof p.description === 'string') parts.push(escapeMarkdown(p.description));
  return parts.length ? parts.join(' · ') : undefined;
}

/**
 * Sources an activity may read: input properties of the definition, and outputs of its upstream
 * activities (direct dependencies first). `activity` undefined: the run's `output`, which may read any activity.
 */
function sourceProposals(env: DomainEnv, activity: ActivityModel | undefined, comma: string): Proposal[] {
  const { graph, model, workspace } = env;
  const out: Proposal[] = [];
  const seen = new Set<string>();
  const add = (p: Proposal) => {
    if (seen.has(p.label)) return;
    seen.add(p.label);
    out.push(p);
  };
  // Input properties: the definition's schema, then the defaults in `input`.
  const schema = model.schema;
  const listed = schemaProperties(schema);
  for (const name of listed?.names ?? []) {
    if (graph.indexOf.has(name)) continue; // it would read the activity (and is warned about)
    const required = listed?.required.includes(name);
    add({
      label: name, kind: CompletionItemKind.Variable, insert: JSON.stringify(name) + comma,
      detail: `input property${required ? ' (required)' : ''}`, documentation: propertyDocs(schema, name), sortText: `1${name}`, source: 'orch',
    });
  }
  for (const [name, value] of Object.entries(model.inputDefaults)) {
    if (graph.indexOf.has(name)) continue;
    add({
      label: name, kind: CompletionItemKind.Variable, insert: JSON.stringify(name) + comma,
      detail: 'input property (has a default)', documentation: `default ${code(JSON.stringify(value) ?? '')}`, sortText: `1${name}`, source: 'orch',
    });
  }
  // Activity outputs.
  let readable: Iterable<number>;
  let direct = new Set<number>();
  if (activity) {
    const self = nodeOf(env, activity);
    if (self === undefined) {
      // Not (yet) a node: its dependsOn still says what is upstream.
      const ups = new Set<number>();
      for (const dep of activity.dependsOn) {
        const n = graph.indexOf.get(dep.value);
        if (n === undefined) continue;
        ups.add(n);
        direct.add(n);
        for (const u of upstreamOf(graph, n)) ups.add(u);
      }
      readable = ups;
    } else {
      readable = upstreamOf(graph, self);
      direct = new Set(graph.deps[self]);
    }
  } else {
    readable = graph.ids.keys();
  }
  for (const n of readable) {
    const id = graph.ids[n];
    const type = graph.activities[n].type;
    const definition = type !== undefined ? workspace.declarationsOf(type)[0]?.definition : undefined;
    const outputs = schemaProperties(definition?.outputSchema);
    const rank = direct.has(n) || !activity ? '0' : '2';
    if (outputs?.names.size) {
      for (const name of outputs.names) {
        add({
          label: `${id}.${name}`, kind: CompletionItemKind.Field, insert: JSON.stringify(`${id}.${name}`) + comma,
          detail: `output of ${id}${type !== undefined ? ` (${type})` : ''}`,
          documentation: propertyDocs(definition?.outputSchema, name), sortText: `${rank}${id}.${name}`, source: 'orch',
        });
      }
    } else {
      // The type lists no outputs (or is unknown): offer the id and let the user write the path.
      add({
        label: `${id}.`, kind: CompletionItemKind.Field, insert: `"${escapeSnippet(id)}.$1"${comma}`, snippet: true,
        detail: `output of ${id}${type !== undefined ? ` (${type}: no outputs listed)` : ''}`, sortText: `${rank}${id}.`, source: 'orch',
      });
    }
  }
  return out;
}

function targetProposals(env: DomainEnv, activity: ActivityModel, inputIndex: number, comma: string): Proposal[] {
  if (activity.type === undefined) return [];
  const definition = env.workspace.declarationsOf(activity.type)[0]?.definition;
  const listed = schemaProperties(definition?.inputSchema);
  if (!listed) return [];
  const editing = activity.inputsNode?.children?.[inputIndex];
  const taken = new Set(activity.inputs.filter((i) => i.node !== editing && i.target !== undefined).map((i) => i.target!));
  const required = new Set(listed.required);
  const out: Proposal[] = [];
  for (const name of new Set([...listed.required, ...listed.names])) {
    if (taken.has(name)) continue;
    out.push({
      label: name,
      kind: CompletionItemKind.Property,
      insert: JSON.stringify(name) + comma,
      detail: `input of ${activity.type}${required.has(name) ? ' (required)' : ''}`,
      documentation: propertyDocs(definition?.inputSchema, name),
      sortText: `${required.has(name) ? '0' : '1'}${name}`,
      preselect: required.has(name) && out.length === 0,
      source: 'orch',
    });
  }
  return out;
}

function hostProposals(env: DomainEnv, activity: ActivityModel, c: ValueContext, comma: string): Proposal[] {
  const listed = new Set(activity.hosts.filter((h) => h.node !== c.node).map((h) => h.value));
  const out: Proposal[] = [];
  for (const name of env.workspace.hostNames()) {
    if (listed.has(name)) continue;
    const value = env.workspace.hostsNamed(name)[0]?.value as Record<string, unknown> | undefined;
    out.push({
      label: name,
      kind: CompletionItemKind.Constant,
      insert: JSON.stringify(name) + comma,
      detail: value && typeof value.host === 'string' ? `${typeof value.username === 'string' ? value.username + '@' : ''}${value.host}` : 'host',
      source: 'orch',
    });
  }
  return out;
}
