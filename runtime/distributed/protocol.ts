/**
 * What the orchestrator and the agents say to each other over NATS, in one place so both sides read
 * one vocabulary (as the language server and the extension share server/protocol.ts).
 *
 *   orchestrator --(JetStream, work queue ORCH_ACTIVITIES, subject orch.activity.<type>)--> agents
 *   agents --(JetStream, stream ORCH_REPORTS, subject orch.report.<runId>.<dispatchId>)--> orchestrator
 *   orchestrator --(core NATS, orch.cancel.<runId>)--> agents
 *
 * Both directions go through JetStream with file storage, so a NATS restart loses neither the work
 * nor the results; only cancel requests are fire-and-forget (the orchestrator also deletes queued
 * messages, and an agent that missed one finds out when its report is dropped).
 */
import { RETRY_DEFAULTS, type AttemptPolicy } from '../engine/attempts';
import type { LogStream } from '../engine/provider';
import type { RemoteSuccessor } from '../engine/successors';
import type { ActivitySpec, HostEntry } from '../model/types';

export const PROTOCOL_VERSION = 1;

export const ACTIVITY_STREAM = 'ORCH_ACTIVITIES';
export const REPORT_STREAM = 'ORCH_REPORTS';
/** JetStream key-value bucket where agents keep attempt counts and Schedule state across deliveries. */
export const ATTEMPT_BUCKET = 'orch_attempts';

export const ACTIVITY_SUBJECTS = 'orch.activity.>';
export const REPORT_SUBJECTS = 'orch.report.>';
export const CANCEL_SUBJECTS = 'orch.cancel.>';

const SAFE_TOKEN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/**
 * A subject token (and consumer-name part) for any string: kept as it is when it is plain, otherwise
 * `_` and its base64url, so `.`, `*`, `>` and spaces in a type name can never change what a subject
 * matches, and two different names never share a token.
 */
export function subjectToken(name: string): string {
  return SAFE_TOKEN.test(name) ? name : `_${Buffer.from(name, 'utf8').toString('base64url')}`;
}

export function activitySubject(type: string): string {
  return `orch.activity.${subjectToken(type)}`;
}

/**
 * Where the reports of one dispatch go: a subject per dispatch, so that whether a dispatch's result is
 * stored can be read back directly (the last message on its subject), below one per run.
 */
export function reportSubject(runId: string, dispatchId: string): string {
  return `orch.report.${subjectToken(runId)}.${subjectToken(dispatchId)}`;
}

/** Every report of a run (a subscription or consumer filter). */
export function runReportSubjects(runId: string): string {
  return `orch.report.${subjectToken(runId)}.>`;
}

export function cancelSubject(runId: string): string {
  return `orch.cancel.${subjectToken(runId)}`;
}

/** The durable consumer every agent serving `type` shares (a work queue allows one consumer per subject). */
export function typeConsumer(type: string): string {
  return `orch-type-${subjectToken(type)}`;
}

/** The key of one dispatch in the attempt bucket (keys allow `[-/_=.a-zA-Z0-9]`). */
export function attemptKey(dispatchId: string): string {
  return subjectToken(dispatchId).replace(/^_/, 'b.');
}

/** Header carrying the dispatch id, so JetStream drops a message published twice (a retried publish). */
export const MSG_ID_HEADER = 'Nats-Msg-Id';

/** One unit of work, as the orchestrator enqueues it. */
export interface ActivityMessage {
  v: typeof PROTOCOL_VERSION;
  runId: string;
  /** Unique per dispatch (a NUID): correlates reports, keys the agent's attempt record, deduplicates publishes. */
  dispatchId: string;
  activityId: string;
  /** `build` or `build[2]`. */
  unitKey: string;
  instance?: number;
  host?: string;
  /** The inventory entry of `host` as the orchestrator knows it (the agent's own inventory wins). */
  hostEntry?: HostEntry;
  type: string;
  /** Stable across attempts, dispatches and resumes: `runId/unitKey`. */
  idempotencyKey: string;
  /** The activity as the definition states it (providers may read it). */
  activity: ActivitySpec;
  /**
   * Resolved inputs. Secrets are values only for types the orchestrator was told may receive them;
   * otherwise they are `${secret:NAME}` references the agent resolves from its own store.
   */
  inputs: Record<string, unknown>;
  /**
   * Retries, backoff and the per-attempt timeout: the agent applies them (nak with delay). Left out on
   * the wire when it is the retry defaults with no timeout (most activities): decoding fills it in.
   */
  policy: AttemptPolicy;
  /** Where the agent reports (orch.report.<runId>.<dispatchId>). */
  reportTo: string;
  /**
   * Successors the agent may run right after this unit completes, in order, under this same message
   * (see Continuation). Absent when there are none.
   */
  next?: Continuation[];
  /** Not to run before this time (ms since the epoch): an agent that gets it sooner hands it back with the rest as delay. */
  notBefore?: number;
}

/**
 * A unit the orchestrator lets an agent run straight after the one before it in `next` (or the
 * message's own unit) completes, without a round trip: the chain continues on the same agent and the
 * orchestrator learns of it from the reports (a result's `continued`). Inputs are resolved except
 * those that read an output of a unit earlier in the chain (`deferred`), which the agent fills in
 * from the outputs it reported. The agent may always decline (it then just reports the result), and
 * the orchestrator dispatches the unit as usual.
 */
export type Continuation = Omit<RemoteSuccessor, 'deferred' | 'checkInputs'> & {
  dispatchId: string;
  reportTo: string;
  /** `inputs[target]` = the output at `path` of activity `from` (a unit earlier in this chain). */
  deferred?: RemoteSuccessor['deferred'];
  /** The inputs can be checked only once complete: the agent checks them against its type's inputSchema. */
  checkInputs?: boolean;
};

interface ReportBase {
  v: typeof PROTOCOL_VERSION;
  runId: string;
  dispatchId: string;
  /** The agent's name (`--name`, default host:pid). */
  agent: string;
}

/**
 * What an agent tells the orchestrator about a dispatch. `attempt` and `poll` count within the
 * dispatch (attempt 1 is the first), the orchestrator maps them onto its own numbering.
 */
export type AgentReport = ReportBase & (
  /** The agent took the message and starts an attempt (or a poll, or a redelivered one). */
  | { kind: 'started'; attempt: number; poll: number; delivery: number }
  | { kind: 'log'; attempt: number; stream: LogStream; line: string }
  /** RetryError with attempts left: the message was nak'd with `delayMs`. */
  | { kind: 'retrying'; attempt: number; error: string; delayMs: number }
  /** Schedule: the message was nak'd with `delayMs` and polls again. */
  | { kind: 'scheduled'; attempt: number; poll: number; delayMs: number; message?: string }
  /**
   * The dispatch is over: complete (acked), wait (acked), or fatal (terminated; RetryError without
   * attempts left too). An attempt that ended before its `started` report went out carries `poll` and
   * `delivery` instead: the orchestrator records the start from them (one report instead of two).
   * `continued`: the agent goes on with the continuation of that dispatch id, under the same message.
   * `ack`: the message's acknowledgement subject; the agent left acknowledging it to the orchestrator,
   * which does so once it has the result (a result lost on the way costs a redelivery, never the result).
   */
  | { kind: 'result'; attempt: number; result: FinalResult; poll?: number; delivery?: number; continued?: string; ack?: string }
);

export type FinalResult =
  | { kind: 'complete'; outputs: Record<string, unknown> }
  | { kind: 'wait'; message?: string }
  | { kind: 'fatal'; error: string };

/** Cancels dispatches of a run (all of them when `dispatchIds` is absent). */
export interface CancelRequest {
  v: typeof PROTOCOL_VERSION;
  runId: string;
  dispatchIds?: string[];
  reason: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encode(value: AgentReport | CancelRequest): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

function decodeObject(data: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(data));
  } catch (error) {
    throw new ProtocolError(`${what} is not JSON: ${(error as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ProtocolError(`${what} is not a JSON object`);
  const object = value as Record<string, unknown>;
  if (object.v !== PROTOCOL_VERSION) throw new ProtocolError(`${what} has protocol version ${JSON.stringify(object.v)}; this side speaks ${PROTOCOL_VERSION}`);
  return object;
}

function need(object: Record<string, unknown>, what: string, fields: Record<string, 'string' | 'number' | 'object'>): void {
  for (const [field, kind] of Object.entries(fields)) {
    const value = object[field];
    const ok = kind === 'object' ? !!value && typeof value === 'object' && !Array.isArray(value) : typeof value === kind;
    if (!ok) throw new ProtocolError(`${what}: '${field}' must be ${kind === 'object' ? 'an object' : `a ${kind}`}`);
  }
}

/** The policy as it travels: absent when it is the defaults (see ActivityMessage.policy). */
function wirePolicyOut(policy: AttemptPolicy): AttemptPolicy | undefined {
  return policy.timeoutMs === undefined && policy.maxAttempts === RETRY_DEFAULTS.maxAttempts && policy.backoff === RETRY_DEFAULTS.backoff
    && policy.delayMs === RETRY_DEFAULTS.delayMs && policy.maxDelayMs === RETRY_DEFAULTS.maxDelayMs && policy.jitter === RETRY_DEFAULTS.jitter
    ? undefined : policy;
}

function wirePolicyIn(policy: unknown, what: string): unknown {
  if (policy === undefined) return { ...RETRY_DEFAULTS };
  if (!policy || typeof policy !== 'object' || Array.isArray(policy)) throw new ProtocolError(`${what}: 'policy' must be an object`);
  return policy;
}

/** An activity message's bytes, default policies left out (the decoder puts them back). */
export function encodeActivityMessage(message: ActivityMessage): Uint8Array {
  const wire = { ...message, policy: wirePolicyOut(message.policy) };
  if (message.next) wire.next = message.next.map((c) => ({ ...c, policy: wirePolicyOut(c.policy)! }));
  return encoder.encode(JSON.stringify(wire));
}

export function decodeActivityMessage(data: Uint8Array): ActivityMessage {
  const object = decodeObject(data, 'activity message');
  need(object, 'activity message', {
    runId: 'string', dispatchId: 'string', activityId: 'string', unitKey: 'string', type: 'string', idempotencyKey: 'string',
    activity: 'object', inputs: 'object', reportTo: 'string',
  });
  object.policy = wirePolicyIn(object.policy, 'activity message');
  if (object.next !== undefined) {
    if (!Array.isArray(object.next)) throw new ProtocolError("activity message: 'next' must be an array");
    for (const c of object.next as unknown[]) {
      if (!c || typeof c !== 'object' || Array.isArray(c)) throw new ProtocolError("activity message: each of 'next' must be an object");
      need(c as Record<string, unknown>, 'activity message continuation', {
        dispatchId: 'string', activityId: 'string', unitKey: 'string', type: 'string', idempotencyKey: 'string', activity: 'object', inputs: 'object', reportTo: 'string',
      });
      (c as Record<string, unknown>).policy = wirePolicyIn((c as Record<string, unknown>).policy, 'activity message continuation');
    }
  }
  if (object.notBefore !== undefined && typeof object.notBefore !== 'number') throw new ProtocolError("activity message: 'notBefore' must be a number");
  return object as unknown as ActivityMessage;
}

const REPORT_KINDS = new Set(['started', 'log', 'retrying', 'scheduled', 'result']);

export function decodeAgentReport(data: Uint8Array): AgentReport {
  const object = decodeObject(data, 'agent report');
  need(object, 'agent report', { runId: 'string', dispatchId: 'string', agent: 'string', kind: 'string', attempt: 'number' });
  if (!REPORT_KINDS.has(object.kind as string)) throw new ProtocolError(`agent report: unknown kind ${JSON.stringify(object.kind)}`);
  if (object.kind === 'result') need(object, 'agent report', { result: 'object' });
  return object as unknown as AgentReport;
}

export function decodeCancelRequest(data: Uint8Array): CancelRequest {
  const object = decodeObject(data, 'cancel request');
  need(object, 'cancel request', { runId: 'string', reason: 'string' });
  return object as unknown as CancelRequest;
}
