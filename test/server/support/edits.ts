/** Applying LSP edits to text, as an editor would, so tests check the resulting text rather than the edit. */
import type { AnnotatedTextEdit, SnippetTextEdit, TextDocumentEdit, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';

/** Applies non-overlapping edits (ranges in the original text). */
export function applyTextEdits(text: string, edits: readonly (TextEdit | AnnotatedTextEdit | SnippetTextEdit)[]): string {
  const doc = TextDocument.create('untitled:edit', 'json', 0, text);
  // A snippet edit inserts its snippet's text; tests compare with the placeholders as written.
  const plain = edits.map((e) => ('snippet' in e ? { range: e.range, newText: e.snippet.value } : e));
  return TextDocument.applyEdits(doc, plain);
}

/**
 * The new text of every file a WorkspaceEdit touches. `read` gives the current text of a URI (undefined
 * when the file does not exist). Created files start empty; deleted files are left out.
 */
export function applyWorkspaceEdit(edit: WorkspaceEdit, read: (uri: string) => string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const current = (uri: string): string => {
    if (out.has(uri)) return out.get(uri)!;
    const text = read(uri);
    if (text === undefined) throw new Error(`the edit changes ${uri}, which does not exist`);
    return text;
  };
  if (edit.documentChanges) {
    for (const change of edit.documentChanges) {
      if ('kind' in change) {
        if (change.kind === 'create') out.set(change.uri, '');
        else if (change.kind === 'delete') out.delete(change.uri);
        else if (change.kind === 'rename') { out.set(change.newUri, current(change.oldUri)); out.delete(change.oldUri); }
        continue;
      }
      const textEdit = change as TextDocumentEdit;
      out.set(textEdit.textDocument.uri, applyTextEdits(current(textEdit.textDocument.uri), textEdit.edits));
    }
  }
  for (const [uri, edits] of Object.entries(edit.changes ?? {})) out.set(uri, applyTextEdits(current(uri), edits));
  return out;
}

/** Snippet text as the editor first inserts it: placeholders replaced by their defaults (the first choice). */
export function snippetToText(snippet: string): string {
  let out = '';
  for (let i = 0; i < snippet.length; i++) {
    const c = snippet[i];
    if (c === '\\' && i + 1 < snippet.length && '\\$}'.includes(snippet[i + 1])) { out += snippet[++i]; continue; }
    if (c !== '$') { out += c; continue; }
    const tab = /^\$(\d+)/.exec(snippet.slice(i));
    if (tab) { i += tab[0].length - 1; continue; }
    if (snippet[i + 1] === '{') {
      // ${n:default} (may nest) or ${n|a,b|}
      const choice = /^\$\{\d+\|([^|]*)\|\}/.exec(snippet.slice(i));
      if (choice) { out += choice[1].split(',')[0].replace(/\\(.)/g, '$1'); i += choice[0].length - 1; continue; }
      const head = /^\$\{\d+:/.exec(snippet.slice(i));
      if (head) {
        let depth = 1;
        let j = i + head[0].length;
        const start = j;
        for (; j < snippet.length && depth > 0; j++) {
          if (snippet[j] === '\\') { j++; continue; }
          if (snippet[j] === '{' && snippet[j - 1] === '$') depth++;
          else if (snippet[j] === '}') depth--;
        }
        out += snippetToText(snippet.slice(start, j - 1));
        i = j - 1;
        continue;
      }
    }
    out += c;
  }
  return out;
}
