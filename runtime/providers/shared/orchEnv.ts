import type { ProcessorContext } from '../../engine/provider';

/** The `ORCH_*` variables that identify the attempt (run, activity, attempt, poll, ...). */
export function orchAttemptEnv(ctx: ProcessorContext): Record<string, string> {
  const env: Record<string, string> = {
    ORCH_RUN_ID: ctx.runId,
    ORCH_ACTIVITY_ID: ctx.activityId,
    ORCH_IDEMPOTENCY_KEY: ctx.idempotencyKey,
    ORCH_ATTEMPT: String(ctx.attempt),
    ORCH_POLL: String(ctx.poll),
  };
  if (ctx.instance !== undefined) env.ORCH_INSTANCE = String(ctx.instance);
  if (ctx.host !== undefined) env.ORCH_HOST = ctx.host;
  return env;
}

/** The `ORCH_*` variables naming the attempt's files. */
export function orchFileEnv(files: { inputs: string; outputs: string; state: string; workDir: string }): Record<string, string> {
  return {
    ORCH_INPUTS_FILE: files.inputs,
    ORCH_OUTPUTS_FILE: files.outputs,
    ORCH_STATE_FILE: files.state,
    ORCH_WORK_DIR: files.workDir,
  };
}
