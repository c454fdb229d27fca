/**
 * The JetStream objects distributed mode needs, created when missing and left alone when present
 * (either side may come first; both call these). File storage throughout: a NATS restart keeps the
 * queued work, the reports and the attempt records.
 */
import {
  AckPolicy, DeliverPolicy, nanos, RetentionPolicy, StorageType,
  type ConsumerConfig, type JetStreamManager, type KV, type NatsConnection, type StreamConfig,
} from 'nats';
import { ACTIVITY_STREAM, ACTIVITY_SUBJECTS, activitySubject, ATTEMPT_BUCKET, REPORT_STREAM, REPORT_SUBJECTS, runReportSubjects, typeConsumer } from './protocol';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Reports and attempt records of a run nobody resumes are dropped after a week. */
const RETAIN_MS = 7 * DAY_MS;

function isNotFound(error: unknown): boolean {
  const api = (error as { api_error?: { err_code?: number } }).api_error;
  return api?.err_code === 10059 || api?.err_code === 10014 || /not found/i.test((error as Error).message ?? '');
}

async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await jsm.streams.info(config.name);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    try {
      await jsm.streams.add(config);
    } catch (raced) {
      // Someone else created it in between: what matters is that it exists now.
      await jsm.streams.info(config.name).catch(() => { throw raced; });
    }
  }
}

/**
 * A message on the work queue that no consumer takes (type subjects are one token, this is two), so
 * the queue is never empty. nats-server 2.9 rewrites a file-stored stream's block and index files
 * each time its last message goes (truncate, reopen, write the index afresh): a queue that empties
 * after every message, as one chain of activities keeps it, paid that on every activity (measured:
 * a sixth of the server's time per activity, and a slower hand-over to the agent).
 */
export const KEEPER_SUBJECT = 'orch.activity.keeper.0';

async function ensureKeeper(jsm: JetStreamManager): Promise<void> {
  try {
    await jsm.streams.getMessage(ACTIVITY_STREAM, { last_by_subj: KEEPER_SUBJECT });
  } catch (error) {
    const api = (error as { api_error?: { err_code?: number } }).api_error;
    if (api?.err_code !== 10037 && !/no message found/i.test((error as Error).message ?? '')) throw error;
    // Two sides starting at once may both publish one: two keepers do no harm.
    await jsm.jetstream().publish(KEEPER_SUBJECT, new Uint8Array(0));
  }
}

/** The work queue (one message per unit of work, removed when acked or terminated) and the report stream. */
export async function ensureStreams(jsm: JetStreamManager): Promise<void> {
  await ensureStream(jsm, {
    name: ACTIVITY_STREAM,
    subjects: [ACTIVITY_SUBJECTS],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    // A publish retried after a lost connection carries the same id and is stored once.
    duplicate_window: nanos(2 * 60 * 1000),
  });
  await ensureKeeper(jsm);
  await ensureStream(jsm, {
    name: REPORT_STREAM,
    subjects: [REPORT_SUBJECTS],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(RETAIN_MS),
  });
}

export interface TypeConsumerOptions {
  /** How long a delivered message may go unacknowledged (heartbeats extend it) before it is redelivered. */
  ackWaitMs: number;
  /** Messages delivered and not yet acknowledged, across every agent sharing the consumer. */
  maxAckPending?: number;
}

/**
 * The durable pull consumer that every agent serving `type` shares. Its ack wait is what a dead agent
 * costs (its message comes back after it), so the agent's setting wins: it is updated when it differs.
 */
export async function ensureTypeConsumer(jsm: JetStreamManager, type: string, options: TypeConsumerOptions): Promise<string> {
  const name = typeConsumer(type);
  const config: Partial<ConsumerConfig> = {
    durable_name: name,
    filter_subject: activitySubject(type),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(options.ackWaitMs),
    // Attempts are counted by the agents (Schedule polls are deliveries too): never give up here.
    max_deliver: -1,
    max_ack_pending: options.maxAckPending ?? 10_000,
  };
  try {
    const info = await jsm.consumers.info(ACTIVITY_STREAM, name);
    if (info.config.ack_wait !== config.ack_wait || info.config.max_ack_pending !== config.max_ack_pending) {
      await jsm.consumers.update(ACTIVITY_STREAM, name, { ack_wait: config.ack_wait, max_ack_pending: config.max_ack_pending });
    }
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.consumers.add(ACTIVITY_STREAM, config).catch(async (raced) => {
      await jsm.consumers.info(ACTIVITY_STREAM, name).catch(() => { throw raced; });
    });
  }
  return name;
}

/** After a run: its reports go (a failure here only leaves data that expires). */
export async function dropRun(jsm: JetStreamManager, runId: string): Promise<void> {
  await jsm.streams.purge(REPORT_STREAM, { filter: runReportSubjects(runId) }).catch(() => undefined);
}

export async function attemptBucket(nc: NatsConnection): Promise<KV> {
  return nc.jetstream().views.kv(ATTEMPT_BUCKET, { history: 1, ttl: RETAIN_MS, storage: StorageType.File });
}
