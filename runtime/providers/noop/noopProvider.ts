import type { ProcessorContext, ProcessorResult, Provider } from '../../engine/provider';

/**
 * Does nothing, at once: Complete with `config.outputs` or, by default, the inputs. For dry runs,
 * tests and benchmarks (it measures the engine with nothing else in the way). `config.result`
 * makes it answer with any of the five results instead, `config.times` times, to rehearse a
 * definition's failure and polling paths. See docs/providers/noop.md.
 */
export function createNoopProvider(): Provider {
  return { name: 'noop', execute: async (ctx) => noop(ctx) };
}

const KINDS = ['complete', 'wait', 'schedule', 'retry', 'fatal'] as const;
type Kind = (typeof KINDS)[number];

function noop(ctx: ProcessorContext): ProcessorResult {
  const config = ctx.definition.config ?? {};
  const { outputs, result = 'complete', times, delayMs, message, error } = config as Record<string, unknown>;
  if (outputs !== undefined && (typeof outputs !== 'object' || outputs === null || Array.isArray(outputs))) {
    return { kind: 'fatal', error: 'noop provider config: "outputs" must be an object' };
  }
  if (typeof result !== 'string' || !(KINDS as readonly string[]).includes(result)) {
    return { kind: 'fatal', error: `noop provider config: "result" must be one of ${KINDS.join(', ')}` };
  }
  if (times !== undefined && !(Number.isInteger(times) && (times as number) >= 0)) return { kind: 'fatal', error: 'noop provider config: "times" must be an integer >= 0' };
  if (delayMs !== undefined && !(typeof delayMs === 'number' && Number.isFinite(delayMs) && delayMs >= 0)) return { kind: 'fatal', error: 'noop provider config: "delayMs" must be a number >= 0' };

  const complete: ProcessorResult = { kind: 'complete', outputs: { ...((outputs as Record<string, unknown> | undefined) ?? ctx.inputs) } };
  // How often the configured result has been given already: polls for Schedule, attempts otherwise.
  const given = (result as Kind) === 'schedule' ? ctx.poll : ctx.attempt - 1;
  if (result === 'complete' || (times !== undefined && given >= (times as number))) return complete;
  const text = typeof message === 'string' ? message : undefined;
  switch (result as Exclude<Kind, 'complete'>) {
    case 'wait': return text ? { kind: 'wait', message: text } : { kind: 'wait' };
    case 'schedule': {
      const scheduled: ProcessorResult = { kind: 'schedule', delayMs: (delayMs as number | undefined) ?? 1000, state: { poll: ctx.poll + 1 } };
      if (text) scheduled.message = text;
      return scheduled;
    }
    case 'retry': {
      const retry: ProcessorResult = { kind: 'retry', error: typeof error === 'string' ? error : `noop: planned retry (attempt ${ctx.attempt})` };
      if (delayMs !== undefined) retry.delayMs = delayMs as number;
      return retry;
    }
    case 'fatal': return { kind: 'fatal', error: typeof error === 'string' ? error : 'noop: planned failure' };
  }
}
