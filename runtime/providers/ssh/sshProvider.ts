import { randomBytes } from 'node:crypto';
import type { ProcessorContext, ProcessorResult, Provider } from '../../engine/provider';
import type { HostsInventory } from '../../model/types';
import { abortedResult } from '../shared/abort';
import { errorMessage } from '../shared/errors';
import { resultFromExit } from '../shared/exitCodes';
import { guarded } from '../shared/guard';
import { inputEnv } from '../shared/inputEnv';
import { LineSplitter, LineTail } from '../shared/lineSplitter';
import { orchAttemptEnv } from '../shared/orchEnv';
import { parseOutputsFile, parseStateText, stateText } from '../shared/outputsFile';
import { parseProcessConfig } from '../shared/processConfig';
import { AbortedError, SshConnectError, SshPool, type Lease, type SshPoolOptions } from './connectionPool';
import { resolveTarget, type HostLookup } from './hostConfig';
import { buildRunScript, cleanupCommand, parseCollected, type RunScript } from './remoteScript';
import { remoteCapture, remoteExec, type ExecEnd } from './remoteExec';
import { TrailerSplitter } from './trailer';

export interface SshProviderOptions extends SshPoolOptions {
  inventory?: HostsInventory;
  /** Finds hosts spread over several orch.hosts.json files; consulted before `inventory`. */
  lookup?: HostLookup;
  /** The folder of orch.hosts.json (relative key and known_hosts paths). */
  inventoryDir?: string;
  /** Between SIGTERM and SIGKILL for the remote process group. Default 2000 ms. */
  graceMs?: number;
  /** Environment for SSH_AUTH_SOCK and the home folder's defaults (tests). */
  env?: NodeJS.ProcessEnv;
  home?: string;
}

export interface SshProvider extends Provider {
  /** Open connections, and connections opened since the start (reuse is visible here). */
  readonly connections: { open: number; opened: number };
}

/**
 * The shell provider's contract on a remote host (see docs/providers/ssh.md): one pooled ssh
 * connection per host, host keys checked against known_hosts, inputs as quoted data.
 */
export function createSshProvider(options: SshProviderOptions = {}): SshProvider {
  const pool = new SshPool(options);
  const graceMs = options.graceMs ?? 2000;
  return {
    name: 'ssh',
    execute: guarded('ssh', (ctx) => runRemote(ctx, options, pool, graceMs)),
    dispose: () => pool.dispose(),
    get connections() { return { open: pool.size, opened: pool.opened }; },
  };
}

async function runRemote(ctx: ProcessorContext, options: SshProviderOptions, pool: SshPool, graceMs: number): Promise<ProcessorResult> {
  const config = parseProcessConfig(ctx.definition.config, 'ssh');
  if ('error' in config) return { kind: 'fatal', error: config.error };
  const target = resolveTarget(ctx.host, { inventory: options.inventory, lookup: options.lookup, inventoryDir: options.inventoryDir, env: options.env, home: options.home });
  if (typeof target === 'string') return { kind: 'fatal', error: `ssh provider: ${target}` };
  if (ctx.signal.aborted) return abortedResult(ctx.signal);

  let lease: Lease;
  try {
    lease = await pool.lease(target, ctx.signal);
  } catch (error) {
    if (error instanceof AbortedError) return abortedResult(ctx.signal);
    if (error instanceof SshConnectError) return error.fatal ? { kind: 'fatal', error: error.message } : { kind: 'retry', error: error.message };
    throw error;
  }
  const what = `${config.command} on ${target.name}`;
  const token = randomBytes(12).toString('hex');
  try {
    const inputs = inputEnv(ctx.inputs);
    for (const reason of inputs.skipped) ctx.log('info', reason);
    const run = buildRunScript({
      token,
      header: `${ctx.runId} ${ctx.activityId} attempt ${ctx.attempt} poll ${ctx.poll}`,
      inputsJson: JSON.stringify(ctx.inputs, null, 2),
      state: ctx.state === undefined ? undefined : stateText(ctx.state),
      // The file variables are set by the remote script, which knows its folder.
      env: { ...config.env, ...inputs.vars, ...orchAttemptEnv(ctx) },
      cwd: config.cwd, command: config.command, args: config.args,
      graceSeconds: graceMs / 1000,
    });
    let ran: RemoteRun;
    try {
      ran = await streamRemote(lease, run, ctx, graceMs);
    } catch (error) {
      return { kind: 'retry', error: `ssh: cannot start ${what}: ${errorMessage(error)}` };
    }
    if (!ran.trailer && !ran.end.lost) await cleanup(lease, token);
    if (ctx.signal.aborted) return abortedResult(ctx.signal);
    return interpret(ran, what, target.name);
  } finally {
    lease.release();
  }
}

interface RemoteRun {
  end: ExecEnd;
  /** What run.sh reported after the command (undefined when it did not get that far). */
  trailer?: Buffer;
  stderrTail: string;
}

/** Runs the script on one channel, streaming output to the log, until the channel closes. */
async function streamRemote(lease: Lease, run: RunScript, ctx: ProcessorContext, graceMs: number): Promise<RemoteRun> {
  const tail = new LineTail();
  const stdout = new LineSplitter((line) => ctx.log('stdout', line));
  const stderr = new LineSplitter((line) => { tail.push(line); ctx.log('stderr', line); });
  const output = new TrailerSplitter(run.trailerMarker, (chunk) => stdout.write(chunk));
  const exec = await remoteExec(lease.client, run.command, { onStdout: (c) => output.write(c), onStderr: (c) => stderr.write(c) });
  let forceTimer: NodeJS.Timeout | undefined;
  // stdin stays open while the command runs: its end tells the remote side to stop the process group.
  const onAbort = () => {
    exec.endInput();
    // A host that does not answer within the grace period is cut off.
    forceTimer = setTimeout(() => exec.close(), graceMs + 5000);
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  exec.write(run.script);
  if (ctx.signal.aborted) onAbort();
  try {
    const end = await exec.done;
    const trailer = output.end();
    stdout.end();
    stderr.end();
    return { end, trailer, stderrTail: tail.text() };
  } finally {
    clearTimeout(forceTimer);
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

function interpret(ran: RemoteRun, what: string, host: string): ProcessorResult {
  const { end, trailer, stderrTail } = ran;
  if (end.lost) return { kind: 'retry', error: withTail(`ssh: the connection to ${host} was lost while ${what} ran`, stderrTail) };
  if (!trailer) {
    // run.sh did not get to its end: it could not create its folder (exit 70), or it was killed.
    if (end.code === 70) return { kind: 'fatal', error: withTail(`ssh: cannot prepare a private folder in $TMPDIR (or /tmp) on ${host}`, stderrTail) };
    const how = end.code !== null ? `exit code ${end.code}` : end.signal ?? 'no exit status';
    return { kind: 'retry', error: withTail(`ssh: ${what} ended without reporting its outputs (${how})`, stderrTail) };
  }
  const files = parseCollected(trailer);
  if ('error' in files) return { kind: 'retry', error: `ssh: ${files.error}` };
  let outputs: Record<string, unknown> = {};
  let outputsError: string | undefined;
  if (files.outputs !== undefined) {
    const parsed = parseOutputsFile(files.outputs);
    if (parsed.ok) outputs = parsed.values;
    else outputsError = parsed.error;
  }
  const state = files.state === undefined ? undefined : parseStateText(files.state);
  return resultFromExit({ code: end.code, signal: end.signal, outputs, outputsError, state, stderrTail, what });
}

async function cleanup(lease: Lease, token: string): Promise<void> {
  try { await remoteCapture(lease.client, cleanupCommand(token)); } catch { /* the connection is gone: the folder stays in TMPDIR */ }
}

function withTail(message: string, tail: string): string {
  return tail ? `${message}\n${tail}` : message;
}
