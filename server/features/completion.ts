/**
 * textDocument/completion: the complete answer for our documents, schema-driven (property names, enum
 * values, snippets) and workspace-driven (ids, types, sources, targets, pools, hosts). Each item's
 * `data.from` says which: `schema` items are the ones VS Code's JSON extension also offers when it has
 * our schema; the client drops those when it knows the JSON extension answers (see server/README.md).
 *
 * Documents that are not ours get `null`, so that other providers answer.
 */
import { CompletionItemKind, type CompletionItem, type CompletionList, type ServerCapabilities } from 'vscode-languageserver';
import { buildGraph } from '../../runtime/graph/graph';
import type { ParsedDocument } from '../../runtime/analysis/document';
import { toOffset, toRange, type ServerContext } from '../context';
import { cursorContext, type CursorContext } from '../language/cursor';
import { describeActivity, describeType } from '../language/describe';
import { domainKeyProposals, domainValueProposals, freeActivityId, type DomainEnv } from '../language/completion/domainProposals';
import { toCompletionList, type ListOptions, type Proposal } from '../language/completion/proposal';
import { keyProposals, valueProposals } from '../language/completion/schemaProposals';
import { snippetFromBody } from '../language/completion/snippets';
import { jsonSchemaSupportFor } from '../language/jsonSupport';
import { rootSchema } from '../language/schemas';

export const capabilities: Partial<ServerCapabilities> = {
  completionProvider: {
    // `"` opens a key or a string value, `.` continues a source path, `:` starts a value.
    triggerCharacters: ['"', '.', ':'],
    resolveProvider: true,
  },
};

export function register(ctx: ServerContext): void {
  ctx.connection.onCompletion((params): CompletionList | null => {
    const doc = ctx.parsed(params.textDocument.uri);
    if (!doc || !doc.kind) return null;
    const offset = toOffset(doc, params.position);
    return complete(ctx, doc, offset);
  });

  ctx.connection.onCompletionResolve((item): CompletionItem => {
    const data = item.data as { uri?: string; resolve?: 'activity' | 'type' } | undefined;
    if (!data?.resolve || item.documentation) return item;
    // The label is the name: the list does not repeat it in every item's data.
    if (data.resolve === 'type') {
      item.documentation = { kind: 'markdown', value: describeType(item.label, ctx.workspace.declarationsOf(item.label)) };
    } else if (data.uri) {
      const doc = ctx.parsed(data.uri);
      const model = doc?.model;
      if (doc && model?.kind === 'orchestration') {
        const activity = model.byId.get(item.label);
        if (activity) {
          const graph = ctx.cachedAnalysisOf(data.uri)?.graph ?? ctx.memo(doc, 'graph', () => buildGraph(model));
          item.documentation = { kind: 'markdown', value: describeActivity(activity, graph, activity.type !== undefined ? ctx.workspace.declarationsOf(activity.type) : []) };
        }
      }
    }
    return item;
  });
}

export function complete(ctx: ServerContext, doc: ParsedDocument, offset: number): CompletionList {
  const capabilities = ctx.clientCapabilities;
  const settings = ctx.settings();
  // An empty file: a whole new definition.
  if (!doc.parse.root && doc.text.trim() === '') {
    const proposals = settings.completion.snippets && !jsonSchemaSupportFor(ctx, doc) ? fileSnippets(doc) : [];
    return toCompletionList(proposals, { uri: doc.uri, range: toRange(doc, { offset: 0, length: doc.text.length }), quoted: false, capabilities });
  }
  const c = cursorContext(doc.text, doc.parse.root, offset);
  if (!c) return { isIncomplete: false, items: [] };
  let proposals = proposalsAt(ctx, doc, c);
  if (!settings.completion.snippets) proposals = proposals.filter((p) => p.kind !== CompletionItemKind.Snippet);
  // What the client's JSON support offers from the same schema would otherwise show twice.
  if (jsonSchemaSupportFor(ctx, doc)) proposals = proposals.filter((p) => p.source !== 'schema');
  const quoted = doc.text[c.replace.offset] === '"';
  let inner: ListOptions['inner'];
  if (c.kind === 'value' && c.inString && c.node?.type === 'string') {
    const node = c.node;
    const closed = node.length >= 2 && doc.text[node.offset + node.length - 1] === '"' && doc.text[node.offset + node.length - 2] !== '\\';
    inner = { range: toRange(doc, { offset: node.offset + 1, length: node.length - (closed ? 2 : 1) }), closed };
  }
  return toCompletionList(proposals, { uri: doc.uri, range: toRange(doc, c.replace), quoted, inner, capabilities });
}

function proposalsAt(ctx: ServerContext, doc: ParsedDocument, c: CursorContext): Proposal[] {
  const model = doc.model;
  const env: DomainEnv | undefined = model?.kind === 'orchestration'
    ? { doc, model, graph: ctx.cachedAnalysisOf(doc.uri)?.graph ?? ctx.memo(doc, 'graph', () => buildGraph(model)), workspace: ctx.workspace }
    : undefined;
  if (c.kind === 'key') {
    const domain = env ? domainKeyProposals(env, c) : { proposals: [], exclusive: false };
    return domain.exclusive ? domain.proposals : [...domain.proposals, ...keyProposals(doc, c)];
  }
  const domain = env ? domainValueProposals(env, c) : { proposals: [], exclusive: false };
  if (domain.exclusive) return domain.proposals;
  let schema = valueProposals(doc, c);
  // A new activity: its snippets get an id that is free in this file.
  if (env && c.path.length === 2 && c.path[0] === 'activities') {
    const id = freeActivityId(env.model);
    schema = schema.map((p) => (p.snippet ? { ...p, insert: p.insert.replace('${1:id}', `\${1:${id}}`) } : p));
  }
  return [...domain.proposals, ...schema];
}

/** The schema's snippets for a whole document of the file's kind. */
function fileSnippets(doc: ParsedDocument): Proposal[] {
  const schema = rootSchema(doc.kind!);
  return (schema.defaultSnippets ?? []).filter((s) => s.body !== undefined).map((s, i) => ({
    label: s.label ?? 'New definition',
    kind: CompletionItemKind.Snippet,
    insert: snippetFromBody(s.body),
    snippet: true,
    detail: s.description,
    sortText: String(i),
    source: 'schema' as const,
  }));
}
