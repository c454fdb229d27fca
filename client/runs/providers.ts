/**
 * The providers runs from the editor use: the built-in ones, created once per window and shared by its
 * runs (their pools, worker processes and ssh connections, are worth reusing), released when the
 * extension deactivates. The ssh provider reads the host inventory a run names itself.
 */
import type * as vscode from 'vscode';
import type { Provider } from '../../runtime/engine/provider';
import type { ProviderRegistry } from '../../runtime/engine/plan';
import { createHttpProvider } from '../../runtime/providers/http/httpProvider';
import { createNodeProvider } from '../../runtime/providers/node/nodeProvider';
import { createNoopProvider } from '../../runtime/providers/noop/noopProvider';
import { createShellProvider } from '../../runtime/providers/shell/shellProvider';
import { createSshProvider } from '../../runtime/providers/ssh/sshProvider';

export function createProviders(log: vscode.LogOutputChannel): ProviderRegistry {
  const providers = new Map<string, Provider>();
  const add = (name: string, make: () => Provider) => {
    try {
      providers.set(name, make());
    } catch (error) {
      // A provider that cannot start (a missing native module) must not take the others down.
      log.error(`the ${name} provider is unavailable: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  add('shell', () => createShellProvider());
  add('ssh', () => createSshProvider());
  add('http', () => createHttpProvider());
  add('node', () => createNodeProvider());
  add('noop', () => createNoopProvider());
  return providers;
}

export async function disposeProviders(registry: ProviderRegistry): Promise<void> {
  const providers = registry instanceof Map ? [...registry.values()] : Object.values(registry);
  await Promise.allSettled(providers.map((p) => p.dispose?.()));
}
