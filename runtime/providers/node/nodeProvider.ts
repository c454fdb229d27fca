import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ProcessorContext, ProcessorResult, Provider } from '../../engine/provider';
import type { FromWorker, TaskContext } from '../../node-provider/protocol';
import { abortedResult, abortReason } from '../shared/abort';
import { guarded } from '../shared/guard';
import { LineSplitter, LineTail } from '../shared/lineSplitter';
import { findWorkerEntry, type WorkerEntry } from './workerEntry';
import { WorkerPool } from './workerPool';

export interface NodeProviderOptions {
  /** How long an aborted processor may take to stop before its worker is killed. Default 2000 ms. */
  graceMs?: number;
  /** Idle workers kept for reuse. Default 2. */
  maxIdleWorkers?: number;
  /** Where the worker script is (tests and unusual layouts); found automatically by default. */
  workerEntry?: WorkerEntry;
}

export interface NodeProvider extends Provider {
  /** Live worker processes (busy and idle). */
  readonly workers: number;
}

let nextTaskId = 1;

/**
 * Runs a processor function exported by a workspace module in a child process. See
 * docs/providers/node.md for the contract.
 */
export function createNodeProvider(options: NodeProviderOptions = {}): NodeProvider {
  const graceMs = options.graceMs ?? 2000;
  let entry = options.workerEntry;
  const pool = new WorkerPool(() => (entry ??= findWorkerEntry()), options.maxIdleWorkers ?? 2);
  return {
    name: 'node',
    execute: guarded('node', (ctx) => runInWorker(ctx, pool, graceMs)),
    dispose: () => pool.dispose(),
    get workers() { return pool.size; },
  };
}

async function runInWorker(ctx: ProcessorContext, pool: WorkerPool, graceMs: number): Promise<ProcessorResult> {
  const config = ctx.definition.config ?? {};
  if (typeof config.module !== 'string' || config.module.trim() === '') {
    return { kind: 'fatal', error: 'node provider config: "module" is required (a JavaScript file, relative to the definition folder)' };
  }
  const exportName = config.export === undefined ? 'default' : config.export;
  if (typeof exportName !== 'string' || exportName === '') return { kind: 'fatal', error: 'node provider config: "export" must be the name of an exported function' };
  const modulePath = resolve(ctx.baseDir, config.module);
  const isFile = await stat(modulePath).then((s) => s.isFile(), () => false);
  if (!isFile) return { kind: 'fatal', error: `node provider: module ${modulePath} does not exist` };
  if (ctx.signal.aborted) return abortedResult(ctx.signal);

  const id = nextTaskId++;
  const worker = pool.acquire();
  const tail = new LineTail();
  const splitters = {
    stdout: new LineSplitter((line) => ctx.log('stdout', line)),
    stderr: new LineSplitter((line) => { tail.push(line); ctx.log('stderr', line); }),
  };
  let healthy = true;
  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    worker.send({ type: 'abort', id, reason: abortReason(ctx.signal) });
    // A cooperative processor stops within the grace period; an endless loop does not.
    killTimer = setTimeout(() => { healthy = false; worker.kill(); }, graceMs);
  };

  try {
    const result = await new Promise<ProcessorResult>((settle) => {
      worker.listener = {
        message: (message: FromWorker) => {
          if (message.id !== id && message.id !== -1) return;
          if (message.type === 'log') ctx.log(message.stream, message.line);
          else if (message.type === 'output') splitters[message.stream].write(message.text);
          else settle(message.result);
        },
        exit: (description) => {
          healthy = false;
          splitters.stderr.end();
          const report = tail.text();
          settle({ kind: 'retry', error: `the node worker running ${config.module} ${description}${report ? `\n${report}` : ''}` });
        },
      };
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      worker.send({ type: 'run', id, module: modulePath, exportName, context: taskContext(ctx) });
    });
    splitters.stdout.end();
    splitters.stderr.end();
    return ctx.signal.aborted ? abortedResult(ctx.signal) : result;
  } finally {
    clearTimeout(killTimer);
    ctx.signal.removeEventListener('abort', onAbort);
    pool.release(worker, healthy && !ctx.signal.aborted);
  }
}

function taskContext(ctx: ProcessorContext): TaskContext {
  const context: TaskContext = {
    runId: ctx.runId,
    activityId: ctx.activityId,
    activity: ctx.activity,
    definition: ctx.definition,
    inputs: ctx.inputs,
    idempotencyKey: ctx.idempotencyKey,
    attempt: ctx.attempt,
    poll: ctx.poll,
    workDir: ctx.workDir,
    baseDir: ctx.baseDir,
  };
  if (ctx.instance !== undefined) context.instance = ctx.instance;
  if (ctx.host !== undefined) context.host = ctx.host;
  if (ctx.state !== undefined) context.state = ctx.state;
  return context;
}
