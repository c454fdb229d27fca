/**
 * What a name under the cursor refers to, and everything that refers to it: the shared core of go to
 * definition, find references, rename and hover. Within a file it reads the occurrence index; across
 * files (types, hosts) it reads the workspace index, whose documents carry their own occurrence indexes.
 */
import type { Location } from 'vscode-languageserver';
import type { ParsedDocument } from '../../runtime/analysis/document';
import { nodeAtPath, propertyNode, type JsonNode, type Span } from '../../runtime/json/node';
import type { OrchestrationModel } from '../../runtime/model/located';
import type { ServerContext } from '../context';
import { toLocation } from '../positions';
import { collectOccurrences, occurrenceAt, type DocumentOccurrences, type Occurrence } from './occurrences';

export function occurrencesOf(ctx: ServerContext, doc: ParsedDocument): DocumentOccurrences {
  return ctx.memo(doc, 'occurrences', () => collectOccurrences(doc));
}

export function occurrenceUnder(ctx: ServerContext, doc: ParsedDocument, offset: number): Occurrence | undefined {
  return occurrenceAt(occurrencesOf(ctx, doc), offset);
}

/** A place in a document: the document and the span of the name there. */
export interface Target {
  doc: ParsedDocument;
  span: Span;
  node: JsonNode;
}

function inner(node: JsonNode): Span {
  return node.type === 'string' && node.length >= 2 ? { offset: node.offset + 1, length: node.length - 2 } : { offset: node.offset, length: node.length };
}

function target(doc: ParsedDocument, node: JsonNode | undefined): Target | undefined {
  return node ? { doc, span: inner(node), node } : undefined;
}

/** The key node of a property found by path under `root` (its last segment is the property name). */
function keyAtPath(root: JsonNode | undefined, path: readonly string[]): JsonNode | undefined {
  const parent = nodeAtPath(root, path.slice(0, -1));
  return propertyNode(parent, path[path.length - 1])?.children?.[0];
}

/** The `properties.<name>` key of an embedded schema node, plain or wrapped in openAPIV3Schema. */
function schemaPropertyKey(schemaNode: JsonNode | undefined, name: string): JsonNode | undefined {
  return keyAtPath(schemaNode, ['properties', name]) ?? keyAtPath(schemaNode, ['openAPIV3Schema', 'properties', name]);
}

/** Where the thing named by an occurrence is declared (several places for a type defined twice). */
export function declarationsOf(ctx: ServerContext, doc: ParsedDocument, occurrence: Occurrence): Target[] {
  const model = doc.model;
  const out: (Target | undefined)[] = [];
  switch (occurrence.kind) {
    case 'activity': {
      if (model?.kind !== 'orchestration') break;
      const activity = model.byId.get(occurrence.name);
      out.push(target(doc, activity?.idNode));
      break;
    }
    case 'type':
      for (const declaration of ctx.workspace.declarationsOf(occurrence.name)) out.push(target(declaration.doc, declaration.definition.type?.node));
      break;
    case 'pool':
      if (model?.kind === 'orchestration') out.push(target(doc, model.pools.find((p) => p.name === occurrence.name)?.keyNode));
      break;
    case 'host':
      for (const declaration of ctx.workspace.hostsNamed(occurrence.name)) out.push(target(declaration.doc, declaration.keyNode));
      break;
    case 'inputProperty': {
      if (model?.kind !== 'orchestration') break;
      out.push(target(doc, schemaPropertyKey(model.schemaNode, occurrence.name) ?? keyAtPath(model.root, ['input', occurrence.name])));
      break;
    }
    case 'outputPath': {
      const type = activityType(model, occurrence.activityId);
      const first = occurrence.name.split('.')[0];
      if (type !== undefined) {
        for (const declaration of ctx.workspace.declarationsOf(type)) {
          out.push(target(declaration.doc, schemaPropertyKey(nodeAtPath(declaration.definition.node, ['outputSchema']), first)));
        }
      }
      break;
    }
    case 'target': {
      const activity = model?.kind === 'orchestration' && occurrence.activityIndex !== undefined ? model.activities.find((a) => a.index === occurrence.activityIndex) : undefined;
      if (activity?.type !== undefined) {
        for (const declaration of ctx.workspace.declarationsOf(activity.type)) {
          out.push(target(declaration.doc, schemaPropertyKey(nodeAtPath(declaration.definition.node, ['inputSchema']), occurrence.name)));
        }
      }
      break;
    }
  }
  return out.filter((t): t is Target => !!t);
}

function activityType(model: ParsedDocument['model'], id: string | undefined): string | undefined {
  if (model?.kind !== 'orchestration' || id === undefined) return undefined;
  return (model as OrchestrationModel).byId.get(id)?.type;
}

/**
 * Every occurrence of the thing an occurrence names: in this file for ids, pools, input properties and
 * output paths; across the workspace for types and hosts. Declarations included on request.
 */
export function referencesOf(ctx: ServerContext, doc: ParsedDocument, occurrence: Occurrence, includeDeclaration: boolean): { doc: ParsedDocument; occurrence: Occurrence }[] {
  const out: { doc: ParsedDocument; occurrence: Occurrence }[] = [];
  const keep = (o: Occurrence) => includeDeclaration || o.role !== 'declaration';
  switch (occurrence.kind) {
    case 'activity':
    case 'pool':
    case 'inputProperty':
      for (const o of occurrencesOf(ctx, doc).byKind[occurrence.kind].get(occurrence.name) ?? []) if (keep(o)) out.push({ doc, occurrence: o });
      break;
    case 'outputPath':
      for (const o of occurrencesOf(ctx, doc).byKind.outputPath.get(occurrence.name) ?? []) if (o.activityId === occurrence.activityId) out.push({ doc, occurrence: o });
      break;
    case 'type': {
      const files = new Set<ParsedDocument>();
      for (const use of ctx.workspace.usesOf(occurrence.name)) files.add(use.doc);
      if (includeDeclaration) for (const declaration of ctx.workspace.declarationsOf(occurrence.name)) files.add(declaration.doc);
      for (const file of files) for (const o of occurrencesOf(ctx, file).byKind.type.get(occurrence.name) ?? []) if (keep(o)) out.push({ doc: file, occurrence: o });
      break;
    }
    case 'host': {
      for (const file of ctx.workspace.documents()) {
        if (file.kind === 'activity') continue;
        for (const o of occurrencesOf(ctx, file).byKind.host.get(occurrence.name) ?? []) if (keep(o)) out.push({ doc: file, occurrence: o });
      }
      break;
    }
    case 'target':
      if (includeDeclaration) out.push({ doc, occurrence });
      break;
  }
  return out;
}

export function toLocations(targets: readonly Target[]): Location[] {
  return targets.map((t) => toLocation(t.doc, t.span));
}
