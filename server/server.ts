/**
 * The server's core: builds the ServerContext over a connection, registers the feature modules,
 * answers `initialize` with their merged capabilities and runs the start-up sequence.
 */
import {
  TextDocumentSyncKind,
  TextDocuments,
  type ClientCapabilities,
  type Connection,
  type Disposable,
  type InitializeParams,
  type InitializeResult,
  type ServerCapabilities,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { ParsedDocument } from '../runtime/analysis/document';
import { AnalysisCache } from './analysisCache';
import type { FeatureModule, ServerContext } from './context';
import { DocumentStore, type DocumentChange } from './documentStore';
import { mergeCapabilities } from './capabilities';
import { DEFAULT_SETTINGS, StatusRequest, type InitializationOptions, type OrchSettings, type ServerStatus } from './protocol';
import { StatusReporter } from './status';
import { canonicalUri, uriToPath } from './uris';
import { startWorkspaceSync } from './workspaceSync';

export const SERVER_NAME = 'Orchestration Studio';
export const SERVER_VERSION = '0.1.0';

class Emitter<T extends unknown[]> {
  private readonly listeners = new Set<(...args: T) => void>();
  on(listener: (...args: T) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
  fire(...args: T): void {
    for (const listener of this.listeners) {
      try {
        listener(...args);
      } catch (e) {
        console.error(`[orch] listener failed: ${e instanceof Error ? e.stack : String(e)}`);
      }
    }
  }
}

export function startServer(connection: Connection, features: readonly FeatureModule[]): ServerContext {
  const store = new DocumentStore();
  // Edits are noted on their way into the text, so that the store re-parses only what they touched.
  const documents = new TextDocuments<TextDocument>({
    create: TextDocument.create,
    update(document, changes, version) {
      if (changes.length <= 1) {
        if (changes.length) store.noteEdit(document, changes[0]);
        return TextDocument.update(document, changes, version);
      }
      let current = document;
      for (const change of changes) {
        store.noteEdit(current, change);
        current = TextDocument.update(current, [change], version);
      }
      return current;
    },
  });
  const cache = new AnalysisCache();
  const memos = new WeakMap<ParsedDocument, Map<string, unknown>>();
  const opened = new Emitter<[string]>();
  const changed = new Emitter<[string]>();
  const closed = new Emitter<[string]>();
  const settingsChanged = new Emitter<[OrchSettings, OrchSettings]>();
  const initializeListeners: ((params: InitializeParams) => void)[] = [];
  const initializedListeners: (() => void | Promise<void>)[] = [];
  const extraCapabilities: Partial<ServerCapabilities>[] = [];
  let settings = DEFAULT_SETTINGS;
  let clientCapabilities: ClientCapabilities = {};
  let initializationOptions: InitializationOptions = {};
  let folders: string[] = [];
  let initializeSeen = false;
  let resolveIndexed!: () => void;
  const indexed = new Promise<void>((resolve) => (resolveIndexed = resolve));
  const status = new StatusReporter(connection);

  store.onDidChange((changes) => cache.invalidate(changes));
  cache.onAnalyzed = (analysis) => status.update({ lastAnalysis: { uri: analysis.doc.uri, ms: Math.round(analysis.ms * 10) / 10 } });

  const log = {
    info: (message: string) => connection.console.info(message),
    warn: (message: string) => connection.console.warn(message),
    error: (message: string, error?: unknown) =>
      connection.console.error(error === undefined ? message : `${message}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`),
  };

  const ctx: ServerContext = {
    connection,
    documents,
    get workspace() {
      store.flush();
      return store.index;
    },
    parsed: (uri) => store.parsed(uri),
    analysisOf(uri) {
      const doc = store.parsed(uri);
      if (!doc) return undefined;
      // Cross-file checks read the index: it must hold the live text of every open document.
      store.flush();
      return cache.get(doc, store.index);
    },
    cachedAnalysisOf(uri) {
      const doc = store.parsed(uri);
      return doc ? cache.peek(doc) : undefined;
    },
    versionOf: (uri) => store.versionOf(uri),
    isOpen: (uri) => store.isOpen(uri),
    openUris: () => store.openUris(),
    memo<T>(doc: ParsedDocument, key: string, compute: () => T): T {
      let map = memos.get(doc);
      if (!map) memos.set(doc, (map = new Map()));
      if (map.has(key)) return map.get(key) as T;
      const value = compute();
      map.set(key, value);
      return value;
    },
    settings: () => settings,
    onDidChangeSettings: (listener) => settingsChanged.on(listener),
    updateSettings(next) {
      const previous = settings;
      settings = next;
      if (JSON.stringify(previous) !== JSON.stringify(next)) settingsChanged.fire(next, previous);
    },
    onDidOpen: (listener) => opened.on(listener),
    onDidChangeText: (listener) => changed.on(listener),
    onDidClose: (listener) => closed.on(listener),
    onDidChangeDocuments(listener: (changes: DocumentChange[]) => void) {
      const off = store.onDidChange(listener);
      return { dispose: off };
    },
    addCapabilities(capabilities) {
      if (initializeSeen) throw new Error('addCapabilities: the initialize result was already sent; register dynamically instead.');
      extraCapabilities.push(capabilities);
    },
    onInitialize: (listener) => void initializeListeners.push(listener),
    onInitialized: (listener) => void initializedListeners.push(listener),
    get clientCapabilities() {
      return clientCapabilities;
    },
    get initializationOptions() {
      return initializationOptions;
    },
    workspaceFolders: () => folders,
    indexed,
    docsUrl: (code) => `${settings.docsBaseUrl}/diagnostics.md#${code.toLowerCase()}`,
    reportStatus: (partial: Partial<ServerStatus>) => status.update(partial),
    log,
  };

  // TextDocuments fires onDidChangeContent right after onDidOpen too; that one is not an edit.
  const justOpened = new Set<string>();
  documents.onDidOpen((e) => {
    justOpened.add(e.document.uri);
    opened.fire(store.didOpen(e.document));
  });
  documents.onDidChangeContent((e) => {
    if (justOpened.delete(e.document.uri)) return;
    changed.fire(store.didChange(e.document));
  });
  documents.onDidClose((e) => closed.fire(store.didClose(e.document.uri)));

  for (const feature of features) feature.register(ctx);

  connection.onInitialize((params): InitializeResult => {
    clientCapabilities = params.capabilities;
    const options = params.initializationOptions;
    initializationOptions = options && typeof options === 'object' && !Array.isArray(options) ? (options as InitializationOptions) : {};
    folders = workspaceFolderPaths(params);
    for (const listener of initializeListeners) listener(params);
    initializeSeen = true;
    const base: ServerCapabilities = {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: false },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    };
    const parts = features.map((f) => (typeof f.capabilities === 'function' ? f.capabilities(params.capabilities) : f.capabilities ?? {}));
    return {
      capabilities: mergeCapabilities(base, ...parts, ...extraCapabilities),
      serverInfo: { name: SERVER_NAME, version: SERVER_VERSION },
    };
  });

  connection.onInitialized(async () => {
    status.update({ state: 'indexing' });
    const sync = startWorkspaceSync(ctx, store);
    // Configuration first (features registered it first), then the scan, then everything else.
    const [first, ...rest] = initializedListeners;
    try {
      if (first) await first();
    } catch (e) {
      log.error('start-up step failed', e);
    }
    // Watch before scanning, so that nothing changed during the scan is missed.
    await sync.watch();
    await sync.scan();
    resolveIndexed();
    status.update({ state: 'ready' });
    for (const listener of rest) {
      try {
        await listener();
      } catch (e) {
        log.error('start-up step failed', e);
      }
    }
  });

  connection.onRequest(StatusRequest, () => status.current());
  // Counted here rather than in a feature: the status is part of the server, not of any one feature.
  store.onDidChange(() => status.update({ files: countFiles(store) }));

  documents.listen(connection);
  connection.listen();
  return ctx;
}

function countFiles(store: DocumentStore): number {
  let n = 0;
  for (const _ of store.index.documents()) n++;
  return n;
}

function workspaceFolderPaths(params: InitializeParams): string[] {
  const uris: string[] = [];
  if (params.workspaceFolders?.length) uris.push(...params.workspaceFolders.map((f) => f.uri));
  else if (params.rootUri) uris.push(params.rootUri);
  const paths: string[] = [];
  for (const uri of uris) {
    const path = uriToPath(canonicalUri(uri));
    if (path !== undefined) paths.push(path);
  }
  if (!paths.length && params.rootPath) paths.push(params.rootPath);
  return paths;
}
