import type { ProcessorResult } from '../../engine/provider';

/** What a DOMException from AbortSignal.timeout() says: generic, so it becomes "timed out". */
const GENERIC_TIMEOUT = /^the operation was aborted due to timeout$/i;

/**
 * Why an attempt was aborted, in words. The engine aborts with a reason: a string ("cancelled"),
 * or an Error such as its TimeoutError ("timed out after 500 ms"). A bare `abort()` gives a
 * DOMException "AbortError", which reads "aborted".
 */
export function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (typeof reason === 'string' && reason.trim()) return reason;
  if (typeof reason === 'object' && reason !== null && 'name' in reason) {
    const { name, message } = reason as { name?: unknown; message?: unknown };
    const text = typeof message === 'string' ? message.trim() : '';
    if (name === 'TimeoutError') return !text || GENERIC_TIMEOUT.test(text) ? 'timed out' : text;
    if (name === 'AbortError' || !text) return 'aborted';
    return text;
  }
  return 'aborted';
}

/** The result of an aborted attempt: the engine decides what it means (timeout, cancel). */
export function abortedResult(signal: AbortSignal): ProcessorResult {
  return { kind: 'retry', error: abortReason(signal) };
}
