/** Builds documents and contexts for the check tests, and finds expected ranges in the text. */
import assert from 'node:assert/strict';
import { ParsedDocument } from '../../../runtime/analysis/document';
import type { ActivityDefinitionCheck, HostsCheck, OrchestrationCheck } from '../../../runtime/analysis/check';
import type { Diagnostic } from '../../../runtime/analysis/diagnostic';
import { buildGraph } from '../../../runtime/graph/graph';
import { WorkspaceIndex } from '../../../runtime/index/workspaceIndex';

export const ORCH_URI = 'file:///w/x.orch.json';

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

export function runOrchestrationCheck(check: OrchestrationCheck, text: string, index?: WorkspaceIndex): Diagnostic[] {
  const doc = new ParsedDocument(ORCH_URI, text);
  const model = doc.model;
  assert.equal(model?.kind, 'orchestration');
  if (model?.kind !== 'orchestration') return [];
  const diagnostics: Diagnostic[] = [];
  check({ doc, index, model, graph: buildGraph(model), report: (d) => diagnostics.push(d) });
  return diagnostics;
}

export function runActivityCheck(check: ActivityDefinitionCheck, uri: string, text: string, index?: WorkspaceIndex): Diagnostic[] {
  const doc = index?.get(uri)?.text === text ? index.get(uri)! : new ParsedDocument(uri, text);
  const model = doc.model;
  assert.equal(model?.kind, 'activity');
  if (model?.kind !== 'activity') return [];
  const diagnostics: Diagnostic[] = [];
  check({ doc, index, model, report: (d) => diagnostics.push(d) });
  return diagnostics;
}

export function runHostsCheck(check: HostsCheck, uri: string, text: string, index?: WorkspaceIndex): Diagnostic[] {
  const doc = new ParsedDocument(uri, text);
  const model = doc.model;
  assert.equal(model?.kind, 'hosts');
  if (model?.kind !== 'hosts') return [];
  const diagnostics: Diagnostic[] = [];
  check({ doc, index, model, report: (d) => diagnostics.push(d) });
  return diagnostics;
}

/** An index holding the given files (uri -> JSON value or text). */
export function workspace(files: Record<string, unknown>): WorkspaceIndex {
  const index = new WorkspaceIndex();
  for (const [uri, content] of Object.entries(files)) index.set(uri, typeof content === 'string' ? content : json(content));
  return index;
}

/** The span of the `nth` occurrence (0-based) of `needle` in `text`. */
export function at(text: string, needle: string, nth = 0): { offset: number; length: number } {
  let offset = -1;
  for (let i = 0; i <= nth; i++) {
    offset = text.indexOf(needle, offset + 1);
    assert.notEqual(offset, -1, `"${needle}" occurrence ${nth} not found`);
  }
  return { offset, length: needle.length };
}

/** The span of `inner` inside the `nth` occurrence of `outer` (e.g. a segment inside a source string). */
export function inside(text: string, outer: string, inner: string, nth = 0): { offset: number; length: number } {
  const o = at(text, outer, nth);
  const i = outer.indexOf(inner);
  assert.notEqual(i, -1, `"${inner}" not in "${outer}"`);
  return { offset: o.offset + i, length: inner.length };
}

export function rangeOf(d: { offset: number; length: number }): { offset: number; length: number } {
  return { offset: d.offset, length: d.length };
}

export function relatedRanges(d: Diagnostic): { file: string; offset: number; length: number }[] {
  return (d.related ?? []).map((r) => ({ file: r.file, offset: r.offset, length: r.length }));
}

/** The span of the object or array that follows `marker` (e.g. `"properties":`), brackets matched. */
export function blockAfter(text: string, marker: string, nth = 0): { offset: number; length: number } {
  const start = at(text, marker, nth).offset + marker.length;
  let open = start;
  while (text[open] !== '{' && text[open] !== '[') open++;
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (inString) { if (c === '\\') i++; else if (c === '"') inString = false; continue; }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && --depth === 0) return { offset: open, length: i + 1 - open };
  }
  throw new Error(`no block after ${marker}`);
}
