/**
 * Keeps the index in step with the disk: reads every definition file of the workspace folders at
 * start-up (in slices, so that requests are answered while a large workspace loads), then follows file
 * events (workspace/didChangeWatchedFiles, registered dynamically) and workspace folder changes.
 */
import { readFile } from 'node:fs/promises';
import { DidChangeWatchedFilesNotification, FileChangeType, type FileEvent } from 'vscode-languageserver';
import { findDefinitionFiles, isDefinitionFile } from '../runtime/index/scan';
import type { ServerContext } from './context';
import type { DocumentStore } from './documentStore';
import { baseName, fileUri, uriToPath } from './uris';

export const WATCH_PATTERNS = ['**/*.orch.json', '**/*.activity.json', '**/orch.hosts.json'];

/** Files read per slice before yielding to the message loop. */
const SLICE = 50;

export interface WorkspaceSync {
  scan(): Promise<void>;
  watch(): Promise<void>;
}

export function startWorkspaceSync(ctx: ServerContext, store: DocumentStore): WorkspaceSync {
  const { connection, log } = ctx;
  let folders = [...ctx.workspaceFolders()];

  async function load(paths: string[]): Promise<void> {
    for (let i = 0; i < paths.length; i += SLICE) {
      const slice = paths.slice(i, i + SLICE);
      const files = await Promise.all(slice.map(async (path) => {
        try {
          return { uri: fileUri(path), text: await readFile(path, 'utf8') };
        } catch (e) {
          log.warn(`Cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
          return undefined;
        }
      }));
      store.diskLoaded(files.filter((f): f is { uri: string; text: string } => !!f));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async function scanFolders(paths: string[]): Promise<void> {
    const files = new Set<string>();
    for (const folder of paths) {
      try {
        for (const file of findDefinitionFiles(folder)) files.add(file);
      } catch (e) {
        log.warn(`Cannot scan ${folder}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    const started = performance.now();
    await load([...files]);
    log.info(`Indexed ${files.size} definition file(s) in ${Math.round(performance.now() - started)} ms.`);
  }

  async function onFileEvents(events: FileEvent[]): Promise<void> {
    for (const event of events) {
      const path = uriToPath(event.uri);
      if (path === undefined || !isDefinitionFile(baseName(event.uri))) continue;
      if (event.type === FileChangeType.Deleted) {
        store.diskDeleted(event.uri);
        continue;
      }
      try {
        store.diskChanged(event.uri, await readFile(path, 'utf8'));
      } catch {
        // Gone again between the event and the read: a delete event follows.
        store.diskDeleted(event.uri);
      }
    }
  }

  connection.onDidChangeWatchedFiles((params) => {
    onFileEvents(params.changes).catch((e) => log.error('file event', e));
  });

  return {
    scan: () => scanFolders(folders),
    async watch() {
      if (ctx.clientCapabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration) {
        await connection.client.register(DidChangeWatchedFilesNotification.type, {
          watchers: WATCH_PATTERNS.map((globPattern) => ({ globPattern })),
        }).catch((e) => log.warn(`File watching is not available: ${e instanceof Error ? e.message : String(e)}`));
      }
      if (ctx.clientCapabilities.workspace?.workspaceFolders) {
        connection.workspace.onDidChangeWorkspaceFolders((event) => {
          const removed = event.removed.map((f) => uriToPath(f.uri)).filter((p): p is string => p !== undefined);
          const added = event.added.map((f) => uriToPath(f.uri)).filter((p): p is string => p !== undefined);
          folders = folders.filter((f) => !removed.includes(f)).concat(added);
          for (const folder of removed) {
            const prefix = fileUri(folder) + '/';
            for (const doc of [...store.index.documents()]) if (doc.uri.startsWith(prefix)) store.diskDeleted(doc.uri);
          }
          scanFolders(added).catch((e) => log.error('scan of added folders', e));
        });
      }
    },
  };
}
