import type { ProcessorContext, ProcessorResult, Provider } from '../../engine/provider';
import { abortedResult } from '../shared/abort';
import { errorMessage } from '../shared/errors';
import { guarded } from '../shared/guard';
import { parseHttpConfig } from './httpConfig';
import { resultFromResponse, type HttpPollState } from './responseMapping';

export interface HttpProviderOptions {
  /** Largest response body read; a bigger one fails the attempt. Default 8 MiB. */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY = 8 * 1024 * 1024;
const BODYLESS = new Set(['GET', 'HEAD']);

/** Calls an HTTP endpoint with the inputs as JSON. See docs/providers/http.md for the contract. */
export function createHttpProvider(options: HttpProviderOptions = {}): Provider {
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  return { name: 'http', execute: guarded('http', (ctx) => call(ctx, maxBody)) };
}

async function call(ctx: ProcessorContext, maxBody: number): Promise<ProcessorResult> {
  const config = parseHttpConfig(ctx.definition.config);
  if ('error' in config) return { kind: 'fatal', error: config.error };
  if (ctx.signal.aborted) return abortedResult(ctx.signal);

  const location = pollLocation(ctx.state);
  const headers = new Headers({
    accept: 'application/json',
    'idempotency-key': ctx.idempotencyKey,
    'x-orch-run-id': ctx.runId,
    'x-orch-activity-id': ctx.activityId,
    'x-orch-attempt': String(ctx.attempt),
  });
  for (const [name, value] of Object.entries(config.headers)) headers.set(name, value);

  let method = config.method;
  let url = new URL(config.url);
  let body: string | undefined;
  if (location) {
    method = 'GET';
    url = new URL(location);
  } else if (BODYLESS.has(method)) {
    for (const [name, value] of Object.entries(ctx.inputs)) url.searchParams.set(name, typeof value === 'string' ? value : JSON.stringify(value));
  } else {
    body = JSON.stringify(ctx.inputs);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }

  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { method, headers, body, signal: ctx.signal, redirect: 'follow' });
    text = method === 'HEAD' ? '' : await readBody(response, maxBody);
  } catch (error) {
    if (ctx.signal.aborted) return abortedResult(ctx.signal);
    if (error instanceof BodyTooLarge) return { kind: 'fatal', error: `${method} ${url.href}: ${error.message}` };
    return { kind: 'retry', error: `${method} ${url.href} failed: ${networkMessage(error)}` };
  }
  ctx.log('info', `${method} ${url.href} -> ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  return resultFromResponse({
    method, url: response.url || url.href, status: response.status, statusText: response.statusText,
    headers: response.headers, body: text, previousLocation: location,
  });
}

function pollLocation(state: unknown): string | undefined {
  const location = (state as HttpPollState | undefined)?.location;
  return typeof location === 'string' && location ? location : undefined;
}

class BodyTooLarge extends Error {}

async function readBody(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body.cancel();
    throw new BodyTooLarge(`the response body (${declared} bytes) is larger than ${maxBytes} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new BodyTooLarge(`the response body is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** fetch says "fetch failed"; the cause says what happened (ECONNREFUSED, a TLS error, a reset). */
function networkMessage(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause) {
    const code = (cause as { code?: unknown }).code;
    const message = errorMessage(cause);
    return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
  }
  return errorMessage(error);
}
