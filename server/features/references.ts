/**
 * Find references: every use of an activity id in its file (dependsOn, input sources, forEach.items,
 * output), of a type across the workspace, of a pool, of a host across the workspace, of an input
 * property, of an activity's output path. The declaration comes first when it is asked for.
 */
import type { Location, ServerCapabilities } from 'vscode-languageserver';
import { toLocation, toOffset, type ServerContext } from '../context';
import { occurrenceUnder, referencesOf } from '../language/navigation';

export const capabilities: Partial<ServerCapabilities> = { referencesProvider: true };

export function register(ctx: ServerContext): void {
  ctx.connection.onReferences((params): Location[] | null => {
    const doc = ctx.parsed(params.textDocument.uri);
    if (!doc) return null;
    const occurrence = occurrenceUnder(ctx, doc, toOffset(doc, params.position));
    if (!occurrence) return null;
    const found = referencesOf(ctx, doc, occurrence, params.context.includeDeclaration);
    // Declarations first, then by file and position: the order a reader expects.
    found.sort((a, b) =>
      Number(b.occurrence.role === 'declaration') - Number(a.occurrence.role === 'declaration') ||
      (a.doc.uri < b.doc.uri ? -1 : a.doc.uri > b.doc.uri ? 1 : 0) ||
      a.occurrence.span.offset - b.occurrence.span.offset);
    return found.map((f) => toLocation(f.doc, f.occurrence.span));
  });
}
