/**
 * `orch` with the run commands registered, for tests that run before the lead lists them in
 * runtime/cli/commands.ts (afterwards this is the same as the built CLI, from source):
 * `node --import tsx test/runtime/support/orch-cli.ts run flow.orch.json ...`.
 */
import { commands } from '../../../runtime/cli/commands';
import { cancelCommand } from '../../../runtime/cli/commands/cancel';
import { completeCommand } from '../../../runtime/cli/commands/complete';
import { disposeCommand } from '../../../runtime/cli/commands/dispose';
import { resumeCommand } from '../../../runtime/cli/commands/resume';
import { runCommand } from '../../../runtime/cli/commands/run';
import { runsCommand } from '../../../runtime/cli/commands/runs';
import { showCommand } from '../../../runtime/cli/commands/show';
import { processIo } from '../../../runtime/cli/io';
import { runCli } from '../../../runtime/cli/run';

const mine = [runCommand, resumeCommand, disposeCommand, completeCommand, cancelCommand, runsCommand, showCommand];
const table = [...commands, ...mine.filter((m) => !commands.some((c) => c.name === m.name))];

void runCli(process.argv.slice(2), processIo(), table).then((code) => {
  process.exitCode = code;
});
