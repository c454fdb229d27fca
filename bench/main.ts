/**
 * `npm run bench` (dist/bench.js): runs the sections of ./sections.ts in one process and prints their
 * tables. `node dist/bench.js [section...] [--runs N] [--quick] [--check] [--list]`.
 * Results are printed, never written: figures belong to the machine that produced them.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs, UsageError } from '../runtime/cli/args';
import type { BenchContext } from './section';
import { sections } from './sections';

const flags = {
  runs: { kind: 'string', valueName: 'N', description: 'measured runs per figure (after warm-up)' },
  quick: { kind: 'boolean', description: 'small sizes and few runs: check the benchmark works' },
  check: { kind: 'boolean', description: 'exit 1 when a target is missed' },
  list: { kind: 'boolean', description: 'list the sections and exit' },
} as const;

async function main(argv: string[]): Promise<number> {
  const { flags: options, positionals } = parseArgs(argv, flags, { name: 'sections', min: 0, max: Infinity });
  if (options.list) {
    for (const s of sections) console.log(`${s.name.padEnd(12)} ${s.description}`);
    return 0;
  }
  const runs = options.runs === undefined ? undefined : Number(options.runs);
  if (runs !== undefined && (!Number.isInteger(runs) || runs < 1)) throw new UsageError(`--runs must be a positive integer, not '${options.runs}'`);
  const unknown = positionals.filter((name) => !sections.some((s) => s.name === name));
  if (unknown.length) throw new UsageError(`unknown section ${unknown.join(', ')} (known: ${sections.map((s) => s.name).join(', ')})`);
  const chosen = positionals.length ? sections.filter((s) => positionals.includes(s.name)) : sections;
  const missed: string[] = [];
  const ctx: BenchContext = {
    quick: options.quick,
    runs: (defaultRuns) => runs ?? (options.quick ? Math.min(3, defaultRuns) : defaultRuns),
    print: (table) => console.log(table.render() + '\n'),
    log: (line) => console.log(line),
    target: (description, met, actual) => {
      console.log(`target: ${description}: ${met ? 'met' : 'MISSED'} (${actual})`);
      if (!met) missed.push(description);
    },
  };
  const cores = cpus();
  console.log(`orchestration-studio benchmarks: node ${process.version}, ${cores.length} × ${cores[0]?.model ?? 'unknown CPU'}`);
  // Figures from a busy machine are not comparable with a quiet one's: say how busy it was.
  const load = loadavg()[0];
  console.log(`load average ${load.toFixed(1)}${load > cores.length * 0.5 ? ' (busy machine: wall-clock figures are inflated; see the CPU columns)' : ''}\n`);
  for (const section of chosen) {
    console.log(`== ${section.name}: ${section.description}\n`);
    await section.run(ctx);
    console.log('');
  }
  if (missed.length) console.log(`${missed.length} target(s) missed`);
  return options.check && missed.length ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    console.error(e instanceof UsageError ? `bench: ${e.message}` : e);
    process.exitCode = 2;
  },
);
