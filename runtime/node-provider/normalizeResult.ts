import type { ProcessorResult } from '../engine/provider';

/** Re-poll delay of a Schedule result that names none (the same default as the shell provider). */
export const DEFAULT_SCHEDULE_MS = 5000;

const KINDS = new Set(['complete', 'wait', 'schedule', 'retry', 'fatal']);

/**
 * What a processor function returned, as one of the five results: a result object (`kind` is one
 * of the five) as it is, `undefined` as Complete without outputs, any other plain object as
 * Complete with that object as the outputs. Anything else is a FatalError saying what was wrong.
 */
export function normalizeResult(value: unknown): ProcessorResult {
  if (value === undefined || value === null) return { kind: 'complete', outputs: {} };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { kind: 'fatal', error: `the processor returned ${describe(value)}; return an outputs object or a result ({ kind: 'complete' | 'wait' | 'schedule' | 'retry' | 'fatal', ... })` };
  }
  const record = value as Record<string, unknown>;
  if (typeof record.kind !== 'string' || !KINDS.has(record.kind)) return { kind: 'complete', outputs: jsonSafe(record) };
  switch (record.kind) {
    case 'complete': {
      if (record.outputs !== undefined && (typeof record.outputs !== 'object' || record.outputs === null || Array.isArray(record.outputs))) {
        return { kind: 'fatal', error: `the processor's complete result has outputs that are ${describe(record.outputs)}, not an object` };
      }
      return { kind: 'complete', outputs: jsonSafe((record.outputs as Record<string, unknown> | undefined) ?? {}) };
    }
    case 'wait':
      return withMessage({ kind: 'wait' }, record.message);
    case 'schedule': {
      const delay = record.delayMs === undefined ? DEFAULT_SCHEDULE_MS : record.delayMs;
      if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) return { kind: 'fatal', error: `the processor's schedule result has delayMs ${describe(delay)}; expected a number of milliseconds >= 0` };
      const result: ProcessorResult = { kind: 'schedule', delayMs: Math.round(delay) };
      if (record.state !== undefined) result.state = jsonSafe(record.state);
      return withMessage(result, record.message);
    }
    case 'retry': {
      const result: ProcessorResult = { kind: 'retry', error: text(record.error) ?? 'the processor asked for a retry' };
      if (typeof record.delayMs === 'number' && Number.isFinite(record.delayMs) && record.delayMs >= 0) result.delayMs = Math.round(record.delayMs);
      return result;
    }
    default:
      return { kind: 'fatal', error: text(record.error) ?? 'the processor reported a fatal error' };
  }
}

/** A thrown error: FatalError when it says `fatal: true`, else RetryError (with its `delayMs`/`retryAfterMs`). */
export function resultFromThrown(error: unknown): ProcessorResult {
  const record = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const message = error instanceof Error ? error.message || error.name : text(record.message) ?? describe(error);
  if (record.fatal === true) return { kind: 'fatal', error: message };
  const result: ProcessorResult = { kind: 'retry', error: message };
  const delay = record.delayMs ?? record.retryAfterMs;
  if (typeof delay === 'number' && Number.isFinite(delay) && delay >= 0) result.delayMs = Math.round(delay);
  return result;
}

function withMessage<T extends ProcessorResult & { message?: string }>(result: T, message: unknown): T {
  const value = text(message);
  if (value) result.message = value;
  return result;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() ? value : undefined;
  if (value instanceof Error) return value.message;
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`} (${String(value)})`;
}

/** Outputs and state cross process and journal boundaries as JSON; fail here, clearly, if they cannot. */
function jsonSafe<T>(value: T): T {
  try {
    return JSON.parse(JSON.stringify(value)) as T;
  } catch (error) {
    throw new TypeError(`the processor's result is not JSON-serialisable: ${(error as Error).message}`);
  }
}
