/**
 * Retrying what must reach NATS (reports, attempt records, final acks) until it does. NATS restarting
 * or a network blip must delay a result, never lose it: every operation here is retried with a
 * jittered exponential backoff until it succeeds, is refused for good, or the agent gives up (its
 * final close, after which the message is redelivered and the work done again).
 */

export interface PersistOptions {
  /** Aborted when the agent stops waiting (its final close): the operation then rejects with GaveUpError. */
  giveUp: AbortSignal;
  /** Told about each failure before the wait (the first one, then every tenth, to keep logs readable). */
  onFailure?: (error: unknown, failures: number) => void;
  /** An error that retrying cannot fix (a payload over the server's limit); thrown at once. */
  permanent?: (error: unknown) => boolean;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

export class GaveUpError extends Error {
  override readonly name = 'GaveUpError';
}

export async function persist<T>(what: string, operation: () => Promise<T>, options: PersistOptions): Promise<T> {
  const first = options.firstDelayMs ?? 100;
  const max = options.maxDelayMs ?? 5000;
  for (let failures = 0; ; ) {
    if (options.giveUp.aborted) throw new GaveUpError(`gave up on ${what}: the agent stopped`);
    try {
      return await operation();
    } catch (error) {
      if (options.permanent?.(error)) throw error;
      // Failing because the agent is closing says nothing worth reporting.
      if (options.giveUp.aborted) throw new GaveUpError(`gave up on ${what}: the agent stopped`);
      failures++;
      if (failures === 1 || failures % 10 === 0) options.onFailure?.(error, failures);
      const base = Math.min(max, first * 2 ** Math.min(failures - 1, 16));
      await pause(base / 2 + Math.random() * (base / 2), options.giveUp);
    }
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) { resolve(); return; }
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return code && typeof code === 'string' && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
