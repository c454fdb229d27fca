/** `orch resume RUN`: continues a run from its journal (after a crash, a Ctrl-C, a failure). */
import { resumeRun, readRun, RunRefusedError, type RunHandle } from '../../engine/engine';
import { JournalCorruptError } from '../../engine/journal';
import { runPaths, RunLockedError } from '../../engine/runFolder';
import { UsageError } from '../args';
import { defineCommand } from '../command';
import { ExitCode } from '../io';
import { executionMode, natsFlags } from '../executionMode';
import { createProgress } from '../progress';
import { followRun, jsonFlag, lazyHostLookup, parsePositiveInt, printRefusal, runDirOf, runsDirFlag } from './run';

export const resumeCommand = defineCommand({
  name: 'resume',
  summary: 'Continue a run that crashed, was cancelled or failed: only what did not succeed runs again.',
  usage: 'resume RUN [--concurrency N] [--runs-dir DIR] [--json] [--nats URL]',
  details: [
    'RUN is a run id (or a unique prefix of one, or `latest`) in the runs folder, or a run folder\'s path.\n' +
    'Attempts that were in flight when the run stopped are marked interrupted; every activity that did not\n' +
    'succeed runs again with a fresh retry budget, and succeeded ones never run twice. The definition is the\n' +
    'copy kept in the run folder; activity definitions are read again, so a fixed script applies.',
    'Exit status: 0 succeeded, 1 failed or refused, 2 usage error, 130 cancelled.',
  ],
  flags: {
    concurrency: { kind: 'string', valueName: 'N', description: 'most activities running at once (overrides the run\'s)' },
    'runs-dir': runsDirFlag,
    json: jsonFlag,
    ...natsFlags,
  },
  positionals: { name: 'RUN', min: 1, max: 1 },
  examples: ['orch resume 20250101-120000-3f9a', 'orch resume latest'],
  async run({ flags, positionals }, io) {
    const dir = runDirOf(io, positionals[0], flags['runs-dir']);
    const concurrency = parsePositiveInt(flags.concurrency, 'concurrency');
    const progress = createProgress(io, { json: flags.json });
    let providers;
    let handle: RunHandle;
    try {
      const { snapshot } = readRun(runPaths(dir));
      const mode = executionMode(io, flags, lazyHostLookup(snapshot.definition.path, snapshot.defs, io.cwd));
      providers = mode.providers;
      await mode.ready();
      handle = await resumeRun(dir, { providers, secrets: mode.secrets, cwd: io.cwd, concurrency, listeners: [progress.listener] });
    } catch (error) {
      await providers?.dispose();
      if (error instanceof UsageError) throw error;
      return runOpenFailure(io, error);
    }
    return followRun(io, handle, progress, providers);
  },
});

/** The clear message for a run that cannot be opened (refused, live elsewhere, damaged journal). */
export function runOpenFailure(io: { stderr: { write(text: string): void } } & Parameters<typeof printRefusal>[0], error: unknown): number {
  if (error instanceof RunRefusedError) return printRefusal(io, error);
  if (error instanceof RunLockedError || error instanceof JournalCorruptError) {
    io.stderr.write(`${error.message}\n`);
    return ExitCode.problems;
  }
  throw error;
}
