/**
 * Merges the capabilities of the feature modules into one initialize result. Objects merge deeply
 * (two modules may each add to `workspace` or `executeCommandProvider.commands`); arrays concatenate
 * without duplicates; otherwise the later value wins.
 */
import type { ServerCapabilities } from 'vscode-languageserver';

export function mergeCapabilities(...parts: Partial<ServerCapabilities>[]): ServerCapabilities {
  let out: Record<string, unknown> = {};
  for (const part of parts) out = merge(out, part as Record<string, unknown>);
  return out as ServerCapabilities;
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    if (value === undefined) continue;
    const existing = out[key];
    if (Array.isArray(existing) && Array.isArray(value)) out[key] = [...new Set([...existing, ...value])];
    else if (isPlainObject(existing) && isPlainObject(value)) out[key] = merge(existing, value);
    else out[key] = value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}
