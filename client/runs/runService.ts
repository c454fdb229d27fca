/**
 * Runs in the extension host through the runtime library: start, resume (and re-run failed), cancel,
 * complete a waiting activity, dispose. Journals go to the workspace folder's runs folder
 * (`orch.runsFolder`); definitions are checked against the workspace's definitions, as the editor
 * shows them. Runs owned by another process (the CLI) are reached through their control folder.
 * The engine is asynchronous (providers are child processes, sockets, workers): nothing here blocks
 * the extension host, let alone the UI.
 */
import * as vscode from 'vscode';
import { startRun, resumeRun, RunRefusedError, type RunHandle, type RunResult } from '../../runtime/engine/engine';
import { newRequestId, sendControl } from '../../runtime/engine/control';
import { liveHolder, runPaths } from '../../runtime/engine/runFolder';
import { loadDefinition } from '../../runtime/engine/load';
import { disposeRun, type DisposalPlan } from '../../runtime/engine/dispose';
import { dirname } from 'node:path';
import type { ProviderRegistry } from '../../runtime/engine/plan';
import { runsFolderOf } from '../config';
import type { WorkspaceDefinitions } from '../definitions/workspaceDefinitions';
import type { OrchSecrets } from '../secrets/secretStorage';
import { RestrictedModeError } from '../trust';
import { executionMode, type ExecutionMode } from './executionMode';
import { createProviders, disposeProviders } from './providers';
import { isFinished, type RunView } from './runModel';
import type { RunRecord, RunStore } from './runStore';

export interface StartOptions {
  input?: Record<string, unknown>;
  /** May prompt (missing secrets, saving). False for the command API and tests. */
  interactive: boolean;
}

/** How long another process gets to answer a cancel or complete request. */
const CONTROL_TIMEOUT_MS = 15_000;

export class RunService implements vscode.Disposable {
  private readonly handles = new Map<string, RunHandle>();
  private readonly liveSubscriptions = new Map<string, vscode.Disposable>();
  private providers: ProviderRegistry | undefined;
  private readonly started = new vscode.EventEmitter<{ handle: RunHandle; record: RunRecord; interactive: boolean }>();
  /** A run of this window started or resumed (the progress notification and the view follow it). */
  readonly onDidStart = this.started.event;

  constructor(
    private readonly store: RunStore,
    private readonly secrets: OrchSecrets,
    private readonly definitions: WorkspaceDefinitions,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  private registry(): ProviderRegistry {
    return (this.providers ??= createProviders(this.log));
  }

  handle(runId: string): RunHandle | undefined {
    return this.handles.get(runId);
  }

  /** Checks, then starts a run of the definition; resolves once it is running (not when it ends). */
  async start(uri: vscode.Uri, options: StartOptions): Promise<RunRecord> {
    if (!vscode.workspace.isTrusted) throw new RestrictedModeError();
    const folder = vscode.workspace.getWorkspaceFolder(uri) ?? vscode.workspace.workspaceFolders?.[0];
    if (!folder) throw new Error('Open the folder that holds the definition: runs are kept in the workspace (orch.runsFolder).');
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (document?.isDirty && !(await document.save())) throw new Error(`${vscode.workspace.asRelativePath(uri)} has unsaved changes and could not be saved`);
    await this.definitions.refreshAround(uri);
    const parsed = loadDefinition(uri.fsPath, { cwd: folder.uri.fsPath, index: this.definitions.index });
    const runsDir = runsFolderOf(folder);
    const mode = await this.mode(uri, options.interactive);
    return this.track(folder, runsDir, (listeners) => startRun({
      parsed,
      input: options.input,
      runsDir,
      cwd: folder.uri.fsPath,
      providers: mode.providers,
      secrets: mode.secrets,
      listeners,
      onListenerError: (error, event) => this.log.error(`a view failed on ${event.type}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`),
    }), options.interactive, undefined, mode);
  }

  /** Where a run executes: this machine, or NATS agents when orch.nats.url is set. */
  private mode(scope: vscode.Uri, interactive: boolean): Promise<ExecutionMode> {
    return executionMode(scope, () => this.registry(), this.secrets.engineStore(interactive), (name) => this.secrets.get(name), this.log);
  }

  /**
   * Continues a run that did not succeed: interrupted attempts are marked so, and everything that did
   * not succeed runs again with a fresh retry budget. Re-run failed is the same for a failed run.
   */
  async resume(runId: string, options: StartOptions): Promise<RunRecord> {
    if (!vscode.workspace.isTrusted) throw new RestrictedModeError();
    const record = this.requireRecord(runId);
    if (this.handles.has(runId) || (record.view.state === 'running' && liveHolder(runPaths(record.dir)))) {
      throw new Error(`run ${runId} is still running`);
    }
    const mode = await this.mode(record.folder.uri, options.interactive);
    return this.track(record.folder, undefined, (listeners) => resumeRun(record.dir, {
      cwd: record.folder.uri.fsPath,
      providers: mode.providers,
      secrets: mode.secrets,
      listeners,
      onListenerError: (error, event) => this.log.error(`a view failed on ${event.type}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`),
    }), options.interactive, runId, mode);
  }

  /**
   * Tears down what a run created: the dispose counterparts of its succeeded activities, in reverse
   * dependency order, as a run of its own (shown in the view as "(dispose)").
   */
  async disposeOfRun(runId: string, options: StartOptions): Promise<{ record: RunRecord; disposal: DisposalPlan }> {
    if (!vscode.workspace.isTrusted) throw new RestrictedModeError();
    const original = this.requireRecord(runId);
    if (this.handles.has(runId)) throw new Error(`run ${runId} is still running: cancel it (or let it finish) before disposing of it`);
    let disposal: DisposalPlan | undefined;
    const mode = await this.mode(original.folder.uri, options.interactive);
    const record = await this.track(original.folder, dirname(original.dir), async (listeners) => {
      const handle = await disposeRun(original.dir, {
        cwd: original.folder.uri.fsPath,
        providers: mode.providers,
        secrets: mode.secrets,
        listeners,
        onListenerError: (error, event) => this.log.error(`a view failed on ${event.type}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`),
      });
      disposal = handle.disposal;
      return handle;
    }, options.interactive, undefined, mode);
    return { record, disposal: disposal! };
  }

  private async track(
    folder: vscode.WorkspaceFolder, runsDir: string | undefined,
    open: (listeners: ((event: import('../../runtime/engine/events').RunEvent) => void)[]) => Promise<RunHandle>,
    interactive: boolean, existingRunId: string | undefined, mode: ExecutionMode,
  ): Promise<RunRecord> {
    // Subscribed through the engine's `listeners`, the store sees every event from the first one.
    const live = this.store.liveListener(folder, runsDir);
    const seqBefore = existingRunId ? this.store.get(existingRunId)?.view.lastSeq ?? 0 : 0;
    let handle: RunHandle;
    try {
      handle = await open([live.listener]);
    } catch (error) {
      live.dispose();
      await mode.release();
      throw error;
    }
    this.handles.set(handle.runId, handle);
    this.liveSubscriptions.set(handle.runId, live);
    const record = await this.store.whenKnown(handle.runId, seqBefore);
    this.log.info(`run ${handle.runId} ${existingRunId ? 'resumed' : 'started'}${mode.describe ? ` ${mode.describe}` : ''}: ${record.view.definition.path} (journal in ${handle.runDir})`);
    void handle.done.then((result) => this.onDone(result), (error: unknown) => {
      this.log.error(`run ${handle.runId} ended with an internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    }).finally(() => {
      void mode.release();
      this.handles.delete(handle.runId);
      this.liveSubscriptions.get(handle.runId)?.dispose();
      this.liveSubscriptions.delete(handle.runId);
    });
    this.started.fire({ handle, record, interactive });
    return record;
  }

  private onDone(result: RunResult): void {
    this.log.info(`run ${result.runId} ${result.state}${result.error ? `: ${result.error}` : ''}`);
  }

  /** Resolves with the run once it finished (at once if it already has). */
  waitForFinish(runId: string, token?: vscode.CancellationToken): Promise<RunView> {
    const record = this.requireRecord(runId);
    if (isFinished(record.view.state) || record.view.state === 'interrupted') return Promise.resolve(record.view);
    return new Promise((resolve, reject) => {
      const subscription = this.store.onDidFinish((r) => {
        if (r.view.runId !== runId) return;
        subscription.dispose();
        cancellation?.dispose();
        resolve(r.view);
      });
      const cancellation = token?.onCancellationRequested(() => { subscription.dispose(); reject(new vscode.CancellationError()); });
    });
  }

  async cancel(runId: string, reason = 'cancelled from the editor'): Promise<void> {
    const handle = this.handles.get(runId);
    if (handle) {
      handle.cancel({ reason });
      return;
    }
    const record = this.requireRecord(runId);
    if (record.view.state !== 'running') throw new Error(`run ${runId} is not running (${record.view.state})`);
    const response = await sendControl(runPaths(record.dir).control, { id: newRequestId(), kind: 'cancel', reason }, CONTROL_TIMEOUT_MS);
    if (!response) throw new Error(`run ${runId} belongs to process ${record.view.pid}, which did not answer the cancel request`);
    if (!response.ok) throw new Error(response.message);
  }

  /** Completes a waiting unit (`id` or `id[i]`) with outputs. Returns the units completed. */
  async complete(runId: string, unit: string, outputs: Record<string, unknown>, interactive: boolean): Promise<string[]> {
    let handle = this.handles.get(runId);
    const record = this.requireRecord(runId);
    if (!handle && record.view.state === 'interrupted') {
      // Nobody holds the run: take it up again (waiting activities keep waiting), then complete.
      await this.resume(runId, { interactive });
      handle = this.handles.get(runId);
    }
    if (handle) return handle.complete(unit, outputs);
    const response = await sendControl(runPaths(record.dir).control, { id: newRequestId(), kind: 'complete', target: unit, outputs }, CONTROL_TIMEOUT_MS);
    if (!response) throw new Error(`run ${runId} belongs to process ${record.view.pid}, which did not answer the complete request`);
    if (!response.ok) throw new Error(response.message);
    return [unit];
  }

  private requireRecord(runId: string): RunRecord {
    const record = this.store.get(runId);
    if (!record) throw new Error(`no run ${runId} in the runs folder`);
    return record;
  }

  /** Cancels the runs of this window (the window is closing: they become resumable, interrupted). */
  dispose(): void {
    for (const handle of this.handles.values()) handle.cancel({ reason: 'the editor window closed', graceMs: 2000 });
    for (const s of this.liveSubscriptions.values()) s.dispose();
    this.started.dispose();
    if (this.providers) void disposeProviders(this.providers);
  }
}

export function refusalMessage(error: unknown): { message: string; reason?: string } {
  if (error instanceof RunRefusedError) return { message: `The run was refused: ${error.message}`, reason: error.reason };
  if (error instanceof RestrictedModeError) return { message: error.message, reason: 'restricted' };
  return { message: error instanceof Error ? error.message : String(error) };
}
