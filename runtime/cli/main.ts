/**
 * Entry point of dist/cli.js (bin/orch.js requires it): runs the command line and sets the exit status.
 * The exit status is set, not forced with process.exit, so piped output is flushed before Node exits.
 */
import { processIo } from './io';
import { runCli } from './run';

// `orch validate | head -1` closes the pipe early: that is the reader's choice, not a crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

void runCli(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
