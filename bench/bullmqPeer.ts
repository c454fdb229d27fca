/**
 * The peer of the distributed benchmark: BullMQ's FlowProducer on a local Redis, running the same
 * shapes of no-op jobs with worker processes (dist/bench-bullmq-worker.js) in place of orch agents.
 * A run is timed from FlowProducer.add to the completion of the flow's root, the last job to run,
 * as seen by a QueueEvents listener: end to end, as an orch run is timed from startRun to its result.
 *
 * bullmq is a devDependency loaded from node_modules when this section runs (the bench bundle keeps
 * it external: it loads optional Redis clients by name), so the other sections never need it.
 */
import { join } from 'node:path';
import type { FlowJob, FlowProducer, QueueEvents } from 'bullmq';
import { startChildren, type Children } from './childProcesses';

export type Shape = 'chain' | 'fan-out';

export interface BullmqPeer {
  readonly version: string;
  /** `count` worker processes of `concurrency` jobs each, on the peer's queue; their output goes to `logDir`. */
  startWorkers(count: number, concurrency: number, logDir: string): Promise<Children>;
  /** One flow of `size` jobs of `shape`; resolves when its root job completed, rejects if it failed. */
  run(shape: Shape, size: number): Promise<void>;
  close(): Promise<void>;
}

/** Same payload size class as an orch activity message's essentials, so neither side ships empty messages. */
function data(i: number): Record<string, unknown> {
  return { activityId: `a${i}`, type: 'nothing', inputs: {} };
}

/**
 * chain: a0 is the deepest child, a(size-1) the root, so a0 runs first and each job waits for the one
 * before (a flow's parent runs after its children): exactly the orch chain.
 * fan-out: a flow is a tree whose parent runs after its children, so "one, then size-1 in parallel"
 * cannot be said; its mirror image is: size-1 children in parallel, then the root (see distributed.ts).
 */
export function flowOf(shape: Shape, size: number, queueName: string): FlowJob {
  if (shape === 'chain') {
    let node: FlowJob = { name: 'a0', queueName, data: data(0) };
    for (let i = 1; i < size; i++) node = { name: `a${i}`, queueName, data: data(i), children: [node] };
    return node;
  }
  const children: FlowJob[] = [];
  for (let i = 1; i < size; i++) children.push({ name: `a${i}`, queueName, data: data(i) });
  return { name: 'a0', queueName, data: data(0), children };
}

export async function openBullmqPeer(redisUrl: string, queueName: string, workerScript = join(__dirname, 'bench-bullmq-worker.js')): Promise<BullmqPeer> {
  let bullmq: typeof import('bullmq');
  try {
    bullmq = require('bullmq') as typeof import('bullmq');
  } catch (error) {
    throw new Error(`the BullMQ peer needs the bullmq devDependency (npm install): ${(error as Error).message}`);
  }
  const version = (require('bullmq/package.json') as { version: string }).version;
  const url = new URL(redisUrl);
  const connection = { host: url.hostname, port: Number(url.port) };
  const flows: FlowProducer = new bullmq.FlowProducer({ connection });
  const events: QueueEvents = new bullmq.QueueEvents(queueName, { connection });
  const workers = new Set<Children>();
  try {
    await flows.waitUntilReady();
    await events.waitUntilReady();
  } catch (error) {
    await Promise.allSettled([flows.close(), events.close()]);
    throw error;
  }
  return {
    version,
    async startWorkers(count, concurrency, logDir) {
      const children = await startChildren(Array.from({ length: count }, (_, k) => ({
        name: `bullmq-worker-${k + 1}`,
        command: process.execPath,
        args: [workerScript, '--redis', redisUrl, '--queue', queueName, '--concurrency', String(concurrency), '--name', `bullmq-worker-${k + 1}`],
        cwd: __dirname,
      })), /"event":"ready"/, logDir);
      workers.add(children);
      return {
        pids: children.pids,
        logs: (lines) => children.logs(lines),
        stop: async () => { workers.delete(children); await children.stop(); },
      };
    },
    async run(shape, size) {
      const node = await flows.add(flowOf(shape, size, queueName));
      await node.job.waitUntilFinished(events);
    },
    async close() {
      await Promise.allSettled([...workers].map((w) => w.stop()));
      await Promise.allSettled([flows.close(), events.close()]);
    },
  };
}
