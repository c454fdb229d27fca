/**
 * Code actions: quick fixes keyed on diagnostic codes (see polish/fixes/registry.ts) and the source
 * action `source.sortActivities`. Fixes are computed in offsets on the cached analysis and converted
 * to LSP edits at the end; the sort, whose edit can span a whole 10,000-activity file, is resolved
 * lazily when the client supports it.
 */
import {
  CodeActionKind,
  type ClientCapabilities,
  type CodeAction,
  type CodeActionParams,
  type Diagnostic as LspDiagnostic,
  type ServerCapabilities,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { Diagnostic } from '../../runtime/analysis/diagnostic';
import type { ServerContext } from '../context';
import { linesOf } from '../lines';
import { toLspDiagnostic } from '../lspDiagnostics';
import { toOffset } from '../positions';
import { quickFixes } from './polish/fixes/registry';
import type { FixInput, PlannedFix } from './polish/fixes/types';
import { toTextEdits } from './polish/offsetEdit';
import { planSort, sortEdit } from './polish/sortActivities';
import { eolOf, indentUnitOf } from './polish/textScan';

export const SORT_ACTIVITIES_KIND = 'source.sortActivities';

/**
 * Diagnostics fixed per request. The editor asks on every selection change; a select-all in a file
 * with thousands of problems would otherwise compute thousands of fixes nobody can pick from.
 */
const MAX_FIXED_DIAGNOSTICS = 100;

export function capabilities(client: ClientCapabilities): Partial<ServerCapabilities> {
  const literal = !!client.textDocument?.codeAction?.codeActionLiteralSupport;
  if (!literal) return {};
  return { codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, SORT_ACTIVITIES_KIND], resolveProvider: true } };
}

interface SortData {
  kind: 'sortActivities';
  uri: string;
}

export function register(ctx: ServerContext): void {
  ctx.connection.onCodeAction((params) => codeActions(ctx, params));
  ctx.connection.onCodeActionResolve((action) => resolveCodeAction(ctx, action));
}

function kindMatches(kind: string, only: readonly string[] | undefined): boolean {
  if (!only) return true;
  return only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

export function codeActions(ctx: ServerContext, params: CodeActionParams): CodeAction[] | null {
  const uri = params.textDocument.uri;
  const analysis = ctx.analysisOf(uri);
  const doc = analysis?.doc;
  // Not ours: null, so that other providers (VS Code's JSON support) answer alone.
  if (!analysis || !doc) return null;
  if (doc.model?.kind !== 'orchestration' || !analysis.graph) return [];
  const input: FixInput = {
    doc,
    model: doc.model,
    graph: analysis.graph,
    index: ctx.workspace,
    layout: { unit: ctx.memo(doc, 'polish.indentUnit', () => indentUnitOf(doc.text)), eol: eolOf(doc.text) },
  };
  const only = params.context.only;
  const actions: CodeAction[] = [];
  if (kindMatches(CodeActionKind.QuickFix, only)) {
    const start = toOffset(doc, params.range.start);
    const end = toOffset(doc, params.range.end);
    let fixed = 0;
    for (const diagnostic of analysis.diagnostics) {
      if (diagnostic.offset > end || fixed >= MAX_FIXED_DIAGNOSTICS) break;
      if (diagnostic.offset + diagnostic.length < start) continue;
      const provider = quickFixes[diagnostic.code];
      if (!provider) continue;
      fixed++;
      let fixes: PlannedFix[];
      try {
        fixes = provider(input, diagnostic);
      } catch (e) {
        ctx.log.error(`quick fix for ${diagnostic.code} failed`, e);
        continue;
      }
      const lspDiagnostic = clientDiagnostic(ctx, params, doc, diagnostic);
      for (const fix of fixes) {
        const action = toCodeAction(ctx, uri, doc, fix, lspDiagnostic);
        if (action) actions.push(action);
      }
    }
  }
  // Source actions only when asked for by kind: the automatic requests behind the light bulb do not
  // show them, and ordering a 10,000-activity file on every cursor move would be waste.
  if (only && kindMatches(SORT_ACTIVITIES_KIND, only)) {
    const sort = sortAction(ctx, uri, doc.model, only);
    if (sort) actions.push(sort);
  }
  return actions;
}

/** The diagnostic as the client has it (same code and range), so the editor ties the fix to it. */
function clientDiagnostic(ctx: ServerContext, params: CodeActionParams, doc: FixInput['doc'], diagnostic: Diagnostic): LspDiagnostic {
  const converted = toLspDiagnostic(doc, diagnostic, { docsUrl: (code) => ctx.docsUrl(code), documentOf: (u) => ctx.parsed(u) });
  const { start, end } = converted.range;
  const same = params.context.diagnostics.find((d) => d.code === diagnostic.code
    && d.range.start.line === start.line && d.range.start.character === start.character
    && d.range.end.line === end.line && d.range.end.character === end.character);
  return same ?? converted;
}

function supportsDocumentChanges(ctx: ServerContext): boolean {
  return !!ctx.clientCapabilities.workspace?.workspaceEdit?.documentChanges;
}

function supportsCreate(ctx: ServerContext): boolean {
  const edit = ctx.clientCapabilities.workspace?.workspaceEdit;
  return !!edit?.documentChanges && !!edit.resourceOperations?.includes('create');
}

/** Edits of the open document, versioned when the client takes versioned edits (a stale fix is then refused). */
function documentEdit(ctx: ServerContext, uri: string, edits: TextEdit[]): WorkspaceEdit {
  if (supportsDocumentChanges(ctx)) {
    return { documentChanges: [{ textDocument: { uri, version: ctx.versionOf(uri) ?? null }, edits }] };
  }
  return { changes: { [uri]: edits } };
}

function toCodeAction(ctx: ServerContext, uri: string, doc: FixInput['doc'], fix: PlannedFix, diagnostic: LspDiagnostic): CodeAction | undefined {
  const edits = toTextEdits(linesOf(doc), fix.edits);
  let edit: WorkspaceEdit;
  if (fix.newFile) {
    if (!supportsCreate(ctx)) return undefined;
    edit = {
      documentChanges: [
        { kind: 'create', uri: fix.newFile.uri, options: { overwrite: false, ignoreIfExists: false } },
        { textDocument: { uri: fix.newFile.uri, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: fix.newFile.text }] },
      ],
    };
    if (edits.length) edit.documentChanges!.push({ textDocument: { uri, version: ctx.versionOf(uri) ?? null }, edits });
  } else {
    if (!edits.length) return undefined;
    edit = documentEdit(ctx, uri, edits);
  }
  const action: CodeAction = { title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit };
  if (fix.preferred) action.isPreferred = true;
  return action;
}

function sortAction(ctx: ServerContext, uri: string, model: NonNullable<FixInput['model']>, only: readonly string[]): CodeAction | undefined {
  const title = 'Sort activities in topological order';
  if (!model.activitiesNode || model.activities.length < 2) return undefined;
  const plan = planSort(model);
  const disabledSupport = !!ctx.clientCapabilities.textDocument?.codeAction?.disabledSupport;
  if (plan.kind !== 'reorder') {
    // Say why only when the user asked for this very action (by keybinding or on save).
    if (!disabledSupport || !only.includes(SORT_ACTIVITIES_KIND)) return undefined;
    const reason = plan.kind === 'cycle'
      ? 'The activities have a dependency cycle: there is no topological order until it is removed.'
      : 'The activities are already in topological order.';
    return { title, kind: SORT_ACTIVITIES_KIND, disabled: { reason } };
  }
  const lazy = !!ctx.clientCapabilities.textDocument?.codeAction?.resolveSupport?.properties.includes('edit');
  const action: CodeAction = { title, kind: SORT_ACTIVITIES_KIND };
  if (lazy) {
    const data: SortData = { kind: 'sortActivities', uri };
    action.data = data;
    return action;
  }
  return withSortEdit(ctx, action, uri);
}

function withSortEdit(ctx: ServerContext, action: CodeAction, uri: string): CodeAction | undefined {
  const doc = ctx.parsed(uri);
  const model = doc?.model;
  if (!doc || model?.kind !== 'orchestration' || !model.activitiesNode) return undefined;
  const plan = planSort(model);
  if (plan.kind !== 'reorder') return undefined;
  const edit = sortEdit(doc.text, model.activitiesNode, plan.order);
  if (!edit) return undefined;
  return { ...action, edit: documentEdit(ctx, uri, toTextEdits(linesOf(doc), [edit])) };
}

export function resolveCodeAction(ctx: ServerContext, action: CodeAction): CodeAction {
  const data = action.data as SortData | undefined;
  if (data?.kind !== 'sortActivities' || typeof data.uri !== 'string') return action;
  // Computed on the document as it is now; a versioned edit is refused by the client if it moved on since.
  return withSortEdit(ctx, action, data.uri) ?? action;
}
