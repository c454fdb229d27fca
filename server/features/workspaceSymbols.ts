/**
 * Workspace symbols: activity ids of every orchestration, activity types, and definitions by their type,
 * matched fuzzily (the query's characters in order, case-insensitive), best matches first.
 */
import { SymbolKind, type ServerCapabilities, type SymbolInformation } from 'vscode-languageserver';
import type { ParsedDocument } from '../../runtime/analysis/document';
import type { JsonNode } from '../../runtime/json/node';
import { toLocation, type ServerContext } from '../context';
import { baseName } from '../uris';

export const capabilities: Partial<ServerCapabilities> = { workspaceSymbolProvider: true };

/** More is noise: the editor shows a list to pick from. */
const LIMIT = 500;

interface Entry {
  name: string;
  kind: SymbolKind;
  node: JsonNode;
  container: string;
}

export function register(ctx: ServerContext): void {
  ctx.connection.onWorkspaceSymbol((params): SymbolInformation[] => {
    const query = params.query.toLowerCase();
    const scored: { score: number; doc: ParsedDocument; entry: Entry }[] = [];
    for (const doc of ctx.workspace.documents()) {
      for (const entry of ctx.memo(doc, 'workspaceSymbols', () => entriesOf(doc))) {
        const score = fuzzyScore(query, entry.name);
        if (score !== undefined) scored.push({ score, doc, entry });
      }
    }
    scored.sort((a, b) => b.score - a.score || a.entry.name.localeCompare(b.entry.name));
    return scored.slice(0, LIMIT).map(({ doc, entry }) => ({
      name: entry.name,
      kind: entry.kind,
      location: toLocation(doc, entry.node.type === 'string' ? { offset: entry.node.offset + 1, length: Math.max(0, entry.node.length - 2) } : entry.node),
      containerName: entry.container,
    }));
  });
}

function entriesOf(doc: ParsedDocument): Entry[] {
  const model = doc.model;
  const out: Entry[] = [];
  if (model?.kind === 'orchestration') {
    const container = model.type?.value ?? baseName(doc.uri);
    if (model.type) out.push({ name: model.type.value, kind: SymbolKind.Module, node: model.type.node, container: baseName(doc.uri) });
    for (const a of model.activities) {
      if (a.id !== undefined && a.idNode) out.push({ name: a.id, kind: SymbolKind.Function, node: a.idNode, container: `${container}${a.type !== undefined ? ` · ${a.type}` : ''}` });
    }
  } else if (model?.kind === 'activity') {
    for (const d of model.definitions) {
      if (d.type) out.push({ name: d.type.value, kind: SymbolKind.Class, node: d.type.node, container: `${baseName(doc.uri)}${d.provider ? ` · ${d.provider.value}` : ''}` });
    }
  } else if (model?.kind === 'hosts') {
    for (const h of model.hosts) out.push({ name: h.name, kind: SymbolKind.Constant, node: h.keyNode, container: baseName(doc.uri) });
  }
  return out;
}

/**
 * Undefined when the query's characters do not all appear in order in the name; otherwise higher for
 * matches that are contiguous, at the start, or at word starts (after `.`, `-`, `_`, a capital).
 */
export function fuzzyScore(query: string, name: string): number | undefined {
  if (!query) return 0;
  const lower = name.toLowerCase();
  const exact = lower.indexOf(query);
  if (exact !== -1) return 1000 - exact * 2 - (name.length - query.length) * 0.01 + (exact === 0 ? 500 : 0);
  let score = 0;
  let at = 0;
  let previous = -2;
  for (const ch of query) {
    const found = lower.indexOf(ch, at);
    if (found === -1) return undefined;
    if (found === previous + 1) score += 5;
    if (found === 0 || /[.\-_/ ]/.test(name[found - 1]) || (name[found] !== lower[found] && name[found - 1] === lower[found - 1])) score += 8;
    score -= Math.min(found - at, 10);
    previous = found;
    at = found + 1;
  }
  return score;
}
