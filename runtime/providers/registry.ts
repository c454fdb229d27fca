/**
 * The providers a run can use, by name: the built-ins (shell, ssh, http, node, noop) and any a
 * plugin or a test registers. The registry is a ReadonlyMap, so it is what the engine takes as
 * `providers`, and it owns the providers: dispose() releases their pooled resources (ssh
 * connections, node workers) at the end of a run.
 */
import type { Provider } from '../engine/provider';
import type { HostsInventory } from '../model/types';
import { createHttpProvider, type HttpProviderOptions } from './http/httpProvider';
import { createNodeProvider, type NodeProviderOptions } from './node/nodeProvider';
import { createNoopProvider } from './noop/noopProvider';
import { createShellProvider, type ShellProviderOptions } from './shell/shellProvider';
import type { HostLookup } from './ssh/hostConfig';
import { createSshProvider, type SshProviderOptions } from './ssh/sshProvider';

export interface ProviderRegistryOptions {
  /** The orch.hosts.json inventory, for the ssh provider. */
  hosts?: HostsInventory;
  /** The folder of orch.hosts.json: relative privateKeyPath/knownHostsPath start there. */
  hostsDir?: string;
  /** Instead of (or before) `hosts`: finds a host in whichever orch.hosts.json declares it. */
  hostLookup?: HostLookup;
  /** Between SIGTERM and SIGKILL when an attempt is aborted (shell, ssh, node). Default 2000 ms. */
  graceMs?: number;
  shell?: ShellProviderOptions;
  ssh?: Omit<SshProviderOptions, 'inventory' | 'inventoryDir' | 'lookup'>;
  http?: HttpProviderOptions;
  node?: NodeProviderOptions;
}

export interface ProviderRegistry extends ReadonlyMap<string, Provider> {
  /** Adds a provider, or replaces the one of the same name (a plugin's, a test's fake). */
  register(provider: Provider): void;
  names(): string[];
  /** Releases every provider's resources, replaced ones included; safe to call more than once. */
  dispose(): Promise<void>;
}

export const BUILTIN_PROVIDERS = ['shell', 'ssh', 'http', 'node', 'noop'] as const;

class Registry extends Map<string, Provider> implements ProviderRegistry {
  private readonly owned = new Set<Provider>();
  private disposing: Promise<void> | undefined;

  register(provider: Provider): void {
    if (!provider || typeof provider.name !== 'string' || !provider.name || typeof provider.execute !== 'function') {
      throw new TypeError('a provider needs a non-empty name and an execute(ctx) function');
    }
    this.set(provider.name, provider);
    this.owned.add(provider);
  }

  names(): string[] {
    return [...this.keys()];
  }

  dispose(): Promise<void> {
    this.disposing ??= Promise.allSettled([...this.owned].map((p) => p.dispose?.())).then(() => undefined);
    return this.disposing;
  }
}

export function createProviderRegistry(options: ProviderRegistryOptions = {}): ProviderRegistry {
  const { graceMs } = options;
  const registry = new Registry();
  registry.register(createShellProvider({ graceMs, ...options.shell }));
  registry.register(createSshProvider({ graceMs, ...options.ssh, inventory: options.hosts, inventoryDir: options.hostsDir, lookup: options.hostLookup }));
  registry.register(createHttpProvider(options.http));
  registry.register(createNodeProvider({ graceMs, ...options.node }));
  registry.register(createNoopProvider());
  return registry;
}
