import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { ProcessorContext, ProcessorResult, Provider } from '../../engine/provider';
import { abortedResult } from '../shared/abort';
import { errorCode, errorMessage } from '../shared/errors';
import { guarded } from '../shared/guard';
import { resultFromExit } from '../shared/exitCodes';
import { inputEnv } from '../shared/inputEnv';
import { LineSplitter, LineTail } from '../shared/lineSplitter';
import { orchAttemptEnv, orchFileEnv } from '../shared/orchEnv';
import { parseProcessConfig } from '../shared/processConfig';
import { prepareAttemptFiles, readAttemptFiles, removeInputsFile } from './attemptFiles';
import { spawnTree } from './processTree';

export interface ShellProviderOptions {
  /** Between SIGTERM and SIGKILL when an attempt is aborted. Default 2000 ms. */
  graceMs?: number;
  /** The environment processes inherit (default: this process's). */
  baseEnv?: NodeJS.ProcessEnv;
}

export const DEFAULT_GRACE_MS = 2000;

/**
 * Runs `command` with `args` as a local process, without a shell: nothing in a definition or an
 * input is ever parsed by a shell. See docs/providers/shell.md for the contract.
 */
export function createShellProvider(options: ShellProviderOptions = {}): Provider {
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  return {
    name: 'shell',
    execute: guarded('shell', (ctx) => runLocal(ctx, graceMs, options.baseEnv ?? process.env)),
  };
}

async function runLocal(ctx: ProcessorContext, graceMs: number, baseEnv: NodeJS.ProcessEnv): Promise<ProcessorResult> {
  const config = parseProcessConfig(ctx.definition.config, 'shell');
  if ('error' in config) return { kind: 'fatal', error: config.error };
  if (ctx.signal.aborted) return abortedResult(ctx.signal);

  const cwd = resolve(ctx.baseDir, config.cwd ?? '.');
  const cwdProblem = await directoryProblem(cwd);
  if (cwdProblem) return { kind: 'fatal', error: `shell provider: cwd ${cwd} ${cwdProblem}` };
  // A relative path names a file beside the definitions, wherever cwd points; a bare name is looked up in PATH.
  const command = /[\\/]/.test(config.command) && !isAbsolute(config.command) ? resolve(ctx.baseDir, config.command) : config.command;

  const files = await prepareAttemptFiles(ctx);
  const inputs = inputEnv(ctx.inputs);
  for (const reason of inputs.skipped) ctx.log('info', reason);
  const env: NodeJS.ProcessEnv = { ...baseEnv, ...config.env, ...inputs.vars, ...orchAttemptEnv(ctx), ...orchFileEnv(files) };

  const tail = new LineTail();
  const stdout = new LineSplitter((line) => ctx.log('stdout', line));
  const stderr = new LineSplitter((line) => { tail.push(line); ctx.log('stderr', line); });
  const tree = spawnTree(command, config.args, {
    cwd, env, graceMs,
    onStdout: (chunk) => stdout.write(chunk),
    onStderr: (chunk) => stderr.write(chunk),
  });
  const onAbort = () => tree.terminate();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  if (ctx.signal.aborted) onAbort();
  let end;
  try {
    end = await tree.done;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await removeInputsFile(files);
  }
  stdout.end();
  stderr.end();

  if (end.spawnError) return spawnFailure(config.command, cwd, end.spawnError);
  if (ctx.signal.aborted) return abortedResult(ctx.signal);
  const readBack = await readAttemptFiles(files);
  return resultFromExit({ ...end, ...readBack, stderrTail: tail.text(), what: config.command });
}

function spawnFailure(command: string, cwd: string, error: NodeJS.ErrnoException): ProcessorResult {
  switch (errorCode(error)) {
    case 'ENOENT': return { kind: 'fatal', error: `shell provider: command not found: ${command} (looked up from ${cwd}${/[\\/]/.test(command) ? '' : ' and PATH'})` };
    case 'EACCES': return { kind: 'fatal', error: `shell provider: permission denied running ${command} (is it executable?)` };
    case 'ENOEXEC': return { kind: 'fatal', error: `shell provider: ${command} is not an executable format (a script needs a #! line)` };
    default: return { kind: 'retry', error: `shell provider: could not start ${command}: ${errorMessage(error)}` };
  }
}

async function directoryProblem(path: string): Promise<string | undefined> {
  try {
    return (await stat(path)).isDirectory() ? undefined : 'is not a directory';
  } catch (error) {
    return errorCode(error) === 'ENOENT' ? 'does not exist' : errorMessage(error);
  }
}
