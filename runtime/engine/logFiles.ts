/**
 * The attempt log files (`logs/<unit>/attempt-<n>.log`). Lines are buffered per file and written in the
 * engine's commit batches; a file is opened on its first line and closed when its attempt ends, so a
 * run with thousands of silent attempts opens nothing.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

interface OpenLog {
  fd?: number;
  lines: string[];
  closeAfterWrite: boolean;
}

export class LogFiles {
  private readonly files = new Map<string, OpenLog>();
  private readonly dirty = new Set<string>();

  append(path: string, line: string): void {
    let file = this.files.get(path);
    if (!file) this.files.set(path, (file = { lines: [], closeAfterWrite: false }));
    file.lines.push(line);
    this.dirty.add(path);
  }

  /** Closes the file once its buffered lines are written. */
  close(path: string): void {
    const file = this.files.get(path);
    if (!file) return;
    file.closeAfterWrite = true;
    this.dirty.add(path);
  }

  /** Writes every buffered line. A log that cannot be written loses its lines, never the run. */
  writeAll(): void {
    if (this.dirty.size === 0) return;
    for (const path of this.dirty) {
      const file = this.files.get(path);
      if (!file) continue;
      try {
        if (file.lines.length) {
          if (file.fd === undefined) {
            mkdirSync(dirname(path), { recursive: true });
            file.fd = openSync(path, 'a');
          }
          writeSync(file.fd, file.lines.join('\n') + '\n');
        }
      } catch {
        // Logs are best effort: the journal carries the state, and a full disk will fail the journal next.
      }
      file.lines = [];
      if (file.closeAfterWrite) {
        if (file.fd !== undefined) try { closeSync(file.fd); } catch { /* already closed */ }
        this.files.delete(path);
      }
    }
    this.dirty.clear();
  }

  closeAll(): void {
    for (const path of this.files.keys()) this.close(path);
    this.writeAll();
  }
}
