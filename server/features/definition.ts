/**
 * Go to definition and go to declaration (the same places here): an id goes to its activity, a type to
 * its ActivityDefinition, a pool to `pools`, a host to the inventory, an input property to the
 * definition's schema, an output path to the type's outputSchema, a target to the type's inputSchema.
 * Answered with LocationLinks when the client takes them, so the whole name under the cursor underlines.
 */
import type { Definition, DefinitionLink, ServerCapabilities, TextDocumentPositionParams } from 'vscode-languageserver';
import { toOffset, toRange, type ServerContext } from '../context';
import { declarationsOf, occurrenceUnder } from '../language/navigation';

export const capabilities: Partial<ServerCapabilities> = {
  definitionProvider: true,
  declarationProvider: true,
};

export function register(ctx: ServerContext): void {
  const handler = (linkSupport: boolean) => (params: TextDocumentPositionParams): Definition | DefinitionLink[] | null => {
    const doc = ctx.parsed(params.textDocument.uri);
    if (!doc) return null;
    const occurrence = occurrenceUnder(ctx, doc, toOffset(doc, params.position));
    if (!occurrence) return null;
    const targets = declarationsOf(ctx, doc, occurrence);
    if (!targets.length) return null;
    if (linkSupport) {
      const origin = toRange(doc, occurrence.span);
      return targets.map((t) => {
        const range = toRange(t.doc, t.span);
        return { originSelectionRange: origin, targetUri: t.doc.uri, targetRange: range, targetSelectionRange: range };
      });
    }
    return targets.map((t) => ({ uri: t.doc.uri, range: toRange(t.doc, t.span) }));
  };
  ctx.connection.onDefinition((params) => handler(!!ctx.clientCapabilities.textDocument?.definition?.linkSupport)(params));
  ctx.connection.onDeclaration((params) => handler(!!ctx.clientCapabilities.textDocument?.declaration?.linkSupport)(params));
}
