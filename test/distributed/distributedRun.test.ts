/**
 * Distributed mode end to end: a real nats-server (JetStream, file storage), `orch run --nats` and
 * `orch agent` as real processes, shell activities as real child processes of the agents.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, nkeys } from 'nats';
import { ACTIVITY_STREAM, activitySubject } from '../../runtime/distributed/protocol';
import { startNatsServer, type NatsServer, type NatsServerOptions } from '../support/natsServer';
import { CliProcess, ensureBuilt, startAgent } from './processes';

/** What every activity runs: reads its inputs, records who ran it, behaves as its `mode` input says. */
const STEP = `
const fs = require('fs');
const inputs = JSON.parse(fs.readFileSync(process.env.ORCH_INPUTS_FILE, 'utf8'));
const attempt = Number(process.env.ORCH_ATTEMPT), poll = Number(process.env.ORCH_POLL);
fs.appendFileSync(process.env.LEDGER, JSON.stringify({ activity: process.env.ORCH_ACTIVITY_ID, key: process.env.ORCH_IDEMPOTENCY_KEY, agent: process.env.AGENT_NAME || 'local', attempt, poll }) + '\\n');
const out = (o) => fs.writeFileSync(process.env.ORCH_OUTPUTS_FILE, JSON.stringify(o));
const sum = Object.entries(inputs).filter(([k]) => k.startsWith('x')).reduce((s, [, v]) => s + Number(v), 0);
const value = Number(inputs.self || 0) + sum;
console.log('computing ' + process.env.ORCH_ACTIVITY_ID + ' on ' + (process.env.AGENT_NAME || 'local'));
switch (inputs.mode || 'ok') {
  case 'ok': out({ value }); break;
  case 'sleep': setTimeout(() => out({ value }), Number(inputs.sleepMs)); break;
  case 'retry': if (attempt < 3) { console.error('not yet'); process.exit(75); } out({ value: attempt }); break;
  case 'schedule': {
    const state = fs.existsSync(process.env.ORCH_STATE_FILE) ? fs.readFileSync(process.env.ORCH_STATE_FILE, 'utf8') : '';
    if (poll < 2) { fs.writeFileSync(process.env.ORCH_STATE_FILE, state + 'p' + poll); out({ scheduleMs: 300, message: 'polling' }); process.exit(76); }
    out({ value: state.length }); break;
  }
  case 'fatal': console.error('broken beyond repair'); process.exit(1);
}
`;

interface Workspace {
  dir: string;
  ledger: string;
  cleanup(): void;
}

function workspace(): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'orch-dist-'));
  writeFileSync(join(dir, 'package.json'), '{"private":true}');
  writeFileSync(join(dir, 'step.js'), STEP);
  writeFileSync(join(dir, 'step.activity.json'), JSON.stringify({
    type: 'step', provider: 'shell', config: { command: process.execPath, args: ['step.js'] },
    outputSchema: { openAPIV3Schema: { type: 'object', properties: { value: { type: 'number' } } } },
  }));
  writeFileSync(join(dir, 'other.activity.json'), JSON.stringify({ type: 'other', provider: 'noop' }));
  const ledger = join(dir, 'ledger.ndjson');
  writeFileSync(ledger, '');
  return { dir, ledger, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

type Act = { id: string; type?: string; dependsOn?: string[]; inputs?: unknown[]; retry?: unknown };

function writeFlow(ws: Workspace, name: string, activities: Act[], output?: Record<string, string>): string {
  const file = join(ws.dir, `${name}.orch.json`);
  writeFileSync(file, JSON.stringify({ type: name, concurrency: 16, activities: activities.map((a) => ({ type: 'step', ...a })), ...(output ? { output } : {}) }));
  return file;
}

function ledger(ws: Workspace): { activity: string; key: string; agent: string; attempt: number; poll: number }[] {
  return readFileSync(ws.ledger, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** 100 activities in layers of 10; each adds its own number to its two upstream values. */
function hundred(): Act[] {
  const list: Act[] = [];
  for (let i = 0; i < 100; i++) {
    const a: Act = { id: `a${i}`, inputs: [{ value: i, target: 'self' }] };
    if (i >= 10) {
      const deps = [...new Set([`a${i - 10}`, `a${i - 10 - (i % 10) + ((i + 3) % 10)}`])];
      a.dependsOn = deps;
      deps.forEach((d, k) => a.inputs!.push({ source: `${d}.value`, target: `x${k}` }));
    }
    list.push(a);
  }
  return list;
}

function run(ws: Workspace, file: string, extra: string[] = [], env: Record<string, string> = {}): CliProcess {
  return new CliProcess('orch run', ['run', file, '--json', '--runs-dir', join(ws.dir, 'runs'), ...extra], { cwd: ws.dir, env: { LEDGER: ws.ledger, ...env } });
}

function outputsOf(p: CliProcess): Record<string, unknown> {
  return Object.fromEntries(p.events('activity.succeeded').map((e) => [e.activityId as string, e.outputs]));
}

describe('distributed mode: orch run --nats with orch agent workers', function () {
  this.timeout(120_000);
  let nats: NatsServer;
  let ws: Workspace;
  const agents: CliProcess[] = [];
  const agent = async (name: string, args: string[] = ['--types', 'step'], env: Record<string, string> = {}) => {
    const a = await startAgent(ws.dir, nats.url, name, ['--defs', ws.dir, ...args], { LEDGER: ws.ledger, ...env });
    agents.push(a);
    return a;
  };

  before(() => ensureBuilt());
  beforeEach(async () => {
    ws = workspace();
    nats = await startNatsServer();
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) { a.kill('SIGKILL'); await a.exited; }
    await nats.stop();
    ws.cleanup();
  });

  it('runs 100 activities across 3 agents with the same outputs as embedded mode', async () => {
    const file = writeFlow(ws, 'hundred', hundred(), { last: 'a99.value', first: 'a0.value' });
    const local = run(ws, file);
    assert.equal((await local.exited).code, 0, local.stderr);
    const localEntries = ledger(ws).length;
    await Promise.all(['one', 'two', 'three'].map((n) => agent(n, ['--types', 'step', '--concurrency', '4'])));
    const remote = run(ws, file, ['--nats', nats.url]);
    assert.equal((await remote.exited).code, 0, remote.stderr);
    const finished = remote.events('run.finished')[0];
    assert.equal(finished.state, 'succeeded');
    assert.deepEqual(finished.output, local.events('run.finished')[0].output);
    assert.deepEqual(outputsOf(remote), outputsOf(local));
    assert.equal(Object.keys(outputsOf(remote)).length, 100);
    const byAgent = new Map<string, number>();
    for (const e of remote.events('activity.started').filter((s) => s.agent)) byAgent.set(e.agent as string, (byAgent.get(e.agent as string) ?? 0) + 1);
    assert.deepEqual([...byAgent.values()].reduce((a, b) => a + b, 0), 100, 'every activity started once on an agent');
    assert.ok(byAgent.size >= 2, `the work was spread over the agents: ${JSON.stringify([...byAgent])}`);
    const remoteEntries = ledger(ws).slice(localEntries);
    assert.equal(remoteEntries.length, 100);
    assert.ok(remoteEntries.every((e) => e.agent !== 'local'));
    // The journal says where each attempt ran, as the Runs view shows it.
    const logs = remote.events('activity.log');
    assert.ok(logs.some((l) => /computing a42 on (one|two|three)/.test(String(l.line))), 'log lines stream back from the agents');
  });

  it('hands the message of a killed agent to another, with the same idempotency key', async () => {
    const file = writeFlow(ws, 'slow', [{ id: 'slow', inputs: [{ value: 'sleep', target: 'mode' }, { value: 1500, target: 'sleepMs' }, { value: 5, target: 'self' }] }]);
    const [a, b] = [await agent('alpha', ['--types', 'step', '--ack-wait', '1500']), await agent('beta', ['--types', 'step', '--ack-wait', '1500'])];
    const orchestrator = run(ws, file, ['--nats', nats.url]);
    const first = await orchestrator.waitFor((l) => l.type === 'activity.started' && typeof l.agent === 'string');
    // The activity's own first log line: its process is running (and has written its ledger line) on that agent.
    await orchestrator.waitFor((l) => l.type === 'activity.log' && String(l.line).startsWith('computing slow'));
    const victim = first.agent === 'alpha' ? a : b;
    victim.kill('SIGKILL');
    await victim.exited;
    assert.equal((await orchestrator.exited).code, 0, orchestrator.stderr);
    const starts = orchestrator.events('activity.started').filter((s) => s.agent);
    assert.equal(starts.length, 2);
    assert.notEqual(starts[1].agent, first.agent, 'the redelivery went to the other agent');
    assert.equal(starts[1].delivery, 2);
    assert.equal(starts[1].attempt, starts[0].attempt, 'a dead agent does not use up an attempt');
    const runs = ledger(ws).filter((e) => e.activity === 'slow');
    assert.equal(runs.length, 2);
    assert.equal(runs[0].key, runs[1].key);
    assert.equal(runs[0].key, `${orchestrator.events('run.started')[0].runId}/slow`);
    assert.deepEqual(orchestrator.events('activity.succeeded')[0].outputs, { value: 5 });
  });

  it('completes a run across a nats-server restart without losing a result', async () => {
    const chain: Act[] = Array.from({ length: 12 }, (_, i) => ({
      id: `c${i}`,
      ...(i ? { dependsOn: [`c${i - 1}`] } : {}),
      inputs: [{ value: 'sleep', target: 'mode' }, { value: 100, target: 'sleepMs' }, { value: 1, target: 'self' }, ...(i ? [{ source: `c${i - 1}.value`, target: 'x0' }] : [])],
    }));
    const file = writeFlow(ws, 'chain', chain, { total: 'c11.value' });
    await agent('steady');
    const orchestrator = run(ws, file, ['--nats', nats.url]);
    await orchestrator.waitFor((l) => l.type === 'activity.succeeded' && l.activityId === 'c3');
    await nats.restart();
    assert.equal((await orchestrator.exited).code, 0, orchestrator.stderr);
    assert.deepEqual(orchestrator.events('run.finished')[0].output, { total: 12 });
    for (let i = 0; i < 12; i++) assert.equal(orchestrator.events('activity.succeeded', `c${i}`).length, 1, `c${i} succeeded once`);
  });

  it('honours RetryError backoff and Schedule delays, and fails at once on FatalError', async () => {
    const file = writeFlow(ws, 'results', [
      { id: 'flaky', inputs: [{ value: 'retry', target: 'mode' }], retry: { maxAttempts: 3, delayMs: 400, backoff: 'fixed', jitter: false } },
      { id: 'poller', inputs: [{ value: 'schedule', target: 'mode' }] },
    ]);
    await agent('worker', ['--types', 'step', '--concurrency', '2']);
    const orchestrator = run(ws, file, ['--nats', nats.url]);
    assert.equal((await orchestrator.exited).code, 0, orchestrator.stderr);
    const steps = (id: string) => orchestrator.lines.filter((l) => l.activityId === id && ['activity.started', 'activity.retrying', 'activity.scheduled'].includes(l.type as string) && (l.type !== 'activity.started' || l.agent));
    const flaky = steps('flaky');
    assert.deepEqual(flaky.map((l) => `${l.type}:${l.attempt}`), ['activity.started:1', 'activity.retrying:1', 'activity.started:2', 'activity.retrying:2', 'activity.started:3']);
    for (const i of [1, 3]) {
      const waited = (flaky[i + 1].time as number) - (flaky[i].time as number);
      assert.ok(waited >= 350 && waited < 2500, `backoff of 400 ms honoured (waited ${waited} ms)`);
    }
    assert.deepEqual(orchestrator.events('activity.succeeded', 'flaky')[0].outputs, { value: 3 });
    const poller = steps('poller');
    assert.deepEqual(poller.map((l) => `${l.type}:${l.poll}`), ['activity.started:0', 'activity.scheduled:0', 'activity.started:1', 'activity.scheduled:1', 'activity.started:2']);
    for (const i of [1, 3]) {
      const waited = (poller[i + 1].time as number) - (poller[i].time as number);
      assert.ok(waited >= 250 && waited < 2500, `schedule delay of 300 ms honoured (waited ${waited} ms)`);
    }
    assert.deepEqual(orchestrator.events('activity.succeeded', 'poller')[0].outputs, { value: 4 }, 'the Schedule state travelled from poll to poll');

    const fatalFile = writeFlow(ws, 'fatal', [{ id: 'doomed', inputs: [{ value: 'fatal', target: 'mode' }], retry: { maxAttempts: 3, delayMs: 10_000 } }, { id: 'after', dependsOn: ['doomed'] }]);
    const failing = run(ws, fatalFile, ['--nats', nats.url]);
    assert.equal((await failing.exited).code, 1);
    assert.equal(failing.events('activity.started', 'doomed').filter((s) => s.agent).length, 1, 'no retry after a FatalError');
    assert.match(String(failing.events('activity.failed', 'doomed')[0].error), /exit(ed with)? (code )?1|broken beyond repair/);
    assert.equal(failing.events('activity.skipped', 'after').length, 1);
    const finished = failing.events('run.finished')[0];
    assert.ok((finished.durationMs as number) < 8000, `failed at once (${finished.durationMs} ms), not after the 10 s backoff`);
  });

  it('authenticates with a token, user and password, or an nkey over TLS, from the environment', async () => {
    const file = writeFlow(ws, 'auth', [{ id: 'one', inputs: [{ value: 3, target: 'self' }] }]);
    const seed = nkeys.createUser();
    const cases: { name: string; options: NatsServerOptions; env: Record<string, string>; wrong?: Record<string, string> }[] = [
      { name: 'token', options: { auth: { token: 'sesame-token-1' } }, env: { ORCH_NATS_TOKEN: 'sesame-token-1' }, wrong: { ORCH_NATS_TOKEN: 'nope' } },
      { name: 'user', options: { auth: { user: 'orch', password: 'pw-42-secret' } }, env: { ORCH_NATS_USER: 'orch', ORCH_NATS_PASSWORD: 'pw-42-secret' }, wrong: { ORCH_NATS_USER: 'orch', ORCH_NATS_PASSWORD: 'bad' } },
      { name: 'nkey+tls', options: { auth: { nkey: seed.getPublicKey() }, tls: true }, env: { ORCH_NATS_NKEY: new TextDecoder().decode(seed.getSeed()) } },
    ];
    await nats.stop();
    for (const c of cases) {
      nats = await startNatsServer(c.options);
      try {
        const env = { ...c.env, ...(nats.caFile ? { ORCH_NATS_CA: nats.caFile } : {}) };
        assert.match(nats.url, c.options.tls ? /^tls:/ : /^nats:/);
        if (c.wrong) {
          const refused = run(ws, file, ['--nats', nats.url], c.wrong);
          assert.equal((await refused.exited).code, 2, `${c.name}: wrong credentials are a usage error`);
          assert.match(refused.stderr, /refused the credentials|authorization/i, refused.stderr);
        }
        const worker = await agent(`agent-${c.name}`, ['--types', 'step'], env);
        const orchestrator = run(ws, file, ['--nats', nats.url], env);
        assert.equal((await orchestrator.exited).code, 0, `${c.name}: ${orchestrator.stderr}`);
        assert.deepEqual(orchestrator.events('activity.succeeded')[0].outputs, { value: 3 });
        worker.kill('SIGKILL');
        await worker.exited;
      } finally {
        await nats.stop();
      }
    }
  });

  it('cancels on Ctrl-C (the running attempt is aborted on its agent, queued work leaves the queue) and resumes on the agents', async () => {
    const sleeper = (id: string) => ({ id, inputs: [{ value: 'sleep', target: 'mode' }, { value: 60_000, target: 'sleepMs' }, { value: 1, target: 'self' }] });
    const file = writeFlow(ws, 'long', [sleeper('first'), sleeper('second')]);
    const worker = await agent('lonely', ['--types', 'step', '--concurrency', '1']);
    const orchestrator = run(ws, file, ['--nats', nats.url]);
    await orchestrator.waitFor((l) => l.type === 'activity.log' && String(l.line).startsWith('computing'));
    orchestrator.kill('SIGINT');
    assert.equal((await orchestrator.exited).code, 130, orchestrator.stderr);
    const cancelled = await worker.waitFor((l) => l.event === 'finished' && l.outcome === 'cancelled');
    assert.ok(cancelled, 'the agent aborted the attempt it was running');
    const nc = await connect({ servers: nats.url });
    try {
      const info = await (await nc.jetstreamManager()).streams.info(ACTIVITY_STREAM, { subjects_filter: activitySubject('step') });
      assert.equal(info.state.subjects?.[activitySubject('step')] ?? 0, 0, 'the queued activity was taken out of the queue');
    } finally {
      await nc.close();
    }
    assert.equal(worker.lines.filter((l) => l.event === 'started').length, 1, 'the queued activity never started');
    // Resumed: the unfinished activities go to the agents again.
    const runId = String(orchestrator.events('run.started')[0].runId);
    const resumed = new CliProcess('orch resume', ['resume', runId, '--json', '--runs-dir', join(ws.dir, 'runs'), '--nats', nats.url], { cwd: ws.dir, env: { LEDGER: ws.ledger } });
    await resumed.waitFor((l) => l.type === 'activity.started' && typeof l.agent === 'string');
    // They sleep a minute: cancel again, from another shell this time (`orch cancel` reaches a distributed run too).
    const cancel = new CliProcess('orch cancel', ['cancel', runId, '--runs-dir', join(ws.dir, 'runs')], { cwd: ws.dir });
    assert.equal((await cancel.exited).code, 0, cancel.stderr);
    assert.equal((await resumed.exited).code, 130, resumed.stderr);
    assert.equal(worker.lines.filter((l) => l.event === 'finished' && l.outcome === 'cancelled').length, 2);
  });

  it('runs the batch-pipeline example on an agent: dependents read the files their upstream left in its work folder', async () => {
    const example = join(__dirname, '..', '..', 'examples', 'batch-pipeline');
    await startAgent(ws.dir, nats.url, 'pipeline-agent', ['--defs', example]).then((a) => agents.push(a));
    const orchestrator = new CliProcess('orch run', ['run', join(example, 'pipeline.orch.json'), '--json', '--runs-dir', join(ws.dir, 'runs'), '--nats', nats.url], { cwd: ws.dir });
    assert.equal((await orchestrator.exited).code, 0, orchestrator.stderr + orchestrator.stdoutText.slice(-2000));
    assert.equal(orchestrator.events('run.finished')[0].state, 'succeeded');
    assert.ok(orchestrator.events('activity.started').filter((s) => s.agent === 'pipeline-agent').length >= 6);
  });

  it('goes on with a chain on the agent that ran its first link, with the same outputs, retries and polls included', async () => {
    const links: Act[] = Array.from({ length: 24 }, (_, i) => {
      const mode = i === 1 || i === 6 ? 'retry' : i === 14 ? 'schedule' : 'ok';
      return {
        id: `c${i}`,
        ...(i ? { dependsOn: [`c${i - 1}`] } : {}),
        inputs: [{ value: mode, target: 'mode' }, { value: 1, target: 'self' }, ...(i ? [{ source: `c${i - 1}.value`, target: 'x0' }] : [])],
        // c1 (the first continuation) retries at once: its hand-back is due as soon as it is queued, and must
        // still run as attempt 2.
        ...(mode === 'retry' ? { retry: { maxAttempts: 3, delayMs: i === 1 ? 0 : 300, backoff: 'fixed', jitter: false } } : {}),
      };
    });
    const file = writeFlow(ws, 'links', links, { last: 'c23.value' });
    const local = run(ws, file);
    assert.equal((await local.exited).code, 0, local.stderr);
    await agent('one');
    await agent('two');
    const nc = await connect({ servers: nats.url });
    try {
      const jsm = await nc.jetstreamManager();
      const published = async () => (await jsm.streams.info(ACTIVITY_STREAM)).state.last_seq;
      const before = await published();
      const remote = run(ws, file, ['--nats', nats.url]);
      assert.equal((await remote.exited).code, 0, remote.stderr);
      assert.deepEqual(outputsOf(remote), outputsOf(local));
      assert.deepEqual(remote.events('run.finished')[0].output, local.events('run.finished')[0].output);
      // 24 links, one message per 17 of them, plus the hand-backs of c1's and c6's two retries and c14's two polls.
      const messages = (await published()) - before;
      assert.ok(messages <= 10, `the chain went on on the agents, not through a message per link (${messages} messages)`);
      const starts = remote.events('activity.started').filter((e) => e.agent);
      assert.equal(new Set(starts.map((e) => e.activityId)).size, 24, 'every link started on an agent, as the journal shows');
      const retries = remote.lines.filter((l) => l.activityId === 'c6' && (l.type === 'activity.retrying' || (l.type === 'activity.started' && l.agent)));
      assert.deepEqual(retries.map((l) => `${l.type}:${l.attempt}`), ['activity.started:1', 'activity.retrying:1', 'activity.started:2', 'activity.retrying:2', 'activity.started:3']);
      for (const i of [1, 3]) {
        const waited = (retries[i + 1].time as number) - (retries[i].time as number);
        assert.ok(waited >= 250 && waited < 2500, `the backoff of a continued link is honoured (waited ${waited} ms)`);
      }
      assert.deepEqual(remote.lines.filter((l) => l.activityId === 'c1' && l.type === 'activity.started' && l.agent).map((l) => l.attempt), [1, 2, 3], 'an immediate retry counts its attempts');
      assert.deepEqual(remote.events('activity.succeeded', 'c14')[0].outputs, local.events('activity.succeeded', 'c14')[0].outputs, 'the polls kept their state');
    } finally {
      await nc.close();
    }
  });

  it('stops a chain where a link\'s input cannot be read, and the engine fails that link as in embedded mode', async () => {
    const file = writeFlow(ws, 'broken', [
      { id: 'b0', inputs: [{ value: 1, target: 'self' }] },
      { id: 'b1', dependsOn: ['b0'], inputs: [{ source: 'b0.value', target: 'x0' }] },
      { id: 'b2', dependsOn: ['b1'], inputs: [{ source: 'b1.nope', target: 'x0' }] },
      { id: 'b3', dependsOn: ['b2'], inputs: [{ source: 'b2.value', target: 'x0' }] },
    ]);
    await agent('one');
    const remote = run(ws, file, ['--nats', nats.url]);
    assert.equal((await remote.exited).code, 1, remote.stderr);
    assert.match(String(remote.events('activity.failed', 'b2')[0].error), /b1 has no output 'nope'/);
    assert.deepEqual(ledger(ws).map((e) => e.activity), ['b0', 'b1'], 'the agent ran the links before the broken one, and nothing after');
    assert.equal(remote.events('run.finished')[0].state, 'failed');
  });

  it('never gives an agent the messages of a type it does not serve', async () => {
    const file = writeFlow(ws, 'mixed', [{ id: 's1', inputs: [{ value: 2, target: 'self' }] }, { id: 'o1', type: 'other' }]);
    await agent('steps-only', ['--types', 'step']);
    const orchestrator = run(ws, file, ['--nats', nats.url]);
    await orchestrator.waitFor((l) => l.type === 'activity.succeeded' && l.activityId === 's1');
    assert.equal(orchestrator.events('activity.started', 'o1').filter((s) => s.agent).length, 0);
    const nc = await connect({ servers: nats.url });
    try {
      const jsm = await nc.jetstreamManager();
      const info = await jsm.streams.info(ACTIVITY_STREAM, { subjects_filter: activitySubject('other') });
      assert.equal(info.state.subjects?.[activitySubject('other')], 1, 'the other type\'s message waits in the queue');
    } finally {
      await nc.close();
    }
    await agent('others', ['--types', 'other']);
    assert.equal((await orchestrator.exited).code, 0, orchestrator.stderr);
    assert.deepEqual(orchestrator.events('activity.started', 'o1').filter((s) => s.agent).map((s) => s.agent), ['others']);
  });
});

