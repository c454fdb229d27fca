import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProcessorContext } from '../../engine/provider';
import { parseOutputsFile, parseStateText, stateText } from '../shared/outputsFile';

/** The files through which a local process gets its inputs and hands back outputs and Schedule state. */
export interface AttemptFiles {
  workDir: string;
  inputs: string;
  outputs: string;
  state: string;
}

export interface AttemptReadBack {
  outputs: Record<string, unknown>;
  outputsError?: string;
  state?: unknown;
}

/**
 * Writes the inputs (0600: they may hold secrets) and the previous poll's state; removes an
 * outputs file left by an earlier poll so that a process which writes nothing returns nothing.
 */
export async function prepareAttemptFiles(ctx: ProcessorContext): Promise<AttemptFiles> {
  const files: AttemptFiles = {
    workDir: ctx.workDir,
    inputs: join(ctx.workDir, 'inputs.json'),
    outputs: join(ctx.workDir, 'outputs'),
    state: join(ctx.workDir, 'state'),
  };
  await mkdir(ctx.workDir, { recursive: true, mode: 0o700 });
  await writeFile(files.inputs, `${JSON.stringify(ctx.inputs, null, 2)}\n`, { mode: 0o600 });
  await rm(files.outputs, { force: true });
  if (ctx.state === undefined) await rm(files.state, { force: true });
  else await writeFile(files.state, stateText(ctx.state), { mode: 0o600 });
  return files;
}

/** The inputs file may hold secrets: it lives only while the process runs, never past the attempt. */
export async function removeInputsFile(files: AttemptFiles): Promise<void> {
  await rm(files.inputs, { force: true });
}

export async function readAttemptFiles(files: AttemptFiles): Promise<AttemptReadBack> {
  const read: AttemptReadBack = { outputs: {} };
  const outputsText = await readOptional(files.outputs);
  if (outputsText !== undefined) {
    const parsed = parseOutputsFile(outputsText);
    if (parsed.ok) read.outputs = parsed.values;
    else read.outputsError = parsed.error;
  }
  const state = await readOptional(files.state);
  if (state !== undefined) read.state = parseStateText(state);
  // Read back, they live on in memory and (redacted) in the journal; a copy on disk could hold a
  // secret the program echoed into them.
  await Promise.all([rm(files.outputs, { force: true }), rm(files.state, { force: true })]);
  return read;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
