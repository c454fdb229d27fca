/**
 * Document and range formatting with jsonc-parser's formatter (comments kept), honouring the
 * editor's options: tabSize, insertSpaces, insertFinalNewline, trimFinalNewlines (and keepLines
 * when the client passes it, as VS Code's `json.format.keepLines` does). The end of the file is
 * handled here, since jsonc-parser only knows "ensure one newline" or "remove them all".
 */
import { format, type EditResult } from 'jsonc-parser';
import type {
  ClientCapabilities,
  DocumentFormattingParams,
  DocumentRangeFormattingParams,
  FormattingOptions,
  ServerCapabilities,
  TextEdit,
} from 'vscode-languageserver';
import type { ParsedDocument } from '../../runtime/analysis/document';
import type { ServerContext } from '../context';
import { linesOf } from '../lines';
import { toOffset } from '../positions';
import { toTextEdits, type OffsetEdit } from './polish/offsetEdit';
import { eolOf } from './polish/textScan';

export function capabilities(_client: ClientCapabilities): Partial<ServerCapabilities> {
  return { documentFormattingProvider: true, documentRangeFormattingProvider: true };
}

export function register(ctx: ServerContext): void {
  ctx.connection.onDocumentFormatting((params) => formatDocument(ctx, params));
  ctx.connection.onDocumentRangeFormatting((params) => formatRange(ctx, params));
}

export function formatDocument(ctx: ServerContext, params: DocumentFormattingParams): TextEdit[] | null {
  const doc = ctx.parsed(params.textDocument.uri);
  return doc ? toTextEdits(linesOf(doc), formattingEdits(doc.text, params.options)) : null;
}

export function formatRange(ctx: ServerContext, params: DocumentRangeFormattingParams): TextEdit[] | null {
  const doc: ParsedDocument | undefined = ctx.parsed(params.textDocument.uri);
  if (!doc) return null;
  const start = toOffset(doc, params.range.start);
  const end = toOffset(doc, params.range.end);
  return toTextEdits(linesOf(doc), formattingEdits(doc.text, params.options, { offset: start, length: end - start }));
}

/** The end of the last thing in the text that is not whitespace (content or comment). */
function contentEnd(text: string): number {
  let end = text.length;
  while (end > 0) {
    const c = text.charCodeAt(end - 1);
    if (c === 32 || c === 9 || c === 10 || c === 13) end--;
    else break;
  }
  return end;
}

export function formattingEdits(text: string, options: FormattingOptions, range?: { offset: number; length: number }): OffsetEdit[] {
  const end = contentEnd(text);
  if (end === 0) return [];
  const eol = eolOf(text);
  const tabSize = Number.isInteger(options.tabSize) && options.tabSize > 0 ? options.tabSize : 4;
  const edits: EditResult = format(text, range, {
    tabSize,
    insertSpaces: options.insertSpaces !== false,
    eol,
    insertFinalNewline: false,
    keepLines: options.keepLines === true,
  });
  const out: OffsetEdit[] = [];
  for (const e of edits) {
    // What follows the content is decided below (document formatting) or left alone (a range).
    if (e.offset >= end) continue;
    out.push({ offset: e.offset, length: Math.min(e.length, end - e.offset), newText: e.content });
  }
  if (!range) {
    const tail = text.slice(end);
    let lines = tail.split('\n').length - 1;
    if (options.trimFinalNewlines && lines > 1) lines = 1;
    if (options.insertFinalNewline && lines === 0) lines = 1;
    const wanted = eol.repeat(lines);
    if (tail !== wanted) out.push({ offset: end, length: text.length - end, newText: wanted });
  }
  return out;
}
