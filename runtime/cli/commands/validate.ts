import { UsageError } from '../args';
import { defineCommand } from '../command';
import { diagnose, jsonDiagnostics, textDiagnostics } from '../diagnose';
import { countDiagnostics, paletteFor, summaryLine, type JsonDiagnostic } from '../format';
import { ExitCode } from '../io';
import { loadWorkspace } from '../workspace';

export const validateCommand = defineCommand({
  name: 'validate',
  summary: 'Check definitions (*.orch.json, *.activity.json, orch.hosts.json) and report problems.',
  usage: 'validate [paths...] [--format text|json] [--defs DIR]...',
  details: [
    'Paths are files or folders (searched recursively); the default is the current folder. Each definition is\n' +
    'checked against the activity definitions and host inventories of its own folder (recursively) and of its\n' +
    'parent folders up to the workspace root (the nearest folder with .git or package.json; parents are not\n' +
    'searched below themselves, so sibling projects never mix). --defs replaces that lookup with the folders given.',
    'Exit status: 0 when no file has an error (warnings are fine), 1 when some file has errors,\n' +
    '2 for a usage error or a missing path.',
  ],
  flags: {
    format: { kind: 'string', valueName: 'text|json', values: ['text', 'json'], default: 'text', description: 'output format' },
    defs: { kind: 'string', valueName: 'DIR', repeatable: true, description: 'folder of activity definitions and host inventories' },
  },
  positionals: { name: 'paths', min: 0, max: Infinity },
  examples: ['orch validate', 'orch validate flows/deploy.orch.json --format json', 'orch validate flows --defs shared/activities'],
  async run({ flags, positionals }, io) {
    const workspace = loadWorkspace(positionals, { cwd: io.cwd, defs: flags.defs });
    if (workspace.targets.length === 0) {
      throw new UsageError(`no definition files (*.orch.json, *.activity.json, orch.hosts.json) in ${positionals.join(', ') || 'the current folder'}`);
    }
    const all: JsonDiagnostic[] = [];
    for (const doc of workspace.targets) all.push(...jsonDiagnostics(workspace, doc, diagnose(doc, workspace.index)));
    const counts = countDiagnostics(workspace.targets.length, all);
    if (flags.format === 'json') {
      io.stdout.write(JSON.stringify({ diagnostics: all, summary: counts }, null, 2) + '\n');
    } else {
      const palette = paletteFor(io.stdout, io.env);
      io.stdout.write(textDiagnostics(all, palette));
      io.stdout.write(summaryLine(counts) + '\n');
    }
    return counts.errors > 0 ? ExitCode.problems : ExitCode.ok;
  },
});
