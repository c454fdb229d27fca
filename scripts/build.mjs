// One build for every entry point. Node bundles are CommonJS (VS Code and the `orch` bin load them with
// require); the webview bundle is an IIFE for the browser. `--minify` is used by `npm run package`.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync } from 'node:fs';

const minify = process.argv.includes('--minify');
const node = {
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: !minify, minify,
  // vscode is provided by the host. ssh2 tries optional native addons inside try/catch and falls back
  // to pure JavaScript, so those addons are left out and the bundles need no node_modules at all.
  external: ['vscode', 'cpu-features'],
  loader: { '.node': 'empty' },
  // jsonc-parser's UMD entry requires its modules dynamically, which a bundle cannot follow; its ESM
  // build bundles cleanly.
  mainFields: ['module', 'main'],
  logLevel: 'warning',
};
const entries = [
  { in: 'client/extension.ts', out: 'dist/extension.js', ...node },
  { in: 'server/main.ts', out: 'dist/server.js', ...node },
  { in: 'runtime/cli/main.ts', out: 'dist/cli.js', ...node },
  { in: 'runtime/node-provider/worker.ts', out: 'dist/node-worker.js', ...node },
  // The benchmarks' BullMQ peer loads bullmq (a devDependency) from node_modules at run time: it requires
  // optional Redis clients by name and reads its package.json and msgpackr's native addon relative to
  // its own files, none of which survives bundling. Never shipped (.vscodeignore lists what is).
  { in: 'bench/main.ts', out: 'dist/bench.js', ...node, external: [...node.external, 'bullmq', 'ioredis'] },
  { in: 'bench/bullmqWorker.ts', out: 'dist/bench-bullmq-worker.js', ...node, external: [...node.external, 'bullmq', 'ioredis'] },
  { in: 'media/graph/main.ts', out: 'dist/media/graph.js', bundle: true, platform: 'browser', format: 'iife', target: 'es2022', sourcemap: !minify, minify, logLevel: 'warning' },
];
const missing = entries.filter((e) => !existsSync(e.in));
for (const e of missing) console.warn(`build: ${e.in} does not exist yet; skipped`);
// Every entry is built even when another fails, so one broken bundle does not hide the state of the rest.
const results = await Promise.allSettled(entries.filter((e) => existsSync(e.in)).map(({ in: input, out, ...options }) =>
  build({ entryPoints: [input], outfile: out, ...options })));
const failed = results.filter((r) => r.status === 'rejected');
if (failed.length) process.exitCode = 1;
mkdirSync('dist/media', { recursive: true });
// The graph's layout runs in a Web Worker; elkjs ships the worker script ready-made.
cpSync('node_modules/elkjs/lib/elk-worker.min.js', 'dist/media/elk-worker.js');
