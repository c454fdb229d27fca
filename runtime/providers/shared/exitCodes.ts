import type { ProcessorResult } from '../../engine/provider';

/**
 * How a process (local or over ssh) says which of the five results it means. 0 and 75 follow
 * sysexits.h (EX_TEMPFAIL = "try again later"); 76 and 77 are ours, documented in docs/providers/shell.md.
 */
export const EXIT_COMPLETE = 0;
export const EXIT_RETRY = 75;
export const EXIT_SCHEDULE = 76;
export const EXIT_WAIT = 77;

/** Re-poll delay when a process asks for Schedule without saying when. */
export const DEFAULT_SCHEDULE_MS = 5000;

export interface ProcessEnd {
  /** Exit code, or null when a signal ended the process. */
  code: number | null;
  signal: string | null;
  /** The parsed outputs file (empty when the process wrote none). */
  outputs: Record<string, unknown>;
  /** Why the outputs file could not be read, if it could not. */
  outputsError?: string;
  /** The Schedule state the process left in ORCH_STATE_FILE, if any. */
  state?: unknown;
  /** The last stderr lines, for error messages. */
  stderrTail: string;
  /** What ran, for messages: `deploy.sh` or `deploy.sh on web1`. */
  what: string;
}

/** The result a process's end means. Aborts are handled before this (the engine decides). */
export function resultFromExit(end: ProcessEnd): ProcessorResult {
  const control = end.outputs;
  if (end.code === null) {
    return { kind: 'retry', error: withTail(`${end.what} was killed by ${end.signal ?? 'a signal'}`, end.stderrTail) };
  }
  switch (end.code) {
    case EXIT_COMPLETE:
      if (end.outputsError) return { kind: 'fatal', error: `${end.what} exited with code 0 but ${end.outputsError}` };
      return { kind: 'complete', outputs: end.outputs };
    case EXIT_RETRY: {
      const result: ProcessorResult = { kind: 'retry', error: withTail(`${end.what} asked for a retry (exit code 75)${said(control)}`, end.stderrTail) };
      const delayMs = millis(control.retryAfterMs ?? control.delayMs);
      if (delayMs !== undefined) result.delayMs = delayMs;
      return result;
    }
    case EXIT_SCHEDULE: {
      const result: ProcessorResult = { kind: 'schedule', delayMs: millis(control.scheduleMs ?? control.retryAfterMs ?? control.delayMs) ?? DEFAULT_SCHEDULE_MS };
      if (end.state !== undefined) result.state = end.state;
      const message = text(control.message);
      if (message) result.message = message;
      return result;
    }
    case EXIT_WAIT: {
      const result: ProcessorResult = { kind: 'wait' };
      const message = text(control.message);
      if (message) result.message = message;
      return result;
    }
    default:
      return { kind: 'fatal', error: withTail(`${end.what} failed with exit code ${end.code}${said(control)}`, end.stderrTail) };
  }
}

function said(control: Record<string, unknown>): string {
  const message = text(control.error) ?? text(control.message);
  return message ? `: ${message}` : '';
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** A non-negative delay in ms from a number or a numeric string (key=value outputs are strings). */
export function millis(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) && n >= 0 ? Math.round(n) : undefined;
}

function withTail(message: string, tail: string): string {
  return tail ? `${message}\n${tail}` : message;
}
