/**
 * Command-line arguments for every `orch` command, without a dependency: `--flag value`,
 * `--flag=value`, boolean flags, single-letter aliases (`-h`), repeatable flags and `--` (everything
 * after it is positional, so a file named `--weird.orch.json` can still be given). Problems are thrown
 * as UsageError with a message that fits on one line; the dispatcher prints it and exits 2.
 */

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface BooleanFlag {
  kind: 'boolean';
  description: string;
  short?: string;
}

export interface StringFlag {
  kind: 'string';
  description: string;
  /** Placeholder shown in help: `--format <text|json>`. */
  valueName: string;
  short?: string;
  /** The allowed values; anything else is a usage error naming them. */
  values?: readonly string[];
  repeatable?: boolean;
  default?: string;
}

export type FlagSpec = BooleanFlag | StringFlag;
export type FlagSpecs = Record<string, FlagSpec>;

export interface PositionalSpec {
  /** Shown in usage and in errors: `FILE`, `paths...`. */
  name: string;
  min: number;
  max: number;
}

/** The parsed value of each flag: booleans are false when absent, repeatable flags give arrays. */
export type FlagValues<S extends FlagSpecs> = {
  [K in keyof S]: S[K] extends BooleanFlag
    ? boolean
    : S[K] extends { repeatable: true }
      ? string[]
      : S[K] extends { default: string }
        ? string
        : string | undefined;
};

export interface ParsedArgs<S extends FlagSpecs> {
  flags: FlagValues<S>;
  positionals: string[];
}

/** `--help`/`-h` is accepted by every command; the dispatcher checks for it before anything else. */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

export function parseArgs<S extends FlagSpecs>(argv: readonly string[], flags: S, positional: PositionalSpec): ParsedArgs<S> {
  const values: Record<string, boolean | string | string[] | undefined> = {};
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(flags)) {
    values[name] = spec.kind === 'boolean' ? false : spec.repeatable ? [] : spec.default;
    if (spec.short) byShort.set(spec.short, name);
  }
  const seen = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    // A lone '-' is a positional (conventionally stdin/stdout), as are negative-looking paths after '--'.
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
    } else {
      const short = arg.slice(1, 2);
      const long = byShort.get(short);
      if (!long) throw new UsageError(`unknown flag ${arg}`);
      name = long;
      if (arg.length > 2) inline = arg.slice(2).replace(/^=/, '');
    }
    const spec = Object.prototype.hasOwnProperty.call(flags, name) ? flags[name] : undefined;
    if (!spec) throw new UsageError(`unknown flag ${arg.split('=')[0]}${suggest(name, Object.keys(flags))}`);
    if (spec.kind === 'boolean') {
      if (inline !== undefined) throw new UsageError(`flag --${name} takes no value`);
      values[name] = true;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      // A following flag means the value is missing; '-' (stdio) and negative numbers are values.
      if (next === undefined || next === '--' || (next.startsWith('-') && next !== '-' && !/^-\d/.test(next))) {
        throw new UsageError(`flag --${name} needs a value (${spec.valueName})`);
      }
      value = next;
      i++;
    }
    if (spec.values && !spec.values.includes(value)) {
      throw new UsageError(`--${name} must be ${spec.values.join(' or ')}, not '${value}'`);
    }
    if (spec.repeatable) {
      (values[name] as string[]).push(value);
    } else {
      if (seen.has(name)) throw new UsageError(`flag --${name} given twice`);
      values[name] = value;
    }
    seen.add(name);
  }
  if (positionals.length < positional.min) {
    throw new UsageError(positional.min === 1 ? `missing ${positional.name}` : `expected at least ${positional.min} ${positional.name}`);
  }
  if (positionals.length > positional.max) {
    const extra = positionals[positional.max];
    throw new UsageError(positional.max === 0 ? `unexpected argument '${extra}'` : `unexpected argument '${extra}' (expected ${describeCount(positional)})`);
  }
  return { flags: values as FlagValues<S>, positionals };
}

function describeCount(p: PositionalSpec): string {
  if (p.max === p.min) return `${p.max} ${p.name}`;
  return `at most ${p.max} ${p.name}`;
}

/** ` (did you mean --format?)` when one known flag is a small edit away. */
function suggest(name: string, known: string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) { bestDistance = d; best = candidate; }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? ` (did you mean --${best}?)` : '';
}

export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The flags part of a command's help, aligned in two columns. */
export function describeFlags(flags: FlagSpecs): string[] {
  const rows: [string, string][] = [];
  for (const [name, spec] of Object.entries(flags)) {
    const short = spec.short ? `-${spec.short}, ` : '    ';
    const value = spec.kind === 'string' ? ` <${spec.valueName}>` : '';
    let description = spec.description;
    if (spec.kind === 'string' && spec.repeatable) description += ' (repeatable)';
    if (spec.kind === 'string' && spec.default !== undefined) description += ` (default: ${spec.default})`;
    rows.push([`${short}--${name}${value}`, description]);
  }
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}
