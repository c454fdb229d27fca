/**
 * The agent's pieces that need no server: what it accepts of an activity message, how it reads an
 * attempt record, what it remembers of cancel requests, its provider-call rules, how it holds a
 * `started` report to fold it into a quick result, its shared heartbeat ticker, and how publishes
 * without a PubAck are confirmed and sent again after a reconnect.
 */
import assert from 'node:assert/strict';
import { AgentAttempt, AgentAttemptContext, LazyAbort } from '../../runtime/distributed/agent/agentAttempt';
import { decodeRecord } from '../../runtime/distributed/agent/attemptRecords';
import { CancelMemory } from '../../runtime/distributed/agent/cancellations';
import { Heartbeats } from '../../runtime/distributed/agent/heartbeat';
import { DispatchReports, type ReportSink } from '../../runtime/distributed/agent/reports';
import { decodeDelivery, salvageAddress } from '../../runtime/distributed/agent/messageCheck';
import { PubAcks } from '../../runtime/distributed/pubAcks';
import { activitySubject, decodeAgentReport, encodeActivityMessage, PROTOCOL_VERSION, reportSubject, type ActivityMessage, type AgentReport } from '../../runtime/distributed/protocol';
import type { JsMsg, MsgHdrs, NatsConnection } from 'nats';
import type { ProcessorResult, Provider } from '../../runtime/engine/provider';

function message(overrides: Partial<ActivityMessage> = {}): ActivityMessage {
  return {
    v: PROTOCOL_VERSION, runId: 'r1', dispatchId: 'd1', activityId: 'build', unitKey: 'build', type: 'compile', idempotencyKey: 'r1/build',
    activity: { id: 'build', type: 'compile' }, inputs: {}, reportTo: reportSubject('r1', 'd1'),
    policy: { maxAttempts: 3, backoff: 'exponential', delayMs: 100, maxDelayMs: 1000, jitter: true },
    ...overrides,
  };
}

/** A message's bytes exactly as given (malformed ones included). */
const raw = (m: ActivityMessage | Record<string, unknown>) => new TextEncoder().encode(JSON.stringify(m));

function decode(m: ActivityMessage | Record<string, unknown>, subject = activitySubject('compile')): ActivityMessage {
  return decodeDelivery(subject, raw(m));
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

    it('leaves a policy of retry defaults off the wire, and the decoder puts it back; any other policy travels', () => {
      const defaults = { maxAttempts: 1, backoff: 'exponential', delayMs: 1000, maxDelayMs: 60000, jitter: true } as const;
      const next = [{ ...message({ dispatchId: 'd2', unitKey: 'test', activityId: 'test' }), policy: { ...defaults, maxAttempts: 2 } }];
      const plain = message({ policy: { ...defaults }, next });
      const wire = JSON.parse(new TextDecoder().decode(encodeActivityMessage(plain))) as Record<string, unknown> & { next: Record<string, unknown>[] };
      assert.equal('policy' in wire, false);
      assert.deepEqual(wire.next[0].policy, { ...defaults, maxAttempts: 2 });
      const decoded = decode(wire);
      assert.deepEqual(decoded.policy, defaults);
      assert.deepEqual(decoded.next?.[0].policy, { ...defaults, maxAttempts: 2 });
      const timed = message({ policy: { ...defaults, timeoutMs: 500 } });
      assert.deepEqual(decode(JSON.parse(new TextDecoder().decode(encodeActivityMessage(timed))) as Record<string, unknown>).policy, { ...defaults, timeoutMs: 500 });
      assert.throws(() => decode({ ...message(), policy: 'fast' }), /'policy' must be an object/);
    });

    it('finds where to report a message it cannot run, only when the address is plausible', () => {
      assert.deepEqual(salvageAddress(raw(message({ unitKey: '../x' }))), { runId: 'r1', dispatchId: 'd1', reportTo: reportSubject('r1', 'd1') });
      assert.equal(salvageAddress(raw({ ...message(), reportTo: 'elsewhere' })), undefined);
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
    function run(provider: Provider, timeoutMs?: number, graceMs = 50): { attempt: AgentAttempt; controller: LazyAbort } {
      const controller = new LazyAbort();
      const ctx = new AgentAttemptContext({
        runId: 'r', activityId: 'a', activity: { id: 'a', type: 't' }, definition: { type: 't', provider: provider.name }, inputs: {},
        idempotencyKey: 'r/a', attempt: 1, poll: 0, baseDir: '/', log: () => undefined,
      }, controller, () => '/tmp/work', 'a');
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
      assert.equal(controller.signal.aborted, true, 'a signal asked for after the abort is aborted too');
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

  describe('report order and the held start', () => {
    interface Published { report: AgentReport; msgID: string; unconfirmed?: boolean }

    /** A sink whose publishes are stored at once (or fail `failures` times first), recorded in order. */
    function sink(failures = 0): { sink: ReportSink; published: Published[]; next: () => Promise<Published> } {
      const published: Published[] = [];
      let waiter: ((p: Published) => void) | undefined;
      let left = failures;
      const publisher = {
        publish: async (_subject: string, data: Uint8Array, msgID: string) => {
          if (left-- > 0) throw new Error('timeout');
          const entry = { report: decodeAgentReport(data), msgID };
          published.push(entry);
          waiter?.(entry);
          waiter = undefined;
        },
        publishUnconfirmed: (_subject: string, data: Uint8Array, msgID: string) => {
          published.push({ report: decodeAgentReport(data), msgID, unconfirmed: true });
        },
      };
      return {
        sink: { nc: { info: { max_payload: 1024 * 1024 } }, publisher, agent: 'a1', retry: { giveUp: new AbortController().signal, firstDelayMs: 1 } } as unknown as ReportSink,
        published,
        next: () => new Promise((resolve) => { waiter = resolve; }),
      };
    }
    const address = { runId: 'r1', dispatchId: 'r1.d1', reportTo: reportSubject('r1', 'r1.d1') };
    const summary = (p: Published) => {
      const r = p.report as AgentReport & { poll?: number; delivery?: number };
      return `${r.kind}${r.poll !== undefined ? ` p${r.poll}` : ''}${r.delivery !== undefined ? ` d${r.delivery}` : ''}`;
    };

    it('folds the start into the result of an attempt that ends within the hold', async () => {
      const { sink: s, published } = sink();
      const reports = new DispatchReports(s, address, 2);
      reports.started(1, 0);
      await reports.result(1, 0, { kind: 'complete', outputs: { x: 1 } });
      await reports.idle();
      assert.deepEqual(published.map(summary), ['result p0 d2']);
      assert.deepEqual((published[0].report as Extract<AgentReport, { kind: 'result' }>).result, { kind: 'complete', outputs: { x: 1 } });
      assert.equal(published[0].msgID, 'r1.d1:result:1:0:d2');
    });

    it('sends the held start first when anything else is reported, and keeps each retried publish\'s id', async () => {
      const { sink: s, published } = sink(2);
      const reports = new DispatchReports(s, address, 1);
      reports.started(1, 0);
      reports.log(1, 0, 'stdout', 'hello');
      await reports.retrying(1, 0, 'flaky', 100);
      await reports.idle();
      assert.deepEqual(published.map(summary), ['started p0 d1', 'log', 'retrying']);
      assert.equal(published[0].msgID, 'r1.d1:started:1:0:d1');

      const polls = sink();
      const poll = new DispatchReports(polls.sink, address, 3);
      poll.started(1, 2);
      await poll.scheduled(1, 2, 500, 'not yet');
      assert.deepEqual(polls.published.map(summary), ['started p2 d3', 'scheduled p2']);
    });

    it('sends the held start at the end of the hold, and then a plain result', async () => {
      const { sink: s, published, next } = sink();
      const reports = new DispatchReports(s, address, 1);
      const sent = next();
      reports.started(1, 0);
      assert.equal(summary(await sent), 'started p0 d1');
      await reports.result(1, 0, { kind: 'wait' });
      assert.deepEqual(published.map(summary), ['started p0 d1', 'result']);
    });

    it('forgets a held start when the delivery is handed back unreported', async () => {
      const { sink: s, published } = sink();
      const reports = new DispatchReports(s, address, 1);
      reports.started(1, 0);
      reports.discardHeld();
      await reports.result(1, 0, { kind: 'fatal', error: 'x' });
      assert.deepEqual(published.map(summary), ['result']);
    });

    it('sends a result the orchestrator acknowledges without waiting for its PubAck, and everything else confirmed', async () => {
      const { sink: s, published } = sink();
      const reports = new DispatchReports(s, address, 1);
      reports.started(1, 0);
      reports.log(1, 0, 'stdout', 'working');
      await reports.result(1, 0, { kind: 'complete', outputs: {} }, { ack: '$JS.ACK.x' });
      await reports.idle();
      assert.deepEqual(published.map((p) => `${summary(p)}${p.unconfirmed ? ' unconfirmed' : ''}`), ['started p0 d1', 'log', 'result unconfirmed']);
      const plain = sink();
      await new DispatchReports(plain.sink, address, 1).result(1, 0, { kind: 'fatal', error: 'x' });
      assert.deepEqual(plain.published.map((p) => p.unconfirmed ?? false), [false]);
    });

    it('turns outputs too large for one NATS message into a fatal result saying so', async () => {
      const { sink: s, published } = sink();
      (s.nc as unknown as { info: { max_payload: number } }).info.max_payload = 4096;
      const reports = new DispatchReports(s, address, 1);
      reports.started(1, 0);
      await reports.result(1, 0, { kind: 'complete', outputs: { big: 'x'.repeat(10_000) } });
      assert.equal(summary(published[0]), 'result p0 d1');
      const result = (published[0].report as Extract<AgentReport, { kind: 'result' }>).result;
      assert.equal(result.kind, 'fatal');
      assert.match((result as { error: string }).error, /outputs are too large to report: \d+ bytes of JSON, over the NATS server's max_payload of 4096 bytes/);
    });
  });

  describe('publishes without a PubAck', () => {
    /** A connection that records publishes and lets the test answer each ping. */
    function fakeConnection() {
      const sent: { subject: string; reply?: string; id: string | undefined }[] = [];
      const pings: { answer: () => void; fail: () => void }[] = [];
      let pinged: (() => void) | undefined;
      const nc = {
        info: { max_payload: 1000 },
        subscribe: () => ({ unsubscribe: () => undefined }),
        publish: (subject: string, _data: Uint8Array, options: { reply?: string; headers?: MsgHdrs }) => {
          sent.push({ subject, reply: options.reply, id: options.headers?.get('Nats-Msg-Id') });
        },
        flush: () => new Promise<void>((resolve, reject) => {
          pings.push({ answer: resolve, fail: () => reject(new Error('disconnected')) });
          pinged?.();
        }),
      };
      const nextPing = async () => {
        if (pings.length === 0) await new Promise<void>((resolve) => { pinged = resolve; });
        return pings.shift()!;
      };
      const settled = () => new Promise((resolve) => setImmediate(resolve));
      return { nc: nc as unknown as NatsConnection, sent, nextPing, settled };
    }

    it('asks for no PubAck, confirms with one ping, and sends again after a reconnect only what no ping confirmed', async () => {
      const { nc, sent, nextPing, settled } = fakeConnection();
      const publisher = new PubAcks(nc, 1000);
      try {
        publisher.publishUnconfirmed('orch.report.r.a', new Uint8Array(10), 'a');
        publisher.publishUnconfirmed('orch.report.r.b', new Uint8Array(10), 'b');
        assert.deepEqual(sent, [{ subject: 'orch.report.r.a', reply: undefined, id: 'a' }, { subject: 'orch.report.r.b', reply: undefined, id: 'b' }]);
        // A ping answered across a drop confirms nothing: both go again after the reconnect.
        const first = await nextPing();
        publisher.disconnected();
        first.answer();
        await settled();
        publisher.reconnected();
        assert.deepEqual(sent.slice(2).map((p) => p.id), ['a', 'b']);
        (await nextPing()).answer();
        await settled();
        publisher.publishUnconfirmed('orch.report.r.c', new Uint8Array(10), 'c');
        // Dropped before its ping was answered: only c is still unconfirmed.
        const third = await nextPing();
        publisher.disconnected();
        third.fail();
        await settled();
        publisher.reconnected();
        assert.deepEqual(sent.slice(5).map((p) => p.id), ['c']);
        assert.throws(() => publisher.publishUnconfirmed('orch.report.r.big', new Uint8Array(1001), 'big'), (error: Error & { code?: string }) => error.code === 'MAX_PAYLOAD_EXCEEDED');
      } finally {
        publisher.close();
      }
      assert.throws(() => publisher.publishUnconfirmed('orch.report.r.d', new Uint8Array(1), 'd'), /closing/);
    });

    it('sends what is published in one turn of the event loop together, when asked to coalesce', async () => {
      const { nc, sent, settled } = fakeConnection();
      const publisher = new PubAcks(nc, 1000, true);
      try {
        const stored = publisher.publish('orch.activity.x', new Uint8Array(1), 'p');
        publisher.publishUnconfirmed('orch.report.r.a', new Uint8Array(1), 'a');
        assert.equal(sent.length, 0);
        await settled();
        assert.deepEqual(sent.map((p) => [p.id, p.reply !== undefined]), [['p', true], ['a', false]]);
        publisher.close();
        await assert.rejects(stored, /closing/);
      } finally {
        publisher.close();
      }
    });
  });

  describe('heartbeats', () => {
    function fakeMsg(): { msg: JsMsg; beats: () => number } {
      let beats = 0;
      return { msg: { working: () => { beats++; } } as unknown as JsMsg, beats: () => beats };
    }

    it('beats every message kept longer than half an interval, one ticker for all, until stopped', async () => {
      let now = 0;
      const heartbeats = new Heartbeats(60_000, () => now);
      const old = fakeMsg();
      const fresh = fakeMsg();
      const a = heartbeats.keep(old.msg);
      now = 40_000;
      heartbeats.keep(fresh.msg);
      (heartbeats as unknown as { tick(): void }).tick();
      assert.deepEqual([old.beats(), fresh.beats()], [1, 0], 'the fresh one was delivered 0 s ago');
      now = 60_000;
      (heartbeats as unknown as { tick(): void }).tick();
      assert.deepEqual([old.beats(), fresh.beats()], [1, 0], 'both heard of 20 s ago');
      now = 100_000;
      (heartbeats as unknown as { tick(): void }).tick();
      assert.deepEqual([old.beats(), fresh.beats()], [2, 1], 'both heard of 60 s ago');
      const newer = fakeMsg();
      a.follow(newer.msg);
      assert.equal(newer.beats(), 1, 'a redelivery is beaten at once');
      a.stop();
      now = 200_000;
      (heartbeats as unknown as { tick(): void }).tick();
      assert.deepEqual([old.beats(), newer.beats(), fresh.beats()], [2, 1, 2], 'a stopped one is beaten no more');
      heartbeats.close();
    });
  });
});
