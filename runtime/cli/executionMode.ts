/**
 * Where a command's activities run: on this machine (the built-in providers) or, with `--nats URL`,
 * on the agents of a NATS JetStream server (distributed mode). The flags and the choice live here so
 * run, resume, dispose and complete offer the same options and mean the same by them.
 */
import type { HostInfo } from '../engine/load';
import { envSecretStore, type SecretStore } from '../engine/secrets';
import { NatsSettingsError, natsSettingsFromEnv } from '../distributed/connection';
import { distributedExecution } from '../distributed/remoteRegistry';
import { createProviderRegistry, type ProviderRegistry } from '../providers/registry';
import { UsageError } from './args';
import type { CliIo } from './io';

export const natsFlags = {
  nats: { kind: 'string', valueName: 'URL', description: 'run the activities on NATS JetStream agents (nats://host:port or tls://...; credentials from ORCH_NATS_USER/PASSWORD, _TOKEN or _NKEY)' },
  'nats-secrets-to': { kind: 'string', valueName: 'TYPES', repeatable: true, description: 'activity types whose agents may receive secret values (comma-separated; others resolve secrets from their own store)' },
} as const;

export interface ExecutionMode {
  providers: ProviderRegistry;
  secrets: SecretStore;
  /** Set in distributed mode: connects (and refuses a run whose server cannot be reached) before the run starts. */
  ready(): Promise<void>;
}

export function executionMode(io: CliIo, flags: { nats?: string; 'nats-secrets-to'?: readonly string[] }, hostLookup: (name: string) => HostInfo | undefined): ExecutionMode {
  const secrets = envSecretStore(io.env);
  if (flags.nats === undefined) {
    if (flags['nats-secrets-to']?.length) throw new UsageError('--nats-secrets-to needs --nats');
    return { providers: createProviderRegistry({ hostLookup }), secrets, ready: async () => undefined };
  }
  const settings = natsSettingsFromEnv(io.env, flags.nats);
  if (!settings) throw new UsageError('--nats needs a URL (nats://host:port)');
  const secretTypes = (flags['nats-secrets-to'] ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const distributed = distributedExecution({ nats: settings, secretTypes, secrets, onProblem: (message) => io.stderr.write(`orch: nats: ${message}\n`) });
  return {
    providers: distributed.providers,
    secrets: distributed.secrets,
    ready: async () => {
      try {
        await distributed.connect();
      } catch (error) {
        if (error instanceof NatsSettingsError) throw new UsageError(error.message);
        throw error;
      }
    },
  };
}
