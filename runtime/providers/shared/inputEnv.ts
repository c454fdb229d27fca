/**
 * How inputs reach a process: one environment variable per input, `ORCH_INPUT_<NAME>`, beside the
 * JSON file named by `ORCH_INPUTS_FILE`. Values are passed as data, never spliced into a command line.
 */

/** Environment variables larger than this are left out (the kernel limits one variable to 128 KiB). */
export const MAX_ENV_VALUE_BYTES = 32 * 1024;

/** `ORCH_INPUT_` + the target upper-cased, every character other than A-Z and 0-9 turned into `_`. */
export function inputEnvName(target: string): string {
  return `ORCH_INPUT_${target.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** Strings as they are; everything else JSON-encoded (`true`, `42`, `{"a":1}`, `null`). */
export function inputEnvValue(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? 'null';
}

export interface InputEnv {
  vars: Record<string, string>;
  /** Inputs that could not become a variable (too large, NUL bytes, a name clash); each a reason. */
  skipped: string[];
}

export function inputEnv(inputs: Record<string, unknown>): InputEnv {
  const vars: Record<string, string> = {};
  const owner = new Map<string, string>();
  const skipped: string[] = [];
  for (const [target, value] of Object.entries(inputs)) {
    const name = inputEnvName(target);
    const text = inputEnvValue(value);
    const clash = owner.get(name);
    if (clash !== undefined) {
      skipped.push(`inputs "${clash}" and "${target}" both map to ${name}; ${name} holds "${clash}", read "${target}" from ORCH_INPUTS_FILE`);
      continue;
    }
    if (text.includes('\0')) {
      skipped.push(`input "${target}" contains a NUL character and cannot be an environment variable; read it from ORCH_INPUTS_FILE`);
      continue;
    }
    if (Buffer.byteLength(text) > MAX_ENV_VALUE_BYTES) {
      skipped.push(`input "${target}" is larger than ${MAX_ENV_VALUE_BYTES} bytes; ${name} is not set, read it from ORCH_INPUTS_FILE`);
      continue;
    }
    owner.set(name, target);
    vars[name] = text;
  }
  return { vars, skipped };
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The `env` of a shell/ssh config, checked: names must be portable variable names, values become
 * strings (non-strings JSON-encoded, like inputs).
 */
export function configEnv(env: unknown): { vars: Record<string, string> } | { error: string } {
  if (env === undefined || env === null) return { vars: {} };
  if (typeof env !== 'object' || Array.isArray(env)) return { error: 'config.env must be an object of NAME: value' };
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(env as Record<string, unknown>)) {
    if (!ENV_NAME.test(name)) return { error: `config.env: "${name}" is not a valid environment variable name (letters, digits and _, not starting with a digit)` };
    const text = inputEnvValue(value);
    if (text.includes('\0')) return { error: `config.env.${name} contains a NUL character` };
    vars[name] = text;
  }
  return { vars };
}
