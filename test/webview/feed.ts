/**
 * The extension's side of the graph webview, inside the harness page: acquireVsCodeApi records what the
 * page posts (window.__posted), and on `ready` the scenario named in the URL (?scenario=) is played as
 * host messages. The runner (screenshot.ts) drives everything else through the page.
 */
import type { HostMessage, NodeRunInfo } from '../../client/graph/protocol';
import { BROKEN, graphMessage, largeDefinition, PIPELINE, runMessage } from './samples';

// The page's globals, typed here: the project's type-check of test/ has no DOM library.
interface PageGlobals {
  acquireVsCodeApi?: () => unknown;
  __posted: unknown[];
  __send: (message: unknown) => void;
  __scenarioDone?: boolean;
  location: { search: string };
  postMessage(message: unknown, targetOrigin: string): void;
}
const w = globalThis as unknown as PageGlobals;
const params = new URLSearchParams(w.location.search);
const scenario = params.get('scenario') ?? 'pipeline-running';

w.__posted = [];
w.__send = (message) => w.postMessage(message, '*');
let saved: unknown;
let acquired = false;
w.acquireVsCodeApi = () => {
  if (acquired) throw new Error('acquireVsCodeApi can be called only once');
  acquired = true;
  return {
    postMessage: (message: { type?: string }) => {
      w.__posted.push(message);
      if (message?.type === 'ready') play();
    },
    getState: () => saved,
    setState: (state: unknown) => { saved = state; },
  };
};

const send = (message: HostMessage) => w.postMessage(message, '*');
const now = Date.now();

function done(info: NodeRunInfo['state'], startedAgo: number, tookMs: number, attempt = 1, outputs?: Record<string, unknown>): NodeRunInfo {
  const node: NodeRunInfo = { state: info, attempt, startedAt: now - startedAgo, endedAt: now - startedAgo + tookMs };
  if (outputs) node.outputs = outputs;
  return node;
}

function play(): void {
  switch (scenario) {
    case 'pipeline-running':
      send(graphMessage(PIPELINE));
      send(runMessage('20240601-0001', 'running', now - 9000, {
        'extract-orders': done('succeeded', 9000, 2140, 1, { file: '/data/2024-06-01/orders.csv', rows: 1204 }),
        'extract-customers': done('succeeded', 9000, 3350, 1, { file: '/data/2024-06-01/customers.csv', rows: 311 }),
        transform: { state: 'running', attempt: 1, startedAt: now - 5650 },
        'transmit-warehouse': { state: 'pending', attempt: 0 },
        'transmit-archive': { state: 'pending', attempt: 0 },
        cleanup: { state: 'pending', attempt: 0 },
      }));
      send({ type: 'command', command: 'toggleTiers' });
      send({ type: 'highlight', activityId: 'transform' });
      break;
    case 'pipeline-failed':
      send(graphMessage(PIPELINE));
      send(runMessage('20240601-0002', 'failed', now - 60_000, {
        'extract-orders': done('succeeded', 60_000, 2140, 1, { file: '/data/2024-06-01/orders.csv', rows: 1204 }),
        'extract-customers': done('succeeded', 60_000, 3350, 1, { file: '/data/2024-06-01/customers.csv', rows: 311 }),
        transform: done('succeeded', 56_600, 14_200, 1, { file: '/data/2024-06-01/report.parquet', rows: 1204, total: 98_311.5 }),
        'transmit-warehouse': done('succeeded', 42_300, 7_900, 2, { receipt: 'WH-7731' }),
        'transmit-archive': { ...done('failed', 42_300, 21_000, 3), error: 'archive.example.com answered 503 Service Unavailable (attempt 3 of 3)' },
        cleanup: done('succeeded', 21_200, 800, 1),
      }, { endedAt: now - 20_400, criticalPath: ['extract-customers', 'transform', 'transmit-archive', 'cleanup'] }));
      send({ type: 'command', command: 'toggleCriticalPath' });
      break;
    case 'broken':
      send(graphMessage(BROKEN));
      break;
    case 'empty':
      send(graphMessage({ type: 'empty.example.com', fileName: 'empty.orch.json', activities: [] }));
      break;
    case 'large':
    case 'huge': {
      const n = Number(params.get('n')) || (scenario === 'large' ? 100 : 1000);
      const def = largeDefinition(n);
      send(graphMessage(def));
      if (params.get('run') === '1') {
        const nodes: Record<string, NodeRunInfo> = {};
        def.activities.forEach((a, i) => {
          nodes[a.id] = i < n * 0.4 ? done(i % 17 === 5 ? 'failed' : 'succeeded', 30_000 - i * 50, 400 + (i * 37) % 900)
            : i < n * 0.5 ? { state: 'running', attempt: 1 + (i % 3 === 0 ? 1 : 0), startedAt: now - (i * 91) % 8000 }
            : { state: 'pending', attempt: 0 };
        });
        send(runMessage('bulk-1', 'running', now - 30_000, nodes));
      }
      break;
    }
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
  w.__scenarioDone = true;
}
