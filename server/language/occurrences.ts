/**
 * Every named thing a document mentions, with its exact span: activity ids (declared, or referred to by
 * dependsOn, sources, output and forEach.items), activity types, pools, hosts, input properties, output
 * paths and input targets. Built once per parsed document (ctx.memo) and sorted by offset, so "what is
 * under the cursor" is a binary search and "every use of X in this file" a map lookup: references,
 * rename, definition and hover on a 10,000-activity file cost what they return, not a walk of the file.
 */
import type { ParsedDocument } from '../../runtime/analysis/document';
import type { JsonNode, Span } from '../../runtime/json/node';
import type { ActivityModel, SourceRef } from '../../runtime/model/located';

export type OccurrenceKind = 'activity' | 'type' | 'pool' | 'host' | 'inputProperty' | 'outputPath' | 'target';

export type Role =
  | 'declaration'
  | 'dependsOn'
  | 'source'
  | 'output'
  | 'forEach'
  | 'use';

export interface Occurrence {
  kind: OccurrenceKind;
  /** The name: an id, a type, a pool, a host, an input property (first segment), an output path, a target. */
  name: string;
  /** The characters that spell the name (inside the quotes). */
  span: Span;
  role: Role;
  /** The JSON node holding it (string literal, or the key of an object entry). */
  node: JsonNode;
  /** The activity it appears in (index in `activities`), if any. */
  activityIndex?: number;
  /** For sources: the source, and (outputPath) the activity it reads. */
  source?: SourceRef;
  activityId?: string;
}

export interface DocumentOccurrences {
  /** All occurrences, sorted by span offset. */
  sorted: Occurrence[];
  byKind: Record<OccurrenceKind, Map<string, Occurrence[]>>;
}

export function collectOccurrences(doc: ParsedDocument): DocumentOccurrences {
  const list: Occurrence[] = [];
  const model = doc.model;
  const text = doc.text;
  if (model?.kind === 'orchestration') {
    for (const pool of model.pools) list.push({ kind: 'pool', name: pool.name, span: inner(pool.keyNode), role: 'declaration', node: pool.keyNode });
    for (const activity of model.activities) {
      const at = activity.index;
      if (activity.id !== undefined && activity.idNode) {
        list.push({ kind: 'activity', name: activity.id, span: inner(activity.idNode), role: 'declaration', node: activity.idNode, activityIndex: at });
      }
      if (activity.type !== undefined && activity.typeNode) {
        list.push({ kind: 'type', name: activity.type, span: inner(activity.typeNode), role: 'use', node: activity.typeNode, activityIndex: at });
      }
      for (const dep of activity.dependsOn) list.push({ kind: 'activity', name: dep.value, span: inner(dep.node), role: 'dependsOn', node: dep.node, activityIndex: at });
      for (const input of activity.inputs) {
        if (input.source) addSource(list, text, input.source, 'source', at);
        if (input.kind !== 'shorthand' && input.target !== undefined && input.targetNode && input.targetNode !== input.source?.node) {
          list.push({ kind: 'target', name: input.target, span: inner(input.targetNode), role: 'use', node: input.targetNode, activityIndex: at });
        }
      }
      if (activity.forEach?.items) addSource(list, text, activity.forEach.items, 'forEach', at);
      for (const host of activity.hosts) list.push({ kind: 'host', name: host.value, span: inner(host.node), role: 'use', node: host.node, activityIndex: at });
      for (const acquire of activity.acquires) list.push({ kind: 'pool', name: acquire.pool, span: inner(acquire.keyNode), role: 'use', node: acquire.keyNode, activityIndex: at });
    }
    for (const output of model.output) addSource(list, text, output.source, 'output', undefined);
  } else if (model?.kind === 'activity') {
    for (const definition of model.definitions) {
      if (definition.type) list.push({ kind: 'type', name: definition.type.value, span: inner(definition.type.node), role: 'declaration', node: definition.type.node });
    }
  } else if (model?.kind === 'hosts') {
    for (const host of model.hosts) list.push({ kind: 'host', name: host.name, span: inner(host.keyNode), role: 'declaration', node: host.keyNode });
  }
  list.sort((a, b) => a.span.offset - b.span.offset);
  const byKind: DocumentOccurrences['byKind'] = {
    activity: new Map(), type: new Map(), pool: new Map(), host: new Map(), inputProperty: new Map(), outputPath: new Map(), target: new Map(),
  };
  for (const occurrence of list) {
    const map = byKind[occurrence.kind];
    const entry = map.get(occurrence.name);
    if (entry) entry.push(occurrence);
    else map.set(occurrence.name, [occurrence]);
  }
  return { sorted: list, byKind };
}

/** A source: its first segment names an activity (or an input property); the rest is an output path. */
function addSource(list: Occurrence[], text: string, source: SourceRef, role: Role, activityIndex: number | undefined): void {
  const first = source.segments[0] ?? '';
  const start = source.node.offset + 1;
  // Offsets inside the literal match the value only when it has no escapes; otherwise the whole literal stands for it.
  const raw = text.slice(start, source.node.offset + source.node.length - 1);
  const exact = raw === source.value;
  if (source.activityId !== undefined) {
    list.push({ kind: 'activity', name: source.activityId, span: exact ? { offset: start, length: first.length } : inner(source.node), role, node: source.node, activityIndex, source });
    if (source.outputPath.length && exact) {
      list.push({
        kind: 'outputPath', name: source.outputPath.join('.'), span: { offset: start + first.length + 1, length: raw.length - first.length - 1 },
        role, node: source.node, activityIndex, source, activityId: source.activityId,
      });
    }
  } else if (first) {
    list.push({ kind: 'inputProperty', name: first, span: exact ? { offset: start, length: first.length } : inner(source.node), role, node: source.node, activityIndex, source });
  }
}

function inner(node: JsonNode): Span {
  if (node.type === 'string' && node.length >= 2) return { offset: node.offset + 1, length: node.length - 2 };
  return { offset: node.offset, length: node.length };
}

/** The occurrence under the cursor (span end inclusive), innermost first. */
export function occurrenceAt(occurrences: DocumentOccurrences, offset: number): Occurrence | undefined {
  const list = occurrences.sorted;
  let lo = 0;
  let hi = list.length - 1;
  let candidate = -1;
  // The last occurrence starting at or before the offset.
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].span.offset <= offset) { candidate = mid; lo = mid + 1; } else hi = mid - 1;
  }
  for (let i = candidate; i >= 0 && i >= candidate - 2; i--) {
    const o = list[i];
    if (offset >= o.span.offset && offset <= o.span.offset + o.span.length) return o;
  }
  return undefined;
}

/** The activity of the file whose object contains `offset`, by binary search over the activities. */
export function activityAt(activities: readonly ActivityModel[], offset: number): ActivityModel | undefined {
  let lo = 0;
  let hi = activities.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const a = activities[mid];
    if (offset < a.node.offset) hi = mid - 1;
    else if (offset > a.node.offset + a.node.length) lo = mid + 1;
    else return a;
  }
  return undefined;
}
