/**
 * The workspace's definitions, by file. Each file is parsed once when it is added or changes; the
 * lookups ("which file defines type X", "where is host H") are maps kept up to date per file, so a
 * change never re-reads the rest of the workspace. Type uses ("which files use type X") are listed per
 * orchestration on first question and kept with that version of it: an orchestration is replaced on
 * every keystroke, and listing its 10,000 type uses each time would be wasted on a question that is
 * rarely asked.
 */
import { ParsedDocument } from '../analysis/document';
import { activityTypeOf, type ActivityTypeModel, type LocatedString } from '../model/located';

export interface TypeDeclaration {
  doc: ParsedDocument;
  definition: ActivityTypeModel;
}

export interface HostDeclaration {
  doc: ParsedDocument;
  name: string;
  keyNode: import('../json/node').JsonNode;
  value: unknown;
}

export interface TypeUse {
  doc: ParsedDocument;
  activityIndex: number;
  type: LocatedString;
}

export class WorkspaceIndex {
  private readonly docs = new Map<string, ParsedDocument>();
  private readonly declarations = new Map<string, TypeDeclaration[]>();
  /** The orchestrations of the index, whose type uses are listed on demand (usesIn). */
  private readonly orchestrations = new Set<ParsedDocument>();
  private readonly usesByDoc = new WeakMap<ParsedDocument, Map<string, TypeUse[]>>();
  private readonly hostDecls = new Map<string, HostDeclaration[]>();
  private readonly listeners = new Set<(uris: string[]) => void>();

  /** Adds or replaces a file. Returns the parsed document. */
  set(uri: string, text: string, version = 0): ParsedDocument {
    const previous = this.docs.get(uri);
    if (previous && previous.text === text) return previous;
    const doc = new ParsedDocument(uri, text, version);
    this.put(doc);
    return doc;
  }

  /** Adds an already parsed document (the server parses open documents itself). */
  put(doc: ParsedDocument): void {
    const previous = this.docs.get(doc.uri);
    if (previous) this.unindex(previous);
    this.docs.set(doc.uri, doc);
    this.indexDoc(doc);
    this.emit([doc.uri]);
  }

  delete(uri: string): void {
    const previous = this.docs.get(uri);
    if (!previous) return;
    this.unindex(previous);
    this.docs.delete(uri);
    this.emit([uri]);
  }

  get(uri: string): ParsedDocument | undefined {
    return this.docs.get(uri);
  }

  documents(): IterableIterator<ParsedDocument> {
    return this.docs.values();
  }

  /** The ActivityDefinitions declaring `type` (more than one is an ORCH302 error). */
  declarationsOf(type: string): readonly TypeDeclaration[] {
    return this.declarations.get(type) ?? [];
  }

  /** Every declared activity type. */
  declaredTypes(): IterableIterator<string> {
    return this.declarations.keys();
  }

  /** The uses of activity type `type` in orchestrations, across the workspace. */
  usesOf(type: string): TypeUse[] {
    const out: TypeUse[] = [];
    for (const doc of this.orchestrations) {
      const uses = this.usesIn(doc).get(type);
      if (uses) out.push(...uses);
    }
    return out;
  }

  /** The orchestration files using `type`: they must be re-checked when its definition changes. */
  filesUsing(type: string): string[] {
    const out: string[] = [];
    for (const doc of this.orchestrations) if (this.usesIn(doc).has(type)) out.push(doc.uri);
    return out;
  }

  /** The type uses of one orchestration, by type, listed once per version of it. */
  private usesIn(doc: ParsedDocument): Map<string, TypeUse[]> {
    let uses = this.usesByDoc.get(doc);
    if (uses) return uses;
    uses = new Map();
    const model = doc.model;
    if (model?.kind === 'orchestration') {
      for (const activity of model.activities) {
        const type = activityTypeOf(activity);
        if (!type) continue;
        const use: TypeUse = { doc, activityIndex: activity.index, type };
        const list = uses.get(type.value);
        if (list) list.push(use);
        else uses.set(type.value, [use]);
      }
    }
    this.usesByDoc.set(doc, uses);
    return uses;
  }

  hostsNamed(name: string): readonly HostDeclaration[] {
    return this.hostDecls.get(name) ?? [];
  }

  hostNames(): IterableIterator<string> {
    return this.hostDecls.keys();
  }

  /** Whether any inventory file exists (hosts are only checked when one does... or always; see checks). */
  hasInventory(): boolean {
    for (const doc of this.docs.values()) if (doc.kind === 'hosts') return true;
    return false;
  }

  /** Called with the changed URIs after every set/put/delete. */
  onDidChange(listener: (uris: string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(uris: string[]): void {
    for (const listener of this.listeners) listener(uris);
  }

  private indexDoc(doc: ParsedDocument): void {
    const model = doc.model;
    if (!model) return;
    if (model.kind === 'activity') {
      for (const definition of model.definitions) {
        if (!definition.type) continue;
        push(this.declarations, definition.type.value, { doc, definition });
      }
    } else if (model.kind === 'orchestration') {
      this.orchestrations.add(doc);
    } else {
      for (const host of model.hosts) push(this.hostDecls, host.name, { doc, name: host.name, keyNode: host.keyNode, value: host.valueNode.value });
    }
  }

  private unindex(doc: ParsedDocument): void {
    const model = doc.model;
    if (!model) return;
    if (model.kind === 'activity') {
      for (const definition of model.definitions) if (definition.type) remove(this.declarations, definition.type.value, (d) => d.doc === doc);
    } else if (model.kind === 'orchestration') {
      this.orchestrations.delete(doc);
    } else {
      for (const host of model.hosts) remove(this.hostDecls, host.name, (d) => d.doc === doc);
    }
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function remove<T>(map: Map<string, T[]>, key: string, match: (value: T) => boolean): void {
  const list = map.get(key);
  if (!list) return;
  const kept = list.filter((v) => !match(v));
  if (kept.length) map.set(key, kept);
  else map.delete(key);
}
