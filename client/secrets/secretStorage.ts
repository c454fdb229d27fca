/**
 * Secrets for runs, kept in VS Code's SecretStorage (the OS keychain on desktop). SecretStorage cannot
 * list its keys, so the names (never the values) are remembered in globalState for the delete picker.
 */
import * as vscode from 'vscode';
import type { SecretStore } from '../../runtime/engine/secrets';

export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

const KEY_PREFIX = 'orch.secret.';
const NAMES_KEY = 'orch.secretNames';

export class OrchSecrets {
  constructor(private readonly storage: vscode.SecretStorage, private readonly state: vscode.Memento) {}

  names(): string[] {
    return [...(this.state.get<string[]>(NAMES_KEY) ?? [])].sort();
  }

  async get(name: string): Promise<string | undefined> {
    return this.storage.get(KEY_PREFIX + name);
  }

  async set(name: string, value: string): Promise<void> {
    if (!SECRET_NAME.test(name)) throw new Error(`'${name}' is not a valid secret name (letters, digits, _ . -; not starting with a digit)`);
    await this.storage.store(KEY_PREFIX + name, value);
    const names = new Set(this.names());
    names.add(name);
    await this.state.update(NAMES_KEY, [...names].sort());
  }

  async delete(name: string): Promise<boolean> {
    const had = (await this.storage.get(KEY_PREFIX + name)) !== undefined;
    await this.storage.delete(KEY_PREFIX + name);
    await this.state.update(NAMES_KEY, this.names().filter((n) => n !== name));
    return had;
  }

  /**
   * The engine's view of these secrets. Interactive: a missing secret is asked for (a password box,
   * then stored) when the run starts; cancelling leaves it missing, and the engine refuses the run
   * naming it. Non-interactive runs (tests, the command API) only read.
   */
  engineStore(interactive: boolean): SecretStore {
    return {
      get: async (name) => {
        const value = await this.get(name);
        if (value !== undefined || !interactive) return value;
        const typed = await vscode.window.showInputBox({
          title: `Secret '${name}' is needed by this run`,
          prompt: `Value of \${secret:${name}}, kept in VS Code's secret storage (never written to the journal or logs)`,
          password: true,
          ignoreFocusOut: true,
          validateInput: (text) => (text.length === 0 ? 'A secret cannot be empty' : undefined),
        });
        if (typed === undefined) return undefined;
        await this.set(name, typed);
        return typed;
      },
      hint: (name) => `set it with "Orchestration: Set Secret..." (${name})`,
    };
  }
}
