/**
 * Selection ranges (expand/shrink selection) from the syntax tree: inside a string first the dotted
 * segment under the cursor (`ingress` in `ingress.endpoint`), then the string's content, the string,
 * its property (key and value), the enclosing object, its property, and so on up to the document.
 */
import type { ClientCapabilities, SelectionRange, SelectionRangeParams, ServerCapabilities } from 'vscode-languageserver';
import type { ParsedDocument } from '../../runtime/analysis/document';
import { nodeAtOffset, type JsonNode, type Span } from '../../runtime/json/node';
import type { ServerContext } from '../context';
import { toOffset, toRange } from '../positions';

export function capabilities(_client: ClientCapabilities): Partial<ServerCapabilities> {
  return { selectionRangeProvider: true };
}

export function register(ctx: ServerContext): void {
  ctx.connection.onSelectionRanges((params) => selectionRanges(ctx, params));
}

export function selectionRanges(ctx: ServerContext, params: SelectionRangeParams): SelectionRange[] | null {
  const doc = ctx.parsed(params.textDocument.uri);
  if (!doc) return null;
  return params.positions.map((position) => {
    const offset = toOffset(doc, position);
    return chain(doc, spansAt(doc, offset)) ?? { range: { start: position, end: position } };
  });
}

/** The spans around `offset`, innermost first, each strictly containing the one before. */
export function spansAt(doc: ParsedDocument, offset: number): Span[] {
  const spans: Span[] = [];
  const push = (span: Span) => {
    const last = spans[spans.length - 1];
    if (last && span.offset === last.offset && span.length === last.length) return;
    if (last && !(span.offset <= last.offset && span.offset + span.length >= last.offset + last.length)) return;
    spans.push(span);
  };
  const node = nodeAtOffset(doc.parse.root, offset);
  if (!node) return spans;
  if (node.type === 'string' && offset > node.offset && offset < node.offset + node.length) {
    const value = node.value as string;
    // Raw text equal to the value (no escapes): characters map one to one onto the segments.
    if (node.length === value.length + 2 && value.includes('.') && !/\s/.test(value)) {
      const within = offset - node.offset - 1;
      let start = 0;
      for (const segment of value.split('.')) {
        if (within >= start && within <= start + segment.length && segment.length) {
          push({ offset: node.offset + 1 + start, length: segment.length });
          break;
        }
        start += segment.length + 1;
      }
    }
    push({ offset: node.offset + 1, length: node.length - 2 });
  }
  for (let current: JsonNode | undefined = node; current; current = current.parent) push({ offset: current.offset, length: current.length });
  return spans;
}

function chain(doc: ParsedDocument, spans: Span[]): SelectionRange | undefined {
  let parent: SelectionRange | undefined;
  for (let i = spans.length - 1; i >= 0; i--) parent = { range: toRange(doc, spans[i]), parent };
  return parent;
}
