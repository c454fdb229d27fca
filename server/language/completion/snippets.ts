/**
 * Snippet text from the schemas' `defaultSnippets` bodies and value skeletons from property schemas,
 * following the conventions VS Code's JSON support established (and our schemas use): strings in a
 * body are snippet text (`${1:name}` placeholders), a string starting with `^` is inserted without
 * quotes (`"^${1:3}"` becomes a number placeholder).
 */
import type { Schema } from '../schemas';
import { escapeSnippet } from './proposal';

/** A defaultSnippets body as snippet text, indented with tabs (the editor re-indents snippets). */
export function snippetFromBody(body: unknown, indent = ''): string {
  if (typeof body === 'string') return body.startsWith('^') ? body.slice(1) : `"${escapeStringKeepingPlaceholders(body)}"`;
  if (body === null || typeof body !== 'object') return escapeSnippet(JSON.stringify(body) ?? 'null');
  const inner = indent + '\t';
  if (Array.isArray(body)) {
    if (!body.length) return '[]';
    return `[\n${body.map((item) => inner + snippetFromBody(item, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(body as Record<string, unknown>);
  if (!entries.length) return '{}';
  return `{\n${entries.map(([key, value]) => `${inner}"${escapeStringKeepingPlaceholders(key)}": ${snippetFromBody(value, inner)}`).join(',\n')}\n${indent}}`;
}

/**
 * JSON string escaping inside snippet text, leaving `$` placeholders alone (they are the snippet): a
 * backslash is `\\` in JSON and each of those is `\\` in a snippet; `\"` needs no snippet escape.
 */
function escapeStringKeepingPlaceholders(text: string): string {
  return text.replace(/\\/g, '\\\\\\\\').replace(/"/g, '\\"');
}

/** A placeholder skeleton for the value of a property, from its (expanded) schemas. */
export function valueSkeleton(schemas: readonly Schema[]): string {
  const snippets = schemas.flatMap((s) => s.defaultSnippets ?? []).filter((s) => s.body !== undefined);
  if (snippets.length === 1) return snippetFromBody(snippets[0].body);
  for (const s of schemas) {
    if (s.const !== undefined) return escapeSnippet(JSON.stringify(s.const));
  }
  for (const s of schemas) {
    if (Array.isArray(s.enum) && s.enum.length) {
      const allStrings = s.enum.every((e) => typeof e === 'string');
      const ordered = s.default !== undefined ? [s.default, ...s.enum.filter((e) => JSON.stringify(e) !== JSON.stringify(s.default))] : s.enum;
      const choices = ordered.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)).replace(/[,|\\$}]/g, '\\$&')).join(',');
      return allStrings ? `"\${1|${choices}|}"` : `\${1|${choices}|}`;
    }
  }
  for (const s of schemas) {
    if (s.default !== undefined) {
      const d = s.default;
      if (typeof d === 'string') return `"\${1:${escapeSnippet(d)}}"`;
      if (typeof d === 'number' || typeof d === 'boolean') return `\${1:${d}}`;
    }
  }
  const types = new Set<string>();
  for (const s of schemas) for (const t of Array.isArray(s.type) ? s.type : s.type ? [s.type] : []) types.add(t);
  if (types.has('array')) return '[$1]';
  if (types.has('object')) return '{$1}';
  if (types.has('string')) return '"$1"';
  if (types.has('boolean')) return '${1|true,false|}';
  if (types.has('integer') || types.has('number')) return '${1:0}';
  if (types.has('null')) return 'null';
  return '$1';
}
