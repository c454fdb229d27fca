/**
 * The graph webview's page: nothing but the bundle from dist/media (built from media/graph/), its
 * stylesheet when there is one, and a strict Content-Security-Policy: no network, scripts only with this
 * page's nonce, the layout worker only from a blob the page makes from the packaged worker script.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import { GRAPH_PROTOCOL_VERSION } from './protocol';

export function newNonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

export interface GraphPageAssets {
  script?: vscode.Uri;
  worker?: vscode.Uri;
  styles: vscode.Uri[];
}

/** The files the page uses, if built. Paths relative to the extension root. */
export function graphAssets(extensionPath: string, webview: vscode.Webview, base: vscode.Uri): GraphPageAssets {
  const uri = (relative: string) => webview.asWebviewUri(joinUri(base, relative));
  const has = (relative: string) => existsSync(join(extensionPath, relative));
  return {
    script: has('dist/media/graph.js') ? uri('dist/media/graph.js') : undefined,
    worker: has('dist/media/elk-worker.js') ? uri('dist/media/elk-worker.js') : undefined,
    styles: ['dist/media/graph.css', 'media/graph/graph.css', 'media/graph.css'].filter(has).map(uri),
  };
}

function joinUri(base: vscode.Uri, relative: string): vscode.Uri {
  return base.with({ path: `${base.path.replace(/\/$/, '')}/${relative}` });
}

function attr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function graphHtml(webview: vscode.Webview, assets: GraphPageAssets, nonce: string, title: string): string {
  const csp = [
    `default-src 'none'`,
    `img-src ${webview.cspSource} data: blob:`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
    // The elk worker script is fetched from the extension's own files and started from a blob URL
    // (a Worker cannot be created cross-origin from a webview resource URL directly).
    `connect-src ${webview.cspSource}`,
    `worker-src blob:`,
  ].join('; ');
  const body = assets.script
    ? `<div id="graph-root" role="application" aria-label="${attr(title)}"></div>
<script nonce="${nonce}" src="${assets.script}"></script>`
    : `<p class="missing">The graph view is not built (dist/media/graph.js is missing). Run <code>npm run build</code>.</p>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${attr(title)}</title>
${assets.styles.map((s) => `<link rel="stylesheet" href="${s}">`).join('\n')}
<style nonce="${nonce}">html, body { height: 100%; margin: 0; padding: 0; overflow: hidden; } #graph-root { width: 100%; height: 100%; } .missing { padding: 1em; color: var(--vscode-descriptionForeground); }</style>
</head>
<body data-protocol="${GRAPH_PROTOCOL_VERSION}" data-elk-worker="${assets.worker ? attr(assets.worker.toString()) : ''}">
${body}
</body>
</html>`;
}
