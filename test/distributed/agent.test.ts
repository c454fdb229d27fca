/**
 * `startAgent` against a real nats-server: messages are published as the orchestrator publishes
 * them and the reports are read back from the report stream, so every assertion is about what
 * crosses the wire (reports, acks, naks with their delays, terminations, attempt records).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { AgentStartError, startAgent } from '../../runtime/distributed/agent/agent';
import { ErrorCode } from 'nats';
import { PubAcks } from '../../runtime/distributed/pubAcks';
import { activitySubject, attemptKey, encode, PROTOCOL_VERSION, reportSubject } from '../../runtime/distributed/protocol';
import { attemptBucket, ensureTypeConsumer } from '../../runtime/distributed/streams';
import type { ProcessorContext, ProcessorResult } from '../../runtime/engine/provider';
import type { ProviderRegistry } from '../../runtime/providers/registry';
import { AgentKit, eventually, startOf, unique } from './agentKit';

describe('distributed agent: one message, one attempt', function () {
  this.timeout(60_000);
  let kit: AgentKit;

  before(async () => { kit = await AgentKit.start(); });
  afterEach(async () => { await kit.cleanup(); });
  after(async () => { await kit?.close(); });

  /** The built-ins plus `probe`, which runs `execute` (a test's stand-in for a real provider). */
  function withProbe(execute: (ctx: ProcessorContext) => Promise<ProcessorResult>): ProviderRegistry {
    return kit.providers({ name: 'probe', execute });
  }

  it('runs a Complete activity: the result with its outputs, carrying the quick attempt\'s start; the message is acked', async () => {
    const type = unique('echo');
    const defs = kit.defs([{ type, provider: 'noop' }]);
    const { agent, log } = await kit.agent({ defs: [defs], name: 'agent-one' });
    assert.deepEqual(agent.types, [type]);
    const message = kit.message(type, { inputs: { greeting: 'hello', n: 3 } });
    const reports = await kit.reports(message.runId);
    await kit.enqueue(message);

    const result = await reports.waitFor('result');
    assert.deepEqual(result.report.result, { kind: 'complete', outputs: { greeting: 'hello', n: 3 } });
    assert.equal(result.report.agent, 'agent-one');
    assert.equal(result.report.dispatchId, message.dispatchId);
    // A no-op ends within the hold of its `started`: the result reports the start, one report in all.
    assert.deepEqual(reports.reports.map((r) => r.kind), ['result']);
    assert.deepEqual(reports.starts().map((s) => s.report), [{ dispatchId: message.dispatchId, agent: 'agent-one', attempt: 1, poll: 0, delivery: 1, folded: true }]);
    await log.waitFor('finished', (e) => e.dispatchId === message.dispatchId && e.outcome === 'complete');
    await eventually(async () => (await kit.stored(type)) === 0);
    const kv = await attemptBucket(kit.nc);
    assert.equal(await kv.get(attemptKey(message.dispatchId)), null);
  });

  it('leaves the ack of a completed attempt to the orchestrator; a message that comes back with its result stored is acked, not run again', async () => {
    const type = unique('echo');
    const defs = kit.defs([{ type, provider: 'noop' }]);
    const { log } = await kit.agent({ defs: [defs], ackWaitMs: 1000 });
    const message = kit.message(type, { inputs: { n: 1 } });
    const reports = await kit.reports(message.runId);
    kit.acknowledging = false;
    try {
      await kit.enqueue(message);
      const result = await reports.waitFor('result');
      assert.match(String(result.report.ack), /^\$JS\.ACK\./, 'the result carries the message\'s ack subject');
      // Nobody acknowledges (the orchestrator is down): after the ack wait the message comes back.
      const reported = await log.waitFor('finished', (e) => e.dispatchId === message.dispatchId && e.outcome === 'reported', 10_000);
      assert.equal(reported.dispatchId, message.dispatchId);
      await eventually(async () => (await kit.stored(type)) === 0);
      assert.equal(log.events.filter((e) => e.name === 'started' && (e.event as { dispatchId?: string }).dispatchId === message.dispatchId).length, 1, 'it ran once');
      assert.equal(reports.reports.filter((r) => r.kind === 'result').length, 1, 'one result');
    } finally {
      kit.acknowledging = true;
    }
  });

  it('streams a shell activity\'s log lines in order, then its result', async () => {
    const type = unique('shell');
    const defs = kit.defs([{ type, provider: 'shell', config: { command: 'sh', args: ['-c', 'i=1; while [ $i -le 300 ]; do echo "line $i"; i=$((i+1)); done; echo oops >&2; printf \'{"count": 300}\' > "$ORCH_OUTPUTS_FILE"'] } }]);
    await kit.agent({ defs: [defs] });
    const message = kit.message(type);
    const reports = await kit.reports(message.runId);
    await kit.enqueue(message);

    const result = await reports.waitFor('result');
    assert.deepEqual(result.report.result, { kind: 'complete', outputs: { count: 300 } });
    assert.deepEqual(reports.logLines('stdout'), Array.from({ length: 300 }, (_, i) => `line ${i + 1}`));
    assert.deepEqual(reports.logLines('stderr'), ['oops']);
    const kinds = reports.reports.map((r) => r.kind);
    assert.equal(kinds[0], 'started');
    assert.equal(kinds.at(-1), 'result');
  });

  it('retries a RetryError with the policy\'s backoff (nak with the delay), then fails "(after 3 attempts)"', async () => {
    const type = unique('flaky');
    const defs = kit.defs([{ type, provider: 'noop', config: { result: 'retry', error: 'service unavailable' } }]);
    await kit.agent({ defs: [defs] });
    const message = kit.message(type, { policy: { maxAttempts: 3, backoff: 'exponential', delayMs: 400, maxDelayMs: 60_000, jitter: false } });
    const reports = await kit.reports(message.runId);
    await kit.enqueue(message);

    const result = await reports.waitFor('result');
    assert.deepEqual(result.report.result, { kind: 'fatal', error: 'service unavailable (after 3 attempts)' });
    // A held `started` goes out ahead of the retrying report; the last attempt's start comes with its result.
    const steps = reports.received.map(({ report }) => {
      const start = startOf(report);
      if (report.kind === 'retrying') return `retrying ${report.attempt} ${report.delayMs}`;
      return start ? `${report.kind} ${start.attempt}/${start.delivery}` : report.kind;
    });
    assert.deepEqual(steps, ['started 1/1', 'retrying 1 400', 'started 2/2', 'retrying 2 800', 'result 3/3']);
    // The nak's delay is what separates a retrying report from the next attempt's start.
    const startedAt = (attempt: number) => reports.starts().find((s) => s.report.attempt === attempt)!.at;
    const retryingAt = (attempt: number) => reports.received.find((r) => r.report.kind === 'retrying' && r.report.attempt === attempt)!.at;
    assertBetween(startedAt(2) - retryingAt(1), 400, 'the first backoff');
    assertBetween(startedAt(3) - retryingAt(2), 800, 'the second backoff');
    await eventually(async () => (await kit.stored(type)) === 0);
  });

  it('polls a Schedule result again after its delay, handing its state on, on the same attempt', async () => {
    const type = unique('poll');
    const seen: { attempt: number; poll: number; state: unknown; key: string }[] = [];
    const providers = withProbe(async (ctx) => {
      seen.push({ attempt: ctx.attempt, poll: ctx.poll, state: ctx.state, key: ctx.idempotencyKey });
      if (ctx.poll < 2) return { kind: 'schedule', delayMs: 300, state: { polls: ctx.poll + 1 }, message: `not yet (${ctx.poll})` };
      return { kind: 'complete', outputs: { polls: ctx.poll } };
    });
    const defs = kit.defs([{ type, provider: 'probe' }]);
    await kit.agent({ defs: [defs], providers });
    const message = kit.message(type);
    const reports = await kit.reports(message.runId);
    await kit.enqueue(message);

    const result = await reports.waitFor('result');
    assert.deepEqual(result.report.result, { kind: 'complete', outputs: { polls: 2 } });
    assert.deepEqual(seen, [
      { attempt: 1, poll: 0, state: undefined, key: message.idempotencyKey },
      { attempt: 1, poll: 1, state: { polls: 1 }, key: message.idempotencyKey },
      { attempt: 1, poll: 2, state: { polls: 2 }, key: message.idempotencyKey },
    ]);
    const scheduled = reports.received.filter((r) => r.report.kind === 'scheduled');
    assert.deepEqual(scheduled.map((r) => r.report), [
      { v: 1, runId: message.runId, dispatchId: message.dispatchId, agent: scheduled[0].report.agent, kind: 'scheduled', attempt: 1, poll: 0, delayMs: 300, message: 'not yet (0)' },
      { v: 1, runId: message.runId, dispatchId: message.dispatchId, agent: scheduled[0].report.agent, kind: 'scheduled', attempt: 1, poll: 1, delayMs: 300, message: 'not yet (1)' },
    ]);
    const startedAt = (poll: number) => reports.starts().find((s) => s.report.poll === poll)!.at;
    assert.deepEqual(reports.starts().map((s) => `${s.report.attempt}.${s.report.poll}/${s.report.delivery}${s.report.folded ? ' with the result' : ''}`),
      ['1.0/1', '1.1/2', '1.2/3 with the result']);
    assertBetween(startedAt(1) - scheduled[0].at, 300, 'the first poll delay');
    assertBetween(startedAt(2) - scheduled[1].at, 300, 'the second poll delay');
    // The record that carried the state is gone with the dispatch.
    const kv = await attemptBucket(kit.nc);
    await eventually(async () => { const e = await kv.get(attemptKey(message.dispatchId)); return !e || e.operation !== 'PUT'; });
  });

  it('terminates a FatalError at once: one attempt, the error as the result, nothing left in the queue', async () => {
    const type = unique('doomed');
    const defs = kit.defs([{ type, provider: 'noop', config: { result: 'fatal', error: 'the disk is full' } }]);
    const { log } = await kit.agent({ defs: [defs] });
    const message = kit.message(type, { policy: { maxAttempts: 5, backoff: 'fixed', delayMs: 100, maxDelayMs: 1000, jitter: false } });
    const reports = await kit.reports(message.runId);
    await kit.enqueue(message);

    const result = await reports.waitFor('result');
    assert.deepEqual(result.report.result, { kind: 'fatal', error: 'the disk is full' });
    assert.deepEqual(reports.reports.map((r) => r.kind), ['result']);
    assert.deepEqual(reports.starts().map((s) => [s.report.attempt, s.report.delivery]), [[1, 1]]);
    await eventually(async () => (await kit.stored(type)) === 0);
    assert.deepEqual(await kit.queued(type), { pending: 0, ackPending: 0 });
    assert.equal(log.of('finished').find((e) => e.dispatchId === message.dispatchId)?.outcome, 'fatal');
  });

  it('never takes messages of a type it does not serve', async () => {
    const served = unique('mine');
    const other = unique('theirs');
    const defs = kit.defs([{ type: served, provider: 'noop' }, { type: other, provider: 'noop' }]);
    // Someone else's consumer for the other type exists, as it would on a shared server.
    const { agent } = await kit.agent({ defs: [defs], types: [served] });
    assert.deepEqual(agent.types, [served]);
    await ensureTypeConsumer(kit.jsm, other, { ackWaitMs: 5000 });
    const theirs = kit.message(other);
    const mine = kit.message(served);
    const theirReports = await kit.reports(theirs.runId);
    const myReports = await kit.reports(mine.runId);
    await kit.enqueue(theirs);
    await kit.enqueue(mine);

    await myReports.waitFor('result');
    assert.deepEqual(theirReports.reports, []);
    assert.deepEqual(await kit.queued(other), { pending: 1, ackPending: 0 });
    assert.equal(await kit.stored(other), 1);
  });

  it('fails an attempt whose secret the agent does not have, naming it and its variable; redacts one it has', async () => {
    const type = unique('secretive');
    const defs = kit.defs([{ type, provider: 'noop' }]);
    await kit.agent({ defs: [defs], secrets: { get: (name) => (name === 'PRESENT' ? 's3cr3t-value' : undefined), hint: (name) => `set the environment variable ORCH_SECRET_${name}` } });

    const missing = kit.message(type, { inputs: { token: '${secret:API_TOKEN}' } });
    const missingReports = await kit.reports(missing.runId);
    await kit.enqueue(missing);
    const failed = await missingReports.waitFor('result');
    assert.equal(failed.report.result.kind, 'fatal');
    const error = (failed.report.result as { error: string }).error;
    assert.match(error, /secret API_TOKEN is not set/);
    assert.match(error, /ORCH_SECRET_API_TOKEN/);

    const present = kit.message(type, { inputs: { token: '${secret:PRESENT}', url: 'https://x/?t=${secret:PRESENT}' } });
    const presentReports = await kit.reports(present.runId);
    await kit.enqueue(present);
    const done = await presentReports.waitFor('result');
    // The provider got the value (noop echoes its inputs); the report carries it redacted.
    assert.deepEqual(done.report.result, { kind: 'complete', outputs: { token: '***', url: 'https://x/?t=***' } });
  });

  it('fails an attempt that outlives policy.timeoutMs as a RetryError "timed out after N ms"', async () => {
    const type = unique('slow');
    const defs = kit.defs([{ type, provider: 'shell', config: { command: 'sleep', args: ['30'] } }]);
    await kit.agent({ defs: [defs] });
    const message = kit.message(type, { policy: { maxAttempts: 1, backoff: 'fixed', delayMs: 0, maxDelayMs: 0, jitter: false, timeoutMs: 300 } });
    const reports = await kit.reports(message.runId);
    await kit.enqueue(message);
    const result = await reports.waitFor('result');
    assert.deepEqual(result.report.result, { kind: 'fatal', error: 'timed out after 300 ms' });
  });

  it('aborts a running shell attempt on a cancel request, and terminates later messages of the run unrun', async () => {
    const type = unique('long');
    const defs = kit.defs([{ type, provider: 'shell', config: { command: 'sh', args: ['-c', 'echo begun; sleep 30; echo never'] } }]);
    const { log } = await kit.agent({ defs: [defs] });
    const message = kit.message(type);
    const reports = await kit.reports(message.runId);
    await kit.enqueue(message);
    await reports.waitFor('log', (r) => r.line.includes('begun'));

    const cancelledAt = Date.now();
    await kit.cancel({ runId: message.runId, reason: 'stopped by the test' });
    const result = await reports.waitFor('result');
    assert.deepEqual(result.report.result, { kind: 'fatal', error: 'cancelled: stopped by the test' });
    assert.ok(Date.now() - cancelledAt < 10_000, 'the attempt was aborted, not waited for');
    assert.ok(!reports.logLines().includes('never'));
    await eventually(async () => (await kit.stored(type)) === 0);

    const later = kit.message(type, { runId: message.runId, unitKey: 'next', activityId: 'next' });
    await kit.enqueue(later);
    const refused = await reports.waitFor('result', (r) => r.dispatchId === later.dispatchId);
    assert.deepEqual(refused.report.result, { kind: 'fatal', error: 'cancelled: stopped by the test' });
    assert.ok(!reports.starts().some((s) => s.report.dispatchId === later.dispatchId), 'the later message did not run');
    assert.equal((await log.waitFor('finished', (e) => e.dispatchId === later.dispatchId)).outcome, 'cancelled');
  });

  it('cancels only the dispatches a request names', async () => {
    const type = unique('pair');
    const providers = withProbe((ctx) => new Promise((resolve) => {
      if (ctx.activityId === 'quick') setTimeout(() => resolve({ kind: 'complete', outputs: { id: ctx.activityId } }), 500);
      ctx.signal.addEventListener('abort', () => resolve({ kind: 'fatal', error: 'aborted' }));
    }));
    const defs = kit.defs([{ type, provider: 'probe' }]);
    const { log } = await kit.agent({ defs: [defs], providers });
    const runId = unique('run');
    const doomed = kit.message(type, { runId, activityId: 'doomed', unitKey: 'doomed' });
    const quick = kit.message(type, { runId, activityId: 'quick', unitKey: 'quick' });
    const reports = await kit.reports(runId);
    await kit.enqueue(doomed);
    await kit.enqueue(quick);
    await log.waitFor('started', (e) => e.dispatchId === doomed.dispatchId);
    await log.waitFor('started', (e) => e.dispatchId === quick.dispatchId);
    await kit.cancel({ runId, dispatchIds: [doomed.dispatchId], reason: 'not needed' });
    assert.deepEqual((await reports.waitFor('result', (r) => r.dispatchId === doomed.dispatchId)).report.result, { kind: 'fatal', error: 'cancelled: not needed' });
    assert.deepEqual((await reports.waitFor('result', (r) => r.dispatchId === quick.dispatchId)).report.result, { kind: 'complete', outputs: { id: 'quick' } });
  });

  it('terminates a malformed message with a clear error, tells its orchestrator when it can, and goes on', async () => {
    const type = unique('strict');
    const defs = kit.defs([{ type, provider: 'noop' }]);
    const { log } = await kit.agent({ defs: [defs] });
    await kit.js.publish(activitySubject(type), new TextEncoder().encode('{"not": "json'));
    const bad = kit.message(type, { unitKey: '../../etc' });
    const badReports = await kit.reports(bad.runId);
    await kit.enqueue(bad);
    const good = kit.message(type, { inputs: { ok: true } });
    const goodReports = await kit.reports(good.runId);
    await kit.enqueue(good);

    assert.deepEqual((await goodReports.waitFor('result')).report.result, { kind: 'complete', outputs: { ok: true } });
    const refused = await badReports.waitFor('result');
    assert.equal(refused.report.result.kind, 'fatal');
    assert.match((refused.report.result as { error: string }).error, /unitKey.*is not an activity id/);
    const errors = log.of('error').map((e) => e.message);
    assert.ok(errors.some((m) => /malformed activity message.*not JSON/.test(m)), errors.join('\n'));
    await eventually(async () => (await kit.stored(type)) === 0);
  });

  it('stores reports through its own PubAck listener: once per msgID, refused when no stream takes the subject', async () => {
    const publisher = new PubAcks(kit.nc, 2000);
    try {
      const runId = unique('run');
      const reports = await kit.reports(runId);
      const report = (line: string) => encode({ v: PROTOCOL_VERSION, runId, dispatchId: `${runId}.d`, agent: 'a', kind: 'log', attempt: 1, stream: 'stdout', line });
      await publisher.publish(reportSubject(runId, `${runId}.d`), report('one'), `${runId}:1`);
      await publisher.publish(reportSubject(runId, `${runId}.d`), report('one again'), `${runId}:1`);
      await publisher.publish(reportSubject(runId, `${runId}.d`), report('two'), `${runId}:2`);
      await reports.waitFor('log', (r) => r.line === 'two');
      assert.deepEqual(reports.logLines(), ['one', 'two']);
      await assert.rejects(publisher.publish(`nowhere.${unique('x')}`, report('lost'), 'x'), (error: Error & { code?: string }) => error.code === '503');
      const tooLarge = new Uint8Array((kit.nc.info?.max_payload ?? 1024 * 1024) + 1);
      await assert.rejects(publisher.publish(reportSubject(runId, `${runId}.d`), tooLarge, 'big'), (error: Error & { code?: string }) => error.code === ErrorCode.MaxPayloadExceeded);
    } finally {
      publisher.close();
    }
  });

  it('stores a report published without a PubAck once per msgID, however often it is sent again', async () => {
    const publisher = new PubAcks(kit.nc, 2000, true);
    try {
      const runId = unique('run');
      const reports = await kit.reports(runId);
      const subject = reportSubject(runId, 'd');
      const report = (line: string) => encode({ v: PROTOCOL_VERSION, runId, dispatchId: 'd', agent: 'a', kind: 'log', attempt: 1, stream: 'stdout', line });
      publisher.publishUnconfirmed(subject, report('one'), `${runId}:1`);
      publisher.publishUnconfirmed(subject, report('two'), `${runId}:2`);
      // As after a reconnect: whatever no ping confirmed yet goes again.
      await new Promise((resolve) => setImmediate(resolve));
      publisher.reconnected();
      await publisher.publish(subject, report('three'), `${runId}:3`);
      await reports.waitFor('log', (r) => r.line === 'three');
      assert.deepEqual(reports.logLines(), ['one', 'two', 'three']);
    } finally {
      publisher.close();
    }
  });

  it('refuses to start for a type it has no definition for, naming the types it has', async () => {
    const defs = kit.defs([{ type: 'build', provider: 'noop' }, { type: 'test', provider: 'shell', config: { command: 'true' } }]);
    await assert.rejects(startAgent({ nats: { url: kit.server.url }, defs: [defs], types: ['build', 'deploy'] }), (error: Error) => {
      assert.ok(error instanceof AgentStartError);
      assert.match(error.message, /no definition for type deploy/);
      assert.match(error.message, /declare build, test/);
      return true;
    });
    await assert.rejects(startAgent({ nats: { url: kit.server.url }, defs: [defs], types: ['build'], providers: withRegistryWithout('noop') }), /provider 'noop' is not one this agent has/);
    const missingSecret = kit.defs([{ type: 'deploy', provider: 'noop', config: { token: '${secret:DEPLOY_TOKEN}' } }]);
    await assert.rejects(startAgent({ nats: { url: kit.server.url }, defs: [missingSecret], secrets: { get: () => undefined, hint: () => 'set the environment variable ORCH_SECRET_DEPLOY_TOKEN' } }),
      /type deploy .*secret DEPLOY_TOKEN is not set \(set the environment variable ORCH_SECRET_DEPLOY_TOKEN\)/);
    assert.ok(existsSync(defs));
  });

  function withRegistryWithout(name: string): ProviderRegistry {
    const registry = kit.providers();
    (registry as unknown as Map<string, unknown>).delete(name);
    return registry;
  }
});

/** Asserts `measured` is the delay `expected` within the tolerance a loaded 2-core machine needs. */
function assertBetween(measured: number, expected: number, what: string): void {
  assert.ok(measured >= expected - 50 && measured <= expected + 1500, `${what}: ${measured} ms, expected ${expected} ms`);
}
