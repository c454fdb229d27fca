/**
 * The semantic tokens of a definition file, as offsets: activity ids (declared at `id`, referenced in
 * dependsOn and sources), activity types, sources split into the activity they read and the output
 * path (or the run-input path), input targets, pools and hosts. Only names that resolve are coloured,
 * so a misspelt dependency stays plain string-coloured.
 */
import type { ParsedDocument } from '../../../runtime/analysis/document';
import { propertyValue, type JsonNode } from '../../../runtime/json/node';
import type { ActivityModel, OrchestrationModel, SourceRef } from '../../../runtime/model/located';
import { activitiesIn } from './treeLookup';

/** Standard token types, so every theme colours them without configuration. */
export const TOKEN_TYPES = ['variable', 'type', 'property', 'parameter', 'enumMember', 'namespace'] as const;
export const TOKEN_MODIFIERS = ['declaration', 'readonly'] as const;

export enum Tok {
  Activity = 0,
  Type = 1,
  OutputProperty = 2,
  RunInput = 3,
  Pool = 4,
  Host = 5,
}
export const DECLARATION = 1;
export const READONLY = 2;

export interface TokenSink {
  (offset: number, length: number, type: Tok, modifiers: number): void;
}

/** The characters of a string node's value map one to one onto its text (no escapes). */
function plain(node: JsonNode): boolean {
  return node.type === 'string' && node.length === (node.value as string).length + 2;
}

function whole(sink: TokenSink, node: JsonNode | undefined, type: Tok, modifiers = 0): void {
  if (!node || !plain(node) || node.length <= 2) return;
  sink(node.offset + 1, node.length - 2, type, modifiers);
}

function source(sink: TokenSink, ref: SourceRef | undefined): void {
  if (!ref || !plain(ref.node)) return;
  const start = ref.node.offset + 1;
  const first = ref.segments[0];
  if (!first) return;
  const restStart = start + first.length + 1;
  const restLength = ref.value.length - first.length - 1;
  if (ref.activityId !== undefined) {
    sink(start, first.length, Tok.Activity, 0);
    if (restLength > 0) sink(restStart, restLength, Tok.OutputProperty, 0);
  } else {
    sink(start, first.length, Tok.RunInput, 0);
    if (restLength > 0) sink(restStart, restLength, Tok.OutputProperty, 0);
  }
}

function activityTokens(sink: TokenSink, model: OrchestrationModel, activity: ActivityModel): void {
  whole(sink, activity.idNode, Tok.Activity, DECLARATION);
  whole(sink, activity.typeNode, Tok.Type);
  for (const dep of activity.dependsOn) if (model.byId.has(dep.value)) whole(sink, dep.node, Tok.Activity);
  for (const input of activity.inputs) {
    source(sink, input.source);
    // An explicit target (the shorthand's target is its source's last segment, coloured above).
    if (input.targetNode && input.targetNode !== input.source?.node) whole(sink, input.targetNode, Tok.OutputProperty, DECLARATION);
  }
  if (activity.forEach) {
    source(sink, activity.forEach.items);
    whole(sink, activity.forEach.asNode, Tok.OutputProperty, DECLARATION);
  }
  for (const host of activity.hosts) whole(sink, host.node, Tok.Host);
  for (const claim of activity.acquires) whole(sink, claim.keyNode, Tok.Pool);
}

/**
 * Tokens of the part of `doc` in [from, to) (the whole document without a range). Activities are
 * found by binary search, so a range request costs what the range holds.
 */
export function collectTokens(doc: ParsedDocument, sink: TokenSink, from = 0, to = Number.MAX_SAFE_INTEGER): void {
  const model = doc.model;
  if (!model) return;
  const within = (node: JsonNode) => node.offset + node.length >= from && node.offset <= to;
  if (model.kind === 'orchestration') {
    for (const pool of model.pools) if (within(pool.keyNode)) whole(sink, pool.keyNode, Tok.Pool, DECLARATION);
    const poolsNode = propertyValue(model.root, 'pools');
    // Pools with an invalid capacity are not in the model but are still declarations.
    if (poolsNode?.type === 'object' && model.pools.length !== (poolsNode.children?.length ?? 0)) {
      const known = new Set(model.pools.map((p) => p.keyNode));
      for (const prop of poolsNode.children ?? []) {
        const key = prop.children?.[0];
        if (key && !known.has(key) && within(key)) whole(sink, key, Tok.Pool, DECLARATION);
      }
    }
    for (const output of model.output) {
      if (!within(output.keyNode.parent ?? output.keyNode)) continue;
      whole(sink, output.keyNode, Tok.OutputProperty, DECLARATION);
      source(sink, output.source);
    }
    const activities = from === 0 && to === Number.MAX_SAFE_INTEGER ? model.activities : activitiesIn(model, from, to);
    for (const activity of activities) activityTokens(sink, model, activity);
  } else if (model.kind === 'activity') {
    for (const definition of model.definitions) if (definition.type && within(definition.type.node)) whole(sink, definition.type.node, Tok.Type, DECLARATION);
  } else {
    for (const host of model.hosts) if (within(host.keyNode)) whole(sink, host.keyNode, Tok.Host, DECLARATION);
  }
}
