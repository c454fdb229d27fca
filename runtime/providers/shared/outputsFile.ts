/**
 * The outputs file a process writes (`ORCH_OUTPUTS_FILE`): either one JSON object, or `key=value`
 * lines as GitHub Actions' `$GITHUB_OUTPUT` has them, including multi-line values written as
 * `key<<DELIMITER` ... `DELIMITER`. Blank lines and lines starting with `#` are ignored.
 */
export type OutputsParse = { ok: true; values: Record<string, unknown> } | { ok: false; error: string };

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function parseOutputsFile(text: string): OutputsParse {
  const body = text.replace(/^\uFEFF/, '');
  const trimmed = body.trim();
  if (trimmed === '') return { ok: true, values: {} };
  if (trimmed.startsWith('{') || trimmed.startsWith('[') || trimmed.startsWith('"')) return parseJsonOutputs(trimmed);
  return parseKeyValueOutputs(body);
}

function parseJsonOutputs(text: string): OutputsParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `the outputs file is not valid JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: 'the outputs file must hold a JSON object (or key=value lines)' };
  }
  return { ok: true, values: value as Record<string, unknown> };
}

function parseKeyValueOutputs(text: string): OutputsParse {
  const lines = text.split(/\r?\n/);
  const values: Record<string, unknown> = {};
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc && !line.includes('=')) {
      const key = heredoc[1].trim();
      const delimiter = heredoc[2].trim();
      if (!KEY.test(key)) return { ok: false, error: `outputs file line ${i + 1}: "${key}" is not a valid output name` };
      const end = lines.indexOf(delimiter, i + 1);
      if (end === -1) return { ok: false, error: `outputs file line ${i + 1}: "${key}<<${delimiter}" is never closed by a line "${delimiter}"` };
      values[key] = lines.slice(i + 1, end).join('\n');
      i = end;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq === -1) return { ok: false, error: `outputs file line ${i + 1}: expected key=value, key<<DELIMITER or a JSON object, found "${clip(line)}"` };
    const key = line.slice(0, eq).trim();
    if (!KEY.test(key)) return { ok: false, error: `outputs file line ${i + 1}: "${clip(key)}" is not a valid output name` };
    values[key] = line.slice(eq + 1);
  }
  return { ok: true, values };
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/**
 * Schedule state as text: a JSON object or array round-trips as such, anything else is a string
 * (so a shell script can `echo job-42 > "$ORCH_STATE_FILE"` and read it back as-is).
 */
export function parseStateText(text: string): unknown {
  const trimmed = text.replace(/\r?\n$/, '');
  const start = trimmed.trimStart()[0];
  if (start === '{' || start === '[') {
    try { return JSON.parse(trimmed); } catch { /* not JSON after all: keep the text */ }
  }
  return trimmed;
}

export function stateText(state: unknown): string {
  return typeof state === 'string' ? state : JSON.stringify(state) ?? '';
}
