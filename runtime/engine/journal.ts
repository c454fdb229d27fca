/**
 * The journal file: one JSON event per line, appended and never rewritten. Writing is split in two so
 * the engine can batch: `append` hands lines to the operating system at once (a killed process loses
 * nothing already appended), `sync` flushes them to the disk (fdatasync), which is what a power cut
 * needs and what gates the delivery of events. Reading tolerates a torn last line: a write cut short
 * by a crash is dropped, and `truncateTorn` removes it before anything is appended after it.
 */
import { closeSync, fdatasync, fstatSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { journalEntryProblem } from './entryCheck';
import type { ActivityStartedEvent, ActivitySucceededEvent, JournalEntry } from './events';

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

/**
 * The journal line of an event: exactly JSON.stringify's text. The two events every activity records
 * (started and succeeded, of a unit that is neither an instance nor on a host) are spelled out by hand,
 * in about 60% of the time JSON.stringify takes to walk the object, which a 10,000-activity run
 * notices; anything else, or anything unexpected in them, goes through JSON.stringify. The `Exactly`
 * checks below stop the build when a field is added to these events without being added here.
 */
export function journalLine(event: JournalEntry): string {
  if (event.type === 'activity.started') {
    const e = event;
    if (plainUnit(e) && e.agent === undefined && e.delivery === undefined && finite(e.attempt) && finite(e.poll) && verbatim(e.idempotencyKey)) {
      const inputs = e.inputs === undefined ? '' : JSON.stringify(e.inputs) as string | undefined;
      if (inputs !== undefined) {
        return `{"type":"activity.started","activityId":"${e.activityId}","attempt":${e.attempt},"poll":${e.poll},"idempotencyKey":"${e.idempotencyKey}"${inputs && `,"inputs":${inputs}`},"seq":${e.seq},"time":${e.time},"runId":"${e.runId}"}`;
      }
    }
  } else if (event.type === 'activity.succeeded') {
    const e = event;
    if (plainUnit(e) && e.completedBy === undefined && finite(e.attempt) && finite(e.durationMs)) {
      const outputs = JSON.stringify(e.outputs) as string | undefined;
      if (outputs !== undefined) {
        return `{"type":"activity.succeeded","activityId":"${e.activityId}","attempt":${e.attempt},"outputs":${outputs},"durationMs":${e.durationMs},"seq":${e.seq},"time":${e.time},"runId":"${e.runId}"}`;
      }
    }
  }
  return JSON.stringify(event);
}

/**
 * A string JSON.stringify writes as it is, between quotes (ids, keys and run ids always are): nothing
 * it escapes, that is no quote, backslash, control character or surrogate (it escapes only lone ones,
 * but a pair is rare here and JSON.stringify writes it right).
 */
function verbatim(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}

/** The fields every fast line has, each of a kind written as JSON.stringify would write it. */
function plainUnit(e: ActivityStartedEvent | ActivitySucceededEvent): boolean {
  return e.instance === undefined && e.host === undefined && verbatim(e.activityId) && verbatim(e.runId) && finite(e.seq) && finite(e.time);
}

function finite(value: number | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** `true` only when `K` names every field of `T`: a field added to the event breaks the build here. */
type Exactly<T, K extends keyof T> = [Exclude<keyof T, K>] extends [never] ? true : false;
const startedFields: Exactly<ActivityStartedEvent, 'type' | 'activityId' | 'instance' | 'host' | 'attempt' | 'poll' | 'idempotencyKey' | 'inputs' | 'agent' | 'delivery' | 'seq' | 'time' | 'runId'> = true;
const succeededFields: Exactly<ActivitySucceededEvent, 'type' | 'activityId' | 'instance' | 'host' | 'attempt' | 'outputs' | 'durationMs' | 'completedBy' | 'seq' | 'time' | 'runId'> = true;
void startedFields;
void succeededFields;

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
