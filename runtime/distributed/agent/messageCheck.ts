/**
 * An activity message as the agent may trust it: the protocol's shape, plus what the agent relies on
 * beyond it. The unit key becomes a folder name, the report subject a publish target and the policy
 * the number of attempts, so each is checked here: a message that gets any of them wrong is
 * terminated with the reason, never run.
 */
import { ProtocolError, activitySubject, decodeActivityMessage, type ActivityMessage } from '../protocol';

const UNIT_KEY = /^[A-Za-z_][A-Za-z0-9_-]*(\[\d+\])?$/;
const REPORT_PREFIX = 'orch.report.';

export function decodeDelivery(subject: string, data: Uint8Array): ActivityMessage {
  const message = decodeActivityMessage(data);
  const fail = (why: string): never => { throw new ProtocolError(`activity message: ${why}`); };
  if (!message.dispatchId) fail("'dispatchId' is empty");
  if (!message.runId) fail("'runId' is empty");
  if (subject !== activitySubject(message.type)) fail(`it came on ${subject} but says its type is ${JSON.stringify(message.type)} (subject ${activitySubject(message.type)})`);
  if (!UNIT_KEY.test(message.unitKey)) fail(`'unitKey' ${JSON.stringify(message.unitKey)} is not an activity id, or id[index]`);
  if (!message.reportTo.startsWith(REPORT_PREFIX) || /[\s*>]/.test(message.reportTo) || message.reportTo.endsWith('.')) {
    fail(`'reportTo' ${JSON.stringify(message.reportTo)} is not a report subject (${REPORT_PREFIX}<run>)`);
  }
  if (message.instance !== undefined && (!Number.isInteger(message.instance) || message.instance < 0)) fail("'instance' must be an integer >= 0");
  if (message.host !== undefined && typeof message.host !== 'string') fail("'host' must be a string");
  if (message.hostEntry !== undefined && (!message.hostEntry || typeof message.hostEntry !== 'object' || Array.isArray(message.hostEntry))) fail("'hostEntry' must be an object");
  const policy = message.policy as unknown as Record<string, unknown>;
  const number = (key: string, min: number, integer = false) => {
    const value = policy[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
      fail(`'policy.${key}' must be ${integer ? 'an integer' : 'a number'} >= ${min}, not ${JSON.stringify(value)}`);
    }
  };
  number('maxAttempts', 1, true);
  number('delayMs', 0);
  number('maxDelayMs', 0);
  if (policy.backoff !== 'fixed' && policy.backoff !== 'exponential') fail(`'policy.backoff' must be fixed or exponential, not ${JSON.stringify(policy.backoff)}`);
  if (typeof policy.jitter !== 'boolean') fail("'policy.jitter' must be true or false");
  if (policy.timeoutMs !== undefined) number('timeoutMs', 1);
  return message;
}

/**
 * What can be read of a message that failed the checks, to tell its orchestrator why its activity
 * will not run: only when it names a run, a dispatch and a plausible report subject.
 */
export function salvageAddress(data: Uint8Array): Pick<ActivityMessage, 'runId' | 'dispatchId' | 'reportTo'> | undefined {
  let value: unknown;
  try { value = JSON.parse(new TextDecoder().decode(data)); } catch { return undefined; }
  if (!value || typeof value !== 'object') return undefined;
  const { runId, dispatchId, reportTo } = value as Record<string, unknown>;
  if (typeof runId !== 'string' || !runId || typeof dispatchId !== 'string' || !dispatchId || typeof reportTo !== 'string') return undefined;
  if (!reportTo.startsWith(REPORT_PREFIX) || /[\s*>]/.test(reportTo) || reportTo.endsWith('.')) return undefined;
  return { runId, dispatchId, reportTo };
}
