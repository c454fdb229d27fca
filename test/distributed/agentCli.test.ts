/**
 * `orch agent` as a process: its arguments, its NDJSON events, a graceful SIGTERM, and a SIGKILL in
 * the middle of an attempt (the message comes back to another agent after the ack wait, with the
 * same attempt number and idempotency key). The CLI runs from source (tsx), so no build is needed.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { AgentKit, unique } from './agentKit';

const repoRoot = resolve(__dirname, '..', '..');
const mainTs = join(repoRoot, 'runtime', 'cli', 'main.ts');

interface CliAgent {
  child: ChildProcess;
  /** The NDJSON events printed so far. */
  events: Record<string, unknown>[];
  stderr: () => string;
  waitFor(event: string, match?: (e: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function orchAgent(args: string[], env: Record<string, string | undefined> = {}): CliAgent {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', mainTs, 'agent', ...args], {
    cwd: repoRoot, env: { ...process.env, ORCH_NATS_URL: undefined, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: Record<string, unknown>[] = [];
  const waiters: { event: string; match: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }[] = [];
  let buffer = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      let event: Record<string, unknown>;
      try { event = JSON.parse(line) as Record<string, unknown>; } catch { continue; }
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.event === event.event && waiter.match(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const exited = new Promise<number | null>((resolvePromise) => child.on('exit', (code) => resolvePromise(code)));
  return {
    child, events, exited,
    stderr: () => stderr,
    waitFor(event, match = () => true, timeoutMs = 30_000) {
      const found = events.find((e) => e.event === event && match(e));
      if (found) return Promise.resolve(found);
      return new Promise((resolvePromise, reject) => {
        const timer = setTimeout(() => reject(new Error(`no '${event}' from orch agent within ${timeoutMs} ms; events: ${JSON.stringify(events.map((e) => e.event))}; stderr: ${stderr}`)), timeoutMs);
        waiters.push({ event, match, resolve: (e) => { clearTimeout(timer); resolvePromise(e); } });
        void exited.then((code) => { clearTimeout(timer); reject(new Error(`orch agent exited (${code}) before '${event}'; stderr: ${stderr}`)); });
      });
    },
  };
}

async function finished(agent: CliAgent): Promise<{ code: number | null; stderr: string }> {
  const code = await agent.exited;
  return { code, stderr: agent.stderr() };
}

describe('orch agent (command line)', function () {
  this.timeout(90_000);
  let kit: AgentKit;
  const children: ChildProcess[] = [];

  before(async () => { kit = await AgentKit.start(); });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await kit.cleanup();
  });
  after(async () => { await kit?.close(); });

  function launch(args: string[], env?: Record<string, string | undefined>): CliAgent {
    const agent = orchAgent(args, env);
    children.push(agent.child);
    return agent;
  }

  it('refuses bad arguments with a usage error, and an unknown type naming the known ones', async () => {
    const noUrl = await finished(launch(['--types', 'x']));
    assert.equal(noUrl.code, 2);
    assert.match(noUrl.stderr, /--nats nats:\/\/host:4222 \(or set ORCH_NATS_URL\)/);

    const secretUrl = await finished(launch(['--nats', 'nats://alice:hunter2@127.0.0.1:4222']));
    assert.equal(secretUrl.code, 2);
    assert.match(secretUrl.stderr, /ORCH_NATS_USER/);

    const defs = kit.defs([{ type: 'build', provider: 'noop' }]);
    const unknown = await finished(launch(['--nats', kit.server.url, '--defs', defs, '--types', 'build,deploy']));
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no definition for type deploy.*declare build/);

    const badNumber = await finished(launch(['--nats', kit.server.url, '--defs', defs, '--ack-wait', '10']));
    assert.equal(badNumber.code, 2);
    assert.match(badNumber.stderr, /--ack-wait must be a whole number of milliseconds >= 1000/);
  });

  it('prints NDJSON events, and on SIGTERM finishes the attempt in flight, then exits 0', async () => {
    const type = unique('cli');
    const defs = kit.defs([{ type, provider: 'shell', config: { command: 'sh', args: ['-c', 'echo working; sleep 1; echo done'] } }]);
    const agent = launch(['--nats', kit.server.url, '--defs', defs, '--name', 'cli-agent', '--json', '--drain-timeout', '20000']);
    const ready = await agent.waitFor('ready');
    assert.deepEqual(ready.types, [type]);
    assert.equal(ready.name, 'cli-agent');

    const message = kit.message(type);
    const reports = await kit.reports(message.runId);
    await kit.enqueue(message);
    const started = await agent.waitFor('started');
    assert.equal(started.dispatchId, message.dispatchId);
    await reports.waitFor('log', (r) => r.line.includes('working'));
    agent.child.kill('SIGTERM');
    await agent.waitFor('stopping');
    const result = await reports.waitFor('result');
    assert.deepEqual(result.report.result, { kind: 'complete', outputs: {} });
    assert.equal(result.report.agent, 'cli-agent');
    assert.equal((await finished(agent)).code, 0);
    assert.ok(agent.events.some((e) => e.event === 'finished' && e.outcome === 'complete'));
    assert.ok(agent.events.some((e) => e.event === 'closed'));
  });

  it('after a SIGKILL mid-attempt, the message comes back after the ack wait: same attempt, same idempotency key', async () => {
    const type = unique('killed');
    const script = 'printf \'{"key": "%s", "attempt": %s}\' "$ORCH_IDEMPOTENCY_KEY" "$ORCH_ATTEMPT" > "$ORCH_OUTPUTS_FILE"; '
      + 'if [ -n "$ORCH_TEST_SLOW" ]; then echo slow; sleep 10; fi';
    const defs = kit.defs([{ type, provider: 'shell', config: { command: 'sh', args: ['-c', script] } }]);
    const doomed = launch(['--nats', kit.server.url, '--defs', defs, '--name', 'doomed', '--json', '--ack-wait', '1500'], { ORCH_TEST_SLOW: '1' });
    await doomed.waitFor('ready');
    const message = kit.message(type);
    const reports = await kit.reports(message.runId);
    await kit.enqueue(message);
    await reports.waitFor('log', (r) => r.line === 'slow');
    doomed.child.kill('SIGKILL');
    await doomed.exited;

    // The survivor's environment has no ORCH_TEST_SLOW: its attempt completes at once.
    const { log } = await kit.agent({ defs: [defs], name: 'survivor', ackWaitMs: 1500 });
    const result = await reports.waitFor('result');
    assert.equal(result.report.agent, 'survivor');
    assert.deepEqual(result.report.result, { kind: 'complete', outputs: { key: message.idempotencyKey, attempt: 1 } });
    const started = reports.starts().map((s) => [s.report.agent, s.report.attempt, s.report.delivery]);
    assert.deepEqual(started, [['doomed', 1, 1], ['survivor', 1, 2]]);
    assert.equal((await log.waitFor('started')).delivery, 2);
  });
});
