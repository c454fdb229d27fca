/**
 * The child process of the node provider (bundled as dist/node-worker.js). It loads workspace
 * modules and runs their processor functions one task at a time, so that a crash, a leak or an
 * endless loop in user code costs a worker process, never the runtime.
 */
import { pathToFileURL } from 'node:url';
import type { LogStream, ProcessorResult } from '../engine/provider';
import type { FromWorker, RunTask, TaskContext, ToWorker } from './protocol';
import { normalizeResult, resultFromThrown } from './normalizeResult';

type Processor = (ctx: ProcessorApi) => unknown;

/** What a processor function receives. */
interface ProcessorApi extends TaskContext {
  signal: AbortSignal;
  /** `log(line)` or `log(stream, line)`; a multi-line string becomes several lines. */
  log(streamOrLine: unknown, line?: unknown): void;
  complete(outputs?: Record<string, unknown>): { kind: 'complete'; outputs?: Record<string, unknown> };
  wait(message?: string): { kind: 'wait'; message?: string };
  schedule(delayMs: number, state?: unknown, message?: string): { kind: 'schedule'; delayMs: number; state?: unknown; message?: string };
  retry(error: string, delayMs?: number): { kind: 'retry'; error: string; delayMs?: number };
  fatal(error: string): { kind: 'fatal'; error: string };
}

let current: { id: number; controller: AbortController } | undefined;

function send(message: FromWorker): void {
  if (process.connected) process.send!(message);
}

// Everything written to stdout/stderr goes through the IPC channel, tagged with the task, so it
// reaches the right activity's log in order with ctx.log lines.
for (const stream of ['stdout', 'stderr'] as const) {
  const target = process[stream];
  target.write = ((chunk: unknown, encoding?: unknown, callback?: unknown) => {
    const done = typeof encoding === 'function' ? encoding : callback;
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
    if (current) send({ type: 'output', id: current.id, stream, text });
    if (typeof done === 'function') process.nextTick(done as () => void);
    return true;
  }) as typeof target.write;
}

const modules = new Map<string, Promise<Record<string, unknown>>>();

// A variable specifier keeps bundlers from rewriting the dynamic import into require(): ES modules
// and CommonJS modules both load through import().
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<Record<string, unknown>>;

function load(path: string): Promise<Record<string, unknown>> {
  let loaded = modules.get(path);
  if (!loaded) {
    loaded = importModule(pathToFileURL(path).href);
    modules.set(path, loaded);
    loaded.catch(() => modules.delete(path));
  }
  return loaded;
}

function findProcessor(namespace: Record<string, unknown>, exportName: string): Processor | undefined {
  const fallback = namespace.default as Record<string, unknown> | undefined;
  const candidates = exportName === 'default'
    ? [namespace.default, (fallback as { default?: unknown } | undefined)?.default]
    : [namespace[exportName], typeof fallback === 'object' || typeof fallback === 'function' ? fallback?.[exportName] : undefined];
  return candidates.find((c): c is Processor => typeof c === 'function');
}

/** A load failure with enough of the stack to locate it (a SyntaxError's stack starts with the place). */
function loadError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const stack = (error.stack ?? `${error.name}: ${error.message}`).split('\n').slice(0, 8).join('\n');
  return stack.includes(error.message) ? stack : `${error.name}: ${error.message}\n${stack}`;
}

const STREAMS = new Set(['stdout', 'stderr', 'info']);

async function run(task: RunTask): Promise<void> {
  const controller = new AbortController();
  current = { id: task.id, controller };
  const log = (stream: LogStream, value: unknown) => {
    const text = typeof value === 'string' ? value : value instanceof Error ? value.stack ?? value.message : JSON.stringify(value) ?? String(value);
    for (const line of text.split(/\r?\n/)) send({ type: 'log', id: task.id, stream, line });
  };
  let namespace: Record<string, unknown>;
  try {
    process.chdir(task.context.baseDir);
    namespace = await load(task.module);
  } catch (error) {
    finish(task.id, { kind: 'fatal', error: `cannot load ${task.module}: ${loadError(error)}` });
    return;
  }
  const processor = findProcessor(namespace, task.exportName);
  if (!processor) {
    const exported = Object.keys(namespace).filter((k) => k !== '__esModule');
    finish(task.id, { kind: 'fatal', error: `${task.module} has no processor function as export "${task.exportName}" (it exports: ${exported.join(', ') || 'nothing'})` });
    return;
  }
  const api: ProcessorApi = {
    ...task.context,
    signal: controller.signal,
    log: (streamOrLine, line) => {
      if (line !== undefined && typeof streamOrLine === 'string' && STREAMS.has(streamOrLine)) log(streamOrLine as LogStream, line);
      else log('info', streamOrLine);
    },
    complete: (outputs) => ({ kind: 'complete', outputs }),
    wait: (message) => ({ kind: 'wait', message }),
    schedule: (delayMs, state, message) => ({ kind: 'schedule', delayMs, state, message }),
    retry: (error, delayMs) => ({ kind: 'retry', error, delayMs }),
    fatal: (error) => ({ kind: 'fatal', error }),
  };
  try {
    const value = await processor(api);
    let result: ProcessorResult;
    try { result = normalizeResult(value); } catch (error) { result = { kind: 'fatal', error: (error as Error).message }; }
    finish(task.id, result);
  } catch (error) {
    finish(task.id, resultFromThrown(error));
  }
}

function finish(id: number, result: ProcessorResult): void {
  if (current?.id === id) current = undefined;
  send({ type: 'result', id, result });
}

process.on('message', (message: ToWorker) => {
  if (message.type === 'run') void run(message);
  else if (message.type === 'abort' && current?.id === message.id) current.controller.abort(message.reason);
});

// The parent going away (crash, SIGKILL) must not leave this process behind.
process.on('disconnect', () => process.exit(0));
