/**
 * A run as the graph webview receives it (protocol.ts): node states keyed by activity id, outputs cut to a
 * size a hover can show, and the critical path (the longest chain by duration) once the run finished.
 * Pure: no `vscode`.
 */
import type { ActivityView, RunView } from '../runs/runModel';
import type { NodeRunInfo, RunInfo, RunSnapshotMessage, RunUpdateMessage } from './protocol';

/** Outputs larger than this (as JSON) are replaced by a note: the hover is not the place for them. */
const MAX_OUTPUT_CHARS = 4000;

export function nodeInfo(activity: ActivityView): NodeRunInfo {
  const last = activity.attempts[activity.attempts.length - 1];
  const info: NodeRunInfo = { state: activity.state, attempt: last?.attempt ?? 0 };
  if (activity.startedAt !== undefined) info.startedAt = activity.startedAt;
  if (activity.endedAt !== undefined) info.endedAt = activity.endedAt;
  if (activity.error !== undefined) info.error = activity.error.slice(0, 2000);
  if (last?.agent !== undefined) info.agent = last.agent.slice(0, 200);
  if (activity.outputs !== undefined && activity.outputs !== null && typeof activity.outputs === 'object' && !Array.isArray(activity.outputs)) {
    const text = JSON.stringify(activity.outputs);
    info.outputs = text.length <= MAX_OUTPUT_CHARS ? (activity.outputs as Record<string, unknown>) : { '…': `${text.length} characters of outputs; see the Runs view` };
  }
  if (activity.instances.length) {
    info.instances = { done: activity.instances.filter((u) => u.state === 'succeeded' || u.state === 'failed' || u.state === 'skipped' || u.state === 'cancelled').length, total: activity.instances.length };
  }
  return info;
}

/** The longest chain of succeeded/failed activities by duration, dependencies first. */
export function runCriticalPath(run: RunView): string[] {
  const best = new Map<string, { total: number; via?: string }>();
  let end: string | undefined;
  for (const id of run.order) {
    const activity = run.activities.get(id)!;
    const own = activity.durationMs ?? (activity.startedAt !== undefined && activity.endedAt !== undefined ? activity.endedAt - activity.startedAt : 0);
    let incoming: { total: number; via?: string } = { total: 0 };
    for (const dep of activity.planned.dependsOn) {
      const b = best.get(dep);
      if (b && b.total > incoming.total) incoming = { total: b.total, via: dep };
    }
    const entry = { total: incoming.total + Math.max(0, own), via: incoming.via };
    best.set(id, entry);
    if (end === undefined || entry.total > best.get(end)!.total) end = id;
  }
  const path: string[] = [];
  for (let at = end; at !== undefined; at = best.get(at)?.via) path.push(at);
  return path.reverse();
}

export function runInfo(run: RunView): RunInfo {
  const info: RunInfo = { runId: run.runId, state: run.state, startedAt: run.startedAt };
  if (run.endedAt !== undefined) info.endedAt = run.endedAt;
  if (run.state !== 'running') info.criticalPath = runCriticalPath(run);
  return info;
}

export function runSnapshotMessage(run: RunView | undefined): RunSnapshotMessage {
  if (!run) return { type: 'run', run: null, nodes: {} };
  const nodes: Record<string, NodeRunInfo> = {};
  for (const [id, activity] of run.activities) nodes[id] = nodeInfo(activity);
  return { type: 'run', run: runInfo(run), nodes };
}

export function runUpdateMessage(run: RunView, activityIds: Iterable<string>, runChanged: boolean): RunUpdateMessage {
  const nodes: Record<string, NodeRunInfo> = {};
  for (const id of activityIds) {
    const activity = run.activities.get(id);
    if (activity) nodes[id] = nodeInfo(activity);
  }
  const message: RunUpdateMessage = { type: 'runUpdate', runId: run.runId, nodes };
  if (runChanged) {
    message.state = run.state;
    if (run.endedAt !== undefined) message.endedAt = run.endedAt;
    if (run.state !== 'running') message.criticalPath = runCriticalPath(run);
  }
  return message;
}
