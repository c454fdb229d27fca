/**
 * Hover: on a type, the ActivityDefinition (description, provider, input and output schemas as tables);
 * on an id (declared or referred to), the activity (type, tier, dependencies, inputs); on a pool, a
 * host, an input property, an output path or a target, what it is; on a property name or an enum value,
 * its schema docs (left to VS Code's JSON support when the client says it has our schemas, so that the
 * same text is not shown twice).
 */
import type { Hover, ServerCapabilities } from 'vscode-languageserver';
import type { ParsedDocument } from '../../runtime/analysis/document';
import { buildGraph } from '../../runtime/graph/graph';
import { nodeAtOffset, pathOf } from '../../runtime/json/node';
import { schemaProperties, unwrapSchema, type JsonSchema } from '../../runtime/model/types';
import { toOffset, toRange, type ServerContext } from '../context';
import { code, describeActivity, describeHost, describePool, describeType } from '../language/describe';
import { occurrenceUnder } from '../language/navigation';
import type { Occurrence } from '../language/occurrences';
import { schemasAtPath } from '../language/completion/schemaProposals';
import { docsOf, escapeMarkdown } from '../language/schemas';
import { jsonSchemaSupportFor } from '../language/jsonSupport';

export const capabilities: Partial<ServerCapabilities> = { hoverProvider: true };

export function register(ctx: ServerContext): void {
  ctx.connection.onHover((params): Hover | null => {
    const doc = ctx.parsed(params.textDocument.uri);
    if (!doc) return null;
    const offset = toOffset(doc, params.position);
    const occurrence = occurrenceUnder(ctx, doc, offset);
    if (occurrence) {
      const value = describeOccurrence(ctx, doc, occurrence);
      if (value) return { contents: { kind: 'markdown', value }, range: toRange(doc, occurrence.span) };
    }
    if (jsonSchemaSupportFor(ctx, doc)) return null;
    return schemaHover(doc, offset);
  });
}

function describeOccurrence(ctx: ServerContext, doc: ParsedDocument, o: Occurrence): string | undefined {
  const model = doc.model;
  switch (o.kind) {
    case 'type':
      return describeType(o.name, ctx.workspace.declarationsOf(o.name));
    case 'activity': {
      if (model?.kind !== 'orchestration') return undefined;
      const activity = model.byId.get(o.name);
      if (!activity) return `**activity** ${code(o.name)}\n\n_No activity of this file has this id._`;
      const graph = ctx.cachedAnalysisOf(doc.uri)?.graph ?? ctx.memo(doc, 'graph', () => buildGraph(model));
      return describeActivity(activity, graph, activity.type !== undefined ? ctx.workspace.declarationsOf(activity.type) : []);
    }
    case 'pool': {
      if (model?.kind !== 'orchestration') return undefined;
      const pool = model.pools.find((p) => p.name === o.name);
      const users = model.activities.filter((a) => a.acquires.some((x) => x.pool === o.name)).length;
      return describePool(o.name, pool?.capacity, users);
    }
    case 'host':
      return describeHost(o.name, ctx.workspace.hostsNamed(o.name));
    case 'inputProperty': {
      if (model?.kind !== 'orchestration') return undefined;
      const parts = [`**input property** ${code(o.name)}`];
      const info = propertyInfo(model.schema, o.name);
      if (info) parts.push(info);
      else if (!(o.name in model.inputDefaults)) parts.push('_Not in the definition\'s schema._');
      if (o.name in model.inputDefaults) parts.push(`default ${code(JSON.stringify(model.inputDefaults[o.name]) ?? '')}`);
      return parts.join('\n\n');
    }
    case 'outputPath': {
      if (model?.kind !== 'orchestration' || o.activityId === undefined) return undefined;
      const type = model.byId.get(o.activityId)?.type;
      const definition = type !== undefined ? ctx.workspace.declarationsOf(type)[0]?.definition : undefined;
      const first = o.name.split('.')[0];
      const parts = [`**output** ${code(first)} of ${code(o.activityId)}${type !== undefined ? ` (${code(type)})` : ''}`];
      const info = propertyInfo(definition?.outputSchema, first);
      if (info) parts.push(info);
      return parts.join('\n\n');
    }
    case 'target': {
      if (model?.kind !== 'orchestration') return undefined;
      const activity = model.activities.find((a) => a.index === o.activityIndex);
      const definition = activity?.type !== undefined ? ctx.workspace.declarationsOf(activity.type)[0]?.definition : undefined;
      const parts = [`**input** ${code(o.name)}${activity?.type !== undefined ? ` of ${code(activity.type)}` : ''}`];
      const info = propertyInfo(definition?.inputSchema, o.name);
      if (info) parts.push(info);
      return parts.join('\n\n');
    }
  }
}

/** Type, required-ness and description of a property a schema lists. */
function propertyInfo(schema: JsonSchema | undefined, name: string): string | undefined {
  const s = unwrapSchema(schema);
  const listed = schemaProperties(s);
  if (!s || typeof s !== 'object' || !listed?.names.has(name)) return undefined;
  const prop = (s.properties as Record<string, unknown>)[name] as Record<string, unknown> | undefined;
  const facts: string[] = [];
  if (prop && typeof prop.type === 'string') facts.push(`type ${code(prop.type)}`);
  if (listed.required.includes(name)) facts.push('required');
  const head = facts.join(' · ');
  const description = prop && typeof prop.description === 'string' ? escapeMarkdown(prop.description) : '';
  return [head, description].filter(Boolean).join('\n\n') || undefined;
}

/** Schema docs of the property name or enum value under the cursor. */
function schemaHover(doc: ParsedDocument, offset: number): Hover | null {
  const node = nodeAtOffset(doc.parse.root, offset);
  if (!node || node.type === 'object' || node.type === 'array') return null;
  const property = node.parent;
  if (node.type === 'string' && property?.type === 'property' && property.children?.[0] === node) {
    const valueNode = property.children?.[1];
    const path = valueNode ? pathOf(valueNode) : [...pathOf(property.parent!), node.value as string];
    const docs = docsOf(schemasAtPath(doc, path));
    if (!docs) return null;
    return { contents: { kind: 'markdown', value: docs }, range: toRange(doc, node) };
  }
  // An enum value: its own description.
  if (node.type === 'string' || node.type === 'number' || node.type === 'boolean') {
    const schemas = schemasAtPath(doc, pathOf(node));
    for (const s of schemas) {
      const i = s.enum?.findIndex((e) => JSON.stringify(e) === JSON.stringify(node.value)) ?? -1;
      if (i >= 0) {
        const text = s.markdownEnumDescriptions?.[i] ?? (s.enumDescriptions?.[i] !== undefined ? escapeMarkdown(s.enumDescriptions[i]) : undefined);
        if (text) return { contents: { kind: 'markdown', value: `${code(JSON.stringify(node.value))}: ${text}` }, range: toRange(doc, node) };
      }
    }
  }
  return null;
}
