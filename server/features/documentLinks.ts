/**
 * Document links: an activity's `type` opens its ActivityDefinition (at the declaration, for files
 * holding several), `config.module` of a node-provider definition opens the module, `$schema` opens
 * the schema, and `knownHostsPath` in the ssh inventory opens that file.
 */
import type { ClientCapabilities, DocumentLink, DocumentLinkParams, ServerCapabilities } from 'vscode-languageserver';
import type { ServerContext } from '../context';
import { innerRange } from '../positions';
import { linkTargets } from './polish/linkTargets';

export function capabilities(_client: ClientCapabilities): Partial<ServerCapabilities> {
  return { documentLinkProvider: { resolveProvider: false } };
}

export function register(ctx: ServerContext): void {
  ctx.connection.onDocumentLinks((params) => documentLinks(ctx, params));
}

export function documentLinks(ctx: ServerContext, params: DocumentLinkParams): DocumentLink[] | null {
  const doc = ctx.parsed(params.textDocument.uri);
  if (!doc) return null;
  return linkTargets(doc, ctx.workspace).map((link) => ({ range: innerRange(doc, link.node), target: link.target, tooltip: link.tooltip }));
}
