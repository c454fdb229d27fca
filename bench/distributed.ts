/**
 * Distributed mode's throughput and latency: 1,000 no-op activities as a chain (a_i depends on
 * a_(i-1)) and a fan-out (a0, then 999 depending on a0), run by the orchestrator (the engine in this
 * process, journal fdatasync'd as in every run) through NATS JetStream to 1, 2 and 4 `orch agent`
 * processes; beside it the same definitions in embedded mode (engine + noop provider, same journal),
 * and the peer: BullMQ's FlowProducer on a local Redis with 1, 2 and 4 worker processes, in the same
 * run. Target: distributed mode faster than BullMQ on both shapes, with each number of workers.
 *
 * How it is kept fair:
 * - Servers are the real ones (Debian's nats-server with JetStream on file storage, redis-server), on
 *   loopback, started and stopped here. Agents and BullMQ workers are child processes (never this
 *   event loop), the same count with the same concurrency (64 each). As many jobs may be in flight
 *   on each side: the BullMQ flow has no global limit, so its workers' slots are the only one
 *   (64 per worker), and a distributed run gets the same, a concurrency of 64 per agent; embedded
 *   mode runs at 64.
 * - Both sides are timed end to end: from startRun (planning, the journal's first line) to the run's
 *   result, and from FlowProducer.add to the completion of the flow's root job (a QueueEvents
 *   listener). Connections (the orchestrator's to NATS, FlowProducer's and QueueEvents' to Redis) are
 *   opened before the clock starts, as a long-running service would hold them; what a run creates
 *   (its report consumer) is timed.
 * - Contenders are measured round-robin (one run of each, then the next round) after a warm-up run of
 *   each, and the median is kept, so a burst of load from elsewhere on the machine hits all alike.
 * - The peer is favoured on durability: Redis runs without persistence, while the orchestrator
 *   fdatasyncs its journal and JetStream stores both streams on file.
 *
 * The fan-out for BullMQ. A BullMQ flow is a tree whose parent job runs after all its children; there
 * is no way to say "one job, then 999 that depend on it" in one flow. The alternatives were (a) the
 * mirror image, a root with 999 children: the same 1,000 jobs, the same 999 edges and the same width
 * (999 runnable at once), with the single job at the end instead of the start; or (b) running a0 as
 * a job, waiting for it in the client and then adding 999 jobs, which measures the client's
 * round trip, not BullMQ's dependency handling. (a) is used: it is the same amount of dependency
 * bookkeeping done by BullMQ itself (each child's completion is recorded in its parent's dependency
 * set in Redis, as each of our successes is checked against its dependents in the engine).
 *
 * Latency. A chain is a sequence of hops, so its time per activity is a true per-activity latency
 * (the end of one activity to the end of the next, every step of dispatch and report included). The
 * fan-out's time per activity is amortised: with up to 64 in flight it is 1 / throughput.
 *
 * CPU columns split a run's cost between this process (orchestrator, or BullMQ's client), the
 * worker processes (agents, or BullMQ workers) and the server (nats-server, or redis-server), from
 * /proc: with 2 cores shared by every process, where the CPU goes decides the wall-clock time.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { NatsConnection } from 'nats';
import { connectNats } from '../runtime/distributed/connection';
import { NatsDispatch } from '../runtime/distributed/natsDispatch';
import { remoteRegistry } from '../runtime/distributed/remoteRegistry';
import { startRun, type RunHandle, type StartRunOptions } from '../runtime/engine/engine';
import { loadDefinition, type LoadedDefinition } from '../runtime/engine/load';
import type { ActivitySpec } from '../runtime/model/types';
import { createNoopProvider } from '../runtime/providers/noop/noopProvider';
import { startNatsServer, type NatsServer } from '../test/support/natsServer';
import { startRedisServer, type RedisServer } from '../test/support/redisServer';
import { releaseDir, trackDir } from '../test/support/serverProcess';
import { openBullmqPeer, type BullmqPeer, type Shape } from './bullmqPeer';
import { processCpuMs, startChildren, type Children } from './childProcesses';
import { median } from './measure';
import type { BenchContext, BenchSection } from './section';
import { count, ms, Table } from './table';

const SIZE = 1000;
const QUICK_SIZE = 100;
const WORKER_COUNTS = [1, 2, 4];
const SHAPES: readonly Shape[] = ['chain', 'fan-out'];
/** Embedded mode's concurrency; a distributed run's is this per agent (see the header). */
const CONCURRENCY = 64;
/** Each agent and each BullMQ worker takes as many at once. */
const WORKER_CONCURRENCY = 64;
/** A run that takes longer is stuck (a broken agent or worker): it fails with the processes' logs. */
const RUN_TIMEOUT_MS = 120_000;
const AGENT_READY = /"(?:event|kind|type)":\s*"ready"/;
const QUEUE = 'orch-bench';

type Mode = 'embedded' | 'distributed' | 'BullMQ';

interface Sample {
  ms: number;
  /** CPU milliseconds of this process, of the worker processes together, and of the server. */
  here: number;
  workers: number;
  server: number;
}

interface Contender {
  mode: Mode;
  workers?: number;
  run(): Promise<Sample>;
}

interface Row {
  shape: Shape;
  mode: Mode;
  workers?: number;
  samples: Sample[];
}

function activities(shape: Shape, size: number): ActivitySpec[] {
  return Array.from({ length: size }, (_, i) => {
    const a: ActivitySpec = { id: `a${i}`, type: 'nothing' };
    if (i > 0) a.dependsOn = shape === 'chain' ? `a${i - 1}` : 'a0';
    return a;
  });
}

/** The workspace: the `nothing` type (provider noop) for the orchestrator and, in defs/, for the agents. */
function workspace(root: string, size: number): Record<Shape, LoadedDefinition> {
  const dir = join(root, 'workspace');
  mkdirSync(join(dir, 'defs'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"private":true}');
  const nothing = JSON.stringify({ type: 'nothing', provider: 'noop' });
  writeFileSync(join(dir, 'nothing.activity.json'), nothing);
  writeFileSync(join(dir, 'defs', 'nothing.activity.json'), nothing);
  const loaded = {} as Record<Shape, LoadedDefinition>;
  for (const shape of SHAPES) {
    const path = join(dir, `${shape}.orch.json`);
    writeFileSync(path, JSON.stringify({ type: `bench.${shape}`, concurrency: CONCURRENCY, activities: activities(shape, size) }));
    loaded[shape] = loadDefinition(path, { cwd: dir });
  }
  return loaded;
}

/** Wall-clock and CPU time of `fn` (untimed setup and teardown stay outside). */
async function timed(pids: { workers: readonly number[]; server?: number }, fn: () => Promise<void>): Promise<Sample> {
  const workersCpu = () => pids.workers.reduce((sum, pid) => sum + processCpuMs(pid), 0);
  const cpu = process.cpuUsage();
  const workers = workersCpu();
  const server = processCpuMs(pids.server);
  const start = performance.now();
  await fn();
  const elapsed = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return {
    ms: elapsed,
    here: (used.user + used.system) / 1000,
    workers: pids.workers.length ? workersCpu() - workers : NaN,
    server: processCpuMs(pids.server) - server,
  };
}

/** `promise`, or an error with `diagnosis()` (the processes' logs) once `limitMs` passed. */
async function within<T>(promise: Promise<T>, limitMs: number, what: string, diagnosis: () => string, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new Error(`${what} did not finish within ${limitMs / 1000} s. Logs:\n${tail(diagnosis(), 60)}`));
    }, limitMs);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

function tail(text: string, lines: number): string {
  const all = text.split('\n');
  return (all.length > lines ? ['...', ...all.slice(-lines)] : all).join('\n') || '(empty)';
}

/** One engine run to its end; the run folder goes afterwards (untimed) so the disk does not fill up. */
async function engineRun(options: {
  loaded: LoadedDefinition; providers: StartRunOptions['providers']; runsDir: string; concurrency: number; diagnosis: () => string;
}): Promise<void> {
  let handle: RunHandle | undefined;
  try {
    handle = await startRun({
      parsed: options.loaded, runsDir: options.runsDir, concurrency: options.concurrency, providers: options.providers, watchControl: false, cwd: dirname(options.loaded.path),
    });
    const h = handle;
    const result = await within(h.done, RUN_TIMEOUT_MS, `run ${h.runId}`, options.diagnosis, () => h.cancel({ graceMs: 1000, reason: 'benchmark timeout' }));
    if (result.state !== 'succeeded') throw new Error(`run ${result.runId} ${result.state}: ${result.error}\n${tail(options.diagnosis(), 60)}`);
  } finally {
    if (handle) setImmediate((dir) => rmSync(dir, { recursive: true, force: true }), handle.runDir);
  }
}

/** Warm-up runs of each, then `runs` rounds of one run of each. */
async function interleaved(contenders: readonly Contender[], runs: number): Promise<Sample[][]> {
  for (const c of contenders) await c.run();
  const samples = contenders.map((): Sample[] => []);
  for (let r = 0; r < runs; r++) for (const [k, c] of contenders.entries()) samples[k].push(await c.run());
  return samples;
}

function startAgents(natsUrl: string, defsDir: string, count: number, logDir: string): Promise<Children> {
  const cli = join(__dirname, 'cli.js');
  return startChildren(Array.from({ length: count }, (_, k) => ({
    name: `agent-${k + 1}`,
    command: process.execPath,
    args: [cli, 'agent', '--nats', natsUrl, '--types', 'nothing', '--concurrency', String(WORKER_CONCURRENCY), '--defs', defsDir, '--name', `bench-agent-${k + 1}`, '--json'],
    cwd: defsDir,
  })), AGENT_READY, logDir);
}

const medianOf = (samples: readonly Sample[], key: keyof Sample) => median(samples.map((s) => s[key]));

function cpuCell(value: number): string {
  return Number.isFinite(value) ? ms(value) : '-';
}

function versus(ours: number, peer: number | undefined): string {
  if (peer === undefined || !Number.isFinite(ours) || !Number.isFinite(peer) || ours <= 0 || peer <= 0) return '-';
  return ours <= peer ? `${(peer / ours).toFixed(2)}x faster` : `${(ours / peer).toFixed(2)}x slower`;
}

function report(ctx: BenchContext, rows: readonly Row[], size: number, bullmqVersion: string): void {
  const table = new Table(`Distributed mode: ${count(size)} no-op activities (median of the runs; BullMQ ${bullmqVersion} FlowProducer on redis-server as the peer)`, [
    { header: 'shape', align: 'left' }, { header: 'mode', align: 'left' }, { header: 'workers' }, { header: 'time' },
    { header: 'activities/s' }, { header: 'per activity' }, { header: 'CPU here' }, { header: 'CPU workers' }, { header: 'CPU server' },
    { header: 'vs BullMQ' },
  ]);
  const peerTime = (shape: Shape, workers: number) => {
    const peer = rows.find((r) => r.shape === shape && r.mode === 'BullMQ' && r.workers === workers);
    return peer ? medianOf(peer.samples, 'ms') : undefined;
  };
  for (const row of rows) {
    const time = medianOf(row.samples, 'ms');
    const per = time / size;
    table.add(
      row.shape, row.mode, row.workers === undefined ? '-' : String(row.workers), ms(time), count(Math.round(size / (time / 1000))),
      row.shape === 'chain' ? `${per.toFixed(2)} ms/hop` : `${per.toFixed(2)} ms amortised`,
      cpuCell(medianOf(row.samples, 'here')), cpuCell(medianOf(row.samples, 'workers')), cpuCell(medianOf(row.samples, 'server')),
      row.mode === 'BullMQ' ? '' : versus(time, peerTime(row.shape, row.workers ?? 1)),
    );
  }
  ctx.print(table);
  ctx.log(`workers: orch agents (distributed) or BullMQ Worker processes, concurrency ${WORKER_CONCURRENCY} each; a distributed run's concurrency is ${WORKER_CONCURRENCY} per agent (BullMQ's only limit is its workers' slots), embedded mode's ${CONCURRENCY}.`);
  ctx.log('chain: time per hop (a true per-activity latency: one activity\'s end to the next one\'s). fan-out: amortised (time / activities);');
  ctx.log('BullMQ runs the fan-out\'s mirror image (999 children, then their parent): a flow cannot start with its single job (see bench/distributed.ts).');
  ctx.log('CPU here: this process (the orchestrator, or BullMQ\'s FlowProducer + QueueEvents); workers: all agents or workers; server: nats-server or redis-server.');
  ctx.log('embedded is compared with BullMQ on 1 worker. Redis runs without persistence; the orchestrator fdatasyncs its journal and JetStream stores on file.');
  if (cpus().length <= 2) ctx.log(`This machine has ${cpus().length} cores for the orchestrator, the workers and the server together: more workers add contention, not cores.`);
  if (size !== SIZE) return;
  const misses: string[] = [];
  const actual: string[] = [];
  for (const shape of SHAPES) {
    const figures = WORKER_COUNTS.map((n) => {
      const ours = rows.find((r) => r.shape === shape && r.mode === 'distributed' && r.workers === n);
      const peer = peerTime(shape, n);
      if (!ours || peer === undefined) return 'n/a';
      const t = medianOf(ours.samples, 'ms');
      if (!(t < peer)) misses.push(`${shape}/${n}`);
      return `${(t / peer).toFixed(2)}`;
    });
    actual.push(`${shape} ${figures.join('/')}`);
  }
  ctx.target('distributed mode faster than BullMQ on both shapes, with 1, 2 and 4 workers',
    misses.length === 0, `time / BullMQ's time with 1/2/4 workers: ${actual.join('; ')}${misses.length ? `; slower: ${misses.join(', ')}` : ''}`);
}

export const distributedSection: BenchSection = {
  name: 'distributed',
  description: 'No-op activities through NATS JetStream agents (1, 2, 4) vs embedded mode and BullMQ FlowProducer workers',
  async run(ctx) {
    const size = ctx.quick ? QUICK_SIZE : SIZE;
    const runs = ctx.runs(5);
    const root = mkdtempSync(join(tmpdir(), 'orch-bench-distributed-'));
    trackDir(root);
    let nats: NatsServer | undefined;
    let redis: RedisServer | undefined;
    let nc: NatsConnection | undefined;
    let peer: BullmqPeer | undefined;
    const live = new Set<Children>();
    const problems: string[] = [];
    try {
      const loaded = workspace(root, size);
      const servers = await Promise.allSettled([startNatsServer(), startRedisServer()] as const);
      if (servers[0].status === 'fulfilled') nats = servers[0].value;
      if (servers[1].status === 'fulfilled') redis = servers[1].value;
      const down = servers.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (down) throw down.reason;
      const natsServer = nats!;
      const redisServer = redis!;
      nc = await connectNats({ url: natsServer.url, name: 'orch bench' });
      const connection = nc;
      peer = await openBullmqPeer(redisServer.url, QUEUE);
      const bullmq = peer;
      const noop = { noop: createNoopProvider() };
      const rows: Row[] = [];
      for (const n of WORKER_COUNTS) {
        const logDir = join(root, `logs-${n}`);
        mkdirSync(logDir);
        const started = await Promise.allSettled([
          startAgents(natsServer.url, join(root, 'workspace', 'defs'), n, logDir),
          bullmq.startWorkers(n, WORKER_CONCURRENCY, logDir),
        ]);
        for (const s of started) if (s.status === 'fulfilled') live.add(s.value);
        const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
        if (failed) throw failed.reason;
        const [agents, workers] = started.map((s) => (s as PromiseFulfilledResult<Children>).value);
        try {
          for (const shape of SHAPES) {
            const contenders: Contender[] = [];
            if (n === WORKER_COUNTS[0]) {
              contenders.push({
                mode: 'embedded',
                run: () => timed({ workers: [] }, () => engineRun({ loaded: loaded[shape], providers: noop, runsDir: join(root, 'runs-embedded'), concurrency: CONCURRENCY, diagnosis: () => '' })),
              });
            }
            contenders.push({
              mode: 'distributed',
              workers: n,
              run: async () => {
                const dispatch = new NatsDispatch({ nats: connection, onProblem: (message) => problems.push(message) });
                const providers = remoteRegistry(dispatch);
                try {
                  await dispatch.connect();
                  return await timed({ workers: agents.pids, server: natsServer.pid }, () => engineRun({
                    loaded: loaded[shape], providers, runsDir: join(root, 'runs-distributed'), concurrency: n * WORKER_CONCURRENCY, diagnosis: () => `${agents.logs()}\nnats-server:\n${natsServer.logs()}`,
                  }));
                } finally {
                  await providers.dispose();
                }
              },
            });
            contenders.push({
              mode: 'BullMQ',
              workers: n,
              run: () => timed({ workers: workers.pids, server: redisServer.pid }, () => within(bullmq.run(shape, size), RUN_TIMEOUT_MS, `BullMQ ${shape} flow`, () => workers.logs())),
            });
            const samples = await interleaved(contenders, runs);
            for (const [k, c] of contenders.entries()) rows.push({ shape, mode: c.mode, workers: c.workers, samples: samples[k] });
          }
        } finally {
          live.delete(agents);
          live.delete(workers);
          await Promise.all([agents.stop(), workers.stop()]);
        }
      }
      const order: Record<Mode, number> = { embedded: 0, distributed: 1, BullMQ: 2 };
      rows.sort((a, b) => SHAPES.indexOf(a.shape) - SHAPES.indexOf(b.shape) || (a.workers ?? 0) - (b.workers ?? 0) || order[a.mode] - order[b.mode]);
      report(ctx, rows, size, bullmq.version);
      if (problems.length) ctx.log(`The orchestrator reported ${problems.length} problem(s), the first: ${problems[0]}`);
    } finally {
      await Promise.allSettled([...live].map((c) => c.stop()));
      await peer?.close().catch(() => undefined);
      await nc?.drain().catch(() => undefined);
      await Promise.allSettled([nats?.stop(), redis?.stop()]);
      releaseDir(root);
    }
  },
};
