/** `orch runs`: the history of runs in a runs folder, newest first. */
import { listRuns } from '../../engine/runFolder';
import { defineCommand } from '../command';
import { paletteFor } from '../format';
import { ExitCode } from '../io';
import { formatDuration } from '../progress';
import { displayPath } from '../workspace';
import { parsePositiveInt, runsDirFlag, runsDirOf } from './run';

export function formatTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Left-aligned columns, two spaces apart. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export const runsCommand = defineCommand({
  name: 'runs',
  summary: 'List the runs (id, definition, state, start, duration), newest first.',
  usage: 'runs [--runs-dir DIR] [--limit N] [--json]',
  details: ['A run whose process died shows as interrupted (`orch resume` continues it).'],
  flags: {
    'runs-dir': runsDirFlag,
    limit: { kind: 'string', valueName: 'N', description: 'show only the N newest runs' },
    json: { kind: 'boolean', description: 'print the run summaries as a JSON array' },
  },
  positionals: { name: '', min: 0, max: 0 },
  examples: ['orch runs', 'orch runs --limit 5', 'orch runs --json | jq -r \'.[] | select(.state == "failed") | .runId\''],
  async run({ flags }, io) {
    const runsDir = runsDirOf(io, flags['runs-dir']);
    const limit = parsePositiveInt(flags.limit, 'limit');
    const runs = listRuns(runsDir, (dir, reason) => io.stderr.write(`orch runs: skipped ${displayPath(io.cwd, dir)}: ${reason}\n`)).slice(0, limit ?? Infinity);
    if (flags.json) {
      io.stdout.write(JSON.stringify(runs.map((r) => ({ ...r.summary, runDir: r.paths.dir })), null, 2) + '\n');
      return ExitCode.ok;
    }
    if (!runs.length) {
      io.stdout.write(`no runs in ${displayPath(io.cwd, runsDir)}\n`);
      return ExitCode.ok;
    }
    const palette = paletteFor(io.stdout, io.env);
    const rows = runs.map(({ summary: s }) => [
      s.runId,
      `${s.definition.type}${s.disposeOf ? ` (dispose of ${s.disposeOf})` : ''}`,
      s.state,
      formatTime(s.startedAt),
      s.durationMs !== undefined ? formatDuration(s.durationMs) : s.state === 'running' ? `${formatDuration(Date.now() - s.startedAt)}…` : '',
    ]);
    const text = table(['RUN', 'DEFINITION', 'STATE', 'STARTED', 'DURATION'], rows);
    const coloured = text.split('\n').map((line, i) => {
      const state = i > 0 ? runs[i - 1]?.summary.state : undefined;
      if (state === 'failed') return palette.severity('error', line);
      if (state === 'running') return palette.bold(line);
      if (state === 'interrupted' || state === 'cancelled') return palette.severity('warning', line);
      return line;
    }).join('\n');
    io.stdout.write(coloured);
    return ExitCode.ok;
  },
});
