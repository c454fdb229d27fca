import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { layoutGraph } from '../../layout/layoutNode';
import { layoutGraphOf } from '../../layout/layoutGraph';
import { renderSvg } from '../../layout/svg';
import { UsageError } from '../args';
import { defineCommand } from '../command';
import { textDiagnostics } from '../diagnose';
import { countDiagnostics, paletteFor, plural, summaryLine, type JsonDiagnostic } from '../format';
import { ExitCode } from '../io';
import { loadOrchestration } from '../target';
import { displayPath } from '../workspace';

/**
 * Errors that leave the graph drawable: a cycle (the reason to look at the drawing) and a
 * self-dependency. Anything else (unknown dependency, syntax, schema) means the picture could mislead.
 */
const DRAWABLE_ERRORS = new Set(['ORCH203', 'ORCH205']);

function drawable(diagnostics: readonly JsonDiagnostic[]): boolean {
  return diagnostics.every((d) => d.severity !== 'error' || DRAWABLE_ERRORS.has(d.code));
}

export const graphCommand = defineCommand({
  name: 'graph',
  summary: 'Draw a definition\'s activity graph as a self-contained SVG file.',
  usage: 'graph FILE --svg OUT.svg [--defs DIR]...',
  details: [
    'Boxes show each activity\'s id and type; arrows run from a dependency to its dependents, top-down, one row\n' +
    'per tier (as `orch plan` numbers them). Give --svg - to write the SVG to stdout.',
    'A definition with errors is not drawn: its diagnostics are printed on stderr and the exit status is 1.\n' +
    'The exception is a dependency cycle (ORCH205, ORCH203) with no other error: the graph is drawn with the\n' +
    'cycle in red, and the exit status is still 1.',
  ],
  flags: {
    svg: { kind: 'string', valueName: 'OUT.svg', description: 'where to write the SVG (- for stdout)' },
    defs: { kind: 'string', valueName: 'DIR', repeatable: true, description: 'folder of activity definitions and host inventories' },
  },
  positionals: { name: 'FILE', min: 1, max: 1 },
  examples: ['orch graph deploy.orch.json --svg deploy.svg'],
  async run({ flags, positionals }, io) {
    const out = flags.svg;
    if (out === undefined) throw new UsageError('missing --svg OUT.svg (where to write the drawing; - for stdout)');
    const target = loadOrchestration(positionals[0], { cwd: io.cwd, defs: flags.defs });
    const counts = countDiagnostics(1, target.diagnostics);
    if (target.diagnostics.length) io.stderr.write(textDiagnostics(target.diagnostics, paletteFor(io.stderr, io.env)));
    if (!target.graph || !drawable(target.diagnostics)) {
      io.stderr.write(`${summaryLine(counts)}; not drawn\n`);
      return ExitCode.problems;
    }
    const graph = layoutGraphOf(target.graph);
    const layout = await layoutGraph(graph);
    const svg = renderSvg(graph, layout, {
      title: target.model?.type?.value ?? displayPath(io.cwd, target.doc.uri),
      subtitle: target.model?.description,
    });
    if (out === '-') {
      io.stdout.write(svg);
    } else {
      try {
        writeFileSync(resolve(io.cwd, out), svg);
      } catch (e) {
        throw new UsageError(`cannot write ${out} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      }
      io.stdout.write(`wrote ${out}: ${plural(graph.nodes.length, 'activity', 'activities')}, ${plural(graph.edges.length, 'dependency', 'dependencies')}\n`);
    }
    if (counts.errors === 0) return ExitCode.ok;
    io.stderr.write(`${summaryLine(counts)}; drawn with the cycle in red\n`);
    return ExitCode.problems;
  },
});
