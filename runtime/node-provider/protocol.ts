/**
 * Messages between the node provider (parent) and its worker processes (worker.ts), over the
 * fork IPC channel. One task at a time per worker; every message names its task so that a late
 * message of an earlier task is never taken for the current one.
 */
import type { LogStream, ProcessorResult } from '../engine/provider';
import type { ActivityDefinition, ActivitySpec } from '../model/types';

/** What a processor function sees of its attempt (the ProcessorContext minus what cannot cross processes). */
export interface TaskContext {
  runId: string;
  activityId: string;
  instance?: number;
  host?: string;
  activity: ActivitySpec;
  definition: ActivityDefinition;
  inputs: Record<string, unknown>;
  idempotencyKey: string;
  attempt: number;
  poll: number;
  state?: unknown;
  workDir: string;
  baseDir: string;
}

export interface RunTask {
  type: 'run';
  id: number;
  /** Absolute path of the module. */
  module: string;
  /** The export holding the processor function; `default` means the default export or module.exports. */
  exportName: string;
  context: TaskContext;
}

export interface AbortTask {
  type: 'abort';
  id: number;
  reason: string;
}

export type ToWorker = RunTask | AbortTask;

export type FromWorker =
  | { type: 'log'; id: number; stream: LogStream; line: string }
  /** Whatever the processor wrote to process.stdout / process.stderr (console.log included). */
  | { type: 'output'; id: number; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'result'; id: number; result: ProcessorResult };
