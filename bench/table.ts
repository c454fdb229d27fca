/**
 * Plain-text tables for benchmark results: right-aligned numbers, left-aligned text, a rule under the
 * header, and helpers that format milliseconds, sizes and ratios the same way in every section.
 */
export interface Column {
  header: string;
  align?: 'left' | 'right';
}

export class Table {
  private readonly rows: string[][] = [];

  constructor(readonly title: string, readonly columns: readonly Column[]) {}

  add(...cells: string[]): this {
    if (cells.length !== this.columns.length) throw new Error(`table '${this.title}': ${cells.length} cells for ${this.columns.length} columns`);
    this.rows.push(cells);
    return this;
  }

  render(): string {
    const widths = this.columns.map((c, i) => Math.max(c.header.length, ...this.rows.map((r) => r[i].length)));
    const line = (cells: readonly string[]) => cells
      .map((cell, i) => (this.columns[i].align === 'left' ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
    return [
      this.title,
      line(this.columns.map((c) => c.header)),
      widths.map((w) => '-'.repeat(w)).join('  '),
      ...this.rows.map(line),
    ].join('\n');
  }
}

/** `12.3 ms`, `1.23 s`: three significant digits. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (value >= 1000) return `${(value / 1000).toPrecision(3)} s`;
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} ms`;
}

/** `2.3 MB`, `22 kB` (decimal units, as file managers show them). */
export function bytes(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)} MB`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(0)} kB`;
  return `${value} B`;
}

/** `4.2x`: how many times `slower` takes `faster`'s time. */
export function ratio(slower: number, faster: number): string {
  if (!Number.isFinite(slower) || !Number.isFinite(faster) || faster <= 0) return 'n/a';
  return `${(slower / faster).toFixed(1)}x`;
}

export function count(value: number): string {
  return value.toLocaleString('en-US');
}
