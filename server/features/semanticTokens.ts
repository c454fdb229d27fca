/**
 * Semantic tokens (full, delta and range) for ids, types, sources, pools and hosts; see
 * polish/tokens.ts for what is coloured how. The legend uses standard token types so that themes
 * colour them without extra configuration.
 */
import {
  SemanticTokensBuilder,
  type ClientCapabilities,
  type SemanticTokens,
  type SemanticTokensDelta,
  type SemanticTokensDeltaParams,
  type SemanticTokensLegend,
  type SemanticTokensParams,
  type SemanticTokensRangeParams,
  type ServerCapabilities,
} from 'vscode-languageserver';
import type { ParsedDocument } from '../../runtime/analysis/document';
import type { ServerContext } from '../context';
import { linesOf } from '../lines';
import { toOffset } from '../positions';
import { collectTokens, TOKEN_MODIFIERS, TOKEN_TYPES } from './polish/tokens';

export const legend: SemanticTokensLegend = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };

export function capabilities(_client: ClientCapabilities): Partial<ServerCapabilities> {
  return { semanticTokensProvider: { legend, full: { delta: true }, range: true } };
}

export function register(ctx: ServerContext): void {
  // One builder per document: it keeps the last result so that the next request can answer with edits.
  const builders = new Map<string, SemanticTokensBuilder>();
  const builderFor = (uri: string) => {
    let builder = builders.get(uri);
    if (!builder) builders.set(uri, (builder = new SemanticTokensBuilder()));
    return builder;
  };
  ctx.onDidClose((uri) => builders.delete(uri));
  const languages = ctx.connection.languages.semanticTokens;
  languages.on((params: SemanticTokensParams): SemanticTokens | null => {
    const doc = ctx.parsed(params.textDocument.uri);
    if (!doc) return null;
    const builder = builderFor(doc.uri);
    // A fresh full result: forget the previous one.
    builder.previousResult('');
    push(doc, builder);
    return builder.build();
  });
  languages.onDelta((params: SemanticTokensDeltaParams): SemanticTokens | SemanticTokensDelta | null => {
    const doc = ctx.parsed(params.textDocument.uri);
    if (!doc) return null;
    const builder = builderFor(doc.uri);
    builder.previousResult(params.previousResultId);
    push(doc, builder);
    return builder.buildEdits();
  });
  languages.onRange((params: SemanticTokensRangeParams): SemanticTokens | null => {
    const doc = ctx.parsed(params.textDocument.uri);
    if (!doc) return null;
    const builder = new SemanticTokensBuilder();
    push(doc, builder, toOffset(doc, params.range.start), toOffset(doc, params.range.end));
    return builder.build();
  });
}

/** Tokens in document order (the builder sorts them if a document lists them out of order). */
export function push(doc: ParsedDocument, builder: SemanticTokensBuilder, from?: number, to?: number): void {
  const lines = linesOf(doc);
  collectTokens(doc, (offset, length, type, modifiers) => {
    const { line, character } = lines.positionAt(offset);
    builder.push(line, character, length, type, modifiers);
  }, from, to);
}
