/**
 * Separates a remote command's stdout from the trailer run.sh prints after it (see
 * remoteScript.ts). Output streams through at once, except bytes that could be the start of the
 * marker; the marker starts with a NUL byte, so ordinary text is never held back.
 */
export class TrailerSplitter {
  private readonly needle: Buffer;
  private held = Buffer.alloc(0);
  private trailer: Buffer[] | undefined;

  constructor(marker: string, private readonly onOutput: (chunk: Buffer) => void) {
    this.needle = Buffer.from(marker, 'utf8');
  }

  write(chunk: Buffer): void {
    if (this.trailer) { this.trailer.push(chunk); return; }
    const data = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    const at = data.indexOf(this.needle);
    if (at !== -1) {
      if (at > 0) this.onOutput(data.subarray(0, at));
      this.held = Buffer.alloc(0);
      this.trailer = [data.subarray(at + this.needle.length)];
      return;
    }
    const keep = this.partialMatch(data);
    if (data.length > keep) this.onOutput(data.subarray(0, data.length - keep));
    this.held = Buffer.from(data.subarray(data.length - keep));
  }

  /** The trailer's bytes, or undefined when it never came (the script did not finish). */
  end(): Buffer | undefined {
    if (!this.trailer) {
      if (this.held.length) this.onOutput(this.held);
      this.held = Buffer.alloc(0);
      return undefined;
    }
    return Buffer.concat(this.trailer);
  }

  /** Length of the longest suffix of `data` that is a prefix of the marker. */
  private partialMatch(data: Buffer): number {
    const max = Math.min(this.needle.length - 1, data.length);
    for (let k = max; k > 0; k--) {
      if (data[data.length - k] !== this.needle[0]) continue;
      if (data.subarray(data.length - k).equals(this.needle.subarray(0, k))) return k;
    }
    return 0;
  }
}
