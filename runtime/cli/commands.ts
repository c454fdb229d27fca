/**
 * Every `orch` command, in the order `orch --help` lists them. Adding a command: write its module
 * under ./commands (see ./command.ts for the shape) and add one line here.
 */
import type { Command } from './command';
import { graphCommand } from './commands/graph';
import { planCommand } from './commands/plan';
import { validateCommand } from './commands/validate';

export const commands: readonly Command[] = [
  validateCommand,
  planCommand,
  graphCommand,
];
