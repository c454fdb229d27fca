/**
 * The language server's entry point (bundled to dist/server.js). The transport comes from the command
 * line: `--stdio` (tests, other editors) or `--node-ipc` (vscode-languageclient forks it so).
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { features } from './features/index';
import { startServer } from './server';

const connection = createConnection(ProposedFeatures.all);
// A crash in one request must not kill the server: log it, keep serving.
process.on('uncaughtException', (e) => connection.console.error(`[orch] uncaught: ${e.stack ?? e.message}`));
process.on('unhandledRejection', (e) => connection.console.error(`[orch] unhandled rejection: ${e instanceof Error ? e.stack : String(e)}`));
startServer(connection, features);
