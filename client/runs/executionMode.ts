/**
 * Where runs started from the editor execute: on this machine (the window's shared providers), or on
 * NATS JetStream agents when `orch.nats.url` is set (distributed mode). Credentials never live in
 * settings: the password, token or nkey seed come from the extension's secret storage ("Set Secret":
 * NATS_PASSWORD, NATS_TOKEN, NATS_NKEY) or the ORCH_NATS_* environment of the editor.
 */
import * as vscode from 'vscode';
import type { ProviderRegistry } from '../../runtime/engine/plan';
import type { SecretStore } from '../../runtime/engine/secrets';
import { natsSettingsFromEnv, type NatsSettings } from '../../runtime/distributed/connection';
import { distributedExecution } from '../../runtime/distributed/remoteRegistry';

export interface DistributedSettings {
  url: string;
  user?: string;
  caFile?: string;
  secretsTo: string[];
}

/** `orch.nats.*` for `scope`; undefined when runs execute on this machine. */
export function distributedSettings(scope?: vscode.Uri): DistributedSettings | undefined {
  const config = vscode.workspace.getConfiguration('orch.nats', scope);
  const url = config.get<string>('url', '').trim();
  if (!url) return undefined;
  const settings: DistributedSettings = { url, secretsTo: config.get<string[]>('secretsTo', []).filter((s) => typeof s === 'string' && s.trim()) };
  const user = config.get<string>('user', '').trim();
  if (user) settings.user = user;
  const caFile = config.get<string>('caFile', '').trim();
  if (caFile) settings.caFile = caFile;
  return settings;
}

export interface ExecutionMode {
  providers: ProviderRegistry;
  secrets: SecretStore;
  /** Set in distributed mode: where it runs, for the log. */
  describe?: string;
  /** Releases what this run alone used (the NATS connection) once it ends. */
  release(): Promise<void>;
}

/** Credentials as a user stores them: secret storage first, then the editor's environment. */
async function natsSettings(settings: DistributedSettings, secret: (name: string) => Promise<string | undefined>): Promise<NatsSettings> {
  const nats: NatsSettings = natsSettingsFromEnv(process.env, settings.url) ?? { url: settings.url };
  nats.name = `Orchestration Studio (${vscode.env.appName})`;
  if (settings.user) nats.user = settings.user;
  if (settings.caFile) nats.caFile = settings.caFile;
  const password = await secret('NATS_PASSWORD');
  const token = await secret('NATS_TOKEN');
  const nkey = await secret('NATS_NKEY');
  if (password !== undefined) nats.password = password;
  if (token !== undefined) { nats.token = token; delete nats.user; delete nats.password; }
  if (nkey !== undefined) { nats.nkeySeed = nkey; delete nats.user; delete nats.password; delete nats.token; }
  return nats;
}

/**
 * The providers and secret store of one run. Distributed mode connects first, so a server that cannot
 * be reached is reported before the run starts instead of leaving it queued forever.
 */
export async function executionMode(
  scope: vscode.Uri, local: () => ProviderRegistry, secrets: SecretStore, secret: (name: string) => Promise<string | undefined>,
  log: vscode.LogOutputChannel,
): Promise<ExecutionMode> {
  const settings = distributedSettings(scope);
  if (!settings) return { providers: local(), secrets, release: async () => undefined };
  const distributed = distributedExecution({
    nats: await natsSettings(settings, secret),
    secretTypes: settings.secretsTo,
    secrets,
    onProblem: (message) => log.warn(`nats: ${message}`),
  });
  const providers = distributed.providers;
  try {
    await distributed.connect();
  } catch (error) {
    await providers.dispose();
    throw new Error(`Distributed mode (orch.nats.url): ${error instanceof Error ? error.message : String(error)}`);
  }
  return { providers, secrets: distributed.secrets, describe: `on NATS agents at ${settings.url}`, release: () => providers.dispose() };
}
