/**
 * What `orch run` (and resume, dispose, complete) shows while a run goes: in a terminal, a line per
 * activity with its state, attempt and duration, redrawn in place; otherwise (CI logs, pipes) a plain
 * line per change and every log line prefixed with its activity; with --json, the events as NDJSON.
 * The live view folds the same events the journal holds (replay's fold), so it shows exactly what
 * `orch show` would.
 */
import type { ActivityState, RunEvent } from '../engine/events';
import { unitKey } from '../engine/events';
import { applyEntry, initialSnapshot, type ActivitySnapshot, type RunSnapshot, type UnitSnapshot } from '../engine/replay';
import type { RunResult } from '../engine/session';
import { paletteFor, plural, type Palette } from './format';
import type { CliIo } from './io';

export interface Progress {
  readonly listener: (event: RunEvent) => void;
  /** A line outside the table (cancelling..., warnings). */
  note(text: string): void;
  /** Stops live updates and prints the outcome. */
  finish(result: RunResult): void;
}

export function createProgress(io: CliIo, options: { json: boolean; command?: string }): Progress {
  if (options.json) return new JsonProgress(io);
  const palette = paletteFor(io.stdout, io.env);
  return io.stdout.isTTY ? new LiveProgress(io, palette) : new PlainProgress(io, palette);
}

/** `14:03:07`, local time, as the rest of the terminal shows times. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const GLYPH: Record<ActivityState, string> = {
  pending: '○', 'waiting-for-pool': '◌', running: '●', retrying: '↻', waiting: '⏸', succeeded: '✓', failed: '✗', skipped: '⊘', cancelled: '■',
};

function colourOf(state: ActivityState, palette: Palette, text: string): string {
  switch (state) {
    case 'succeeded': return palette.severity('hint', text);
    case 'failed': return palette.severity('error', text);
    case 'retrying': case 'waiting': case 'waiting-for-pool': case 'cancelled': return palette.severity('warning', text);
    case 'skipped': case 'pending': return palette.dim(text);
    default: return palette.bold(text);
  }
}

function unitLabel(activityId: string, instance?: number, host?: string): string {
  return `${unitKey(activityId, instance)}${host ? `@${host}` : ''}`;
}

function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The closing lines: state, duration, counts, output, and what to do next. */
export function outcomeLines(result: RunResult, palette: Palette): string[] {
  const s = result.snapshot;
  const counts = new Map<ActivityState, number>();
  for (const a of Object.values(s.activities)) counts.set(a.state, (counts.get(a.state) ?? 0) + 1);
  const parts = [...counts].map(([state, n]) => `${n} ${state}`);
  const head = `run ${result.runId} ${result.state}${s.durationMs !== undefined ? ` in ${formatDuration(s.durationMs)}` : ''}`;
  const lines = [`${colourOf(result.state === 'succeeded' ? 'succeeded' : result.state === 'failed' ? 'failed' : 'cancelled', palette, head)}${parts.length ? ` (${parts.join(', ')})` : ''}`];
  if (result.error && result.state !== 'succeeded') lines.push(`  ${result.error}`);
  if (result.output && Object.keys(result.output).length) lines.push(`  output: ${JSON.stringify(result.output)}`);
  for (const a of Object.values(s.activities)) {
    if (a.state !== 'failed') continue;
    const failedUnits: { key: string; unit: UnitSnapshot }[] = a.instances
      ? a.instances.filter((u) => u?.state === 'failed').map((u) => ({ key: unitKey(a.id, u.instance), unit: u }))
      : [{ key: a.id, unit: a }];
    for (const { key, unit } of failedUnits.slice(0, 5)) {
      if (unit.attempt) lines.push(palette.dim(`  logs of ${key}: ${result.runDir}/logs/${key}/attempt-${unit.attempt}.log`));
    }
  }
  if (result.state !== 'succeeded') lines.push(palette.dim(`  resume with: orch resume ${result.runId}`));
  return lines;
}

class JsonProgress implements Progress {
  constructor(private readonly io: CliIo) {}
  readonly listener = (event: RunEvent) => this.io.stdout.write(JSON.stringify(event) + '\n');
  note(text: string): void { this.io.stderr.write(text + '\n'); }
  finish(): void { /* run.finished was the last event */ }
}

/** One line per change, for logs and pipes. */
class PlainProgress implements Progress {
  constructor(private readonly io: CliIo, private readonly palette: Palette) {}

  readonly listener = (event: RunEvent) => {
    const line = this.describe(event);
    if (line !== undefined) this.io.stdout.write(line + '\n');
  };

  note(text: string): void { this.io.stdout.write(text + '\n'); }

  finish(result: RunResult): void {
    this.io.stdout.write(outcomeLines(result, this.palette).join('\n') + '\n');
  }

  private describe(e: RunEvent): string | undefined {
    const time = clockTime(e.time);
    const p = this.palette;
    if (!('activityId' in e)) {
      switch (e.type) {
        case 'run.started': return `${time} run ${e.runId} started: ${e.definition.type} (${plural(e.activities.length, 'activity', 'activities')}, concurrency ${e.concurrency})`;
        case 'run.resumed': return `${time} run ${e.runId} resumed (resume ${e.resume})`;
        case 'run.cancelling': return `${time} ${p.severity('warning', 'cancelling')}: ${e.reason} (grace ${formatDuration(e.graceMs)})`;
        default: return undefined;
      }
    }
    const who = unitLabel(e.activityId, e.instance, e.host);
    const tag = (state: ActivityState, text: string) => `${time} ${colourOf(state, p, `${GLYPH[state]} ${who}`)} ${text}`;
    switch (e.type) {
      case 'activity.log': return `${p.dim(`${time} ${who} │`)} ${e.line}`;
      case 'activity.started': {
        const where = e.agent ? ` on ${e.agent}${(e.delivery ?? 1) > 1 ? ` (delivery ${e.delivery})` : ''}` : '';
        return tag('running', e.poll ? `polling (attempt ${e.attempt}, poll ${e.poll})${where}` : `started (attempt ${e.attempt})${where}`);
      }
      case 'activity.succeeded': return tag('succeeded', `succeeded in ${formatDuration(e.durationMs)}${e.completedBy ? ' (completed externally)' : ''}`);
      case 'activity.failed': return tag('failed', `failed${e.attempt ? ` (attempt ${e.attempt})` : ''}: ${oneLine(e.error, 400)}`);
      case 'activity.retrying': return tag('retrying', `retrying in ${formatDuration(e.delayMs)}: ${oneLine(e.error)}`);
      case 'activity.scheduled': return tag('running', `polling again in ${formatDuration(e.delayMs)}${e.message ? `: ${oneLine(e.message)}` : ''}`);
      case 'activity.waiting': return tag('waiting', `waiting for completion${e.message ? `: ${oneLine(e.message)}` : ''} (orch complete ${e.runId} ${unitKey(e.activityId, e.instance)} --output '{...}')`);
      case 'activity.waiting-for-pool': return tag('waiting-for-pool', `waiting for pool ${Object.entries(e.pools).map(([k, v]) => `${k}×${v}`).join(', ')}`);
      case 'activity.skipped': return tag('skipped', `skipped: ${e.reason}`);
      case 'activity.cancelled': return tag('cancelled', `cancelled: ${e.reason}`);
      case 'activity.expanded': return tag('running', `fans out into ${plural(e.instances.length, 'instance')}`);
      case 'activity.interrupted': return tag('pending', `attempt ${e.attempt} was interrupted`);
      case 'activity.pending': return undefined;
    }
    return undefined;
  }
}

/** The live table for a terminal: redrawn in place, at most a few times a second. */
class LiveProgress implements Progress {
  private snapshot: RunSnapshot | undefined;
  private readonly lastLog = new Map<string, string>();
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private readonly notes: string[] = [];

  constructor(private readonly io: CliIo, private readonly palette: Palette) {}

  readonly listener = (event: RunEvent) => {
    if (event.type === 'activity.log') {
      this.lastLog.set(event.activityId, event.line);
    } else if (event.type === 'run.started') {
      this.snapshot = initialSnapshot(event);
    } else if (this.snapshot) {
      applyEntry(this.snapshot, event);
    }
    if (!this.ticker) {
      // Durations of running activities move on their own; a slow tick keeps them honest.
      this.ticker = setInterval(() => this.schedule(), 500);
      this.ticker.unref();
    }
    this.schedule();
  };

  note(text: string): void {
    this.notes.push(text);
    this.schedule();
  }

  finish(result: RunResult): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.ticker) clearInterval(this.ticker);
    this.timer = this.ticker = undefined;
    this.snapshot = result.snapshot;
    this.draw(true);
    this.io.stdout.write(outcomeLines(result, this.palette).join('\n') + '\n');
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => { this.timer = undefined; this.draw(false); }, 80);
    this.timer.unref();
  }

  private draw(final: boolean): void {
    const s = this.snapshot;
    if (!s) return;
    const columns = (process.stdout.columns || 100) - 1;
    const rows = Math.max(6, (process.stdout.rows || 30) - 4);
    const all = Object.values(s.activities);
    let shown = all;
    let hidden = '';
    if (all.length > rows && !final) {
      const busy = all.filter((a) => a.state !== 'pending' && a.state !== 'succeeded' && a.state !== 'skipped');
      shown = busy.slice(0, rows - 1);
      hidden = `… ${plural(all.length - shown.length, 'more activity', 'more activities')}`;
    } else if (final && all.length > 200) {
      shown = all.filter((a) => a.state !== 'succeeded' && a.state !== 'skipped');
      hidden = `… ${all.length - shown.length} succeeded or skipped (orch show ${s.runId} lists them)`;
    }
    const width = Math.min(40, Math.max(8, ...shown.map((a) => this.label(a).length)));
    const lines = shown.map((a) => this.row(a, width, columns));
    const counts = new Map<ActivityState, number>();
    for (const a of all) counts.set(a.state, (counts.get(a.state) ?? 0) + 1);
    if (hidden) lines.push(this.palette.dim(hidden));
    if (!final) {
      lines.push(this.palette.dim(`${s.runId} · ${[...counts].map(([k, v]) => `${v} ${k}`).join(' · ')} · ${formatDuration(Date.now() - s.startedAt)}`));
      lines.push(...this.notes.map((n) => this.palette.severity('warning', n)));
    }
    let out = this.drawn ? `\x1b[${this.drawn}A\x1b[0J` : '';
    out += lines.map((l) => l + '\n').join('');
    this.io.stdout.write(out);
    this.drawn = final ? 0 : lines.length;
  }

  private label(a: ActivitySnapshot): string {
    return a.instances ? `${a.id}[${a.instances.length}]` : a.id;
  }

  private row(a: ActivitySnapshot, width: number, columns: number): string {
    const p = this.palette;
    const head = `${GLYPH[a.state]} ${this.label(a).padEnd(width)}`;
    let state: string = a.state;
    if (a.instances) {
      const done = a.instances.filter((u) => u && (u.state === 'succeeded')).length;
      if (a.state === 'running') state = `running ${done}/${a.instances.length}`;
    }
    const attempt = a.attempt ? `#${a.attempt}` : a.instances ? '' : '';
    const duration = a.durationMs !== undefined ? formatDuration(a.durationMs)
      : a.startedAt !== undefined && (a.state === 'running' || a.state === 'retrying') ? formatDuration(Date.now() - a.startedAt) : '';
    let detail = '';
    if (a.state === 'failed') detail = a.error ?? '';
    else if (a.state === 'skipped' || a.state === 'cancelled') detail = a.reason ?? '';
    else if (a.state === 'retrying') detail = `${a.dueAt ? `next in ${formatDuration(Math.max(0, a.dueAt - Date.now()))}: ` : ''}${a.error ?? ''}`;
    else if (a.state === 'waiting') detail = a.message ?? `orch complete ${this.snapshot!.runId} ${a.id} --output '{...}'`;
    else if (a.state === 'running') detail = this.lastLog.get(a.id) ?? a.message ?? '';
    const text = `${head} ${state.padEnd(13)} ${attempt.padEnd(4)} ${duration.padStart(7)}  ${oneLine(detail)}`;
    const clipped = text.length > columns ? `${text.slice(0, columns - 1)}…` : text;
    return colourOf(a.state, p, clipped.slice(0, head.length)) + (a.state === 'running' ? clipped.slice(head.length) : p.dim(clipped.slice(head.length)));
  }
}
