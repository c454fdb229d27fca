/**
 * What an agent knows on its own: the activity definitions and host inventories in its `defs`
 * folders, and the providers it can run. An agent serves a type only when it has the type's
 * definition and its provider: the definition it runs is its own (config, retry, timeout), never the
 * orchestrator's, so what runs on a machine is decided by who runs that machine. Everything that
 * cannot work is found before the agent takes a single message, each problem named.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { hasErrors, analyzeDocument } from '../../analysis/validate';
import type { ParsedDocument } from '../../analysis/document';
import { describeDiagnostic, type HostInfo } from '../../engine/load';
import { providerNamed, type ProviderRegistry } from '../../engine/plan';
import type { Provider } from '../../engine/provider';
import { MissingSecretsError, secretReferences, Secrets, type SecretStore } from '../../engine/secrets';
import { scanInto } from '../../index/scan';
import { WorkspaceIndex } from '../../index/workspaceIndex';
import type { ActivityDefinition, HostEntry } from '../../model/types';
import { createProviderRegistry } from '../../providers/registry';

export interface AgentType {
  type: string;
  definition: ActivityDefinition;
  /** The file declaring it; its folder is the baseDir of relative paths in its config. */
  file: string;
  baseDir: string;
  provider: Provider;
  /** The secrets its `config` references (resolved per attempt from the agent's store). */
  configSecrets: string[];
}

export interface AgentWorkspace {
  /** The `defs` folders, absolute. */
  readonly folders: readonly string[];
  /** The types served, in the order asked for (or declared). */
  readonly types: ReadonlyMap<string, AgentType>;
  /** Types declared in the folders but not served by default, with why (no provider for them). */
  readonly skipped: readonly { type: string; reason: string }[];
  /** A host from the agent's inventory, else one an activity message described. */
  host(name: string): HostInfo | undefined;
  /** Whether the agent's own inventory declares `name`. */
  ownsHost(name: string): boolean;
  /** Remembers the inventory entry an activity message carried, for hosts the agent does not declare. */
  learnHost(name: string, entry: HostEntry): void;
  readonly providers: ProviderRegistry;
  /** Releases the providers' pooled resources, when the agent made the registry. */
  dispose(): Promise<void>;
}

/** The agent cannot start; `problems` are one line each. */
export class AgentStartError extends Error {
  override readonly name = 'AgentStartError';
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} problems:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

export interface AgentWorkspaceOptions {
  /** Folders of *.activity.json and orch.hosts.json (searched recursively); relative ones start at `cwd`. */
  defs: readonly string[];
  cwd: string;
  /** The types to serve; default every declared type whose provider the agent has. */
  types?: readonly string[];
  /** Default: the built-in providers, with the ssh provider reading the agent's inventory. */
  providers?: ProviderRegistry;
  secrets: SecretStore;
}

/** Hosts learned from messages, at most this many (the most recent). */
const MAX_LEARNED_HOSTS = 1000;

export async function loadAgentWorkspace(options: AgentWorkspaceOptions): Promise<AgentWorkspace> {
  const folders = [...new Set((options.defs.length ? options.defs : ['.']).map((d) => resolve(options.cwd, d)))];
  const missing = folders.filter((f) => !existsSync(f) || !statSync(f).isDirectory());
  if (missing.length) throw new AgentStartError(missing.map((f) => `no such folder: ${f} (--defs names folders of activity definitions)`));
  const index = new WorkspaceIndex();
  scanInto(index, folders);

  const ownHosts = new Map<string, HostInfo>();
  for (const name of index.hostNames()) {
    const declaration = index.hostsNamed(name)[0];
    if (declaration) ownHosts.set(name, { entry: declaration.value as HostEntry, file: declaration.doc.uri });
  }
  const learned = new Map<string, HostInfo>();
  const host = (name: string): HostInfo | undefined => ownHosts.get(name) ?? learned.get(name);

  const ownsProviders = !options.providers;
  const providers: ProviderRegistry = options.providers ?? createProviderRegistry({ hostLookup: host });
  const providerList = () => (providers instanceof Map ? [...providers.keys()] : Object.keys(providers)).join(', ') || 'none';

  const declared = [...index.declaredTypes()].sort();
  const where = folders.join(', ');
  const problems: string[] = [];
  const skipped: { type: string; reason: string }[] = [];
  const served = new Map<string, AgentType>();
  const docsToCheck = new Set<ParsedDocument>();

  const requested = options.types === undefined ? undefined : [...new Set(options.types.map((t) => t.trim()).filter(Boolean))];
  if (requested && !requested.length) problems.push('no activity types given (--types t1,t2, or leave it out to serve every type the definitions declare)');
  const unknown = (requested ?? []).filter((t) => !index.declarationsOf(t).length);
  if (unknown.length) {
    problems.push(`this agent has no definition for ${unknown.length === 1 ? 'type' : 'types'} ${unknown.join(', ')}: `
      + (declared.length ? `its definitions (in ${where}) declare ${declared.join(', ')}` : `no *.activity.json in ${where} declares any type`)
      + ' (add a *.activity.json, or --defs DIR where one is)');
  }
  if (!requested && !declared.length) problems.push(`no activity definitions (*.activity.json) in ${where}: an agent serves the types its definitions declare (--defs DIR)`);

  for (const type of requested ?? declared) {
    const declarations = index.declarationsOf(type);
    if (!declarations.length) continue;
    if (declarations.length > 1) {
      problems.push(`type ${type} is declared ${declarations.length} times (${declarations.map((d) => d.doc.uri).join(', ')}): keep one`);
      continue;
    }
    const { doc, definition: model } = declarations[0];
    const definition = model.node.value as ActivityDefinition;
    const providerName = typeof definition.provider === 'string' ? definition.provider : undefined;
    const provider = providerName === undefined ? undefined : providerNamed(providers, providerName);
    if (!provider) {
      const reason = providerName === undefined
        ? `its definition (${doc.uri}) names no provider`
        : `its provider '${providerName}' is not one this agent has (it has: ${providerList()})`;
      if (requested) problems.push(`type ${type}: ${reason}`);
      else skipped.push({ type, reason });
      continue;
    }
    docsToCheck.add(doc);
    served.set(type, { type, definition, file: doc.uri, baseDir: dirname(doc.uri), provider, configSecrets: [...secretReferences(definition.config)] });
  }
  if (!requested && declared.length && !served.size && !problems.length) {
    problems.push(`none of the types declared in ${where} has a provider this agent has (${skipped.map((s) => `${s.type}: ${s.reason}`).join('; ')})`);
  }

  for (const doc of docsToCheck) {
    const diagnostics = analyzeDocument(doc, index).diagnostics;
    if (hasErrors(diagnostics)) {
      for (const d of diagnostics) if (d.severity === 'error') problems.push(describeDiagnostic(doc, d));
    }
  }

  for (const agentType of served.values()) {
    if (!agentType.configSecrets.length) continue;
    try {
      await Secrets.fetch(agentType.configSecrets, options.secrets);
    } catch (error) {
      if (!(error instanceof MissingSecretsError)) throw error;
      problems.push(`type ${agentType.type} (${agentType.file}): its config needs ${error.message}`);
    }
  }

  const dispose = async () => {
    if (ownsProviders) await (providers as { dispose?: () => Promise<void> }).dispose?.();
  };
  if (problems.length) {
    await dispose();
    throw new AgentStartError(problems);
  }

  return {
    folders,
    types: served,
    skipped,
    host,
    ownsHost: (name) => ownHosts.has(name),
    learnHost(name, entry) {
      if (ownHosts.has(name)) return;
      learned.delete(name);
      learned.set(name, { entry, file: '' });
      if (learned.size > MAX_LEARNED_HOSTS) learned.delete(learned.keys().next().value as string);
    },
    providers,
    dispose,
  };
}
