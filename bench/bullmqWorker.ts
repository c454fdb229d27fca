/**
 * One BullMQ worker process, the peer of one `orch agent` in the distributed benchmark (built to
 * dist/bench-bullmq-worker.js, never shipped). It runs in a process of its own for the same reason the
 * agents do: the workers must not share the benchmark's event loop, or the peer would be measured on
 * a different footing.
 *
 *   node dist/bench-bullmq-worker.js --redis redis://127.0.0.1:PORT --queue NAME --concurrency N --name NAME
 *
 * Prints one line, {"event":"ready",...}, once its connections answer; then runs no-op jobs until
 * SIGTERM (or SIGINT), closes the worker (letting jobs in hand finish) and exits 0. Problems go to stderr.
 */
import { Worker } from 'bullmq';

interface Options {
  redis: URL;
  queue: string;
  concurrency: number;
  name: string;
}

function options(argv: readonly string[]): Options {
  const value = (flag: string): string => {
    const i = argv.indexOf(flag);
    const v = i >= 0 ? argv[i + 1] : undefined;
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} is required`);
    return v;
  };
  const concurrency = Number(value('--concurrency'));
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency must be a positive integer, not '${value('--concurrency')}'`);
  return { redis: new URL(value('--redis')), queue: value('--queue'), concurrency, name: value('--name') };
}

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  const worker = new Worker(o.queue, async () => ({}), {
    connection: { host: o.redis.hostname, port: Number(o.redis.port) },
    concurrency: o.concurrency,
    name: o.name,
  });
  worker.on('error', (error) => process.stderr.write(`${o.name}: ${error.message}\n`));
  worker.on('failed', (job, error) => process.stderr.write(`${o.name}: job ${job?.id ?? '?'} failed: ${error.message}\n`));
  let closing: Promise<void> | undefined;
  const stop = () => {
    closing ??= worker.close().then(() => process.exit(0), (error: unknown) => {
      process.stderr.write(`${o.name}: close failed: ${(error as Error).message}\n`);
      process.exit(1);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  await worker.waitUntilReady();
  process.stdout.write(JSON.stringify({ event: 'ready', name: o.name, pid: process.pid, concurrency: o.concurrency }) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-bullmq-worker: ${(error as Error).message}\n`);
  process.exit(2);
});
