/**
 * A run in a child process, for the kill test: `node --import tsx run-child.ts run DEF RUNS_DIR RUN_ID
 * SIDE_EFFECTS RESULT` or `... resume RUN_DIR SIDE_EFFECTS RESULT`. Its only provider, `append`,
 * appends the activity id to SIDE_EFFECTS (the side effect whose count the test checks), with small
 * random pauses around it so that kills land mid-attempt as well as between attempts. When the run
 * ends, its final state goes to RESULT, to compare with a replay of the journal.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { resumeRun, startRun, type RunHandle } from '../../../runtime/engine/engine';
import type { ProcessorContext, ProcessorResult, Provider } from '../../../runtime/engine/provider';

function pause(): Promise<void> {
  const ms = Math.floor(Math.random() * 4);
  return new Promise((resolve) => (ms === 0 ? setImmediate(resolve) : setTimeout(resolve, ms)));
}

function appendProvider(file: string): Provider {
  return {
    name: 'append',
    async execute(ctx: ProcessorContext): Promise<ProcessorResult> {
      await pause();
      appendFileSync(file, `${ctx.activityId}\n`);
      await pause();
      return { kind: 'complete', outputs: { attempt: ctx.attempt } };
    },
  };
}

async function main(argv: string[]): Promise<void> {
  const [mode, ...args] = argv;
  let handle: RunHandle;
  let resultFile: string;
  if (mode === 'run') {
    const [definitionPath, runsDir, runId, sideEffects, result] = args;
    resultFile = result;
    handle = await startRun({ definitionPath, runsDir, runId, providers: { append: appendProvider(sideEffects) }, watchControl: false });
  } else if (mode === 'resume') {
    const [runDir, sideEffects, result] = args;
    resultFile = result;
    handle = await resumeRun(runDir, { providers: { append: appendProvider(sideEffects) }, watchControl: false });
  } else {
    throw new Error(`usage: run-child.ts run|resume ...`);
  }
  process.stdout.write(`ready ${handle.runDir}\n`);
  const result = await handle.done;
  writeFileSync(resultFile, JSON.stringify(result.snapshot));
  process.stdout.write(`done ${result.state}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
