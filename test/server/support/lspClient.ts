/**
 * A real LSP client for protocol tests: spawns the BUILT server (`node dist/server.js --stdio`), talks
 * JSON-RPC to it over its stdio, and keeps what the server pushes (diagnostics, status, registrations)
 * so that tests can wait on notifications instead of sleeping.
 *
 *   const server = await startTestServer({ files: { 'a.orch.json': text } });
 *   const uri = await server.open('a.orch.json');            // text from disk, or pass it
 *   await server.waitForDiagnostics(uri, (p) => p.diagnostics.length === 0);
 *   server.edit(uri, { find: '"b"', replace: '"c"' });         // incremental didChange
 *   const items = await server.completion(uri, server.positionOf(uri, '"dependsOn": [', { after: true }));
 *   await server.shutdown();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  CompletionRequest,
  ConfigurationRequest,
  DefinitionRequest,
  DeclarationRequest,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentSymbolRequest,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  PrepareRenameRequest,
  PublishDiagnosticsNotification,
  ReferencesRequest,
  RegistrationRequest,
  RenameRequest,
  ShutdownRequest,
  UnregistrationRequest,
  WorkspaceSymbolRequest,
  LogMessageNotification,
  type ClientCapabilities,
  type CompletionItem,
  type CompletionList,
  type DocumentSymbol,
  type FileChangeType,
  type Hover,
  type Location,
  type LocationLink,
  type Position,
  type PrepareRenameResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Range,
  type Registration,
  type SymbolInformation,
  type SymbolKind,
  type TextDocumentContentChangeEvent,
  type WorkspaceEdit,
  type WorkspaceSymbol,
} from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { SERVER_NODE_FLAGS, StatusNotification, type InitializationOptions, type ServerStatus } from '../../../server/protocol';
import { fileUri } from '../../../server/uris';
import { applyTextEdits, applyWorkspaceEdit, snippetToText } from './edits';

export const SERVER_JS = resolve(__dirname, '../../../dist/server.js');

/** Capabilities of a client like VS Code: everything the server's features look at. */
export const CLIENT_CAPABILITIES: ClientCapabilities = {
  workspace: {
    configuration: true,
    didChangeConfiguration: { dynamicRegistration: true },
    didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true },
    workspaceFolders: true,
    applyEdit: true,
    workspaceEdit: { documentChanges: true, resourceOperations: ['create', 'rename', 'delete'], failureHandling: 'textOnlyTransactional' },
    symbol: { symbolKind: { valueSet: Array.from({ length: 26 }, (_, i) => (i + 1) as SymbolKind) }, resolveSupport: { properties: ['location.range'] } },
    executeCommand: {},
    semanticTokens: { refreshSupport: true },
    codeLens: { refreshSupport: true },
    inlayHint: { refreshSupport: true },
    diagnostics: { refreshSupport: true },
  },
  textDocument: {
    synchronization: { dynamicRegistration: true, didSave: true, willSave: false },
    publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true, tagSupport: { valueSet: [1, 2] } },
    completion: {
      completionItem: {
        snippetSupport: true,
        commitCharactersSupport: true,
        documentationFormat: ['markdown', 'plaintext'],
        deprecatedSupport: true,
        preselectSupport: true,
        insertReplaceSupport: true,
        labelDetailsSupport: true,
        resolveSupport: { properties: ['documentation', 'detail', 'additionalTextEdits'] },
        insertTextModeSupport: { valueSet: [1, 2] },
      },
      completionList: { itemDefaults: ['commitCharacters', 'editRange', 'insertTextFormat', 'insertTextMode', 'data'] },
      contextSupport: true,
    },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    definition: { linkSupport: true },
    declaration: { linkSupport: true },
    references: {},
    documentSymbol: { hierarchicalDocumentSymbolSupport: true, symbolKind: { valueSet: Array.from({ length: 26 }, (_, i) => (i + 1) as SymbolKind) }, labelSupport: true },
    rename: { prepareSupport: true, prepareSupportDefaultBehavior: 1, honorsChangeAnnotations: false },
    codeAction: {
      codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'refactor.extract', 'refactor.inline', 'refactor.rewrite', 'source', 'source.organizeImports', 'source.fixAll'] } },
      isPreferredSupport: true,
      dataSupport: true,
      resolveSupport: { properties: ['edit'] },
    },
    codeLens: {},
    inlayHint: { resolveSupport: { properties: ['tooltip', 'label.tooltip'] } },
    semanticTokens: {
      requests: { full: { delta: true }, range: true },
      tokenTypes: ['namespace', 'type', 'class', 'enum', 'interface', 'struct', 'typeParameter', 'parameter', 'variable', 'property', 'enumMember', 'event', 'function', 'method', 'macro', 'keyword', 'modifier', 'comment', 'string', 'number', 'regexp', 'operator', 'decorator'],
      tokenModifiers: ['declaration', 'definition', 'readonly', 'static', 'deprecated', 'abstract', 'async', 'modification', 'documentation', 'defaultLibrary'],
      formats: ['relative'],
      multilineTokenSupport: false,
      overlappingTokenSupport: false,
    },
    foldingRange: { rangeLimit: 5000, lineFoldingOnly: true },
    selectionRange: {},
    formatting: {},
    rangeFormatting: {},
    documentLink: { tooltipSupport: true },
  },
  window: { workDoneProgress: true, showMessage: {} },
  general: { positionEncodings: ['utf-16'] },
};

export interface StartOptions {
  /** Files to create in the workspace folder before the server starts (relative path -> text). */
  files?: Record<string, string>;
  /** What the client answers to workspace/configuration for section `orch`. */
  settings?: Record<string, unknown>;
  capabilities?: ClientCapabilities;
  /** Wait until the start-up scan is done (status `ready`). Default true. */
  waitReady?: boolean;
  /** Sent as initialize's initializationOptions (see InitializationOptions in server/protocol.ts). */
  initializationOptions?: InitializationOptions;
  /** Extra arguments for node (e.g. --max-old-space-size). */
  nodeArgs?: string[];
  /** The server bundle to run (default: dist/server.js of this checkout). */
  serverPath?: string;
}

interface DiagnosticsWaiter {
  uri: string;
  predicate: (params: PublishDiagnosticsParams) => boolean;
  resolve: (params: PublishDiagnosticsParams) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** Generous, because the machine is shared; a test that hits it failed anyway. Never used as a sleep. */
const DEFAULT_TIMEOUT_MS = 20000;

export class TestServer {
  readonly connection: ProtocolConnection;
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  /** Every publishDiagnostics in arrival order (tests of staleness read it). */
  readonly diagnosticsLog: PublishDiagnosticsParams[] = [];
  readonly registrations: Registration[] = [];
  readonly logs: string[] = [];
  status: ServerStatus | undefined;
  private readonly docs = new Map<string, TextDocument>();
  private readonly waiters: DiagnosticsWaiter[] = [];
  private readonly statusWaiters: { predicate: (s: ServerStatus) => boolean; resolve: (s: ServerStatus) => void }[] = [];
  private settings: Record<string, unknown>;
  private exited: Error | undefined;
  private stderr = '';

  constructor(readonly process: ChildProcess, readonly root: string, settings: Record<string, unknown>) {
    this.settings = settings;
    this.connection = createProtocolConnection(new StreamMessageReader(process.stdout!), new StreamMessageWriter(process.stdin!));
    process.stderr!.on('data', (chunk: Buffer) => { this.stderr += chunk.toString(); });
    process.on('exit', (code, signal) => {
      this.exited = new Error(`the server exited (code ${code}, signal ${signal})${this.stderr ? `; stderr:\n${this.stderr.slice(-4000)}` : ''}`);
      for (const waiter of this.waiters.splice(0)) { clearTimeout(waiter.timer); waiter.reject(this.exited); }
      // Pending requests fail instead of hanging.
      this.dispose();
    });
    this.connection.onNotification(PublishDiagnosticsNotification.type, (params) => this.onDiagnostics(params));
    this.connection.onNotification(StatusNotification, (status) => {
      this.status = status;
      for (const waiter of [...this.statusWaiters]) {
        if (waiter.predicate(status)) { this.statusWaiters.splice(this.statusWaiters.indexOf(waiter), 1); waiter.resolve(status); }
      }
    });
    this.connection.onNotification(LogMessageNotification.type, (params) => { this.logs.push(params.message); });
    this.connection.onRequest(ConfigurationRequest.type, (params) =>
      params.items.map((item) => (item.section === 'orch' ? this.settings : item.section ? null : { orch: this.settings })));
    this.connection.onRequest(RegistrationRequest.type, (params) => { this.registrations.push(...params.registrations); });
    this.connection.onRequest(UnregistrationRequest.type, () => undefined);
    // Refresh requests and progress: accepted, nothing to do in a headless client.
    for (const method of ['workspace/semanticTokens/refresh', 'workspace/codeLens/refresh', 'workspace/inlayHint/refresh', 'workspace/diagnostic/refresh', 'window/workDoneProgress/create', 'window/showMessageRequest']) {
      this.connection.onRequest(method, () => null);
    }
    this.connection.listen();
  }

  /** The server's process id (for its memory use). */
  get pid(): number | undefined {
    return this.process.pid;
  }

  /** The server's stderr so far (printed by failing tests). */
  get errorOutput(): string {
    return this.stderr;
  }

  get hasExited(): boolean {
    return !!this.exited;
  }

  // ------------------------------------------------------------------ workspace files

  path(relative: string): string {
    return join(this.root, relative);
  }

  /** The URI of a workspace-relative path, or the URI itself when given one. */
  uri(pathOrUri: string): string {
    return /^[a-z][a-z0-9+.-]*:/i.test(pathOrUri) && !/^[a-z]:[\\/]/i.test(pathOrUri) ? pathOrUri : fileUri(this.path(pathOrUri));
  }

  /** Writes a file on disk; with `notify`, tells the server as a file watcher would. */
  async writeFile(relative: string, text: string, notify = true): Promise<string> {
    const path = this.path(relative);
    const existed = existsSync(path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    const uri = this.uri(relative);
    if (notify) await this.notifyFileChanges([{ uri, type: existed ? 2 : 1 }]);
    return uri;
  }

  async deleteFile(relative: string, notify = true): Promise<string> {
    unlinkSync(this.path(relative));
    const uri = this.uri(relative);
    if (notify) await this.notifyFileChanges([{ uri, type: 3 }]);
    return uri;
  }

  notifyFileChanges(changes: { uri: string; type: FileChangeType }[]): Promise<void> {
    return this.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes });
  }

  // ------------------------------------------------------------------ documents

  /** Opens a document (text from disk when not given). Returns its URI. */
  async open(pathOrUri: string, text?: string, languageId = 'json'): Promise<string> {
    const uri = this.uri(pathOrUri);
    const content = text ?? readFileSync(this.pathOfUri(uri), 'utf8');
    const doc = TextDocument.create(uri, languageId, 1, content);
    this.docs.set(uri, doc);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text: content } });
    return uri;
  }

  /** Applies incremental changes (ranges in the current text), like an editor. Returns the new version. */
  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<number> {
    const doc = this.doc(uri);
    const version = doc.version + 1;
    TextDocument.update(doc, changes, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  /**
   * One edit as an incremental change: replace `length` characters at `offset`, or the first
   * (`occurrence`-th) match of `find`. Returns the new version.
   */
  edit(uri: string, edit: { offset: number; length?: number; text: string } | { find: string; replace: string; occurrence?: number }): Promise<number> {
    const doc = this.doc(uri);
    let offset: number;
    let length: number;
    let text: string;
    if ('find' in edit) {
      offset = this.offsetOf(uri, edit.find, edit.occurrence);
      length = edit.find.length;
      text = edit.replace;
    } else {
      offset = edit.offset;
      length = edit.length ?? 0;
      text = edit.text;
    }
    const range: Range = { start: doc.positionAt(offset), end: doc.positionAt(offset + length) };
    return this.change(uri, [{ range, text }]);
  }

  /** Replaces the whole text through one incremental change spanning the document. */
  setText(uri: string, text: string): Promise<number> {
    const doc = this.doc(uri);
    return this.change(uri, [{ range: { start: { line: 0, character: 0 }, end: doc.positionAt(doc.getText().length) }, text }]);
  }

  async close(uri: string): Promise<void> {
    this.docs.delete(uri);
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  /** The client's copy of an open document's text. */
  text(uri: string): string {
    return this.doc(uri).getText();
  }

  version(uri: string): number {
    return this.doc(uri).version;
  }

  /** Offset of the `occurrence`-th (0-based) match of `needle` in the open document. */
  offsetOf(uri: string, needle: string, occurrence = 0): number {
    const text = this.text(uri);
    let at = -1;
    for (let i = 0; i <= occurrence; i++) {
      at = text.indexOf(needle, at + 1);
      if (at === -1) throw new Error(`"${needle}" (occurrence ${occurrence}) not found in ${uri}`);
    }
    return at;
  }

  /**
   * The position of a match of `needle`: its start, or `after` it, or `delta` characters from its start
   * (e.g. `{ delta: 1 }` is just inside a string literal's opening quote).
   */
  positionOf(uri: string, needle: string, options: { occurrence?: number; after?: boolean; delta?: number } = {}): Position {
    const offset = this.offsetOf(uri, needle, options.occurrence) + (options.after ? needle.length : 0) + (options.delta ?? 0);
    return this.doc(uri).positionAt(offset);
  }

  positionAt(uri: string, offset: number): Position {
    return this.doc(uri).positionAt(offset);
  }

  /** The text a range covers in the client's copy of an open document (or the file on disk). */
  textAt(uri: string, range: Range): string {
    const doc = this.docs.get(uri) ?? TextDocument.create(uri, 'json', 0, readFileSync(this.pathOfUri(uri), 'utf8'));
    return doc.getText(range);
  }

  // ------------------------------------------------------------------ diagnostics and status

  /**
   * Resolves with the latest diagnostics of `uri` that satisfy `predicate`: the ones already received if
   * they do, else the next that arrive. Rejects after `timeoutMs` or when the server exits.
   */
  waitForDiagnostics(uri: string, predicate: (params: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<PublishDiagnosticsParams> {
    const latest = this.diagnostics.get(uri);
    if (latest && predicate(latest)) return Promise.resolve(latest);
    return this.nextDiagnostics(uri, predicate, timeoutMs);
  }

  /** Like waitForDiagnostics, but only diagnostics published from now on count. */
  nextDiagnostics(uri: string, predicate: (params: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<PublishDiagnosticsParams> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolvePromise, reject) => {
      const waiter: DiagnosticsWaiter = {
        uri, predicate, resolve: resolvePromise, reject,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          const latest = this.diagnostics.get(uri);
          reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms; latest: ${latest ? JSON.stringify({ version: latest.version, diagnostics: latest.diagnostics.map((d) => `${d.code} ${d.message}`) }) : 'none'}${this.stderr ? `\nserver stderr:\n${this.stderr.slice(-2000)}` : ''}`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Diagnostics for the current version of an open document. */
  diagnosticsForCurrentVersion(uri: string): Promise<PublishDiagnosticsParams> {
    const version = this.version(uri);
    return this.waitForDiagnostics(uri, (p) => p.version === version);
  }

  waitForStatus(predicate: (status: ServerStatus) => boolean): Promise<ServerStatus> {
    if (this.status && predicate(this.status)) return Promise.resolve(this.status);
    return new Promise((resolvePromise) => this.statusWaiters.push({ predicate, resolve: resolvePromise }));
  }

  private onDiagnostics(params: PublishDiagnosticsParams): void {
    this.diagnostics.set(params.uri, params);
    this.diagnosticsLog.push(params);
    for (const waiter of [...this.waiters]) {
      if (waiter.uri !== params.uri || !waiter.predicate(params)) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      clearTimeout(waiter.timer);
      waiter.resolve(params);
    }
  }

  // ------------------------------------------------------------------ settings

  /** Changes what workspace/configuration answers and tells the server, as VS Code does. */
  async updateSettings(settings: Record<string, unknown>): Promise<void> {
    this.settings = settings;
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  }

  // ------------------------------------------------------------------ requests

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  async completion(uri: string, position: Position): Promise<CompletionList> {
    const result = await this.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position, context: { triggerKind: 1 } });
    if (!result) return { isIncomplete: false, items: [] };
    return Array.isArray(result) ? { isIncomplete: false, items: result } : result;
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
  }

  async definition(uri: string, position: Position): Promise<Location[]> {
    return toLocations(await this.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position }));
  }

  async declaration(uri: string, position: Position): Promise<Location[]> {
    return toLocations(await this.connection.sendRequest(DeclarationRequest.type, { textDocument: { uri }, position }));
  }

  async references(uri: string, position: Position, includeDeclaration = true): Promise<Location[]> {
    return (await this.connection.sendRequest(ReferencesRequest.type, { textDocument: { uri }, position, context: { includeDeclaration } })) ?? [];
  }

  prepareRename(uri: string, position: Position): Promise<PrepareRenameResult | null> {
    return this.connection.sendRequest(PrepareRenameRequest.type, { textDocument: { uri }, position });
  }

  rename(uri: string, position: Position, newName: string): Promise<WorkspaceEdit | null> {
    return this.connection.sendRequest(RenameRequest.type, { textDocument: { uri }, position, newName });
  }

  async documentSymbols(uri: string): Promise<DocumentSymbol[]> {
    return ((await this.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) ?? []) as DocumentSymbol[];
  }

  async workspaceSymbols(query: string): Promise<(SymbolInformation | WorkspaceSymbol)[]> {
    return (await this.connection.sendRequest(WorkspaceSymbolRequest.type, { query })) ?? [];
  }

  /**
   * The texts after applying a WorkspaceEdit: open documents from the client's copy, other files from
   * disk. Returns uri -> new text (does not change anything).
   */
  applyEdit(edit: WorkspaceEdit): Map<string, string> {
    return applyWorkspaceEdit(edit, (uri) => (this.docs.has(uri) ? this.text(uri) : existsSync(this.pathOfUri(uri)) ? readFileSync(this.pathOfUri(uri), 'utf8') : undefined));
  }

  applyTextEdits = applyTextEdits;

  /**
   * The text of an open document after accepting a completion item (its edit, or the list's default
   * range with its textEditText), snippets expanded to their placeholders' defaults.
   */
  applyCompletion(uri: string, list: CompletionList, item: CompletionItem): string {
    const raw = item.textEdit ? item.textEdit.newText : item.textEditText ?? item.insertText ?? item.label;
    const text = item.insertTextFormat === 2 ? snippetToText(raw) : raw;
    const range = item.textEdit ? ('range' in item.textEdit ? item.textEdit.range : item.textEdit.replace) : list.itemDefaults?.editRange;
    if (!range || !('start' in range)) throw new Error(`completion item ${item.label} has no edit range`);
    return applyTextEdits(this.text(uri), [{ range, newText: text }, ...(item.additionalTextEdits ?? [])]);
  }

  /** The labels of a completion list, for compact assertions. */
  labels(list: CompletionList): string[] {
    return list.items.map((i) => i.label);
  }

  // ------------------------------------------------------------------ life cycle

  async shutdown(): Promise<void> {
    if (!this.exited) {
      const exited = new Promise<void>((resolvePromise) => this.process.once('exit', () => resolvePromise()));
      try {
        await this.connection.sendRequest(ShutdownRequest.type);
        await this.connection.sendNotification(ExitNotification.type);
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
      } catch {
        // Already gone.
      }
      if (!this.exited) this.process.kill();
    }
    this.dispose();
    rmSync(this.root, { recursive: true, force: true });
  }

  private disposed = false;
  private dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.connection.dispose();
  }

  private doc(uri: string): TextDocument {
    const doc = this.docs.get(uri);
    if (!doc) throw new Error(`${uri} is not open`);
    return doc;
  }

  private pathOfUri(uri: string): string {
    const prefix = fileUri(this.root) + '/';
    if (!uri.startsWith(prefix)) throw new Error(`${uri} is outside the test workspace`);
    return join(this.root, ...uri.slice(prefix.length).split('/').map(decodeURIComponent));
  }
}

function toLocations(result: Location | Location[] | LocationLink[] | null): Location[] {
  if (!result) return [];
  const list = Array.isArray(result) ? result : [result];
  return list.map((l) => ('targetUri' in l ? { uri: l.targetUri, range: l.targetSelectionRange } : l));
}

/** Starts the built server on a fresh temporary workspace folder and initializes it. */
export async function startTestServer(options: StartOptions = {}): Promise<TestServer> {
  const serverPath = options.serverPath ?? SERVER_JS;
  if (!existsSync(serverPath)) throw new Error(`${serverPath} does not exist: run \`npm run build\` first.`);
  const root = mkdtempSync(join(tmpdir(), 'orch-lsp-'));
  for (const [relative, text] of Object.entries(options.files ?? {})) {
    const path = join(root, relative);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  const child = spawn(process.execPath, [...(options.nodeArgs ?? SERVER_NODE_FLAGS), serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const server = new TestServer(child, root, options.settings ?? {});
  const rootUri = fileUri(root);
  await server.connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri,
    workspaceFolders: [{ uri: rootUri, name: 'workspace' }],
    capabilities: options.capabilities ?? CLIENT_CAPABILITIES,
    clientInfo: { name: 'orch-test-client', version: '1' },
    initializationOptions: options.initializationOptions,
  });
  const ready = options.waitReady === false ? undefined : server.waitForStatus((s) => s.state === 'ready');
  await server.connection.sendNotification(InitializedNotification.type, {});
  if (ready) await ready;
  return server;
}
