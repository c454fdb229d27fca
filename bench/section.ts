/** One part of `npm run bench`; each lives in its own module and is listed once in ./sections.ts. */
import type { Table } from './table';

export interface BenchContext {
  /** Runs per measurement (after the warm-up); `--runs N` overrides each section's default. */
  runs(defaultRuns: number): number;
  /** `--quick`: smaller sizes and fewer runs, to check that the benchmark works rather than to measure. */
  readonly quick: boolean;
  /** Prints a finished table. */
  print(table: Table): void;
  /** Prints a line of text (a note under a table, a verdict). */
  log(line: string): void;
  /** Records a target as met or missed; `--check` makes a missed target fail the run. */
  target(description: string, met: boolean, actual: string): void;
}

export interface BenchSection {
  name: string;
  /** One line shown by `--list` and above the section's output. */
  description: string;
  run(ctx: BenchContext): Promise<void>;
}
