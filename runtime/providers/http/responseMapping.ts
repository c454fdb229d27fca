import type { ProcessorResult } from '../../engine/provider';
import { retryAfterMs } from './retryAfter';

/** Re-poll delay for a 202 that names no Retry-After. */
export const DEFAULT_POLL_MS = 5000;

/** What the provider hands to the next poll after a 202. */
export interface HttpPollState {
  /** Where to GET the status; absent: send the original request again (same Idempotency-Key). */
  location?: string;
}

export interface HttpExchange {
  method: string;
  url: string;
  status: number;
  statusText: string;
  headers: Headers;
  body: string;
  /** The location polled so far, kept when a later 202 names none. */
  previousLocation?: string;
}

/**
 * Status codes to results (docs/providers/http.md): 2xx Complete, 202 Schedule or Wait, 408/425/429
 * and 5xx RetryError honouring Retry-After, any other status FatalError.
 */
export function resultFromResponse(exchange: HttpExchange): ProcessorResult {
  const { status, headers } = exchange;
  const parsed = parseBody(exchange.body, headers.get('content-type'));
  if (status === 202) return accepted(exchange, parsed);
  if (status >= 200 && status < 300) return { kind: 'complete', outputs: outputsOf(parsed) };
  const retryable = status === 408 || status === 425 || status === 429 || status >= 500;
  const error = `${exchange.method} ${exchange.url} answered ${status}${exchange.statusText ? ` ${exchange.statusText}` : ''}${detail(parsed)}`;
  if (retryable) {
    const result: ProcessorResult = { kind: 'retry', error };
    const delayMs = retryAfterMs(headers.get('retry-after'));
    if (delayMs !== undefined) result.delayMs = delayMs;
    return result;
  }
  return { kind: 'fatal', error };
}

function accepted(exchange: HttpExchange, parsed: unknown): ProcessorResult {
  const { headers } = exchange;
  const message = messageOf(parsed);
  if (/^(true|1|yes)$/i.test(headers.get('x-orch-wait') ?? '') || isRecord(parsed) && parsed.status === 'waiting') {
    return message ? { kind: 'wait', message } : { kind: 'wait' };
  }
  const locationHeader = headers.get('location');
  const retryAfter = retryAfterMs(headers.get('retry-after'));
  if (locationHeader === null && retryAfter === undefined && exchange.previousLocation === undefined) {
    // Accepted with nothing to follow: fire-and-forget.
    return { kind: 'complete', outputs: outputsOf(parsed) };
  }
  const location = locationHeader !== null ? new URL(locationHeader, exchange.url).href : exchange.previousLocation;
  const state: HttpPollState = location ? { location } : {};
  const result: ProcessorResult = { kind: 'schedule', delayMs: retryAfter ?? DEFAULT_POLL_MS, state };
  if (message) result.message = message;
  return result;
}

export function parseBody(body: string, contentType: string | null): unknown {
  const text = body.trim();
  if (text === '') return undefined;
  if ((contentType ?? '').toLowerCase().includes('json') || text.startsWith('{') || text.startsWith('[')) {
    try { return JSON.parse(text); } catch { /* not JSON after all: keep the text */ }
  }
  return body;
}

/** A JSON object is the outputs; anything else non-empty is `{ body }`. */
function outputsOf(parsed: unknown): Record<string, unknown> {
  if (parsed === undefined) return {};
  return isRecord(parsed) ? parsed : { body: parsed };
}

function messageOf(parsed: unknown): string | undefined {
  if (!isRecord(parsed)) return undefined;
  for (const key of ['message', 'error', 'detail', 'title']) {
    const value = parsed[key];
    if (typeof value === 'string' && value.trim()) return value;
    if (isRecord(value) && typeof value.message === 'string') return value.message;
  }
  return undefined;
}

function detail(parsed: unknown): string {
  if (parsed === undefined) return '';
  const message = messageOf(parsed);
  const text = message ?? (typeof parsed === 'string' ? parsed : JSON.stringify(parsed));
  const clipped = text.length > 500 ? `${text.slice(0, 500)}…` : text;
  return `: ${clipped.trim()}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
