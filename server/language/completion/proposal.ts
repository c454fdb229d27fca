/**
 * A completion proposal before it becomes an LSP CompletionItem: the text that replaces the context's
 * span, and whether that text is a snippet. One shape for schema-driven and domain proposals, so the
 * conversion (item defaults, filter text, edits) is done once.
 */
import {
  CompletionItemKind,
  InsertTextFormat,
  type ClientCapabilities,
  type CompletionItem,
  type CompletionList,
  type Range,
} from 'vscode-languageserver';

/** Where a proposal comes from: `schema` ones are what a JSON-schema service would also offer. */
export type ProposalSource = 'schema' | 'orch';

export interface Proposal {
  label: string;
  kind: CompletionItemKind;
  /** The text replacing the span (snippet syntax when `snippet`). */
  insert: string;
  snippet?: boolean;
  detail?: string;
  /** Markdown. */
  documentation?: string;
  sortText?: string;
  /** Documentation computed on completionItem/resolve, for the thing the label names. */
  resolve?: 'activity' | 'type';
  source: ProposalSource;
  preselect?: boolean;
}

export interface ListOptions {
  uri: string;
  /** The whole token at the cursor (a string literal with its quotes, or a bare word). */
  range: Range;
  /** The replaced text starts with a quote: filter on the quoted form. */
  quoted: boolean;
  /**
   * When the cursor is inside a string literal: the range between its quotes, and whether the literal
   * is closed. String proposals then replace only the content, which needs neither a filter text nor
   * (usually) an edit text: on a 10,000-id list that is most of the bytes.
   */
  inner?: { range: Range; closed: boolean };
  capabilities: ClientCapabilities;
}

/** A proposal whose text is one JSON string literal: its content (still JSON- and snippet-escaped). */
function stringContent(p: Proposal): string | undefined {
  const text = p.insert;
  if (text.length < 2 || text[0] !== '"' || text[text.length - 1] !== '"') return undefined;
  // Exactly one literal: the closing quote is the first unescaped one after the opening.
  for (let i = 1; i < text.length - 1; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return undefined;
  }
  return text.slice(1, -1);
}

/** Proposals -> CompletionList, with the shared edit range and data as list defaults when the client takes them. */
export function toCompletionList(proposals: readonly Proposal[], options: ListOptions): CompletionList {
  const completion = options.capabilities.textDocument?.completion;
  const defaults = completion?.completionList?.itemDefaults ?? [];
  const useRangeDefault = defaults.includes('editRange');
  const useDataDefault = defaults.includes('data');
  const seen = new Set<string>();
  const items: CompletionItem[] = [];
  const inner = options.inner;
  const defaultRange = inner ? inner.range : options.range;
  // Data every item shares goes to the list's defaults.
  const shared = proposals.length > 0 && proposals.every((p) => p.source === proposals[0].source && p.resolve === proposals[0].resolve);
  for (const p of proposals) {
    const key = `${p.label}\u0000${p.insert}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const item: CompletionItem = { label: p.label, kind: p.kind };
    if (p.detail) item.detail = p.detail;
    if (p.documentation) item.documentation = { kind: 'markdown', value: p.documentation };
    if (p.sortText) item.sortText = p.sortText;
    if (p.preselect) item.preselect = true;
    if (p.snippet) item.insertTextFormat = InsertTextFormat.Snippet;
    const content = inner ? stringContent(p) : undefined;
    let range: Range;
    let newText: string;
    if (inner && content !== undefined) {
      range = inner.range;
      newText = inner.closed ? content : content + '"';
    } else {
      range = options.range;
      newText = p.insert;
      const filter = filterTextOf(p, options.quoted);
      if (filter !== p.label) item.filterText = filter;
    }
    if (useRangeDefault && range === defaultRange) {
      if (newText !== p.label) item.textEditText = newText;
    } else {
      item.textEdit = { range, newText };
    }
    const data: Record<string, unknown> = { from: p.source };
    if (p.resolve) data.resolve = p.resolve;
    // An item's own data replaces the list's default: it must carry the URI itself.
    if (!(shared && useDataDefault)) item.data = { ...data, uri: options.uri };
    items.push(item);
  }
  const list: CompletionList = { isIncomplete: false, items };
  if (useRangeDefault) list.itemDefaults = { editRange: defaultRange };
  if (useDataDefault) {
    list.itemDefaults ??= {};
    list.itemDefaults.data = shared ? { uri: options.uri, from: proposals[0].source, ...(proposals[0].resolve ? { resolve: proposals[0].resolve } : {}) } : { uri: options.uri };
  }
  return list;
}

/**
 * VS Code filters on the text from the start of the edit range to the cursor. When that starts with a
 * quote, the filter text must too; for `"key": value` proposals, the key alone is what is typed.
 */
function filterTextOf(p: Proposal, quoted: boolean): string {
  if (!quoted) return p.label;
  if (p.insert.startsWith('"')) {
    const end = p.insert.indexOf('"', 1);
    if (!p.snippet) return p.insert.startsWith('"') && p.insert.endsWith('"') ? p.insert : p.insert.slice(0, end + 1);
    return end > 0 ? unescapeSnippet(p.insert.slice(0, end + 1)) : `"${p.label}"`;
  }
  return `"${p.label}`;
}

function unescapeSnippet(text: string): string {
  return text.replace(/\\([\\$}])/g, '$1');
}

/** Escapes text to appear literally inside a snippet. */
export function escapeSnippet(text: string): string {
  return text.replace(/[\\$}]/g, '\\$&');
}

export { CompletionItemKind };
