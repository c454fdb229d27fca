/**
 * The server's view of the workspace: open documents (their live text, parsed lazily) and definition
 * files on disk, both in one WorkspaceIndex so that cross-file lookups see what the user sees.
 *
 * Edits are cheap: a change only marks the document dirty; it is parsed when someone needs it (a request,
 * or the diagnostics scheduler), so a burst of keystrokes costs one parse. Every replacement of a parsed
 * document is announced with the other documents whose analysis may change because of it.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { TextDocument, TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { ParsedDocument } from '../runtime/analysis/document';
import type { UnchangedEnds } from '../runtime/json/incremental';
import { isDefinitionFile } from '../runtime/index/scan';
import { WorkspaceIndex } from '../runtime/index/workspaceIndex';
import { forgetLines, noteParsed } from './lines';
import { baseName, canonicalUri, uriToPath } from './uris';

export interface DocumentChange {
  uri: string;
  previous?: ParsedDocument;
  /** Undefined when the document left the index (deleted, closed and gone from disk, no longer ours). */
  current?: ParsedDocument;
  /** Other documents whose analysis may change (orchestrations using a changed type, ...). */
  dependents: string[];
}

export type ChangeListener = (changes: DocumentChange[]) => void;

interface NotedEdits extends UnchangedEnds {
  /**
   * Whether the last edit had a range: the TextDocument then has its line starts computed (it shifts
   * them on each ranged edit, and drops them on a whole-text one).
   */
  ranged: boolean;
}

interface OpenDocument {
  text: TextDocument;
  /** The version `parsed` was built from; differs from text.version while dirty. */
  parsedVersion: number;
  /** Undefined for a document that is not ours (a plain JSON file the client also sent us). */
  parsed?: ParsedDocument;
}

export class DocumentStore {
  readonly index = new WorkspaceIndex();
  private readonly open = new Map<string, OpenDocument>();
  private readonly dirty = new Set<string>();
  /** Per open document: what the edits since its last parse left alone (see noteEdit). */
  private readonly edits = new Map<string, NotedEdits>();
  private readonly listeners = new Set<ChangeListener>();

  onDidChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  isOpen(uri: string): boolean {
    return this.open.has(canonicalUri(uri));
  }

  openUris(): string[] {
    return [...this.open.keys()];
  }

  /** The live text document of an open document. */
  textDocument(uri: string): TextDocument | undefined {
    return this.open.get(canonicalUri(uri))?.text;
  }

  /** The version of an open document, or undefined for a file that is only on disk. */
  versionOf(uri: string): number | undefined {
    return this.open.get(canonicalUri(uri))?.text.version;
  }

  didOpen(text: TextDocument): string {
    const uri = canonicalUri(text.uri);
    this.open.set(uri, { text, parsedVersion: -1 });
    this.edits.delete(uri);
    this.dirty.add(uri);
    return uri;
  }

  /**
   * An edit about to be applied to `document` (called before the text changes). Edits accumulate until
   * the next parse as the characters they all left alone at both ends, which is what re-parsing needs.
   */
  noteEdit(document: TextDocument, change: TextDocumentContentChangeEvent): void {
    const uri = canonicalUri(document.uri);
    const ends = this.edits.get(uri) ?? { prefix: Infinity, suffix: Infinity, ranged: true };
    if ('range' in change) {
      const length = document.getText().length;
      ends.prefix = Math.min(ends.prefix, document.offsetAt(change.range.start));
      ends.suffix = Math.min(ends.suffix, length - document.offsetAt(change.range.end));
    } else {
      ends.prefix = 0;
      ends.suffix = 0;
    }
    ends.ranged = 'range' in change;
    this.edits.set(uri, ends);
  }

  didChange(text: TextDocument): string {
    const uri = canonicalUri(text.uri);
    const entry = this.open.get(uri);
    if (entry) entry.text = text;
    else this.open.set(uri, { text, parsedVersion: -1 });
    this.dirty.add(uri);
    return uri;
  }

  /** The document falls back to its content on disk (or leaves the index when it has none). */
  didClose(rawUri: string): string {
    const uri = canonicalUri(rawUri);
    this.open.delete(uri);
    this.dirty.delete(uri);
    this.edits.delete(uri);
    forgetLines(uri);
    const path = uriToPath(uri);
    let text: string | undefined;
    if (path !== undefined && isDefinitionFile(baseName(uri)) && existsSync(path)) {
      try { text = readFileSync(path, 'utf8'); } catch { text = undefined; }
    }
    if (text === undefined) this.remove(uri);
    else this.replace(uri, new ParsedDocument(uri, text, -1));
    return uri;
  }

  /** A definition file changed on disk. Ignored while the file is open: the editor's text wins. */
  diskChanged(rawUri: string, text: string): void {
    const uri = canonicalUri(rawUri);
    if (this.open.has(uri)) return;
    const previous = this.index.get(uri);
    if (previous && previous.text === text) return;
    this.replace(uri, new ParsedDocument(uri, text, -1));
  }

  diskDeleted(rawUri: string): void {
    const uri = canonicalUri(rawUri);
    if (this.open.has(uri)) return;
    this.remove(uri);
  }

  /** Adds many files read at start-up with one announcement. */
  diskLoaded(files: { uri: string; text: string }[]): void {
    const changes: DocumentChange[] = [];
    for (const file of files) {
      const uri = canonicalUri(file.uri);
      if (this.open.has(uri)) continue;
      const previous = this.index.get(uri);
      if (previous && previous.text === file.text) continue;
      const current = new ParsedDocument(uri, file.text, -1);
      if (!current.kind) continue;
      this.index.put(current);
      changes.push({ uri, previous, current, dependents: [] });
    }
    // Dependents of a batch: computed once the whole batch is in the index.
    for (const change of changes) change.dependents = this.dependentsOf(change);
    if (changes.length) this.emit(changes);
  }

  /**
   * The current parsed document of `uri` if it is ours: an open document's live text (parsed now if
   * it changed), else the file from disk. Undefined for documents that are not definitions.
   */
  parsed(rawUri: string): ParsedDocument | undefined {
    const uri = canonicalUri(rawUri);
    const entry = this.open.get(uri);
    if (!entry) return this.index.get(uri);
    if (this.dirty.has(uri)) this.flushOne(uri, entry);
    return entry.parsed;
  }

  /** Parses every dirty open document, so that the index reflects all live text. */
  flush(): void {
    if (this.dirty.size === 0) return;
    for (const uri of [...this.dirty]) {
      const entry = this.open.get(uri);
      if (entry) this.flushOne(uri, entry);
      else this.dirty.delete(uri);
    }
  }

  private flushOne(uri: string, entry: OpenDocument): void {
    this.dirty.delete(uri);
    const { text } = entry;
    if (entry.parsedVersion === text.version && entry.parsed) return;
    const content = text.getText();
    entry.parsedVersion = text.version;
    const unchanged = this.edits.get(uri);
    this.edits.delete(uri);
    if (!mayBeOurs(uri, content)) {
      entry.parsed = undefined;
      forgetLines(uri);
      if (this.index.get(uri)) this.remove(uri);
      return;
    }
    const previous = entry.parsed;
    const doc = new ParsedDocument(uri, content, text.version, previous && unchanged ? { doc: previous, unchanged } : undefined);
    if (!doc.kind) {
      entry.parsed = undefined;
      forgetLines(uri);
      if (this.index.get(uri)) this.remove(uri);
      return;
    }
    entry.parsed = doc;
    noteParsed(doc, text, unchanged?.ranged ?? false);
    this.replace(uri, doc);
  }

  private replace(uri: string, current: ParsedDocument): void {
    if (!current.kind) { this.remove(uri); return; }
    const previous = this.index.get(uri);
    this.index.put(current);
    const change: DocumentChange = { uri, previous, current, dependents: [] };
    change.dependents = this.dependentsOf(change);
    this.emit([change]);
  }

  private remove(uri: string): void {
    const previous = this.index.get(uri);
    if (!previous) return;
    this.index.delete(uri);
    const change: DocumentChange = { uri, previous, current: undefined, dependents: [] };
    change.dependents = this.dependentsOf(change);
    this.emit([change]);
  }

  /**
   * Which other documents' diagnostics can change when `change.uri` does. Orchestrations read activity
   * types and the host inventory from other files; activity definitions read each other (a type
   * defined twice). Orchestrations are read by no one.
   */
  private dependentsOf(change: DocumentChange): string[] {
    const out = new Set<string>();
    for (const doc of [change.previous, change.current]) {
      const model = doc?.model;
      if (!model) continue;
      if (model.kind === 'activity') {
        for (const definition of model.definitions) {
          const type = definition.type?.value;
          if (type === undefined) continue;
          for (const uri of this.index.filesUsing(type)) out.add(uri);
          for (const declaration of this.index.declarationsOf(type)) out.add(declaration.doc.uri);
        }
      } else if (model.kind === 'hosts') {
        for (const other of this.index.documents()) {
          const m = other.model;
          if (m?.kind === 'orchestration' ? m.activities.some((a) => a.hosts.length > 0) : m?.kind === 'hosts') out.add(other.uri);
        }
      }
    }
    out.delete(change.uri);
    return [...out];
  }

  private emit(changes: DocumentChange[]): void {
    for (const listener of this.listeners) {
      try {
        listener(changes);
      } catch (e) {
        // A failing listener must not stop the others (or the edit that caused the change).
        console.error(`[orch] change listener failed: ${e instanceof Error ? e.stack : String(e)}`);
      }
    }
  }
}

/**
 * Whether a document can be one of ours, without parsing it: by name, or (for any other JSON file) by
 * a `$schema` that the parse will then check. Keeps package.json and friends from being parsed at all.
 */
export function mayBeOurs(uri: string, text: string): boolean {
  return isDefinitionFile(baseName(uri)) || text.includes('$schema');
}
