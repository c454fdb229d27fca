/**
 * The run drawn on the graph: the host's snapshot and updates merged into one map, the class each state
 * gets, and the live duration text. Pure: the renderer asks it what changed and touches only those nodes.
 */
import type { ActivityRunState, NodeRunInfo, RunInfo, RunSnapshotMessage, RunUpdateMessage } from '../../client/graph/protocol';

export const STATE_LABELS: Record<ActivityRunState, string> = {
  pending: 'Pending',
  'waiting-for-pool': 'Waiting for a pool',
  running: 'Running',
  retrying: 'Retrying',
  waiting: 'Waiting for completion',
  succeeded: 'Succeeded',
  failed: 'Failed',
  skipped: 'Skipped',
  cancelled: 'Cancelled',
};

/** States whose duration keeps growing: the clock ticks only while one of them is on screen. */
const LIVE: ReadonlySet<ActivityRunState> = new Set(['running', 'retrying', 'waiting']);

export function isLive(state: ActivityRunState | undefined): boolean {
  return state !== undefined && LIVE.has(state);
}

/** The class of a node in a state (`state-none` when no run is drawn). CSS colours each one. */
export function stateClass(state: ActivityRunState | undefined): string {
  return state ? `state-${state}` : 'state-none';
}

export class RunModel {
  run: RunInfo | null = null;
  readonly nodes = new Map<string, NodeRunInfo>();

  /** Replaces the run; returns every id whose drawing may change. */
  applySnapshot(message: RunSnapshotMessage): Set<string> {
    const changed = new Set(this.nodes.keys());
    this.nodes.clear();
    this.run = message.run ? { ...message.run } : null;
    if (this.run) for (const [id, info] of Object.entries(message.nodes)) { this.nodes.set(id, info); changed.add(id); }
    return changed;
  }

  /** Merges an update; undefined when it is for another run (late message after a new run started). */
  applyUpdate(message: RunUpdateMessage): Set<string> | undefined {
    const run = this.run;
    if (!run || run.runId !== message.runId) return undefined;
    if (message.state !== undefined) run.state = message.state;
    if (message.endedAt !== undefined) run.endedAt = message.endedAt;
    if (message.criticalPath !== undefined) run.criticalPath = message.criticalPath;
    const changed = new Set<string>();
    for (const [id, info] of Object.entries(message.nodes)) { this.nodes.set(id, info); changed.add(id); }
    return changed;
  }

  get active(): boolean {
    return this.run?.state === 'running';
  }

  /** Ids whose duration text moves with the clock. */
  liveIds(): string[] {
    if (!this.active) return [];
    const ids: string[] = [];
    for (const [id, info] of this.nodes) if (isLive(info.state) && info.startedAt !== undefined) ids.push(id);
    return ids;
  }

  /** The moment durations are measured to: now while the run runs, its end once it ended. */
  clock(now: number): number {
    const run = this.run;
    if (!run || run.state === 'running') return now;
    return run.endedAt ?? now;
  }
}

export function durationOf(info: NodeRunInfo | undefined, now: number): number | undefined {
  if (!info || info.startedAt === undefined) return undefined;
  const end = info.endedAt ?? (isLive(info.state) ? now : undefined);
  return end === undefined ? undefined : Math.max(0, end - info.startedAt);
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  if (ms < 60_000) return `${Math.floor(ms / 1000)} s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  const m = Math.floor(s / 60);
  if (m < 24 * 60) return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(m / 1440)}d ${String(Math.floor(m / 60) % 24).padStart(2, '0')}h`;
}

/** Milliseconds until the shortest of these durations shows a different text. */
export function nextTickDelay(durations: readonly number[]): number {
  let delay = 1000;
  for (const ms of durations) {
    const step = ms < 10_000 ? 100 : 1000;
    delay = Math.min(delay, step - (ms % step));
  }
  return Math.max(16, delay);
}

/** The second status text of a box: fan-out progress, or the attempt once there was a retry. */
export function attemptLabel(info: NodeRunInfo | undefined): string {
  if (!info) return '';
  if (info.instances && info.instances.total > 0) return `${info.instances.done}/${info.instances.total}`;
  return info.attempt > 1 ? `attempt ${info.attempt}` : '';
}
