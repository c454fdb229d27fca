import { criticalPath } from '../../graph/graph';
import { defineCommand } from '../command';
import { textDiagnostics } from '../diagnose';
import { countDiagnostics, paletteFor, plural, summaryLine } from '../format';
import { ExitCode } from '../io';
import { loadOrchestration } from '../target';
import { displayPath } from '../workspace';

export const planCommand = defineCommand({
  name: 'plan',
  summary: 'Show the order in which a definition\'s activities would run (tiers of independent activities).',
  usage: 'plan FILE [--json] [--defs DIR]...',
  details: [
    'Tier 1 holds the activities without dependencies; tier n+1 those whose last dependency is in tier n.\n' +
    'Activities of one tier may run at the same time (within the definition\'s concurrency and pools).\n' +
    'The critical path is the longest chain of dependencies, counted in activities.',
    '--json prints exactly { "tiers": [["a", "b"], ["c"]] }. A definition with errors prints its diagnostics\n' +
    'instead ({ "diagnostics": [...] } with --json) and exits 1; warnings go to stderr in text mode.',
  ],
  flags: {
    json: { kind: 'boolean', description: 'print the tiers as JSON' },
    defs: { kind: 'string', valueName: 'DIR', repeatable: true, description: 'folder of activity definitions and host inventories' },
  },
  positionals: { name: 'FILE', min: 1, max: 1 },
  examples: ['orch plan deploy.orch.json', 'orch plan deploy.orch.json --json | jq ".tiers | length"'],
  async run({ flags, positionals }, io) {
    const target = loadOrchestration(positionals[0], { cwd: io.cwd, defs: flags.defs });
    const counts = countDiagnostics(1, target.diagnostics);
    if (counts.errors > 0 || !target.graph) {
      if (flags.json) io.stdout.write(JSON.stringify({ diagnostics: target.diagnostics }, null, 2) + '\n');
      else io.stdout.write(textDiagnostics(target.diagnostics, paletteFor(io.stdout, io.env)) + summaryLine(counts) + '\n');
      return ExitCode.problems;
    }
    const graph = target.graph;
    if (flags.json) {
      io.stdout.write(JSON.stringify({ tiers: graph.tiers }) + '\n');
      return ExitCode.ok;
    }
    if (target.diagnostics.length) io.stderr.write(textDiagnostics(target.diagnostics, paletteFor(io.stderr, io.env)));
    const name = target.model?.type?.value ?? '(no type)';
    const lines = [`${name} (${displayPath(io.cwd, target.doc.uri)}): ${plural(graph.ids.length, 'activity', 'activities')} in ${plural(graph.tiers.length, 'tier')}`];
    graph.tiers.forEach((tier, i) => lines.push(`tier ${i + 1}: ${tier.join(', ')}`));
    if (graph.ids.length === 0) {
      lines.push('nothing to run: a run of this definition succeeds at once');
    } else {
      const { path } = criticalPath(graph, () => 1);
      lines.push(`critical path (${plural(path.length, 'activity', 'activities')}): ${path.join(' -> ')}`);
    }
    io.stdout.write(lines.join('\n') + '\n');
    return ExitCode.ok;
  },
});
