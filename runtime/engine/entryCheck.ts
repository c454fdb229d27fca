/**
 * The shape a journal line must have before anyone folds it into a run's state. Journals are files in
 * the workspace (a cloned repository may carry a `.orch/runs` folder), and their fields become object
 * keys (`activities[activityId]`), file paths (logs, work folders named after the run id and the unit)
 * and arguments of `rm -rf` (a succeeded run's work folder): an id such as `__proto__` or `../../x`
 * must be refused here, with its line, not trusted by replay, `orch show` or the Runs view.
 */
import type { JournalEntry } from './events';

/** The id syntax of the format (spec: activity `id`). */
export const ACTIVITY_ID = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Run ids name folders: one path segment, never `.` or `..`, no separators. */
export const RUN_ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export function isRunId(value: unknown): value is string {
  return typeof value === 'string' && RUN_ID.test(value);
}

const FINAL_STATES = new Set(['succeeded', 'failed', 'cancelled']);
const RUN_TYPES = new Set(['run.started', 'run.resumed', 'run.cancelling', 'run.finished']);
const ACTIVITY_TYPES = new Set([
  'activity.pending', 'activity.expanded', 'activity.waiting-for-pool', 'activity.started', 'activity.retrying',
  'activity.scheduled', 'activity.waiting', 'activity.succeeded', 'activity.failed', 'activity.skipped',
  'activity.cancelled', 'activity.interrupted',
]);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const optional = (v: unknown, check: (v: unknown) => boolean) => v === undefined || check(v);

/** Why `value` is not a journal entry this version can replay; undefined when it is one. */
export function journalEntryProblem(value: unknown): string | undefined {
  if (!isObj(value)) return 'a line is not an event object';
  const { type } = value;
  if (typeof type !== 'string') return 'an event without a "type"';
  if (type === 'activity.log') return 'a log event does not belong in the journal';
  if (!RUN_TYPES.has(type) && !ACTIVITY_TYPES.has(type)) return `unknown event type "${short(type)}"`;
  if (!isCount(value.seq)) return `${type}: "seq" must be a non-negative integer`;
  if (!isNum(value.time)) return `${type}: "time" must be a number`;
  if (!isRunId(value.runId)) return `${type}: "runId" ${describe(value.runId)} is not a run id (letters, digits, _ . -)`;
  if (RUN_TYPES.has(type)) return runProblem(type, value);
  return activityProblem(type, value);
}

function runProblem(type: string, e: Obj): string | undefined {
  switch (type) {
    case 'run.started': {
      const d = e.definition;
      if (!isObj(d) || typeof d.type !== 'string' || typeof d.path !== 'string' || typeof d.hash !== 'string') return 'run.started: "definition" must have type, path and hash';
      if (!isObj(e.input)) return 'run.started: "input" must be an object';
      if (!isNum(e.concurrency)) return 'run.started: "concurrency" must be a number';
      if (!isStrings(e.defs)) return 'run.started: "defs" must be an array of folders';
      if (!optional(e.disposeOf, isRunId)) return 'run.started: "disposeOf" is not a run id';
      if (!Array.isArray(e.activities)) return 'run.started: "activities" must be an array';
      const seen = new Set<string>();
      for (const [i, a] of e.activities.entries()) {
        if (!isObj(a) || typeof a.id !== 'string' || !ACTIVITY_ID.test(a.id)) return `run.started: activities[${i}] has no valid id`;
        if (seen.has(a.id)) return `run.started: activity "${a.id}" is listed twice`;
        seen.add(a.id);
        if (typeof a.type !== 'string' || !isStrings(a.dependsOn)) return `run.started: activity "${a.id}" needs a type and a dependsOn array`;
        if (!optional(a.hosts, isStrings)) return `run.started: activity "${a.id}": "hosts" must be an array of names`;
      }
      return undefined;
    }
    case 'run.resumed':
      return isCount(e.resume) && isNum(e.concurrency) ? undefined : 'run.resumed: "resume" and "concurrency" must be numbers';
    case 'run.cancelling':
      return typeof e.reason === 'string' ? undefined : 'run.cancelling: "reason" must be a string';
    case 'run.finished':
      if (typeof e.state !== 'string' || !FINAL_STATES.has(e.state)) return `run.finished: "state" ${describe(e.state)} is not succeeded, failed or cancelled`;
      if (!optional(e.output, isObj)) return 'run.finished: "output" must be an object';
      if (!optional(e.error, (v) => typeof v === 'string')) return 'run.finished: "error" must be a string';
      return undefined;
    default:
      return undefined;
  }
}

function activityProblem(type: string, e: Obj): string | undefined {
  if (typeof e.activityId !== 'string' || !ACTIVITY_ID.test(e.activityId)) return `${type}: "activityId" ${describe(e.activityId)} is not an activity id`;
  if (!optional(e.instance, isCount)) return `${type}: "instance" must be a non-negative integer`;
  if (!optional(e.host, (v) => typeof v === 'string')) return `${type}: "host" must be a string`;
  const attemptRequired = type === 'activity.started' || type === 'activity.retrying' || type === 'activity.scheduled'
    || type === 'activity.waiting' || type === 'activity.interrupted';
  if (attemptRequired ? !isCount(e.attempt) : !optional(e.attempt, isCount)) return `${type}: "attempt" must be a non-negative integer`;
  switch (type) {
    case 'activity.expanded':
      if (!Array.isArray(e.instances) || !e.instances.every((i) => isObj(i) && isCount(i.instance) && optional(i.host, (h) => typeof h === 'string'))) {
        return 'activity.expanded: "instances" must be an array of { instance, host? }';
      }
      return undefined;
    case 'activity.waiting-for-pool':
      return isObj(e.pools) && Object.values(e.pools).every(isNum) ? undefined : 'activity.waiting-for-pool: "pools" must map pool names to counts';
    case 'activity.started':
      if (!isCount(e.poll)) return 'activity.started: "poll" must be a non-negative integer';
      return optional(e.inputs, isObj) ? undefined : 'activity.started: "inputs" must be an object';
    case 'activity.retrying':
      return typeof e.error === 'string' && isNum(e.delayMs) ? undefined : 'activity.retrying: needs "error" and "delayMs"';
    case 'activity.scheduled':
      return isCount(e.poll) && isNum(e.delayMs) ? undefined : 'activity.scheduled: needs "poll" and "delayMs"';
    case 'activity.failed':
      return typeof e.error === 'string' ? undefined : 'activity.failed: "error" must be a string';
    case 'activity.pending':
    case 'activity.skipped':
    case 'activity.cancelled':
      return typeof e.reason === 'string' ? undefined : `${type}: "reason" must be a string`;
    default:
      return undefined;
  }
}

/** Narrows after a check (for readers that fold entries themselves, like the Runs view). */
export function isJournalEntry(value: unknown): value is JournalEntry {
  return journalEntryProblem(value) === undefined;
}

function short(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(short(value));
  return value === undefined ? '(missing)' : typeof value;
}
