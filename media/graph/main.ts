/**
 * Entry of the graph webview (bundled to dist/media/graph.js). The host's page provides #graph-root and,
 * on <body>, the protocol version and the layout worker's URL; this script answers with `ready`, and the
 * host then sends the graph and the run.
 */
import { GRAPH_PROTOCOL_VERSION } from '../../client/graph/protocol';
import { GraphApp } from './app';
import { connectHost } from './host';

function start(): void {
  const host = connectHost();
  let root = document.getElementById('graph-root');
  if (!root) {
    root = document.createElement('div');
    root.id = 'graph-root';
    document.body.appendChild(root);
  }
  const pageProtocol = Number(document.body.dataset.protocol);
  if (Number.isFinite(pageProtocol) && pageProtocol !== GRAPH_PROTOCOL_VERSION) {
    host.post({ type: 'log', level: 'warn', message: `the page was built for graph protocol ${pageProtocol}, this script speaks ${GRAPH_PROTOCOL_VERSION}` });
  }
  const app = new GraphApp(root, host, document.body.dataset.elkWorker || undefined);
  window.addEventListener('message', (event: MessageEvent) => app.handle(event.data));
  host.post({ type: 'ready', protocol: GRAPH_PROTOCOL_VERSION });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
