/**
 * What `orch run --nats` hands the engine instead of the local providers: every provider name, the
 * built-ins and any a plugin would add, is served by the agents, so an activity type the orchestrator's
 * machine cannot run (no such program, no network to its hosts) still plans and runs.
 */
import type { Provider } from '../engine/provider';
import type { SecretStore } from '../engine/secrets';
import type { ProviderRegistry } from '../providers/registry';
import { NatsDispatch, type NatsDispatchOptions } from './natsDispatch';

class RemoteRegistry extends Map<string, Provider> implements ProviderRegistry {
  constructor(private readonly dispatch: NatsDispatch) {
    super();
  }

  override get(name: string): Provider | undefined {
    return super.get(name) ?? this.dispatch;
  }

  override has(): boolean {
    return true;
  }

  register(provider: Provider): void {
    this.set(provider.name, provider);
  }

  names(): string[] {
    return ['any (served by NATS agents)', ...this.keys()];
  }

  async dispose(): Promise<void> {
    for (const provider of this.values()) await provider.dispose?.();
    await this.dispatch.dispose();
  }
}

export function remoteRegistry(dispatch: NatsDispatch): ProviderRegistry {
  return new RemoteRegistry(dispatch);
}

/**
 * The orchestrator's secret store in distributed mode: a secret it does not hold is not an error (the
 * agents resolve it from theirs), so its reference stands for its value and travels as a reference.
 */
export function remoteSecretStore(store: SecretStore): SecretStore {
  return {
    get: async (name) => (await store.get(name)) ?? `\${secret:${name}}`,
    hint: store.hint?.bind(store),
  };
}

export interface DistributedExecution {
  providers: ProviderRegistry;
  secrets: SecretStore;
  /** Connects (and makes sure the streams exist) so a server that cannot be reached refuses the run up front. */
  connect(): Promise<void>;
}

/** Everything a caller (the CLI, the extension) hands the engine to run on NATS agents instead of locally. */
export function distributedExecution(options: NatsDispatchOptions & { secrets: SecretStore }): DistributedExecution {
  const { secrets, ...dispatchOptions } = options;
  const dispatch = new NatsDispatch(dispatchOptions);
  return {
    providers: remoteRegistry(dispatch),
    secrets: remoteSecretStore(secrets),
    connect: async () => { await dispatch.connect(); },
  };
}
