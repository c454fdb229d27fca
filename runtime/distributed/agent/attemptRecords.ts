/**
 * Where a dispatch stands between deliveries: its attempt number, its Schedule poll and the state the
 * last poll handed on, in the JetStream key-value bucket every agent shares. A message comes back
 * after a nak (RetryError, Schedule) or after its agent died; whoever takes it next reads the record
 * to know which attempt it runs. The record is written BEFORE the nak, so a redelivery can never
 * run a stale attempt number; an agent that died mid-attempt wrote nothing, so the same attempt runs
 * again (it never finished).
 */
import type { KV } from 'nats';
import { attemptKey } from '../protocol';
import { persist, type PersistOptions } from './persist';

export interface AttemptRecord {
  attempt: number;
  poll: number;
  /** What the last Schedule result handed on to the next poll. */
  state?: unknown;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A record as stored, or undefined with the reason it cannot be used. */
export function decodeRecord(data: Uint8Array): AttemptRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(data));
  } catch (error) {
    return `not JSON (${(error as Error).message})`;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const { attempt, poll, state } = value as Record<string, unknown>;
  if (!Number.isInteger(attempt) || (attempt as number) < 1) return `attempt ${JSON.stringify(attempt)} is not a positive integer`;
  if (!Number.isInteger(poll) || (poll as number) < 0) return `poll ${JSON.stringify(poll)} is not an integer >= 0`;
  const record: AttemptRecord = { attempt: attempt as number, poll: poll as number };
  if (state !== undefined) record.state = state;
  return record;
}

export class AttemptRecords {
  constructor(
    private readonly kv: KV,
    private readonly retry: Omit<PersistOptions, 'permanent'>,
    /** Told about a record that cannot be read (it is then treated as absent). */
    private readonly onBadRecord: (dispatchId: string, why: string) => void,
  ) {}

  async get(dispatchId: string): Promise<AttemptRecord | undefined> {
    const entry = await persist(`reading the attempt record of ${dispatchId}`, () => this.kv.get(attemptKey(dispatchId)), this.retry);
    if (!entry || entry.operation !== 'PUT' || entry.value.length === 0) return undefined;
    const record = decodeRecord(entry.value);
    if (typeof record === 'string') {
      this.onBadRecord(dispatchId, record);
      return undefined;
    }
    return record;
  }

  async put(dispatchId: string, record: AttemptRecord): Promise<void> {
    const data = encoder.encode(JSON.stringify(record));
    await persist(`writing the attempt record of ${dispatchId}`, () => this.kv.put(attemptKey(dispatchId), data), this.retry);
  }

  async delete(dispatchId: string): Promise<void> {
    await persist(`deleting the attempt record of ${dispatchId}`, () => this.kv.delete(attemptKey(dispatchId)), this.retry);
  }
}
