/**
 * The shape of one `orch` command. Each command lives in its own module under ./commands and is listed
 * once in ../commands.ts; the dispatcher (main.ts) knows nothing else about it.
 */
import { describeFlags, parseArgs, wantsHelp, type FlagSpecs, type ParsedArgs, type PositionalSpec } from './args';
import type { CliIo } from './io';

export interface CommandDefinition<S extends FlagSpecs> {
  name: string;
  /** One line, shown by `orch --help`. */
  summary: string;
  /** Synopsis after `orch `: `validate [paths...] [--format text|json]`. */
  usage: string;
  /** Paragraphs shown by `orch NAME --help`, after the usage line. */
  details?: string[];
  flags: S;
  positionals: PositionalSpec;
  examples?: string[];
  /** Resolves to the exit status. Throws UsageError for bad input that parsing could not see. */
  run(args: ParsedArgs<S>, io: CliIo): Promise<number>;
}

/** A command with its flag types erased, as the dispatcher's table holds it. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  help(): string;
  execute(argv: readonly string[], io: CliIo): Promise<number>;
}

export function defineCommand<S extends FlagSpecs>(definition: CommandDefinition<S>): Command {
  const help = () => commandHelp(definition);
  return {
    name: definition.name,
    summary: definition.summary,
    help,
    async execute(argv, io) {
      if (wantsHelp(argv)) {
        io.stdout.write(help());
        return 0;
      }
      return definition.run(parseArgs(argv, definition.flags, definition.positionals), io);
    },
  };
}

function commandHelp<S extends FlagSpecs>(d: CommandDefinition<S>): string {
  const lines = [`Usage: orch ${d.usage}`, '', d.summary];
  for (const paragraph of d.details ?? []) lines.push('', paragraph);
  lines.push('', 'Options:', ...describeFlags(d.flags));
  if (d.examples?.length) lines.push('', 'Examples:', ...d.examples.map((e) => `  ${e}`));
  return lines.join('\n') + '\n';
}
