import { StringDecoder } from 'node:string_decoder';

/** Longest line kept whole; a program that never prints a newline must not grow memory without bound. */
export const MAX_LINE_CHARS = 64 * 1024;

/**
 * Turns a byte stream into lines as they arrive: UTF-8 sequences split across chunks are decoded
 * correctly, `\r\n` and `\n` both end a line, an overlong line is cut into pieces, and `end()`
 * flushes a last line that has no newline.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(private readonly emit: (line: string) => void, private readonly maxChars = MAX_LINE_CHARS) {}

  write(chunk: Buffer | string): void {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let start = 0;
    for (let nl = this.pending.indexOf('\n'); nl !== -1; nl = this.pending.indexOf('\n', start)) {
      const end = nl > start && this.pending.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.emitLine(this.pending.slice(start, end));
      start = nl + 1;
    }
    this.pending = this.pending.slice(start);
    while (this.pending.length >= this.maxChars) {
      this.emit(this.pending.slice(0, this.maxChars));
      this.pending = this.pending.slice(this.maxChars);
    }
  }

  end(): void {
    this.pending += this.decoder.end();
    if (this.pending.endsWith('\r')) this.pending = this.pending.slice(0, -1);
    if (this.pending.length > 0) this.emitLine(this.pending);
    this.pending = '';
  }

  private emitLine(line: string): void {
    for (let i = 0; i < line.length; i += this.maxChars) this.emit(line.slice(i, i + this.maxChars));
    if (line.length === 0) this.emit('');
  }
}

/** The last lines of a stream, for error messages ("exit code 2: <last stderr lines>"). */
export class LineTail {
  private readonly lines: string[] = [];

  constructor(private readonly maxLines = 20, private readonly maxLineChars = 500) {}

  push(line: string): void {
    this.lines.push(line.length > this.maxLineChars ? `${line.slice(0, this.maxLineChars)}…` : line);
    if (this.lines.length > this.maxLines) this.lines.shift();
  }

  text(): string {
    let end = this.lines.length;
    while (end > 0 && this.lines[end - 1].trim() === '') end--;
    return this.lines.slice(0, end).join('\n');
  }
}
