/** The last input given to each definition (workspaceState), offered again by "Run with Input...". */
import type * as vscode from 'vscode';

const KEY = 'orch.lastInputs';
/** Inputs larger than this are not remembered (workspaceState is loaded at every start). */
const MAX_REMEMBERED_CHARS = 64 * 1024;

export class LastInputs {
  constructor(private readonly state: vscode.Memento) {}

  get(definitionPath: string): Record<string, unknown> | undefined {
    return this.state.get<Record<string, Record<string, unknown>>>(KEY)?.[definitionPath];
  }

  async set(definitionPath: string, input: Record<string, unknown>): Promise<void> {
    if (JSON.stringify(input).length > MAX_REMEMBERED_CHARS) return;
    const all = { ...(this.state.get<Record<string, Record<string, unknown>>>(KEY) ?? {}) };
    all[definitionPath] = input;
    await this.state.update(KEY, all);
  }
}
