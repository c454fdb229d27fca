/**
 * Document symbols that show the domain rather than raw JSON: an orchestration is one symbol (its type)
 * holding its activities (type and tier as detail; inputs and dependencies inside), its pools and its
 * outputs; an activity definitions file lists its types (provider as detail; inputs and outputs inside);
 * an inventory lists its hosts.
 */
import { SymbolKind, type DocumentSymbol, type ServerCapabilities } from 'vscode-languageserver';
import type { ParsedDocument } from '../../runtime/analysis/document';
import { buildGraph, type Graph } from '../../runtime/graph/graph';
import type { JsonNode } from '../../runtime/json/node';
import { propertyNode, propertyValue } from '../../runtime/json/node';
import type { ActivityModel, ActivityTypeModel, OrchestrationModel } from '../../runtime/model/located';
import { schemaProperties } from '../../runtime/model/types';
import { toRange, type ServerContext } from '../context';
import { baseName } from '../uris';

export const capabilities: Partial<ServerCapabilities> = { documentSymbolProvider: { label: 'Orchestration' } };

/**
 * Above this many activities, activities are listed without their inputs and dependencies: an outline of
 * 100,000 entries helps no one, and it would cost more to send than everything else the file needs.
 */
const DETAIL_LIMIT = 5000;

export function register(ctx: ServerContext): void {
  ctx.connection.onDocumentSymbol((params): DocumentSymbol[] | null => {
    const doc = ctx.parsed(params.textDocument.uri);
    if (!doc?.model) return doc ? [] : null;
    return ctx.memo(doc, 'documentSymbols', () => {
      const model = doc.model!;
      if (model.kind === 'orchestration') {
        const graph = ctx.cachedAnalysisOf(doc.uri)?.graph ?? ctx.memo(doc, 'graph', () => buildGraph(model));
        return [orchestrationSymbol(doc, model, graph)];
      }
      if (model.kind === 'activity') return model.definitions.map((d) => typeSymbol(doc, d)).filter((s): s is DocumentSymbol => !!s);
      return model.hosts.map((h) => symbol(doc, h.name, SymbolKind.Constant, h.keyNode.parent ?? h.keyNode, h.keyNode, hostDetail(h.valueNode.value)));
    });
  });
}

function symbol(doc: ParsedDocument, name: string, kind: SymbolKind, whole: JsonNode, selection: JsonNode, detail?: string, children?: DocumentSymbol[]): DocumentSymbol {
  // An empty name is not allowed by the protocol (VS Code rejects the whole answer).
  const s: DocumentSymbol = { name: name || '(unnamed)', kind, range: toRange(doc, whole), selectionRange: toRange(doc, selection) };
  if (detail) s.detail = detail;
  if (children?.length) s.children = children;
  return s;
}

function orchestrationSymbol(doc: ParsedDocument, model: OrchestrationModel, graph: Graph): DocumentSymbol {
  const children: DocumentSymbol[] = [];
  const detailed = model.activities.length <= DETAIL_LIMIT;
  const activities = model.activities.map((a) => activitySymbol(doc, a, graph, detailed));
  if (model.activitiesNode) {
    const key = propertyNode(model.root, 'activities')!;
    children.push(symbol(doc, 'activities', SymbolKind.Array, key, key.children![0], `${model.activities.length}`, activities));
  }
  if (model.pools.length) {
    const key = propertyNode(model.root, 'pools')!;
    children.push(symbol(doc, 'pools', SymbolKind.Namespace, key, key.children![0], undefined,
      model.pools.map((p) => symbol(doc, p.name, SymbolKind.Constant, p.keyNode.parent ?? p.keyNode, p.keyNode, `capacity ${p.capacity}`))));
  }
  if (model.output.length) {
    const key = propertyNode(model.root, 'output')!;
    children.push(symbol(doc, 'output', SymbolKind.Namespace, key, key.children![0], undefined,
      model.output.map((o) => symbol(doc, o.name, SymbolKind.Property, o.keyNode.parent ?? o.keyNode, o.keyNode, `← ${o.source.value}`))));
  }
  const schemaKey = propertyNode(model.root, 'schema');
  const inputs = schemaProperties(model.schema);
  if (schemaKey && inputs?.names.size) {
    children.unshift(symbol(doc, 'schema', SymbolKind.Interface, schemaKey, schemaKey.children![0], [...inputs.names].join(', ')));
  }
  const name = model.type?.value ?? baseName(doc.uri);
  return symbol(doc, name, SymbolKind.Module, model.root, model.type?.node ?? model.root, model.description, children);
}

function activitySymbol(doc: ParsedDocument, a: ActivityModel, graph: Graph, detailed: boolean): DocumentSymbol {
  const node = a.id !== undefined ? graph.indexOf.get(a.id) : undefined;
  const tier = node !== undefined && graph.activities[node] === a ? graph.tierOf[node] : undefined;
  const detail = [a.type ?? '(no type)', tier === undefined ? undefined : tier >= 0 ? `tier ${tier + 1}` : 'on a cycle'].filter(Boolean).join(' · ');
  const children: DocumentSymbol[] = [];
  if (!detailed) return symbol(doc, a.id ?? `activities[${a.index}]`, SymbolKind.Function, a.node, a.idNode ?? a.node, detail);
  for (const input of a.inputs) {
    const from = input.kind === 'value' ? JSON.stringify(input.value) ?? '' : input.source?.value ?? '';
    children.push(symbol(doc, input.target ?? '?', SymbolKind.Field, input.node, input.targetNode ?? input.node, `← ${from}`));
  }
  for (const dep of a.dependsOn) children.push(symbol(doc, dep.value, SymbolKind.Event, dep.node, dep.node, 'depends on'));
  return symbol(doc, a.id ?? `activities[${a.index}]`, SymbolKind.Function, a.node, a.idNode ?? a.node, detail, children);
}

function typeSymbol(doc: ParsedDocument, d: ActivityTypeModel): DocumentSymbol | undefined {
  const children: DocumentSymbol[] = [];
  for (const [label, key, schema] of [['in', 'inputSchema', d.inputSchema], ['out', 'outputSchema', d.outputSchema]] as const) {
    const node = propertyValue(d.node, key);
    const listed = schemaProperties(schema);
    if (!node || !listed) continue;
    const props = propertyValue(node, 'properties') ?? propertyValue(propertyValue(node, 'openAPIV3Schema'), 'properties');
    for (const prop of props?.children ?? []) {
      const k = prop.children?.[0];
      if (!k || typeof k.value !== 'string') continue;
      children.push(symbol(doc, k.value, label === 'in' ? SymbolKind.Field : SymbolKind.Property, prop, k, `${label}put${listed.required.includes(k.value) ? ' · required' : ''}`));
    }
  }
  return symbol(doc, d.type?.value ?? '(no type)', SymbolKind.Class, d.node, d.type?.node ?? d.node, d.provider ? `provider ${d.provider.value}` : undefined, children);
}

function hostDetail(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.host !== 'string') return undefined;
  return `${typeof v.username === 'string' ? v.username + '@' : ''}${v.host}${typeof v.port === 'number' ? ':' + v.port : ''}`;
}
