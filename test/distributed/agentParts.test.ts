/**
 * The agent's pieces that need no server: what it accepts of an activity message, how it reads an
 * attempt record, what it remembers of cancel requests, and its provider-call rules.
 */
import assert from 'node:assert/strict';
import { AgentAttempt, AgentAttemptContext } from '../../runtime/distributed/agent/agentAttempt';
import { decodeRecord } from '../../runtime/distributed/agent/attemptRecords';
import { CancelMemory } from '../../runtime/distributed/agent/cancellations';
import { decodeDelivery, salvageAddress } from '../../runtime/distributed/agent/messageCheck';
import { activitySubject, encode, PROTOCOL_VERSION, reportSubject, type ActivityMessage } from '../../runtime/distributed/protocol';
import type { ProcessorResult, Provider } from '../../runtime/engine/provider';

function message(overrides: Partial<ActivityMessage> = {}): ActivityMessage {
  return {
    v: PROTOCOL_VERSION, runId: 'r1', dispatchId: 'd1', activityId: 'build', unitKey: 'build', type: 'compile', idempotencyKey: 'r1/build',
    activity: { id: 'build', type: 'compile' }, inputs: {}, reportTo: reportSubject('r1'), sentAt: 1,
    policy: { maxAttempts: 3, backoff: 'exponential', delayMs: 100, maxDelayMs: 1000, jitter: true },
    ...overrides,
  };
}

function decode(m: ActivityMessage | Record<string, unknown>, subject = activitySubject('compile')): ActivityMessage {
  return decodeDelivery(subject, encode(m as ActivityMessage));
}

describe('distributed agent parts', () => {
  describe('activity messages', () => {
    it('accepts a well-formed message, instances included', () => {
      assert.equal(decode(message({ unitKey: 'build[3]', instance: 3 })).unitKey, 'build[3]');
    });

    it('refuses what the agent would otherwise trust: paths, subjects, policies', () => {
      const cases: [Partial<ActivityMessage> | Record<string, unknown>, RegExp][] = [
        [{ unitKey: '../../etc' }, /unitKey.*not an activity id/],
        [{ unitKey: 'a/b' }, /unitKey/],
        [{ reportTo: 'orch.activity.compile' }, /reportTo.*not a report subject/],
        [{ reportTo: 'orch.report.>' }, /reportTo/],
        [{ type: 'other' }, /came on orch\.activity\.compile but says its type is "other"/],
        [{ policy: { maxAttempts: 0, backoff: 'fixed', delayMs: 0, maxDelayMs: 0, jitter: false } }, /policy\.maxAttempts.*>= 1/],
        [{ policy: { maxAttempts: 2, backoff: 'linear', delayMs: 0, maxDelayMs: 0, jitter: false } }, /policy\.backoff/],
        [{ policy: { maxAttempts: 2, backoff: 'fixed', delayMs: -1, maxDelayMs: 0, jitter: false } }, /policy\.delayMs/],
        [{ policy: { maxAttempts: 2, backoff: 'fixed', delayMs: 1, maxDelayMs: 0, jitter: false, timeoutMs: 0 } }, /policy\.timeoutMs/],
        [{ instance: -1 }, /instance/],
        [{ dispatchId: '' }, /dispatchId/],
        [{ v: 2 }, /protocol version 2/],
      ];
      for (const [overrides, expected] of cases) {
        assert.throws(() => decode({ ...message(), ...overrides }), expected, JSON.stringify(overrides));
      }
      assert.throws(() => decodeDelivery(activitySubject('compile'), new TextEncoder().encode('{"v":1')), /not JSON/);
    });

    it('finds where to report a message it cannot run, only when the address is plausible', () => {
      assert.deepEqual(salvageAddress(encode(message({ unitKey: '../x' }))), { runId: 'r1', dispatchId: 'd1', reportTo: reportSubject('r1') });
      assert.equal(salvageAddress(encode({ ...message(), reportTo: 'elsewhere' } as ActivityMessage)), undefined);
      assert.equal(salvageAddress(new TextEncoder().encode('nonsense')), undefined);
    });
  });

  describe('attempt records', () => {
    const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
    it('reads a record with its state, and says why another cannot be used', () => {
      assert.deepEqual(decodeRecord(bytes({ attempt: 2, poll: 3, state: { cursor: 'x' } })), { attempt: 2, poll: 3, state: { cursor: 'x' } });
      assert.deepEqual(decodeRecord(bytes({ attempt: 1, poll: 0 })), { attempt: 1, poll: 0 });
      assert.match(decodeRecord(bytes({ attempt: 0, poll: 0 })) as string, /attempt 0/);
      assert.match(decodeRecord(bytes({ attempt: 1, poll: -1 })) as string, /poll -1/);
      assert.match(decodeRecord(bytes([1])) as string, /not a JSON object/);
      assert.match(decodeRecord(new TextEncoder().encode('{')) as string, /not JSON/);
    });
  });

  describe('cancel memory', () => {
    it('remembers whole runs and single dispatches, each with its reason', () => {
      const memory = new CancelMemory();
      memory.remember({ v: 1, runId: 'a', reason: 'Ctrl-C' });
      memory.remember({ v: 1, runId: 'b', dispatchIds: ['b1'], reason: 'not needed' });
      assert.equal(memory.reasonFor('a', 'anything'), 'Ctrl-C');
      assert.equal(memory.reasonFor('b', 'b1'), 'not needed');
      assert.equal(memory.reasonFor('b', 'b2'), undefined);
      assert.equal(memory.reasonFor('c', 'c1'), undefined);
    });

    it('is bounded in runs, dispatches per run and age', () => {
      let now = 0;
      const memory = new CancelMemory({ maxRuns: 2, maxDispatchesPerRun: 2, ttlMs: 1000, now: () => now });
      memory.remember({ v: 1, runId: 'r', dispatchIds: ['1', '2', '3'], reason: 'x' });
      assert.equal(memory.reasonFor('r', '1'), undefined);
      assert.equal(memory.reasonFor('r', '3'), 'x');
      memory.remember({ v: 1, runId: 's', reason: 'x' });
      memory.remember({ v: 1, runId: 't', reason: 'x' });
      assert.equal(memory.size, 2);
      assert.equal(memory.reasonFor('r', '3'), undefined, 'the oldest run went first');
      now = 1001;
      assert.equal(memory.reasonFor('t', 'any'), undefined, 'forgotten after the ttl');
    });
  });

  describe('provider calls', () => {
    function run(provider: Provider, timeoutMs?: number, graceMs = 50): { attempt: AgentAttempt; controller: AbortController } {
      const controller = new AbortController();
      const ctx = new AgentAttemptContext({
        runId: 'r', activityId: 'a', activity: { id: 'a', type: 't' }, definition: { type: 't', provider: provider.name }, inputs: {},
        idempotencyKey: 'r/a', attempt: 1, poll: 0, baseDir: '/', log: () => undefined,
      }, controller.signal, '/tmp/work', 'a');
      return { attempt: new AgentAttempt(provider, ctx, controller, timeoutMs, graceMs), controller };
    }
    const never = (): Promise<ProcessorResult> => new Promise(() => undefined);

    it('a provider exception is a RetryError naming the provider; a bad answer a FatalError', async () => {
      const thrown = run({ name: 'boom', execute: async () => { throw new Error('socket hang up'); } });
      assert.deepEqual((await thrown.attempt.outcome).result, { kind: 'retry', error: 'provider boom failed: socket hang up' });
      const bad = run({ name: 'odd', execute: async () => ({ kind: 'maybe' }) as unknown as ProcessorResult });
      assert.equal((await bad.attempt.outcome).result.kind, 'fatal');
    });

    it('times out as a RetryError, and abandons a provider that ignores its signal after the grace period', async () => {
      const { attempt, controller } = run({ name: 'deaf', execute: never }, 30, 30);
      const outcome = await attempt.outcome;
      assert.deepEqual(outcome.result, { kind: 'retry', error: 'timed out after 30 ms' });
      assert.equal(outcome.abandoned, true);
      assert.equal(controller.signal.aborted, true);
    });

    it('keeps work that completed despite a cancel; anything else after a cancel is the cancel', async () => {
      const completing = run({ name: 'late', execute: (ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve({ kind: 'complete', outputs: { done: 1 } }))) });
      completing.attempt.abort('cancel', 1000);
      assert.deepEqual((await completing.attempt.outcome).result, { kind: 'complete', outputs: { done: 1 } });
      const failing = run({ name: 'polite', execute: (ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve({ kind: 'retry', error: 'interrupted' }))) });
      failing.attempt.abort('cancel', 1000);
      const outcome = await failing.attempt.outcome;
      assert.deepEqual(outcome.result, { kind: 'fatal', error: 'cancelled' });
      assert.equal(outcome.abortedBy, 'cancel');
    });
  });
});
