import type { Client, ClientChannel } from 'ssh2';

export interface ExecEnd {
  /** Exit status, or null when the command ended by a signal or the connection was lost. */
  code: number | null;
  signal: string | null;
  /** The channel closed without any exit status: the connection or the server went away. */
  lost: boolean;
}

export interface RemoteExec {
  readonly done: Promise<ExecEnd>;
  /** Writes to the command's stdin. */
  write(data: string | Buffer): void;
  /** Sends EOF on the command's stdin. */
  endInput(): void;
  /** Last resort: asks the server to kill the command, and closes the channel. */
  close(): void;
}

export interface ExecHandlers {
  onStdout?(chunk: Buffer): void;
  onStderr?(chunk: Buffer): void;
}

/** Opens an exec channel; rejects when the server refuses it (MaxSessions, a closed connection). */
export function remoteExec(client: Client, command: string, handlers: ExecHandlers = {}): Promise<RemoteExec> {
  return new Promise((resolve, reject) => {
    let opened: ClientChannel | undefined;
    try {
      client.exec(command, (error, channel) => {
        if (error) { reject(error); return; }
        opened = channel;
        let exit: { code: number | null; signal: string | null } | undefined;
        const done = new Promise<ExecEnd>((settle) => {
          channel.on('exit', (code: number | null, signal?: string) => {
            exit = typeof code === 'number' ? { code, signal: null } : { code: null, signal: signal ? `SIG${signal}` : null };
          });
          channel.on('close', () => settle(exit ? { ...exit, lost: false } : { code: null, signal: null, lost: true }));
        });
        channel.on('data', (chunk: Buffer) => handlers.onStdout?.(chunk));
        channel.stderr.on('data', (chunk: Buffer) => handlers.onStderr?.(chunk));
        channel.on('error', () => { /* surfaces as a close without exit status */ });
        resolve({
          done,
          write: (data) => { try { channel.write(data); } catch { /* closed: the end shows in done */ } },
          endInput: () => { try { channel.end(); } catch { /* already closed */ } },
          close: () => {
            try { channel.signal('KILL'); } catch { /* not supported or closed */ }
            try { channel.close(); } catch { /* already closed */ }
          },
        });
      });
    } catch (error) {
      if (!opened) reject(error);
    }
  });
}

/** Runs a command to its end and returns its stdout (for the short housekeeping commands). */
export async function remoteCapture(client: Client, command: string): Promise<{ end: ExecEnd; stdout: Buffer; stderr: string }> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const exec = await remoteExec(client, command, { onStdout: (c) => out.push(c), onStderr: (c) => err.push(c) });
  exec.endInput();
  const end = await exec.done;
  return { end, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') };
}
