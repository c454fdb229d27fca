import type { ProcessorContext, ProcessorResult } from '../../engine/provider';
import { abortedResult } from './abort';
import { errorMessage } from './errors';

/**
 * A provider never throws at the engine: an unexpected error (a work folder that cannot be written,
 * a bug) becomes a RetryError naming the provider, or the abort result when the attempt was aborted.
 */
export function guarded(provider: string, run: (ctx: ProcessorContext) => Promise<ProcessorResult>): (ctx: ProcessorContext) => Promise<ProcessorResult> {
  return async (ctx) => {
    try {
      return await run(ctx);
    } catch (error) {
      if (ctx.signal.aborted) return abortedResult(ctx.signal);
      return { kind: 'retry', error: `${provider} provider: ${errorMessage(error)}` };
    }
  };
}
