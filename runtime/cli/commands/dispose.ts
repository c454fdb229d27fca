/**
 * `orch dispose RUN [--dispose FILE]`: runs the dispose counterparts of what a run created, in the
 * reverse order of the dependencies, as a run of its own (journaled, resumable, linked to the original).
 */
import { resolve } from 'node:path';
import { disposeRun, type DisposeHandle } from '../../engine/dispose';
import { readRun } from '../../engine/engine';
import { runPaths } from '../../engine/runFolder';
import { UsageError } from '../args';
import { defineCommand } from '../command';
import { executionMode, natsFlags } from '../executionMode';
import { plural } from '../format';
import { createProgress } from '../progress';
import { followRun, jsonFlag, lazyHostLookup, parsePositiveInt, runDirOf, runsDirFlag } from './run';
import { runOpenFailure } from './resume';

export const disposeCommand = defineCommand({
  name: 'dispose',
  summary: 'Tear down what a run created: the dispose counterparts of its succeeded activities, last first.',
  usage: 'dispose RUN [--dispose FILE] [--concurrency N] [--runs-dir DIR] [--defs DIR]... [--json]',
  details: [
    'For every activity (or instance) of RUN that succeeded, the activity with "discriminator": "dispose" and\n' +
    'the same type runs (from --dispose FILE, or from the run\'s own definition), in the reverse order of the\n' +
    'dependencies. Its inputs are read in the original run: sources name the original activities\' outputs and\n' +
    'the original input; a counterpart without inputs gets the disposed activity\'s inputs and outputs.',
    'The dispose run has its own run folder and id (orch resume continues it). Exit status as for orch run.',
  ],
  flags: {
    dispose: { kind: 'string', valueName: 'FILE', description: 'a definition holding the dispose activities' },
    concurrency: { kind: 'string', valueName: 'N', description: 'most activities running at once' },
    'runs-dir': runsDirFlag,
    defs: { kind: 'string', valueName: 'DIR', repeatable: true, description: 'folder of activity definitions and host inventories' },
    json: jsonFlag,
    ...natsFlags,
  },
  positionals: { name: 'RUN', min: 1, max: 1 },
  examples: ['orch dispose latest', 'orch dispose 20250101-120000-3f9a --dispose teardown.orch.json'],
  async run({ flags, positionals }, io) {
    const dir = runDirOf(io, positionals[0], flags['runs-dir']);
    const concurrency = parsePositiveInt(flags.concurrency, 'concurrency');
    const progress = createProgress(io, { json: flags.json });
    let providers;
    let handle: DisposeHandle;
    let original = positionals[0];
    try {
      const { snapshot } = readRun(runPaths(dir));
      original = snapshot.runId;
      const mode = executionMode(io, flags, lazyHostLookup(flags.dispose ? resolve(io.cwd, flags.dispose) : snapshot.definition.path, flags.defs.length ? flags.defs : snapshot.defs, io.cwd));
      providers = mode.providers;
      await mode.ready();
      handle = await disposeRun(dir, {
        providers, secrets: mode.secrets, cwd: io.cwd, concurrency, defs: flags.defs,
        disposeDefinition: flags.dispose, listeners: [progress.listener],
      });
    } catch (error) {
      await providers?.dispose();
      if (error instanceof UsageError) throw error;
      return runOpenFailure(io, error);
    }
    const { disposed, withoutCounterpart } = handle.disposal;
    progress.note(disposed.length
      ? `disposing ${plural(disposed.length, 'unit')} of run ${original}: ${disposed.slice(0, 10).join(', ')}${disposed.length > 10 ? ', …' : ''}`
      : `nothing to dispose: no succeeded activity of run ${original} has a dispose counterpart`);
    if (withoutCounterpart.length) progress.note(`no dispose counterpart (left as they are): ${withoutCounterpart.slice(0, 10).join(', ')}${withoutCounterpart.length > 10 ? ', …' : ''}`);
    return followRun(io, handle, progress, providers);
  },
});
