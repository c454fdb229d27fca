/**
 * How the CLI prints diagnostics: compiler-style text lines (1-based `file:line:col`, which terminals
 * and editors turn into links) or JSON objects with LSP-style 0-based ranges, so that scripts can feed
 * them straight into other tools.
 */
import type { Severity } from '../analysis/codes';
import type { Diagnostic } from '../analysis/diagnostic';
import type { LineIndex, Range } from '../text/lineIndex';
import type { CliIo, OutputStream } from './io';

/** Where a file's positions come from, and how its name is shown. */
export interface FileView {
  display: string;
  lines: LineIndex | undefined;
}

/** Looks up a file named by a diagnostic's related location (a path as the index knows it). */
export type FileResolver = (file: string) => FileView;

export interface JsonRelated {
  file: string;
  range: Range;
  message: string;
}

export interface JsonDiagnostic {
  file: string;
  range: Range;
  severity: Severity;
  code: string;
  message: string;
  related: JsonRelated[];
}

const UNKNOWN_RANGE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

function rangeIn(view: FileView, offset: number, length: number): Range {
  return view.lines ? view.lines.rangeOf(offset, length) : UNKNOWN_RANGE;
}

export function toJsonDiagnostic(d: Diagnostic, file: FileView, resolve: FileResolver): JsonDiagnostic {
  return {
    file: file.display,
    range: rangeIn(file, d.offset, d.length),
    severity: d.severity,
    code: d.code,
    message: d.message,
    related: (d.related ?? []).map((r) => {
      const view = resolve(r.file);
      return { file: view.display, range: rangeIn(view, r.offset, r.length), message: r.message };
    }),
  };
}

export interface Palette {
  severity(severity: Severity, text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const plain: Palette = { severity: (_s, t) => t, dim: (t) => t, bold: (t) => t };

const SEVERITY_COLOUR: Record<Severity, string> = { error: '31', warning: '33', information: '36', hint: '36' };

const ansi: Palette = {
  severity: (s, t) => `\x1b[1;${SEVERITY_COLOUR[s]}m${t}\x1b[0m`,
  dim: (t) => `\x1b[2m${t}\x1b[0m`,
  bold: (t) => `\x1b[1m${t}\x1b[0m`,
};

/** Colours only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function paletteFor(stream: OutputStream, env: CliIo['env']): Palette {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return stream.isTTY && !noColor ? ansi : plain;
}

function location(display: string, range: Range): string {
  return `${display}:${range.start.line + 1}:${range.start.character + 1}`;
}

/** `file:line:col severity code message`, then each related location on an indented line. */
export function formatDiagnosticText(d: JsonDiagnostic, palette: Palette = plain): string {
  const head = `${palette.bold(location(d.file, d.range))} ${palette.severity(d.severity, d.severity)} ${palette.dim(d.code)} ${d.message}`;
  const lines = [head];
  for (const r of d.related) lines.push(`    ${location(r.file, r.range)} ${palette.dim(r.message)}`);
  return lines.join('\n');
}

export interface Counts {
  files: number;
  errors: number;
  warnings: number;
  /** Information and hints. */
  notes: number;
}

export function countDiagnostics(files: number, diagnostics: readonly { severity: Severity }[]): Counts {
  const counts: Counts = { files, errors: 0, warnings: 0, notes: 0 };
  for (const d of diagnostics) {
    if (d.severity === 'error') counts.errors++;
    else if (d.severity === 'warning') counts.warnings++;
    else counts.notes++;
  }
  return counts;
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** `3 files, 1 error, 2 warnings` (notes only when there are some). */
export function summaryLine(counts: Counts): string {
  const parts = [plural(counts.files, 'file'), plural(counts.errors, 'error'), plural(counts.warnings, 'warning')];
  if (counts.notes) parts.push(plural(counts.notes, 'note'));
  return parts.join(', ');
}
