/**
 * Every diagnostic code the analysis can produce. Codes are stable: tools, quick fixes and users' CI
 * filters depend on them, so a code is never reused for another meaning. `docs/diagnostics.md` has a
 * section per code (anchor = the code in lower case), which `codeDescription` links point to.
 */
export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface CodeInfo {
  readonly title: string;
  readonly severity: Severity;
}

export const Codes = {
  // Syntax (jsonc tolerated, with warnings)
  ORCH001: { title: 'syntax error', severity: 'error' },
  ORCH002: { title: 'comment in JSON', severity: 'warning' },
  ORCH003: { title: 'trailing comma', severity: 'warning' },
  ORCH004: { title: 'duplicate property', severity: 'warning' },
  ORCH005: { title: 'not an orchestration or activity document', severity: 'error' },
  // Schema (ajv errors mapped onto the node)
  ORCH101: { title: 'wrong type', severity: 'error' },
  ORCH102: { title: 'missing required property', severity: 'error' },
  ORCH103: { title: 'unknown property', severity: 'error' },
  ORCH104: { title: 'value not allowed', severity: 'error' },
  ORCH105: { title: 'value out of range', severity: 'error' },
  ORCH106: { title: 'value does not match the expected format', severity: 'error' },
  ORCH107: { title: 'schema violation', severity: 'error' },
  ORCH108: { title: 'invalid JSON Schema', severity: 'error' },
  // Activity ids, dependencies and cycles
  ORCH201: { title: 'duplicate activity id', severity: 'error' },
  ORCH202: { title: 'unknown dependency', severity: 'error' },
  ORCH203: { title: 'activity depends on itself', severity: 'error' },
  ORCH204: { title: 'dependency listed twice', severity: 'warning' },
  ORCH205: { title: 'dependency cycle', severity: 'error' },
  // Activity types
  ORCH301: { title: 'unknown activity type', severity: 'warning' },
  ORCH302: { title: 'activity type defined twice', severity: 'error' },
  // Inputs, forEach and output
  ORCH401: { title: 'source reads an activity that is not upstream', severity: 'error' },
  ORCH402: { title: 'input property not in the definition schema', severity: 'error' },
  ORCH403: { title: 'duplicate input target', severity: 'error' },
  ORCH404: { title: 'target not in the input schema', severity: 'warning' },
  ORCH405: { title: 'required input missing', severity: 'error' },
  ORCH406: { title: 'output property not in the output schema', severity: 'warning' },
  ORCH407: { title: 'input property shadows an activity id', severity: 'warning' },
  ORCH408: { title: 'invalid forEach items source', severity: 'error' },
  ORCH409: { title: 'invalid output source', severity: 'error' },
  ORCH410: { title: 'malformed source', severity: 'error' },
  // Pools and hosts
  ORCH501: { title: 'undeclared pool', severity: 'error' },
  ORCH502: { title: 'acquires more than the pool capacity', severity: 'error' },
  ORCH503: { title: 'host not in the inventory', severity: 'error' },
  ORCH504: { title: 'host declared in several inventories', severity: 'warning' },
  // Definition level
  ORCH601: { title: 'inactive definition', severity: 'warning' },
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof Codes;

/** Where the documentation of a code lives, relative to the repository root. */
export function codeDocsPath(code: Code): string {
  return `docs/diagnostics.md#${code.toLowerCase()}`;
}
