/**
 * The `orch` dispatcher. Finds the command named by the first argument in ./commands.ts and hands it
 * the rest. Usage errors print one line on stderr and exit 2; a crash prints one line too (the stack
 * with ORCH_DEBUG=1) and exits 3, so scripts can tell "your input is wrong" from "orch is broken".
 */
import { version } from '../../package.json';
import { editDistance, UsageError } from './args';
import type { Command } from './command';
import { commands } from './commands';
import { ExitCode, type CliIo } from './io';

function mainHelp(table: readonly Command[]): string {
  const width = Math.max(...table.map((c) => c.name.length));
  return [
    'Usage: orch <command> [options]',
    '',
    'Validate, plan, draw and run orchestration definitions (*.orch.json) on the embedded runtime.',
    '',
    'Commands:',
    ...table.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help     show help (orch <command> --help for a command\'s options)',
    '  -v, --version  show the version',
    '',
    'Exit status: 0 success, 1 the input has errors, 2 usage error, 3 internal error.',
    '',
  ].join('\n');
}

function closest(name: string, table: readonly Command[]): string {
  const best = table.map((c) => ({ c, d: editDistance(name, c.name) })).sort((a, b) => a.d - b.d)[0];
  return best && best.d <= 2 ? ` (did you mean '${best.c.name}'?)` : '';
}

export async function runCli(argv: readonly string[], io: CliIo, table: readonly Command[] = commands): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    const command = topic === undefined ? undefined : table.find((c) => c.name === topic);
    if (topic !== undefined && !command) {
      io.stderr.write(`orch: unknown command '${topic}'${closest(topic, table)}; see 'orch --help'\n`);
      return ExitCode.usage;
    }
    io.stdout.write(command ? command.help() : mainHelp(table));
    // Bare `orch` is a usage error (scripts calling it by mistake should notice); asking for help is not.
    return first === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (first === '--version' || first === '-v') {
    io.stdout.write(`${version}\n`);
    return ExitCode.ok;
  }
  const command = table.find((c) => c.name === first);
  if (!command) {
    const what = first.startsWith('-') ? `unknown option ${first}` : `unknown command '${first}'${closest(first, table)}`;
    io.stderr.write(`orch: ${what}; see 'orch --help'\n`);
    return ExitCode.usage;
  }
  try {
    return await command.execute(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`orch ${command.name}: ${e.message}; see 'orch ${command.name} --help'\n`);
      return ExitCode.usage;
    }
    const error = e instanceof Error ? e : new Error(String(e));
    io.stderr.write(`orch ${command.name}: internal error: ${error.message}${io.env.ORCH_DEBUG ? `\n${error.stack}` : ' (ORCH_DEBUG=1 shows the stack)'}\n`);
    return ExitCode.internal;
  }
}
