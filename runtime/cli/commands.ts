/**
 * Every `orch` command, in the order `orch --help` lists them. Adding a command: write its module
 * under ./commands (see ./command.ts for the shape) and add one line here.
 */
import type { Command } from './command';
import { agentCommand } from './commands/agent';
import { cancelCommand } from './commands/cancel';
import { completeCommand } from './commands/complete';
import { disposeCommand } from './commands/dispose';
import { graphCommand } from './commands/graph';
import { planCommand } from './commands/plan';
import { resumeCommand } from './commands/resume';
import { runCommand } from './commands/run';
import { runsCommand } from './commands/runs';
import { showCommand } from './commands/show';
import { validateCommand } from './commands/validate';

export const commands: readonly Command[] = [
  validateCommand,
  planCommand,
  graphCommand,
  runCommand,
  resumeCommand,
  cancelCommand,
  completeCommand,
  disposeCommand,
  runsCommand,
  showCommand,
  agentCommand,
];
