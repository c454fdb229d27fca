/**
 * What every feature module gets: the connection, the documents, the workspace index, the cached
 * analysis of each document, the settings, and the hooks of the server's life cycle. See README.md.
 */
import type {
  ClientCapabilities,
  Connection,
  Disposable,
  InitializeParams,
  ServerCapabilities,
  TextDocuments,
} from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ParsedDocument } from '../runtime/analysis/document';
import type { WorkspaceIndex } from '../runtime/index/workspaceIndex';
import type { DocumentAnalysis } from './analysisCache';
import type { DocumentChange } from './documentStore';
import type { InitializationOptions, OrchSettings, ServerStatus } from './protocol';

export type { DocumentAnalysis } from './analysisCache';
export type { DocumentChange } from './documentStore';
export { innerRange, innerSpan, toLocation, toOffset, toPosition, toRange, touches } from './positions';

/** A feature module: server/features/<name>.ts exports `register` and, if it answers requests, `capabilities`. */
export interface FeatureModule {
  register(ctx: ServerContext): void;
  /** Merged into the initialize result. A function sees the client's capabilities first. */
  capabilities?: Partial<ServerCapabilities> | ((client: ClientCapabilities) => Partial<ServerCapabilities>);
}

export interface ServerContext {
  readonly connection: Connection;
  /** The open documents as the client sent them (URIs as the client spells them). */
  readonly documents: TextDocuments<TextDocument>;
  /**
   * Every definition file of the workspace: open documents with their live text, the others as on
   * disk. Reading it first parses the open documents edited since the last read.
   */
  readonly workspace: WorkspaceIndex;

  /** The current parsed document of `uri` (live text when open), or undefined when it is not ours. */
  parsed(uri: string): ParsedDocument | undefined;
  /** The document with its diagnostics and graph, cached per version (and per state of the files it reads). */
  analysisOf(uri: string): DocumentAnalysis | undefined;
  /** The analysis already computed for the current version, if any (never computes). */
  cachedAnalysisOf(uri: string): DocumentAnalysis | undefined;
  /** The version of an open document; undefined for a file known only from disk. */
  versionOf(uri: string): number | undefined;
  isOpen(uri: string): boolean;
  /** The URIs of the open documents. */
  openUris(): string[];

  /** A value computed once per parsed document (lookup maps, symbol tables ...); `key` names the kind. */
  memo<T>(doc: ParsedDocument, key: string, compute: () => T): T;

  settings(): OrchSettings;
  onDidChangeSettings(listener: (current: OrchSettings, previous: OrchSettings) => void): Disposable;
  /** Replaces the settings (the configuration feature calls it); listeners run when something changed. */
  updateSettings(settings: OrchSettings): void;

  /** Open documents: after the store has taken the event into account. URIs are canonical. */
  onDidOpen(listener: (uri: string) => void): Disposable;
  onDidChangeText(listener: (uri: string) => void): Disposable;
  onDidClose(listener: (uri: string) => void): Disposable;
  /** A parsed document was replaced or removed (open or on disk), with the documents that depend on it. */
  onDidChangeDocuments(listener: (changes: DocumentChange[]) => void): Disposable;

  /** Adds capabilities to the initialize result (only before the client's initialize request). */
  addCapabilities(capabilities: Partial<ServerCapabilities>): void;
  /** Runs when the client sends `initialize` (before the result is computed). */
  onInitialize(listener: (params: InitializeParams) => void): void;
  /**
   * Runs after `initialized`, in registration order, each awaited: the configuration feature loads the
   * settings first, then the workspace is scanned, then the rest (dynamic registrations ...).
   */
  onInitialized(listener: () => void | Promise<void>): void;
  readonly clientCapabilities: ClientCapabilities;
  /** What the client sent in initialize's `initializationOptions` (empty before initialize). */
  readonly initializationOptions: InitializationOptions;
  /** The workspace folders as file system paths. */
  workspaceFolders(): string[];
  /** Resolves when the workspace scan at start-up is done. */
  readonly indexed: Promise<void>;

  /** Link to the documentation of a diagnostic code (`codeDescription.href`). */
  docsUrl(code: string): string;
  /** Merges into the status sent to the client (coalesced). */
  reportStatus(status: Partial<ServerStatus>): void;
  readonly log: {
    info(message: string): void;
    warn(message: string): void;
    error(message: string, error?: unknown): void;
  };
}
