/** `orch show RUN`: a run's state, replayed from its journal, with a row per activity (and instance). */
import { readRun } from '../../engine/engine';
import type { ActivitySnapshot, RunSnapshot, UnitSnapshot } from '../../engine/replay';
import { liveHolder, runPaths } from '../../engine/runFolder';
import { defineCommand } from '../command';
import { paletteFor } from '../format';
import { ExitCode } from '../io';
import { formatDuration } from '../progress';
import { displayPath } from '../workspace';
import { runDirOf, runsDirFlag } from './run';
import { runOpenFailure } from './resume';
import { formatTime, table } from './runs';

function detail(unit: UnitSnapshot): string {
  const text = unit.state === 'failed' ? unit.error
    : unit.state === 'skipped' || unit.state === 'cancelled' ? unit.reason
      : unit.state === 'retrying' ? `retrying: ${unit.error ?? ''}`
        : unit.state === 'waiting' ? `waiting for orch complete${unit.message ? `: ${unit.message}` : ''}`
          : unit.state === 'succeeded' && unit.outputs !== undefined && !Array.isArray(unit.outputs) ? JSON.stringify(unit.outputs)
            : unit.message;
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 119)}…` : flat;
}

function row(label: string, unit: UnitSnapshot, interrupted: boolean): string[] {
  const state = interrupted && (unit.state === 'running' || unit.state === 'retrying' || unit.state === 'waiting-for-pool') ? `${unit.state} (interrupted)` : unit.state;
  return [label, state, unit.attempt ? String(unit.attempt) : '', formatDuration(unit.durationMs), detail(unit)];
}

export function activityRows(snapshot: RunSnapshot, interrupted: boolean): string[][] {
  const rows: string[][] = [];
  for (const a of Object.values(snapshot.activities) as ActivitySnapshot[]) {
    if (!a.instances) { rows.push(row(a.id, a, interrupted)); continue; }
    const done = a.instances.filter((u) => u?.state === 'succeeded').length;
    rows.push(row(`${a.id} (${done}/${a.instances.length})`, { ...a, attempt: 0 }, interrupted));
    for (const unit of a.instances) if (unit) rows.push(row(`  [${unit.instance}]${unit.host ? `@${unit.host}` : ''}`, unit, interrupted));
  }
  return rows;
}

export const showCommand = defineCommand({
  name: 'show',
  summary: 'Show a run: its state, input, output and a row per activity (replayed from its journal).',
  usage: 'show RUN [--runs-dir DIR] [--json]',
  details: ['RUN is a run id (or a unique prefix, or `latest`) or a run folder. --json prints the replayed state.'],
  flags: {
    'runs-dir': runsDirFlag,
    json: { kind: 'boolean', description: 'print the run\'s state as JSON' },
  },
  positionals: { name: 'RUN', min: 1, max: 1 },
  examples: ['orch show latest', 'orch show 20250101-120000-3f9a --json | jq .activities.deploy'],
  async run({ flags, positionals }, io) {
    const dir = runDirOf(io, positionals[0], flags['runs-dir']);
    const paths = runPaths(dir);
    let snapshot: RunSnapshot;
    try { snapshot = readRun(paths).snapshot; } catch (error) { return runOpenFailure(io, error); }
    const holder = liveHolder(paths);
    const interrupted = snapshot.state === 'running' && !holder;
    const state = interrupted ? 'interrupted' : snapshot.state;
    if (flags.json) {
      io.stdout.write(JSON.stringify({ ...snapshot, state, runDir: dir, ...(holder ? { pid: holder.pid } : {}) }, null, 2) + '\n');
      return ExitCode.ok;
    }
    const palette = paletteFor(io.stdout, io.env);
    const lines = [
      palette.bold(`run ${snapshot.runId}`) + `  ${snapshot.definition.type} (${displayPath(io.cwd, snapshot.definition.path)})${snapshot.disposeOf ? `, dispose of run ${snapshot.disposeOf}` : ''}`,
      `state: ${state}${holder ? ` (process ${holder.pid})` : ''}${interrupted ? ' — orch resume continues it' : ''}`,
      `started: ${formatTime(snapshot.startedAt)}${snapshot.durationMs !== undefined ? `, took ${formatDuration(snapshot.durationMs)}` : ''}${snapshot.resumes ? `, resumed ${snapshot.resumes}×` : ''}`,
    ];
    if (Object.keys(snapshot.input).length) lines.push(`input: ${JSON.stringify(snapshot.input)}`);
    if (snapshot.output && Object.keys(snapshot.output).length) lines.push(`output: ${JSON.stringify(snapshot.output)}`);
    if (snapshot.error) lines.push(`error: ${snapshot.error}`);
    io.stdout.write(lines.join('\n') + '\n\n');
    const rows = activityRows(snapshot, interrupted);
    io.stdout.write(rows.length ? table(['ACTIVITY', 'STATE', 'ATTEMPT', 'DURATION', 'DETAIL'], rows) : 'no activities\n');
    io.stdout.write(palette.dim(`journal: ${displayPath(io.cwd, paths.journal)}; logs: ${displayPath(io.cwd, paths.logs)}/<activity>/attempt-<n>.log`) + '\n');
    return ExitCode.ok;
  },
});
