/**
 * The `orch.*` settings: pulled through workspace/configuration at start-up and again on every
 * didChangeConfiguration (registered dynamically, so the client sends it for our section only). Clients
 * without the pull model push the settings in the notification, or in initializationOptions.settings.
 */
import { DidChangeConfigurationNotification } from 'vscode-languageserver';
import type { ServerContext } from '../context';
import { resolveSettings } from '../protocol';

export const SECTION = 'orch';

export function register(ctx: ServerContext): void {
  const { connection, log } = ctx;
  let pull = false;

  ctx.onInitialize((params) => {
    pull = !!params.capabilities.workspace?.configuration;
    const options = params.initializationOptions as { settings?: unknown } | undefined;
    if (options?.settings !== undefined) ctx.updateSettings(resolveSettings(options.settings));
  });

  async function refresh(pushed?: unknown): Promise<void> {
    if (!pull) {
      if (pushed !== undefined) ctx.updateSettings(resolveSettings(pushed));
      return;
    }
    try {
      const [raw] = await connection.workspace.getConfiguration([{ section: SECTION }]);
      ctx.updateSettings(resolveSettings(raw));
    } catch (e) {
      log.warn(`Cannot read the ${SECTION}.* settings (using the defaults): ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  connection.onDidChangeConfiguration((params) => {
    const settings = params.settings as Record<string, unknown> | null | undefined;
    refresh(settings && typeof settings === 'object' ? settings[SECTION] : undefined).catch((e) => log.error('settings', e));
  });

  ctx.onInitialized(async () => {
    if (ctx.clientCapabilities.workspace?.didChangeConfiguration?.dynamicRegistration) {
      await connection.client.register(DidChangeConfigurationNotification.type, { section: SECTION }).catch(() => undefined);
    }
    await refresh();
  });
}
