/**
 * The engine's own cost: no-op activities through the real engine (definition checked beforehand, as
 * `orch run` does before the clock starts here), with the durable journal (every change appended and
 * fdatasync'd before its event is delivered), as a chain, a wide fan-out and a random layered DAG, at
 * concurrency 1 and 64. Beside it, a minimal baseline: a plain Promise-based topological runner that
 * writes the same journal lines through the same group-committed, fdatasync'd journal, so the ratio
 * says how much the engine adds over "call the functions in order and journal them".
 * Target: 10,000 activities of a random DAG in under 2 s at concurrency 64, within 2x of the baseline.
 *
 * Measured so that the ratio holds still on a busy machine: both contenders run in the same process,
 * in short rounds after warm-up (in each, a few runs of one and then of the other, the order
 * alternating from round to round; see `paired`), and each figure is the median of its runs, wall
 * clock and process CPU time alike. Peak memory comes from a separate run, so the sampling timer never
 * runs during a timed one.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startRun } from '../runtime/engine/engine';
import { JournalWriter } from '../runtime/engine/journal';
import { loadDefinition, type LoadedDefinition } from '../runtime/engine/load';
import type { Provider } from '../runtime/engine/provider';
import { newRunId } from '../runtime/engine/runFolder';
import type { ActivitySpec } from '../runtime/model/types';
import { createNoopProvider } from '../runtime/providers/noop/noopProvider';
import { seededRandom } from './generate';
import { median } from './measure';
import type { BenchSection } from './section';
import { bytes, count, ms, ratio, Table } from './table';

type Shape = 'chain' | 'fan-out' | 'dag';

const TARGET_SIZE = 10_000;
const TARGET_MS = 2000;
const TARGET_RATIO = 2;

function activities(shape: Shape, size: number): ActivitySpec[] {
  const list: ActivitySpec[] = [];
  const random = seededRandom(size * 7 + shape.length);
  const width = Math.max(2, Math.round(Math.sqrt(size)));
  for (let i = 0; i < size; i++) {
    const a: ActivitySpec = { id: `a${i}`, type: 'nothing' };
    if (shape === 'chain' && i > 0) a.dependsOn = `a${i - 1}`;
    if (shape === 'fan-out' && i > 0) a.dependsOn = 'a0';
    if (shape === 'dag') {
      const layer = Math.floor(i / width);
      if (layer > 0) {
        const deps = new Set<string>([`a${(layer - 1) * width + Math.floor(random() * width)}`]);
        const extra = Math.floor(random() * 3);
        for (let k = 0; k < extra; k++) deps.add(`a${Math.floor(random() * layer * width)}`);
        a.dependsOn = [...deps];
      }
    }
    list.push(a);
  }
  return list;
}

interface Workspace {
  dir: string;
  loaded: LoadedDefinition;
  specs: ActivitySpec[];
}

function workspace(root: string, shape: Shape, size: number): Workspace {
  const dir = join(root, `${shape}-${size}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"private":true}');
  writeFileSync(join(dir, 'nothing.activity.json'), JSON.stringify({ type: 'nothing', provider: 'noop' }));
  const specs = activities(shape, size);
  const path = join(dir, 'bench.orch.json');
  writeFileSync(path, JSON.stringify({ type: `bench.${shape}`, concurrency: 64, activities: specs }));
  return { dir, loaded: loadDefinition(path, { cwd: dir }), specs };
}

/** Peak resident memory while `fn` runs, sampled (a run allocates in bursts: a few ms apart is enough). */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ value: T; peak: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 5);
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, peak };
  } finally {
    clearInterval(timer);
  }
}

let runCount = 0;

/**
 * A run id like the engine's own (the same length, so the same journal lines) that cannot collide:
 * the engine's random suffix repeats, now and then, among the hundreds of runs a second this makes.
 */
function benchRunId(): string {
  return `${newRunId(Date.now()).slice(0, 15)}-${(runCount++ & 0xffff).toString(16).padStart(4, '0')}`;
}

async function engineRun(ws: Workspace, concurrency: number, provider: Provider, runsDir: string): Promise<void> {
  const handle = await startRun({ parsed: ws.loaded, runsDir, runId: benchRunId(), concurrency, providers: { noop: provider }, watchControl: false, cwd: ws.dir });
  const result = await handle.done;
  if (result.state !== 'succeeded') throw new Error(`bench run ${result.runId} ${result.state}: ${result.error}`);
}

/**
 * The baseline: each activity awaits its dependencies' promises and a slot, journals `started` and
 * waits until the line is appended (the engine's write-ahead rule: no side effect before its record),
 * calls the provider, journals `succeeded`. Lines are appended once per event-loop turn and
 * fdatasync'd in group commits; the run ends when the last line is on disk.
 */
async function baselineRun(specs: ActivitySpec[], concurrency: number, provider: Provider, journalPath: string): Promise<void> {
  const journal = JournalWriter.open(journalPath);
  let lines: string[] = [];
  let appendedWaiters: (() => void)[] = [];
  let appended = 0;
  let durable = 0;
  let syncing = false;
  let scheduled = false;
  let onDurable: (() => void) | undefined;
  const sync = () => {
    if (syncing) return;
    if (durable === appended) { onDurable?.(); return; }
    syncing = true;
    const target = appended;
    journal.sync(() => { syncing = false; durable = target; sync(); });
  };
  const flush = () => {
    scheduled = false;
    const batch = lines;
    const waiters = appendedWaiters;
    lines = [];
    appendedWaiters = [];
    journal.append(batch.join('\n') + '\n');
    appended += batch.length;
    for (const resolve of waiters) resolve();
    sync();
  };
  const record = (entry: object, waitForAppend: boolean): Promise<void> | undefined => {
    lines.push(JSON.stringify(entry));
    if (!scheduled) { scheduled = true; setImmediate(flush); }
    return waitForAppend ? new Promise<void>((resolve) => appendedWaiters.push(resolve)) : undefined;
  };
  let free = concurrency;
  const waiting: (() => void)[] = [];
  const acquire = () => (free > 0 ? (free--, Promise.resolve()) : new Promise<void>((resolve) => waiting.push(resolve)));
  const release = () => { const next = waiting.shift(); if (next) next(); else free++; };
  const done = new Map<string, Promise<void>>();
  const signal = new AbortController().signal;
  for (const spec of specs) {
    const deps = spec.dependsOn === undefined ? [] : typeof spec.dependsOn === 'string' ? [spec.dependsOn] : spec.dependsOn;
    done.set(spec.id, Promise.all(deps.map((d) => done.get(d))).then(async () => {
      await acquire();
      await record({ type: 'activity.started', activityId: spec.id, attempt: 1, time: Date.now() }, true);
      const result = await provider.execute({
        runId: 'baseline', activityId: spec.id, activity: spec, definition: { type: 'nothing', provider: 'noop' }, inputs: {},
        signal, log: () => undefined, idempotencyKey: `baseline/${spec.id}`, attempt: 1, poll: 0, workDir: '', baseDir: '',
      });
      record({ type: 'activity.succeeded', activityId: spec.id, outputs: result.kind === 'complete' ? result.outputs : {}, time: Date.now() }, false);
      release();
    }));
  }
  await Promise.all(done.values());
  await new Promise<void>((resolve) => { onDurable = resolve; if (!scheduled) sync(); });
  journal.close();
}

interface Side {
  wall: number[];
  cpu: number[];
}

interface Paired {
  engine: Side;
  baseline: Side;
  /** Per round: the engine's mean wall time over the baseline's, both measured in that round. */
  roundRatios: number[];
}

async function timed(fn: () => Promise<void>, into: Side | undefined): Promise<void> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await fn();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  if (into) {
    into.wall.push(wall);
    into.cpu.push((used.user + used.system) / 1000);
  }
}

/**
 * Measures both the same way, in `rounds` rounds after `warmup` unmeasured ones. In a round each runs
 * once unmeasured and then `perRound` times measured, the engine first in even rounds and the
 * baseline first in odd ones. The unmeasured lead-in is there for the garbage collector: a run leaves
 * garbage that the next run's collections pay for, and a run measured right after the other
 * contender's would pay for the other's (which, strictly alternating, flatters whichever makes more
 * and penalises the other). After the lead-in each measured run pays for its own kind, as in a
 * process that runs one of them again and again; rounds stay short, so a burst of load from elsewhere
 * on the machine still hits both alike.
 */
async function paired(engine: () => Promise<void>, baseline: () => Promise<void>, warmup: number, rounds: number, perRound: number): Promise<Paired> {
  const result: Paired = { engine: { wall: [], cpu: [] }, baseline: { wall: [], cpu: [] }, roundRatios: [] };
  const block = async (fn: () => Promise<void>, into: Side, measured: boolean) => {
    await timed(fn, undefined);
    for (let i = 0; i < perRound; i++) await timed(fn, measured ? into : undefined);
  };
  for (let round = -warmup; round < rounds; round++) {
    const measured = round >= 0;
    const [first, second]: [() => Promise<void>, Side][] = round % 2 === 0
      ? [[engine, result.engine], [baseline, result.baseline]]
      : [[baseline, result.baseline], [engine, result.engine]];
    await block(first[0], first[1], measured);
    await block(second[0], second[1], measured);
    if (measured) {
      const mean = (side: Side) => side.wall.slice(-perRound).reduce((a, b) => a + b, 0) / perRound;
      result.roundRatios.push(mean(result.engine) / mean(result.baseline));
    }
  }
  return result;
}

function quartiles(values: readonly number[]): [number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
  return [at(0.25), at(0.75)];
}

export const engineSection: BenchSection = {
  name: 'engine',
  description: 'No-op activities through the engine with its fsync\'d journal, vs a minimal Promise-based runner',
  async run(ctx) {
    const root = mkdtempSync(join(tmpdir(), 'orch-bench-engine-'));
    const provider = createNoopProvider();
    const sizes = ctx.quick ? [1000] : [1000, TARGET_SIZE];
    const table = new Table('Engine: no-op activities, durable journal (medians of the runs, taken in interleaved rounds after warm-up; RSS: the process\'s peak)', [
      { header: 'shape', align: 'left' }, { header: 'activities' }, { header: 'concurrency' }, { header: 'runs' },
      { header: 'engine' }, { header: 'activities/s' }, { header: 'per activity' }, { header: 'peak RSS' },
      { header: 'baseline' }, { header: 'engine / baseline' },
      { header: 'CPU engine' }, { header: 'CPU baseline' }, { header: 'CPU ratio' },
    ]);
    let target: { engine: number; baseline: number; cpuRatio: number; spread: [number, number]; rounds: number } | undefined;
    try {
      for (const size of sizes) {
        for (const shape of ['chain', 'fan-out', 'dag'] as Shape[]) {
          const ws = workspace(root, shape, size);
          for (const concurrency of [1, 64]) {
            const isTarget = size === TARGET_SIZE && shape === 'dag' && concurrency === 64;
            // `--runs N`: about N measured runs of each (whole rounds, at least one).
            const perRound = 3;
            const rounds = Math.max(1, Math.round(ctx.runs(isTarget ? 24 : size >= TARGET_SIZE ? 9 : 15) / perRound));
            const warmup = ctx.quick || size >= TARGET_SIZE ? 1 : 2;
            const runsDir = join(ws.dir, 'runs');
            const baselineDir = join(ws.dir, 'baseline');
            mkdirSync(baselineDir);
            let n = 0;
            const engine = () => engineRun(ws, concurrency, provider, runsDir);
            const baseline = () => baselineRun(ws.specs, concurrency, provider, join(baselineDir, `journal-${n++}.jsonl`));
            const r = await paired(engine, baseline, warmup, rounds, perRound);
            const { peak } = await withPeakRss(engine);
            rmSync(runsDir, { recursive: true, force: true });
            rmSync(baselineDir, { recursive: true, force: true });
            const engineMs = median(r.engine.wall);
            const baselineMs = median(r.baseline.wall);
            const engineCpu = median(r.engine.cpu);
            const baselineCpu = median(r.baseline.cpu);
            table.add(shape, count(size), String(concurrency), String(rounds * perRound),
              ms(engineMs), count(Math.round(size / (engineMs / 1000))), `${((engineMs * 1000) / size).toFixed(1)} µs`, bytes(peak),
              ms(baselineMs), ratio(engineMs, baselineMs),
              ms(engineCpu), ms(baselineCpu), ratio(engineCpu, baselineCpu));
            if (isTarget) target = { engine: engineMs, baseline: baselineMs, cpuRatio: engineCpu / baselineCpu, spread: quartiles(r.roundRatios), rounds };
          }
        }
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    ctx.print(table);
    ctx.log('Per activity = engine time / activities: scheduling, journaling (2 lines per activity: started, succeeded), event delivery and the provider call.');
    ctx.log('The baseline journals 2 lines per activity through the same group-committed, fdatasync\'d writer, with the same write-ahead rule.');
    ctx.log('CPU: the process\'s user + system time (every thread, so parallel GC counts); on a busy machine wall time includes waiting for a core.');
    if (target) {
      const [low, high] = target.spread;
      ctx.log(`Target run, engine / baseline round by round (${target.rounds} rounds): interquartile ${low.toFixed(2)}x-${high.toFixed(2)}x; CPU ratio of the medians ${target.cpuRatio.toFixed(2)}x.`);
      ctx.target(`${count(TARGET_SIZE)} no-op activities (random DAG, concurrency 64) in under ${ms(TARGET_MS)}`, target.engine < TARGET_MS, ms(target.engine));
      ctx.target(`engine within ${TARGET_RATIO}x of the baseline on that run`, target.engine <= TARGET_RATIO * target.baseline, ratio(target.engine, target.baseline));
    }
  },
};
