/**
 * Proposals from our JSON Schemas: property names (with their docs, required ones first, a value
 * skeleton after the colon) and values (enums with their descriptions, constants, defaults, examples,
 * booleans, the schemas' snippets).
 */
import type { ParsedDocument } from '../../../runtime/analysis/document';
import { nodeAtPath } from '../../../runtime/json/node';
import type { KeyContext, ValueContext } from '../cursor';
import { docsOf, escapeMarkdown, expand, propertiesOf, rootSchema, schemasAt, type Schema } from '../schemas';
import { CompletionItemKind, escapeSnippet, type Proposal } from './proposal';
import { snippetFromBody, valueSkeleton } from './snippets';

/** The schemas at a path, deciding alternatives by the document's current values. */
export function schemasAtPath(doc: ParsedDocument, path: readonly (string | number)[]): Schema[] {
  if (!doc.kind) return [];
  const root = doc.parse.root;
  return schemasAt(doc.kind, path, (depth) => nodeAtPath(root, path.slice(0, depth))?.value).map((a) => a.schema);
}

export function keyProposals(doc: ParsedDocument, c: KeyContext): Proposal[] {
  const schemas = schemasAtPath(doc, c.path);
  const existing = new Set<string>();
  for (const prop of c.object.children ?? []) {
    const key = prop.children?.[0];
    if (key && key !== c.keyNode && typeof key.value === 'string') existing.add(key.value);
  }
  const out: Proposal[] = [];
  let order = 0;
  for (const [name, { schemas: propSchemas, required }] of propertiesOf(schemas)) {
    order++;
    if (existing.has(name)) continue;
    const expanded = propSchemas.flatMap((s) => expand(s, rootSchema(doc.kind!)));
    if (expanded.some((s) => s.doNotSuggest)) continue;
    const key = JSON.stringify(name);
    const insert = c.hasColon ? key : `${escapeSnippet(key)}: ${valueSkeleton(expanded)}${c.needsComma ? ',' : ''}`;
    out.push({
      label: name,
      kind: CompletionItemKind.Property,
      insert,
      snippet: !c.hasColon,
      detail: required ? 'required' : undefined,
      documentation: docsOf(expanded),
      sortText: `${required ? '0' : '1'}${String(order).padStart(4, '0')}`,
      source: 'schema',
    });
  }
  return out;
}

export function valueProposals(doc: ParsedDocument, c: ValueContext, schemas: readonly Schema[] = schemasAtPath(doc, c.path)): Proposal[] {
  const out: Proposal[] = [];
  const comma = c.needsComma ? ',' : '';
  const add = (value: unknown, documentation: string | undefined, detail?: string) => {
    const text = JSON.stringify(value);
    if (text === undefined) return;
    out.push({
      label: typeof value === 'string' ? value : text,
      kind: typeof value === 'boolean' || value === null ? CompletionItemKind.Keyword : CompletionItemKind.EnumMember,
      insert: text + comma,
      documentation,
      detail,
      source: 'schema',
    });
  };
  let hasSnippet = false;
  const types = new Set<string>();
  for (const s of schemas) {
    if (s.enum) {
      s.enum.forEach((value, i) => {
        const doc = s.markdownEnumDescriptions?.[i] ?? (s.enumDescriptions?.[i] !== undefined ? escapeMarkdown(s.enumDescriptions[i]) : undefined);
        add(value, doc, JSON.stringify(value) === JSON.stringify(s.default) ? 'default' : undefined);
      });
    }
    if (s.const !== undefined) add(s.const, docsOf([s]));
    if (s.default !== undefined && !s.enum) add(s.default, docsOf([s]), 'default');
    for (const example of s.examples ?? []) if (example === null || typeof example !== 'object') add(example, docsOf([s]), 'example');
    for (const snippet of s.defaultSnippets ?? []) {
      if (snippet.body === undefined && snippet.bodyText === undefined) continue;
      hasSnippet = true;
      const body = snippet.bodyText ?? snippetFromBody(snippet.body);
      out.push({
        label: snippet.label ?? body.replace(/\s+/g, ' ').slice(0, 40),
        kind: CompletionItemKind.Snippet,
        insert: body + comma,
        snippet: true,
        documentation: snippet.markdownDescription ?? (snippet.description !== undefined ? escapeMarkdown(snippet.description) : undefined),
        detail: snippet.description,
        sortText: '2',
        source: 'schema',
      });
    }
    for (const t of Array.isArray(s.type) ? s.type : s.type ? [s.type] : []) types.add(t);
  }
  if (types.has('boolean')) { add(true, undefined); add(false, undefined); }
  if (types.has('null')) add(null, undefined);
  // An empty container to start from, where no snippet shows a better start.
  if (!hasSnippet && !c.inString) {
    if (types.has('object')) out.push({ label: '{}', kind: CompletionItemKind.Module, insert: `{$1}${comma}`, snippet: true, sortText: '3', source: 'schema' });
    if (types.has('array')) out.push({ label: '[]', kind: CompletionItemKind.Module, insert: `[$1]${comma}`, snippet: true, sortText: '3', source: 'schema' });
  }
  return out;
}
