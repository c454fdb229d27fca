/**
 * Rename: an activity id everywhere in its file (its declaration, dependsOn, the first segment of input
 * sources, forEach.items and output sources), a pool in its file (declaration and acquires), an activity
 * type across the workspace (its ActivityDefinition and every activity using it, open or not). Refused
 * with a reason: a name that is not valid for what is renamed, a name already taken, a place that names
 * nothing renamable.
 */
import {
  ErrorCodes,
  ResponseError,
  type OptionalVersionedTextDocumentIdentifier,
  type PrepareRenameResult,
  type ServerCapabilities,
  type TextDocumentEdit,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { ParsedDocument } from '../../runtime/analysis/document';
import { ACTIVITY_ID_PATTERN } from '../../runtime/model/types';
import { toOffset, toRange, type ServerContext } from '../context';
import { occurrenceUnder, referencesOf } from '../language/navigation';
import type { Occurrence } from '../language/occurrences';
import { baseName } from '../uris';

export const capabilities: Partial<ServerCapabilities> = { renameProvider: { prepareProvider: true } };

const RENAMABLE = 'Only activity ids, activity types and pools can be renamed; put the cursor on one.';

export function register(ctx: ServerContext): void {
  ctx.connection.onPrepareRename((params): PrepareRenameResult | null => {
    const doc = ctx.parsed(params.textDocument.uri);
    if (!doc) return null;
    const occurrence = renamableAt(ctx, doc, toOffset(doc, params.position));
    return { range: toRange(doc, occurrence.span), placeholder: occurrence.name };
  });

  ctx.connection.onRenameRequest((params): WorkspaceEdit | null => {
    const doc = ctx.parsed(params.textDocument.uri);
    if (!doc) return null;
    const occurrence = renamableAt(ctx, doc, toOffset(doc, params.position));
    const newName = params.newName;
    if (newName === occurrence.name) return { documentChanges: [] };
    refuseInvalid(ctx, doc, occurrence, newName);
    const edits = new Map<ParsedDocument, TextEdit[]>();
    for (const { doc: file, occurrence: o } of referencesOf(ctx, doc, occurrence, true)) {
      let list = edits.get(file);
      if (!list) edits.set(file, (list = []));
      list.push(editFor(file, o, newName));
    }
    return toWorkspaceEdit(ctx, edits);
  });
}

function renamableAt(ctx: ServerContext, doc: ParsedDocument, offset: number): Occurrence {
  const occurrence = occurrenceUnder(ctx, doc, offset);
  if (!occurrence || (occurrence.kind !== 'activity' && occurrence.kind !== 'type' && occurrence.kind !== 'pool')) {
    throw new ResponseError(ErrorCodes.InvalidRequest, RENAMABLE);
  }
  if (occurrence.kind === 'activity' && doc.model?.kind === 'orchestration' && !doc.model.byId.has(occurrence.name)) {
    throw new ResponseError(ErrorCodes.InvalidRequest, `No activity of this file has the id '${occurrence.name}': fix the reference instead.`);
  }
  return occurrence;
}

function refuseInvalid(ctx: ServerContext, doc: ParsedDocument, occurrence: Occurrence, newName: string): void {
  const refuse = (message: string): never => { throw new ResponseError(ErrorCodes.InvalidParams, message); };
  const model = doc.model;
  switch (occurrence.kind) {
    case 'activity':
      if (!ACTIVITY_ID_PATTERN.test(newName)) refuse(`'${newName}' is not a valid activity id: use letters, digits, _ and -, not starting with a digit or -.`);
      if (model?.kind === 'orchestration' && model.byId.has(newName)) refuse(`An activity with the id '${newName}' already exists in this file.`);
      // A source's first segment would start naming the activity instead of an input property.
      if (model?.kind === 'orchestration' && (newName in model.inputDefaults || schemaListsProperty(model.schema, newName))) {
        refuse(`'${newName}' is an input property of this definition: sources named '${newName}' would start reading the activity.`);
      }
      break;
    case 'pool':
      if (!newName.trim()) refuse('A pool name cannot be empty.');
      if (model?.kind === 'orchestration' && model.pools.some((p) => p.name === newName)) refuse(`A pool named '${newName}' already exists.`);
      break;
    case 'type': {
      if (!newName.trim()) refuse('An activity type cannot be empty.');
      if (newName !== newName.trim()) refuse('An activity type cannot start or end with spaces.');
      const existing = ctx.workspace.declarationsOf(newName);
      if (existing.length) refuse(`The activity type '${newName}' is already defined in ${baseName(existing[0].doc.uri)}.`);
      break;
    }
  }
}

function schemaListsProperty(schema: unknown, name: string): boolean {
  if (!schema || typeof schema !== 'object') return false;
  const props = (schema as Record<string, unknown>).properties;
  return !!props && typeof props === 'object' && Object.prototype.hasOwnProperty.call(props, name);
}

/**
 * The edit for one occurrence: just the name's characters when the literal spells them plainly (ids,
 * the first segment of a source), else the whole string literal re-written as JSON.
 */
function editFor(doc: ParsedDocument, o: Occurrence, newName: string): TextEdit {
  const spelled = doc.text.slice(o.span.offset, o.span.offset + o.span.length);
  const plain = JSON.stringify(newName).slice(1, -1);
  if (spelled === o.name) {
    return { range: toRange(doc, o.span), newText: plain };
  }
  // Escapes in the literal (or a source whose spelling differs): rewrite the literal from its value.
  if (o.source) {
    const rest = o.source.segments.slice(1);
    return { range: toRange(doc, o.node), newText: JSON.stringify([newName, ...rest].join('.')) };
  }
  return { range: toRange(doc, o.node), newText: JSON.stringify(newName) };
}

/** documentChanges (versioned for open documents) when the client takes them, else `changes`. */
function toWorkspaceEdit(ctx: ServerContext, edits: Map<ParsedDocument, TextEdit[]>): WorkspaceEdit {
  if (ctx.clientCapabilities.workspace?.workspaceEdit?.documentChanges) {
    const documentChanges: TextDocumentEdit[] = [];
    for (const [doc, list] of edits) {
      const textDocument: OptionalVersionedTextDocumentIdentifier = { uri: doc.uri, version: ctx.versionOf(doc.uri) ?? null };
      documentChanges.push({ textDocument, edits: list });
    }
    return { documentChanges };
  }
  const changes: Record<string, TextEdit[]> = {};
  for (const [doc, list] of edits) changes[doc.uri] = list;
  return { changes };
}
