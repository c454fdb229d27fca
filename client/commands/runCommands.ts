/**
 * The commands that start or steer runs: Run, Run with Input..., Resume, Re-run Failed, Cancel, Complete
 * Waiting Activity..., Dispose, Delete Run. Called from the palette, the editor title, code lenses and
 * the Runs view; scriptable through executeCommand (they return what they did, and the options object
 * `{ input, interactive, wait }` skips every prompt).
 */
import * as vscode from 'vscode';
import { readInputFile, promptRunInput } from '../input/runInputPrompt';
import type { LastInputs } from '../input/lastInputs';
import type { WorkspaceDefinitions } from '../definitions/workspaceDefinitions';
import { isFinished, unitsIn, type RunView } from '../runs/runModel';
import type { RunService } from '../runs/runService';
import type { RunRecord, RunStore } from '../runs/runStore';
import { requireTrust } from '../trust';
import { asRunsNode, orchestrationTarget, runTarget } from './targets';

export interface RunCommandOptions {
  input?: Record<string, unknown>;
  /** Path of an input JSON file (instead of `input`). */
  inputFile?: string;
  /** False: never prompt (missing secrets refuse the run). Default true from the UI, false with options. */
  interactive?: boolean;
  /** Resolve when the run finished, with its final state. */
  wait?: boolean;
}

/** What the run commands return to executeCommand callers. */
export interface RunCommandResult {
  runId: string;
  runDir: string;
  state: RunView['state'];
}

export interface RunCommandDeps {
  service: RunService;
  store: RunStore;
  definitions: WorkspaceDefinitions;
  lastInputs: LastInputs;
}

function optionsFrom(args: unknown[]): RunCommandOptions | undefined {
  const last = args[args.length - 1];
  if (!last || typeof last !== 'object' || last instanceof vscode.Uri || asRunsNode(last) || 'kind' in last) return undefined;
  return last as RunCommandOptions;
}

async function result(deps: RunCommandDeps, record: RunRecord, wait: boolean | undefined): Promise<RunCommandResult> {
  const view = wait ? await deps.service.waitForFinish(record.view.runId) : record.view;
  return { runId: view.runId, runDir: record.dir, state: view.state };
}

export async function runCommand(deps: RunCommandDeps, ...args: unknown[]): Promise<RunCommandResult | undefined> {
  requireTrust();
  const options = optionsFrom(args);
  const uri = await orchestrationTarget(args[0] === options ? undefined : args[0], deps.definitions, 'run');
  if (!uri) return undefined;
  let input = options?.input;
  if (!input && options?.inputFile) input = await readInputFile(options.inputFile);
  const record = await deps.service.start(uri, { input, interactive: options?.interactive ?? !options });
  return result(deps, record, options?.wait);
}

export async function runWithInputCommand(deps: RunCommandDeps, ...args: unknown[]): Promise<RunCommandResult | undefined> {
  requireTrust();
  const options = optionsFrom(args);
  const uri = await orchestrationTarget(args[0] === options ? undefined : args[0], deps.definitions, 'run with input');
  if (!uri) return undefined;
  let input = options?.input;
  if (!input && options?.inputFile) input = await readInputFile(options.inputFile);
  if (!input) {
    await deps.definitions.refresh(uri);
    const model = deps.definitions.get(uri.fsPath)?.model;
    if (model?.kind !== 'orchestration') throw new Error(`${vscode.workspace.asRelativePath(uri)} is not an orchestration definition`);
    input = await promptRunInput({
      definitionName: model.type?.value ?? uri.path.split('/').pop()!,
      schema: model.schema,
      defaults: model.inputDefaults,
      last: deps.lastInputs.get(uri.fsPath),
    });
    if (!input) return undefined;
  }
  const record = await deps.service.start(uri, { input, interactive: options?.interactive ?? !options });
  // Remembered once accepted by the engine (a refused input is not worth offering again).
  await deps.lastInputs.set(uri.fsPath, input);
  return result(deps, record, options?.wait);
}

const resumable = (r: RunRecord) => r.view.state === 'interrupted' || r.view.state === 'cancelled' || r.view.state === 'failed';

export async function resumeCommand(deps: RunCommandDeps, ...args: unknown[]): Promise<RunCommandResult | undefined> {
  requireTrust();
  const options = optionsFrom(args);
  const target = await runTarget(args[0], deps.store, resumable, 'resume');
  if (!target) return undefined;
  const record = await deps.service.resume(target.view.runId, { interactive: options?.interactive ?? !options });
  return result(deps, record, options?.wait);
}

export async function rerunFailedCommand(deps: RunCommandDeps, ...args: unknown[]): Promise<RunCommandResult | undefined> {
  requireTrust();
  const options = optionsFrom(args);
  const target = await runTarget(args[0], deps.store, (r) => r.view.state === 'failed' || r.view.state === 'cancelled', 're-run');
  if (!target) return undefined;
  if (target.view.state === 'succeeded') {
    void vscode.window.showInformationMessage('This run succeeded: nothing failed to re-run. Start a new run instead.');
    return undefined;
  }
  const record = await deps.service.resume(target.view.runId, { interactive: options?.interactive ?? !options });
  return result(deps, record, options?.wait);
}

export async function cancelCommand(deps: RunCommandDeps, ...args: unknown[]): Promise<boolean> {
  const target = await runTarget(args[0], deps.store, (r) => r.view.state === 'running', 'cancel');
  if (!target) return false;
  await deps.service.cancel(target.view.runId);
  return true;
}

/**
 * Completes a waiting activity: asks for its outputs as JSON (checked as typed; the engine checks them
 * against the type's outputSchema). Args: (row | runId, activity?, outputs?).
 */
export async function completeActivityCommand(deps: RunCommandDeps, ...args: unknown[]): Promise<string[] | undefined> {
  const node = asRunsNode(args[0]);
  const run = await runTarget(args[0], deps.store, (r) => !isFinished(r.view.state) && unitsIn(r.view, ['waiting']).length > 0, 'complete an activity of');
  if (!run) return undefined;
  let unit = typeof args[1] === 'string' ? args[1] : undefined;
  if (!unit && node && (node.kind === 'activity' || node.kind === 'instance')) unit = node.kind === 'instance' ? `${node.activityId}[${node.instance}]` : node.activityId;
  if (!unit) {
    const waiting = unitsIn(run.view, ['waiting']);
    if (!waiting.length) {
      void vscode.window.showInformationMessage(`No activity of run ${run.view.runId} is waiting for completion.`);
      return undefined;
    }
    const picked = waiting.length === 1 ? waiting[0] : (await vscode.window.showQuickPick(waiting.map((u) => ({ label: u.key, description: u.message, unit: u })), { placeHolder: 'The waiting activity to complete' }))?.unit;
    if (!picked) return undefined;
    unit = picked.key;
  }
  let outputs = args[2] && typeof args[2] === 'object' && !Array.isArray(args[2]) ? (args[2] as Record<string, unknown>) : undefined;
  if (!outputs) {
    const text = await vscode.window.showInputBox({
      title: `Complete ${unit}`,
      prompt: 'The activity\'s outputs, as a JSON object (e.g. {"approvedBy": "ada"}); dependents read them',
      value: '{}',
      ignoreFocusOut: true,
      validateInput: (value) => {
        try {
          const parsed: unknown = JSON.parse(value);
          return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? undefined : 'Outputs must be a JSON object';
        } catch (error) {
          return `Not valid JSON: ${(error as Error).message}`;
        }
      },
    });
    if (text === undefined) return undefined;
    outputs = JSON.parse(text) as Record<string, unknown>;
  }
  return deps.service.complete(run.view.runId, unit, outputs, !args[2]);
}

export async function disposeCommand(deps: RunCommandDeps, ...args: unknown[]): Promise<RunCommandResult | undefined> {
  requireTrust();
  const options = optionsFrom(args);
  const hasSucceeded = (r: RunRecord) => !r.view.disposeOf && r.view.state !== 'running' && [...r.view.activities.values()].some((a) => a.state === 'succeeded');
  const target = await runTarget(args[0], deps.store, hasSucceeded, 'dispose of');
  if (!target) return undefined;
  if (!options) {
    const succeeded = [...target.view.activities.values()].filter((a) => a.state === 'succeeded').map((a) => a.activityId);
    const confirm = await vscode.window.showWarningMessage(
      `Dispose of run ${target.view.runId}? The dispose counterparts of ${succeeded.length} succeeded activit${succeeded.length === 1 ? 'y' : 'ies'} (${succeeded.slice(0, 5).join(', ')}${succeeded.length > 5 ? ', ...' : ''}) run in reverse dependency order.`,
      { modal: true }, 'Dispose',
    );
    if (confirm !== 'Dispose') return undefined;
  }
  const { record, disposal } = await deps.service.disposeOfRun(target.view.runId, { interactive: options?.interactive ?? !options });
  if (disposal.withoutCounterpart.length && !options) {
    void vscode.window.showWarningMessage(`No dispose activity for: ${disposal.withoutCounterpart.join(', ')} (add an activity with "discriminator": "dispose" and the same type).`);
  }
  return result(deps, record, options?.wait);
}

export async function deleteRunCommand(deps: RunCommandDeps, ...args: unknown[]): Promise<boolean> {
  const target = await runTarget(args[0], deps.store, (r) => r.view.state !== 'running', 'delete');
  if (!target) return false;
  const silent = typeof args[0] === 'string' || args[1] === true;
  if (!silent) {
    const confirm = await vscode.window.showWarningMessage(`Delete run ${target.view.runId} (${target.view.definition.type})? Its journal and logs are removed from the runs folder.`, { modal: true }, 'Delete');
    if (confirm !== 'Delete') return false;
  }
  await deps.store.delete(target.view.runId);
  return true;
}
