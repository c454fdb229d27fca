/**
 * `orch cancel RUN`: cancels a run from any shell. A live run (its process holds the lock) gets the
 * request through its control folder and cancels gracefully; a run no process holds any more is
 * marked cancelled in its journal. Either way it can be resumed afterwards.
 */
import { newRequestId, sendControl } from '../../engine/control';
import { readRun, resumeRun } from '../../engine/engine';
import { liveHolder, runPaths } from '../../engine/runFolder';
import { defineCommand } from '../command';
import { ExitCode } from '../io';
import { outcomeLines } from '../progress';
import { paletteFor } from '../format';
import { parsePositiveInt, providersFor, lazyHostLookup, runDirOf, runsDirFlag } from './run';
import { runOpenFailure } from './resume';

const ANSWER_TIMEOUT_MS = 15_000;

export const cancelCommand = defineCommand({
  name: 'cancel',
  summary: 'Cancel a run, live in another process or not (it can be resumed afterwards).',
  usage: 'cancel RUN [--grace-ms N] [--runs-dir DIR]',
  details: [
    'Running attempts are aborted and get the grace period to stop (their processes are then killed);\n' +
    'activities waiting for `orch complete` keep waiting. Exit status: 0 cancelled (or cancelling),\n' +
    '1 when the run has already finished or did not answer, 2 usage error.',
  ],
  flags: {
    'grace-ms': { kind: 'string', valueName: 'N', description: 'how long running attempts get to stop (default 10000)' },
    'runs-dir': runsDirFlag,
  },
  positionals: { name: 'RUN', min: 1, max: 1 },
  examples: ['orch cancel 20250101-120000-3f9a', 'orch cancel latest --grace-ms 2000'],
  async run({ flags, positionals }, io) {
    const dir = runDirOf(io, positionals[0], flags['runs-dir']);
    const graceMs = flags['grace-ms'] === undefined ? undefined : parsePositiveInt(flags['grace-ms'], 'grace-ms');
    const paths = runPaths(dir);
    const holder = liveHolder(paths);
    if (holder) {
      const response = await sendControl(paths.control, { id: newRequestId(), kind: 'cancel', reason: `cancelled by orch cancel (pid ${process.pid})`, graceMs }, ANSWER_TIMEOUT_MS);
      if (response) {
        io.stdout.write(`${response.ok ? `run ${positionals[0]}: ${response.message} (process ${holder.pid})` : `cannot cancel: ${response.message}`}\n`);
        return response.ok ? ExitCode.ok : ExitCode.problems;
      }
      if (liveHolder(paths)) {
        io.stderr.write(`the run's process ${holder.pid} did not answer within ${ANSWER_TIMEOUT_MS / 1000}s; stop it with kill -INT ${holder.pid}\n`);
        return ExitCode.problems;
      }
      // It died while we asked: mark it cancelled ourselves.
    }
    try {
      const { snapshot } = readRun(paths);
      if (snapshot.state !== 'running') {
        io.stderr.write(`run ${snapshot.runId} has already finished (${snapshot.state})\n`);
        return ExitCode.problems;
      }
      const providers = providersFor(lazyHostLookup(snapshot.definition.path, snapshot.defs, io.cwd));
      const handle = await resumeRun(dir, { providers, cwd: io.cwd, watchControl: false, cancel: { reason: `cancelled by orch cancel (the run's process was gone)` } });
      const result = await handle.done;
      await providers.dispose();
      io.stdout.write(outcomeLines(result, paletteFor(io.stdout, io.env)).join('\n') + '\n');
      return ExitCode.ok;
    } catch (error) {
      return runOpenFailure(io, error);
    }
  },
});
