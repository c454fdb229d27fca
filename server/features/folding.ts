/**
 * Folding ranges from the syntax tree: every object and array spanning lines, block comments and runs
 * of line comments, `// #region` markers. An activity fold shows what it hides (`{ build: shell.run }`)
 * where the client supports collapsed text.
 */
import {
  FoldingRangeKind,
  type ClientCapabilities,
  type FoldingRange,
  type FoldingRangeParams,
  type ServerCapabilities,
} from 'vscode-languageserver';
import type { ParsedDocument } from '../../runtime/analysis/document';
import type { ServerContext } from '../context';
import { foldingRanges } from './polish/foldingRanges';

export function capabilities(_client: ClientCapabilities): Partial<ServerCapabilities> {
  return { foldingRangeProvider: true };
}

export function register(ctx: ServerContext): void {
  ctx.connection.onFoldingRanges((params) => folding(ctx, params));
}

export function folding(ctx: ServerContext, params: FoldingRangeParams): FoldingRange[] | null {
  const doc: ParsedDocument | undefined = ctx.parsed(params.textDocument.uri);
  if (!doc) return null;
  const client = ctx.clientCapabilities.textDocument?.foldingRange;
  return ctx.memo(doc, 'polish.folding', () => foldingRanges(doc, {
    rangeLimit: client?.rangeLimit,
    lineFoldingOnly: client?.lineFoldingOnly ?? false,
    collapsedText: client?.foldingRange?.collapsedText ?? false,
    kinds: { comment: FoldingRangeKind.Comment, region: FoldingRangeKind.Region },
  }));
}
