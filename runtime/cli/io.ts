/**
 * What a command may touch of its process: the working directory, the environment and the two output
 * streams. Commands get it as a parameter (never `process` directly) so that they can be run in-process
 * by the extension or a test with captured output.
 */
export interface OutputStream {
  write(text: string): void;
  /** Whether the stream is a terminal (colours are only used then). */
  readonly isTTY: boolean;
}

export interface CliIo {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
}

export function processIo(): CliIo {
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: { write: (text) => void process.stdout.write(text), isTTY: process.stdout.isTTY === true },
    stderr: { write: (text) => void process.stderr.write(text), isTTY: process.stderr.isTTY === true },
  };
}

/** Exit statuses shared by every command (documented in docs/cli.md). */
export const ExitCode = {
  ok: 0,
  /** The input has errors (diagnostics were printed). */
  problems: 1,
  /** Bad arguments, a missing file, a file of the wrong kind. */
  usage: 2,
  /** A bug in orch itself. */
  internal: 3,
} as const;
