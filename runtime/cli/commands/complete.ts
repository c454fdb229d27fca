/**
 * `orch complete RUN ACTIVITY [--output JSON]`: supplies the outputs of an activity that waits for an
 * external completion (a Wait result). A live run gets them through its control folder; a run no
 * process holds (it crashed, or was left with Ctrl-C while waiting) has the completion journaled and
 * is continued right here, as `orch resume` would.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { newRequestId, sendControl } from '../../engine/control';
import { readRun, resumeRun, type RunHandle } from '../../engine/engine';
import { parseUnitKey } from '../../engine/events';
import type { RunSnapshot } from '../../engine/replay';
import { liveHolder, runPaths } from '../../engine/runFolder';
import { CompleteError } from '../../engine/scheduler';
import { UsageError } from '../args';
import { defineCommand } from '../command';
import { ExitCode, type CliIo } from '../io';
import { executionMode, natsFlags } from '../executionMode';
import { createProgress } from '../progress';
import { followRun, jsonFlag, lazyHostLookup, runDirOf, runsDirFlag } from './run';
import { runOpenFailure } from './resume';

const ANSWER_TIMEOUT_MS = 15_000;

function parseOutputs(io: CliIo, text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let source = text;
  if (text.startsWith('@')) {
    try { source = readFileSync(resolve(io.cwd, text.slice(1)), 'utf8'); } catch (error) {
      throw new UsageError(`cannot read --output ${text} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
  let value: unknown;
  try { value = JSON.parse(source); } catch (error) { throw new UsageError(`--output is not valid JSON: ${(error as Error).message}`); }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new UsageError('--output must be a JSON object, e.g. --output \'{"approved": true}\'');
  return value as Record<string, unknown>;
}

/** Whether the journal shows `target` waiting; the reason it is not, otherwise. */
function notWaiting(snapshot: RunSnapshot, target: string): string | undefined {
  const ref = parseUnitKey(target);
  if (!ref) return `'${target}' is not an activity id (expected id or id[index])`;
  const activity = snapshot.activities[ref.activityId];
  if (!activity) return `run ${snapshot.runId} has no activity '${ref.activityId}'`;
  if (ref.instance !== undefined) {
    const unit = activity.instances?.[ref.instance];
    if (!unit) return `${ref.activityId} has no instance ${ref.instance}`;
    return unit.state === 'waiting' ? undefined : `${target} is not waiting (it is ${unit.state})`;
  }
  const waiting = activity.instances ? activity.instances.some((u) => u?.state === 'waiting') : activity.state === 'waiting';
  return waiting ? undefined : `${target} is not waiting (it is ${activity.state})`;
}

export const completeCommand = defineCommand({
  name: 'complete',
  summary: 'Complete an activity that waits for an external completion, with its outputs.',
  usage: 'complete RUN ACTIVITY [--output JSON] [--runs-dir DIR] [--json]',
  details: [
    'ACTIVITY is an activity id (every waiting instance of it) or id[i] (one instance). --output is a JSON\n' +
    'object (or @file.json); it must match the activity type\'s outputSchema. When the run\'s process is gone,\n' +
    'the run continues here after the completion, with progress as `orch resume` shows it.',
    'Exit status: 0 completed (or, when continued here, the run succeeded), 1 not waiting or refused or the\n' +
    'run failed, 2 usage error, 130 cancelled.',
  ],
  flags: {
    output: { kind: 'string', valueName: 'JSON', description: 'the outputs, a JSON object or @file.json (default {})' },
    'runs-dir': runsDirFlag,
    json: jsonFlag,
    ...natsFlags,
  },
  positionals: { name: 'arguments (RUN ACTIVITY)', min: 2, max: 2 },
  examples: ['orch complete latest approve --output \'{"approved": true}\'', 'orch complete 20250101-120000-3f9a deploy[2] --output @result.json'],
  async run({ flags, positionals }, io) {
    const [run, target] = positionals;
    const outputs = parseOutputs(io, flags.output);
    const dir = runDirOf(io, run, flags['runs-dir']);
    const paths = runPaths(dir);
    const holder = liveHolder(paths);
    if (holder) {
      const response = await sendControl(paths.control, { id: newRequestId(), kind: 'complete', target, outputs }, ANSWER_TIMEOUT_MS);
      if (response) {
        if (response.ok) io.stdout.write(`${response.message} (run ${run}, process ${holder.pid})\n`);
        else io.stderr.write(`cannot complete: ${response.message}\n`);
        return response.ok ? ExitCode.ok : ExitCode.problems;
      }
      if (liveHolder(paths)) {
        io.stderr.write(`the run's process ${holder.pid} did not answer within ${ANSWER_TIMEOUT_MS / 1000}s\n`);
        return ExitCode.problems;
      }
    }
    let snapshot: RunSnapshot;
    try { snapshot = readRun(paths).snapshot; } catch (error) { return runOpenFailure(io, error); }
    const why = notWaiting(snapshot, target);
    if (why) {
      io.stderr.write(`cannot complete: ${why}\n`);
      return ExitCode.problems;
    }
    const progress = createProgress(io, { json: flags.json });
    const mode = executionMode(io, flags, lazyHostLookup(snapshot.definition.path, snapshot.defs, io.cwd));
    const providers = mode.providers;
    let handle: RunHandle;
    try {
      await mode.ready();
      handle = await resumeRun(dir, { providers, secrets: mode.secrets, cwd: io.cwd, listeners: [progress.listener] });
    } catch (error) {
      await providers.dispose();
      if (error instanceof UsageError) throw error;
      return runOpenFailure(io, error);
    }
    try {
      const units = await handle.complete(target, outputs);
      progress.note(`completed ${units.join(', ')}; the run continues here`);
    } catch (error) {
      handle.cancel({ reason: 'the completion was refused', graceMs: 0 });
      await handle.done;
      await providers.dispose();
      if (error instanceof CompleteError) {
        io.stderr.write(`cannot complete: ${error.message}\n`);
        return ExitCode.problems;
      }
      throw error;
    }
    return followRun(io, handle, progress, providers);
  },
});
