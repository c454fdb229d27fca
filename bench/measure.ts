/**
 * Timing in one process: warm-up runs first (JIT, caches, lazy initialisation), then the median of
 * the measured runs, which shrugs off the odd garbage collection or noisy neighbour that a mean would
 * absorb. Each sample is one call of `fn`; async functions are awaited.
 */
import { performance } from 'node:perf_hooks';

export interface Samples {
  /** Wall-clock milliseconds per run, in run order. */
  times: number[];
  median: number;
  min: number;
  max: number;
  /**
   * Median CPU milliseconds of the process per run (every thread, so parallel GC counts). On a busy
   * machine wall-clock time includes waiting for a core; CPU time shows the work itself.
   */
  cpuMedian: number;
}

export interface MeasureOptions {
  warmup: number;
  runs: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function summarize(times: number[], cpuTimes: number[] = []): Samples {
  return { times, median: median(times), min: Math.min(...times), max: Math.max(...times), cpuMedian: median(cpuTimes) };
}

export async function measure(fn: () => unknown, options: MeasureOptions): Promise<Samples> {
  for (let i = 0; i < options.warmup; i++) await fn();
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    cpuTimes.push((used.user + used.system) / 1000);
  }
  return summarize(times, cpuTimes);
}

/**
 * Measures several contenders round-robin (a run of each, then the next round), so a burst of load
 * from elsewhere on the machine hits them all alike and their ratio stays meaningful.
 */
export async function measureInterleaved(fns: readonly (() => unknown)[], options: MeasureOptions): Promise<Samples[]> {
  for (let i = 0; i < options.warmup; i++) for (const fn of fns) await fn();
  const times = fns.map((): number[] => []);
  const cpuTimes = fns.map((): number[] => []);
  for (let i = 0; i < options.runs; i++) {
    for (const [k, fn] of fns.entries()) {
      const cpu = process.cpuUsage();
      const start = performance.now();
      await fn();
      times[k].push(performance.now() - start);
      const used = process.cpuUsage(cpu);
      cpuTimes[k].push((used.user + used.system) / 1000);
    }
  }
  return fns.map((_, k) => summarize(times[k], cpuTimes[k]));
}
