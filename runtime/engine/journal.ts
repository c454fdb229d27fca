/**
 * The journal file: one JSON event per line, appended and never rewritten. Writing is split in two so
 * the engine can batch: `append` hands lines to the operating system at once (a killed process loses
 * nothing already appended), `sync` flushes them to the disk (fdatasync), which is what a power cut
 * needs and what gates the delivery of events. Reading tolerates a torn last line: a write cut short
 * by a crash is dropped, and `truncateTorn` removes it before anything is appended after it.
 */
import { closeSync, fdatasync, fstatSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { journalEntryProblem } from './entryCheck';
import type { JournalEntry } from './events';

export class JournalWriter {
  private closed = false;

  private constructor(private readonly fd: number, readonly path: string) {}

  /** Opens for appending, creating the file when needed. */
  static open(path: string): JournalWriter {
    return new JournalWriter(openSync(path, 'a'), path);
  }

  /** Writes `text` (whole lines) at the end of the file; throws on a write error (disk full). */
  append(text: string): void {
    // A string goes to the kernel without a Buffer on the JS heap; a short write (rare, for a file)
    // finishes from a Buffer.
    const written = writeSync(this.fd, text);
    const length = text.length === written ? written : Buffer.byteLength(text);
    if (written >= length) return;
    const buffer = Buffer.from(text, 'utf8');
    let offset = written;
    while (offset < buffer.length) offset += writeSync(this.fd, buffer, offset, buffer.length - offset);
  }

  /** Flushes what was appended to the disk. */
  sync(callback: (error: NodeJS.ErrnoException | null) => void): void {
    if (this.closed) { callback(null); return; }
    fdatasync(this.fd, callback);
  }

  size(): number {
    return fstatSync(this.fd).size;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

export class JournalCorruptError extends Error {
  override readonly name = 'JournalCorruptError';
  constructor(readonly path: string, readonly line: number, detail: string) {
    super(`${path}:${line}: the journal is damaged (${detail}); only a torn last line can be recovered`);
  }
}

export interface JournalContents {
  entries: JournalEntry[];
  /** Bytes of whole, readable lines from the start of the file. */
  validBytes: number;
  /** The text of a torn last line, when there is one. */
  torn?: string;
}

/** Reads every entry; a torn last line is reported, not thrown. A missing file reads as empty. */
export function readJournal(path: string): JournalContents {
  let buffer: Buffer;
  try {
    buffer = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], validBytes: 0 };
    throw error;
  }
  return parseJournal(buffer, path);
}

export function parseJournal(buffer: Buffer, path = 'journal'): JournalContents {
  const entries: JournalEntry[] = [];
  let start = 0;
  let line = 0;
  while (start < buffer.length) {
    line++;
    const newline = buffer.indexOf(10, start);
    const end = newline === -1 ? buffer.length : newline;
    const text = buffer.toString('utf8', start, end);
    const last = newline === -1 || newline === buffer.length - 1;
    if (text.trim() === '') {
      start = end + 1;
      continue;
    }
    let entry: unknown;
    try {
      entry = JSON.parse(text);
    } catch (error) {
      if (last) return { entries, validBytes: start, torn: text };
      throw new JournalCorruptError(path, line, (error as Error).message);
    }
    if (!entry || typeof entry !== 'object' || typeof (entry as { type?: unknown }).type !== 'string') {
      if (last) return { entries, validBytes: start, torn: text };
      throw new JournalCorruptError(path, line, 'a line is not an event');
    }
    // Whole JSON with the wrong shape is damage, not a torn write (which never parses): refused
    // wherever it is, since its ids would become object keys and file paths.
    const problem = journalEntryProblem(entry);
    if (problem) throw new JournalCorruptError(path, line, problem);
    // A complete object whose newline never reached the disk is kept; the repair adds the newline.
    if (newline === -1) return { entries: [...entries, entry as JournalEntry], validBytes: buffer.length, torn: '' };
    entries.push(entry as JournalEntry);
    start = newline + 1;
  }
  return { entries, validBytes: buffer.length };
}

/** Makes the file end with a whole line again, so appends start on a line of their own. */
export function truncateTorn(path: string, contents: JournalContents): void {
  if (contents.torn === undefined) return;
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, contents.validBytes);
    if (contents.torn === '') writeSync(fd, '\n', contents.validBytes);
  } finally {
    closeSync(fd);
  }
}
