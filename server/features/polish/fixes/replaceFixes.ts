/**
 * Fixes that replace a misspelt or clashing name with the one the diagnostic proposes: the
 * did-you-mean suggestions of the checks, and a free id for a duplicate. Only codes whose span is
 * exactly the name (a whole string, or one segment inside a source) are listed here.
 */
import type { Diagnostic } from '../../../../runtime/analysis/diagnostic';
import type { OrchestrationModel } from '../../../../runtime/model/located';
import { replace } from '../offsetEdit';
import { activityContaining, nodeAtSpan } from '../treeLookup';
import { dataString, type FixInput, type FixProvider } from './types';

/** Codes whose span is one segment of a dotted source (or the whole string when escapes hide the segments). */
const SOURCE_SEGMENT_CODES = new Set(['ORCH402', 'ORCH406', 'ORCH408', 'ORCH409']);

/** Replaces the diagnostic's span: a whole string node gets a JSON string, a segment inside one raw text. */
function replaceSpan({ doc }: FixInput, diagnostic: Diagnostic, name: string) {
  const node = nodeAtSpan(doc.parse.root, diagnostic.offset, diagnostic.length);
  if (!node || node.type !== 'string') return undefined;
  const wholeString = node.offset === diagnostic.offset && node.length === diagnostic.length;
  if (wholeString) {
    // Only a one-segment source may be replaced whole without losing its path.
    if (SOURCE_SEGMENT_CODES.has(diagnostic.code) && String(node.value).includes('.')) return undefined;
    return replace(node.offset, node.offset + node.length, JSON.stringify(name));
  }
  // Inside the quotes: the name must not need escaping there.
  if (JSON.stringify(name) !== `"${name}"`) return undefined;
  return replace(diagnostic.offset, diagnostic.offset + diagnostic.length, name);
}

/** Did-you-mean replacements, titled by what is being renamed. */
export function suggestionFix(title: (suggestion: string) => string): FixProvider {
  return (input, diagnostic) => {
    const suggestion = dataString(diagnostic, 'suggestion');
    if (suggestion === undefined) return [];
    const edit = replaceSpan(input, diagnostic, suggestion);
    return edit ? [{ title: title(suggestion), edits: [edit], preferred: true }] : [];
  };
}

/** ORCH201: the duplicate gets `id-2`, `id-3`, ... (the first free one); references keep meaning the first. */
export const duplicateId: FixProvider = (input, diagnostic) => {
  const node = nodeAtSpan(input.doc.parse.root, diagnostic.offset, diagnostic.length);
  if (!node || node.type !== 'string') return [];
  const suggested = dataString(diagnostic, 'suggestion');
  const id = suggested !== undefined && !input.model.byId.has(suggested) ? suggested : freeId(node.value as string, input.model);
  const edit = replaceSpan(input, diagnostic, id);
  return edit ? [{ title: `Rename this activity to '${id}'`, edits: [edit], preferred: true }] : [];
};

export function freeId(id: string, model: OrchestrationModel): string {
  const base = id.replace(/-\d+$/, '');
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!model.byId.has(candidate)) return candidate;
  }
}

/**
 * ORCH404: a target the type does not know. An explicit target (or forEach's `as`) is renamed; a
 * shorthand input, whose target is the last segment of its source, becomes `{ source, target }` so
 * that what it reads does not change.
 */
export const unknownTarget: FixProvider = ({ doc, model }, diagnostic) => {
  const suggestion = dataString(diagnostic, 'suggestion');
  if (suggestion === undefined) return [];
  const node = nodeAtSpan(doc.parse.root, diagnostic.offset, diagnostic.length);
  const activity = activityContaining(model, node);
  if (!node || node.type !== 'string' || !activity) return [];
  const title = `Change the target to '${suggestion}'`;
  const input = activity.inputs.find((i) => i.targetNode === node);
  if (input?.kind === 'shorthand' || (input?.kind === 'source' && input.source?.node === node)) {
    const raw = doc.text.slice(node.offset, node.offset + node.length);
    const target = input.node.type === 'object' ? input.node : node;
    const replacement = `{ "source": ${raw}, "target": ${JSON.stringify(suggestion)} }`;
    if (target === node) return [{ title, edits: [replace(node.offset, node.offset + node.length, replacement)], preferred: true }];
    // An object input without a target: add one after its source.
    const end = node.offset + node.length;
    return [{ title, edits: [replace(end, end, `, "target": ${JSON.stringify(suggestion)}`)], preferred: true }];
  }
  return [{ title: input ? title : `Rename the forEach item to '${suggestion}'`, edits: [replace(node.offset, node.offset + node.length, JSON.stringify(suggestion))], preferred: true }];
};
