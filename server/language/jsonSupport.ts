/**
 * Whether the client's JSON support (VS Code's JSON extension) already offers schema-only completion and
 * hover for a document: it has our schemas for files matched by name through `contributes.jsonValidation`,
 * and the client says it runs (initializationOptions.jsonSchemaSupport). Files recognised only by their
 * `$schema` get everything from us: whether the JSON extension could load that URL is unknown.
 */
import type { ParsedDocument } from '../../runtime/analysis/document';
import { isDefinitionFile } from '../../runtime/index/scan';
import type { ServerContext } from '../context';
import { baseName } from '../uris';

export function jsonSchemaSupportFor(ctx: ServerContext, doc: ParsedDocument): boolean {
  return !!ctx.initializationOptions.jsonSchemaSupport && isDefinitionFile(baseName(doc.uri));
}
