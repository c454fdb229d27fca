/**
 * `${secret:NAME}` references: found in constant input values, activity `config` and the run input,
 * fetched once from a SecretStore when the run starts (a missing secret refuses the run), substituted
 * in memory only when a provider needs the value, and redacted (`***`) from everything the run writes
 * or reports: journal entries, log lines and events, including values a program echoes back.
 */

export interface SecretStore {
  /** The secret's value, or undefined when it is not set. */
  get(name: string): string | undefined | Promise<string | undefined>;
  /** How a user sets a missing secret, for the refusal message. */
  hint?(name: string): string;
}

const REFERENCE = /\$\{secret:([A-Za-z_][A-Za-z0-9_.-]*)\}/g;
export const REDACTED = '***';

/** The CLI's store: `ORCH_SECRET_<NAME>` (as written, then upper-cased with `.`/`-` as `_`). */
export function envSecretStore(env: Readonly<Record<string, string | undefined>>): SecretStore {
  const variables = (name: string) => {
    const exact = `ORCH_SECRET_${name}`;
    const normal = `ORCH_SECRET_${name.toUpperCase().replace(/[.-]/g, '_')}`;
    return exact === normal ? [exact] : [exact, normal];
  };
  return {
    get(name) {
      for (const variable of variables(name)) {
        const value = env[variable];
        if (value !== undefined) return value;
      }
      return undefined;
    },
    hint: (name) => `set the environment variable ${variables(name).pop()}`,
  };
}

/** A store over a plain map (tests, the extension's bridge). */
export function mapSecretStore(values: Record<string, string>): SecretStore {
  return { get: (name) => (Object.prototype.hasOwnProperty.call(values, name) ? values[name] : undefined) };
}

/** Every secret name referenced in the strings of `value`, in first-seen order. */
export function secretReferences(value: unknown, into: Set<string> = new Set()): Set<string> {
  walkStrings(value, (s) => {
    if (!s.includes('${secret:')) return;
    for (const match of s.matchAll(REFERENCE)) into.add(match[1]);
  });
  return into;
}

function walkStrings(value: unknown, visit: (s: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) for (const item of value) walkStrings(item, visit);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) walkStrings(item, visit);
}

export class MissingSecretsError extends Error {
  override readonly name = 'MissingSecretsError';
  constructor(readonly missing: { name: string; hint?: string }[]) {
    super(missing.map((m) => `secret ${m.name} is not set${m.hint ? ` (${m.hint})` : ''}`).join('; '));
  }
}

/** The secrets of one run, held in memory only. */
export class Secrets {
  readonly redactor: Redactor;

  private constructor(private readonly values: ReadonlyMap<string, string>) {
    this.redactor = new Redactor([...values.values()]);
  }

  private static empty: Secrets | undefined;

  /** No secrets: resolving leaves references as they are. */
  static get none(): Secrets {
    return (Secrets.empty ??= new Secrets(new Map()));
  }

  /** Fetches every referenced name; throws MissingSecretsError naming all the missing ones. */
  static async fetch(names: Iterable<string>, store: SecretStore | undefined): Promise<Secrets> {
    const values = new Map<string, string>();
    const missing: { name: string; hint?: string }[] = [];
    for (const name of names) {
      const value = store ? await store.get(name) : undefined;
      if (value === undefined) missing.push({ name, hint: store?.hint?.(name) ?? 'no secret store is configured' });
      else values.set(name, value);
    }
    if (missing.length) throw new MissingSecretsError(missing);
    return new Secrets(values);
  }

  get size(): number {
    return this.values.size;
  }

  /** A deep copy of `value` with every reference replaced by its secret (the copy must stay in memory). */
  resolve<T>(value: T): T {
    if (this.values.size === 0 && !mayHoldReference(value)) return value;
    return this.substitute(value) as T;
  }

  /**
   * A deep copy of `value` with every secret value put back as its `${secret:NAME}` reference: for a
   * receiver (a remote agent) that resolves secrets from a store of its own and must not get ours.
   */
  references<T>(value: T): T {
    if (this.values.size === 0) return value;
    const byLength = [...this.values].filter(([, v]) => v.length > 0).sort((a, b) => b[1].length - a[1].length);
    const pattern = new RegExp(byLength.map(([, v]) => escapeRegExp(v)).join('|'), 'g');
    const names = new Map(byLength.map(([name, v]) => [v, name] as const));
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return v.replace(pattern, (found) => `\${secret:${names.get(found)}}`);
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item)]));
      return v;
    };
    return walk(value) as T;
  }

  private substitute(value: unknown): unknown {
    if (typeof value === 'string') {
      if (!value.includes('${secret:')) return value;
      return value.replace(REFERENCE, (whole, name: string) => this.values.get(name) ?? whole);
    }
    if (Array.isArray(value)) return value.map((v) => this.substitute(v));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.substitute(v);
      return out;
    }
    return value;
  }
}

function mayHoldReference(value: unknown): boolean {
  let found = false;
  walkStrings(value, (s) => { if (!found && s.includes('${secret:')) found = true; });
  return found;
}

/**
 * Replaces every secret value with `***` in strings. Besides each value it knows the forms a program
 * is likely to print: the value URL-encoded and, for a multi-line secret (a key file), each of its
 * lines, since log lines arrive one at a time. Longest first, so a secret containing another is
 * redacted whole.
 */
export class Redactor {
  private readonly pattern: RegExp | undefined;
  /** Every form, longest first (for the prefixes a cut log line may end with). */
  readonly forms: readonly string[];

  constructor(values: readonly string[]) {
    const forms = new Set<string>();
    for (const value of values) {
      if (!value) continue;
      forms.add(value);
      const encoded = encodeURIComponent(value);
      if (encoded !== value) forms.add(encoded);
      if (/[\r\n]/.test(value)) {
        // Short lines (a PEM's `-----END-----` has more; an empty line has none) would redact ordinary text.
        for (const line of value.split(/\r?\n/)) if (line.trim().length >= 8) forms.add(line.trim());
      }
    }
    const sorted = [...forms].sort((a, b) => b.length - a.length);
    this.forms = sorted;
    this.pattern = sorted.length ? new RegExp(sorted.map(escapeRegExp).join('|'), 'g') : undefined;
  }

  get active(): boolean {
    return this.pattern !== undefined;
  }

  text(text: string): string {
    if (!this.pattern) return text;
    this.pattern.lastIndex = 0;
    return this.pattern.test(text) ? text.replace(this.pattern, REDACTED) : text;
  }

  /** A copy of `value` with every string (keys included) redacted; the value itself when nothing changes. */
  value<T>(value: T): T {
    if (!this.pattern) return value;
    return this.deep(value) as T;
  }

  private deep(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) {
      let changed = false;
      const out = value.map((v) => { const r = this.deep(v); if (r !== v) changed = true; return r; });
      return changed ? out : value;
    }
    if (value && typeof value === 'object') {
      let changed = false;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const key = this.text(k);
        const r = this.deep(v);
        if (r !== v || key !== k) changed = true;
        out[key] = r;
      }
      return changed ? out : value;
    }
    return value;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Lines at least this long may be pieces of one longer line that a provider cut. */
const CUT_LINE_CHARS = 1024;

/**
 * Redacts the log lines of one stream. A provider cuts an overlong line into pieces, and a secret may
 * straddle the cut; a long piece that ends with the start of a secret is therefore held back and joined
 * with the next piece before redaction (the two pieces were one line of the program's output).
 */
export class LogLineRedactor {
  private held: string | undefined;

  constructor(private readonly redactor: Redactor) {}

  /** The lines to write now, redacted. */
  push(line: string): string[] {
    if (!this.redactor.active) return [line];
    const text = this.held === undefined ? line : this.held + line;
    this.held = undefined;
    if (text.length >= CUT_LINE_CHARS && this.endsWithSecretStart(text)) {
      this.held = text;
      return [];
    }
    return [this.redactor.text(text)];
  }

  /** The held piece, at the end of the attempt. */
  flush(): string[] {
    const held = this.held;
    this.held = undefined;
    return held === undefined ? [] : [this.redactor.text(held)];
  }

  private endsWithSecretStart(text: string): boolean {
    for (const form of this.redactor.forms) {
      for (let n = Math.min(form.length - 1, text.length); n >= 2; n--) {
        if (text.endsWith(form.slice(0, n))) return true;
      }
    }
    return false;
  }
}
