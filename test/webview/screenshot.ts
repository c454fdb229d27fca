/**
 * Visual check and timings of the graph webview outside VS Code: bundles media/graph/main.ts (the same
 * options as scripts/build.mjs), serves the harness page and, from a second origin, the bundle, its CSS
 * and elk's worker (as a webview's resources come from their own origin), opens scenarios in Debian's
 * Chromium through playwright-core, and writes screenshots and timings to test-artifacts/webview/.
 * It fails on any page error, CSP violation or warning the page posts to the host.
 *
 *   npx tsx test/webview/screenshot.ts [--only substring] [--out folder] [--serve]
 */
import { build } from 'esbuild';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Page } from 'playwright-core';
import { graphMessage, PIPELINE } from './samples';

const root = resolve(__dirname, '../..');
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const out = resolve(root, args.includes('--out') ? args[args.indexOf('--out') + 1] : 'test-artifacts/webview');

interface Shot {
  name: string;
  scenario: string;
  theme: 'vscode-dark' | 'vscode-light' | 'vscode-high-contrast';
  query?: string;
  size?: { width: number; height: number };
  /** Wait for ELK's layout (else the first drawing, whatever it is). */
  waitElk?: boolean;
  act?: (page: Page) => Promise<void>;
}

async function hover(page: Page, id: string): Promise<void> {
  await page.hover(`#graph .node[data-id="${id}"] .box`);
  await page.waitForSelector('#tooltip:not(.hidden)');
}

const SHOTS: Shot[] = [
  { name: 'pipeline-running-dark', scenario: 'pipeline-running', theme: 'vscode-dark', waitElk: true, act: (p) => hover(p, 'extract-orders') },
  { name: 'docs-graph-webview', scenario: 'pipeline-running', theme: 'vscode-dark', waitElk: true, size: { width: 960, height: 540 } },
  { name: 'pipeline-running-light', scenario: 'pipeline-running', theme: 'vscode-light', waitElk: true },
  { name: 'pipeline-running-hc', scenario: 'pipeline-running', theme: 'vscode-high-contrast', waitElk: true },
  { name: 'pipeline-failed-dark', scenario: 'pipeline-failed', theme: 'vscode-dark', waitElk: true, act: (p) => hover(p, 'transmit-archive') },
  { name: 'pipeline-failed-light', scenario: 'pipeline-failed', theme: 'vscode-light', waitElk: true },
  { name: 'broken-dark', scenario: 'broken', theme: 'vscode-dark', waitElk: true, act: (p) => hover(p, 'notify') },
  { name: 'broken-light', scenario: 'broken', theme: 'vscode-light', waitElk: true },
  { name: 'empty-light', scenario: 'empty', theme: 'vscode-light', size: { width: 700, height: 300 } },
  { name: 'large-100-dark', scenario: 'large', query: 'n=100&run=1', theme: 'vscode-dark', waitElk: true },
  { name: 'huge-1000-light', scenario: 'huge', query: 'n=1000&run=1', theme: 'vscode-light', waitElk: true },
];

interface Posted { type: string; level?: string; message?: string; fallback?: boolean; layoutMs?: number; totalMs?: number }

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html' };

function serve(routes: Map<string, () => string | Buffer>, headers: Record<string, string>): Promise<{ server: Server; origin: string }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const body = routes.get(path);
    if (!body) { res.writeHead(404).end(); return; }
    const ext = path.slice(path.lastIndexOf('.'));
    res.writeHead(200, { 'content-type': TYPES[ext] ?? 'application/octet-stream', 'cache-control': 'no-store', ...headers });
    res.end(body());
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

async function bundle(entry: string): Promise<string> {
  const result = await build({ entryPoints: [join(root, entry)], bundle: true, platform: 'browser', format: 'iife', target: 'es2022', write: false, logLevel: 'warning' });
  return result.outputFiles[0].text;
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  const [graphJs, feedJs] = await Promise.all([bundle('media/graph/main.ts'), bundle('test/webview/feed.ts')]);
  const resources = await serve(new Map<string, () => string | Buffer>([
    ['/dist/media/graph.js', () => graphJs],
    ['/dist/media/elk-worker.js', () => readFileSync(join(root, 'node_modules/elkjs/lib/elk-worker.min.js'))],
    ['/media/graph/graph.css', () => readFileSync(join(root, 'media/graph/graph.css'))],
    ['/test/webview/themes.css', () => readFileSync(join(root, 'test/webview/themes.css'))],
  ]), { 'access-control-allow-origin': '*' });
  const template = readFileSync(join(root, 'test/webview/harness.html'), 'utf8');
  let theme = 'vscode-dark';
  const page = await serve(new Map<string, () => string | Buffer>([
    ['/harness.html', () => template.replaceAll('{{RES}}', resources.origin).replaceAll('{{NONCE}}', randomBytes(16).toString('hex')).replaceAll('{{THEME}}', theme)],
    ['/feed.js', () => feedJs],
  ]), {});
  if (args.includes('--serve')) {
    // Keep serving for a manual look (or a profiler): prints the page's address, stops on Ctrl+C.
    console.log(`${page.origin}/harness.html?scenario=pipeline-running`);
    return;
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage', '--font-render-hinting=none'],
  });
  const failures: string[] = [];
  const timings: Record<string, unknown> = {};
  try {
    for (const shot of SHOTS.filter((s) => !only || s.name.includes(only))) {
      theme = shot.theme;
      const context = await browser.newContext({ viewport: shot.size ?? { width: 1100, height: 680 }, deviceScaleFactor: 1 });
      const tab = await context.newPage();
      const problems: string[] = [];
      tab.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      tab.on('console', (m) => { if (m.type() === 'error' || /Content Security Policy|Refused to/.test(m.text())) problems.push(`console ${m.type()}: ${m.text()}`); });
      const started = Date.now();
      await tab.goto(`${page.origin}/harness.html?scenario=${shot.scenario}${shot.query ? `&${shot.query}` : ''}`);
      // Frame gaps on the main thread while the layout runs: the page must stay responsive.
      // (A string: tsx would wrap named functions in a helper the page does not have.)
      await tab.evaluate(`(() => {
        window.__maxGap = 0;
        let last = performance.now();
        const loop = (t) => {
          window.__maxGap = Math.max(window.__maxGap, t - last);
          last = t;
          if (document.querySelector('#graph')?.getAttribute('data-layout') !== 'elk') requestAnimationFrame(loop);
        };
        requestAnimationFrame(loop);
      })()`);
      await tab.waitForSelector('#graph[data-renders]', { timeout: 30_000 });
      const first = await tab.evaluate<Record<string, string>>(`({ ...document.querySelector('#graph').dataset })`);
      if (shot.waitElk) await tab.waitForSelector('#graph[data-layout="elk"]', { timeout: 120_000 });
      const elkAt = Date.now() - started;
      // Relayout glides and fades end before the picture (the marching borders of running boxes never do).
      await tab.evaluate(`Promise.all(document.getAnimations().filter((a) => a.effect?.getTiming().iterations !== Infinity).map((a) => a.finished))`);
      await tab.evaluate(`new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)))`);
      if (shot.act) await shot.act(tab);
      await tab.screenshot({ path: join(out, `${shot.name}.png`) });
      const posted = await tab.evaluate<Posted[]>('window.__posted');
      const rendered = posted.filter((m) => m.type === 'rendered');
      for (const m of posted) if (m.type === 'log' && m.level !== 'info') problems.push(`posted ${m.level}: ${m.message}`);
      if (!posted.some((m) => m.type === 'ready')) problems.push('the page never posted ready');
      if (!rendered.length) problems.push('the page never posted rendered');
      const gap = await tab.evaluate<number>('window.__maxGap');
      timings[shot.name] = { first, rendered, elkMsFromNavigation: shot.waitElk ? elkAt : undefined, maxFrameGapMs: Math.round(gap) };
      for (const p of problems) failures.push(`${shot.name}: ${p}`);
      const summary = rendered.map((r) => `${r.fallback ? 'fallback' : r.layoutMs ? 'elk' : 'reuse'} ${Math.round(r.totalMs ?? 0)} ms`).join(', ');
      console.log(`${shot.name}: ${problems.length ? 'PROBLEMS' : 'ok'} (${first.nodes} nodes; on screen: ${summary}; ELK drawn ${elkAt} ms after navigation; max frame gap ${Math.round(gap)} ms)`);
      await context.close();
    }
    await checkExports(browser, page.origin, failures, (t) => { theme = t; });
    await checkInteractions(browser, page.origin, failures, (t) => { theme = t; });
  } finally {
    await browser.close();
    page.server.close();
    resources.server.close();
  }
  writeFileSync(join(out, 'timings.json'), JSON.stringify(timings, null, 2));
  if (failures.length) {
    console.error(failures.join('\n'));
    process.exitCode = 1;
  }
}

/** Exports: the SVG is well-formed XML with the drawing, the PNG a real PNG; both go to the host. */
async function checkExports(browser: Awaited<ReturnType<typeof chromium.launch>>, origin: string, failures: string[], setTheme: (t: string) => void): Promise<void> {
  if (only && !'exports'.includes(only)) return;
  setTheme('vscode-dark');
  const context = await browser.newContext({ viewport: { width: 1000, height: 640 } });
  const tab = await context.newPage();
  await tab.goto(`${origin}/harness.html?scenario=pipeline-failed`);
  await tab.waitForSelector('#graph[data-layout="elk"]', { timeout: 60_000 });
  await tab.click('#btn-export-svg');
  await tab.click('#btn-export-png');
  await until(tab, `window.__posted.filter((m) => m.type === 'export').length >= 2`, 30_000);
  const exports = await tab.evaluate<{ type: string; format: string; data: string }[]>(`window.__posted.filter((m) => m.type === 'export')`);
  const svg = exports.find((e) => e.format === 'svg');
  const png = exports.find((e) => e.format === 'png');
  if (!svg) failures.push('exports: no SVG export');
  else {
    writeFileSync(join(out, 'export.svg'), svg.data);
    const parsed = await tab.evaluate<{ error: string | null; nodes: number; edges: number; scripts: number }>(`(() => {
      const doc = new DOMParser().parseFromString(${JSON.stringify(svg.data)}, 'image/svg+xml');
      return { error: doc.querySelector('parsererror')?.textContent ?? null, nodes: doc.querySelectorAll('g.node').length, edges: doc.querySelectorAll('path.edge').length, scripts: doc.querySelectorAll('script, foreignObject').length };
    })()`);
    if (parsed.error) failures.push(`exports: the SVG does not parse: ${parsed.error}`);
    if (parsed.nodes !== 6 || parsed.edges !== 6) failures.push(`exports: the SVG has ${parsed.nodes} nodes and ${parsed.edges} edges, expected 6 and 6`);
    if (parsed.scripts) failures.push('exports: the SVG contains active content');
  }
  if (!png) failures.push('exports: no PNG export');
  else {
    const bytes = Buffer.from(png.data, 'base64');
    writeFileSync(join(out, 'export.png'), bytes);
    if (bytes.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') failures.push('exports: the PNG export is not a PNG');
  }
  console.log(`exports: svg ${svg?.data.length ?? 0} chars, png ${png ? Buffer.from(png.data, 'base64').length : 0} bytes`);
  await context.close();
}

/**
 * Polls a page expression once per animation frame until it holds. (page.waitForFunction would
 * evaluate a string with eval, which the page's CSP rightly forbids.)
 */
async function until(tab: Page, expression: string, timeout = 5000): Promise<boolean> {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    if (await tab.evaluate<boolean>(`Boolean(${expression})`)) return true;
    await tab.evaluate(`new Promise((ok) => requestAnimationFrame(() => ok(true)))`);
  }
  return false;
}

/** Clicks, keys, host messages and cheap updates, checked in the real page. */
async function checkInteractions(browser: Awaited<ReturnType<typeof chromium.launch>>, origin: string, failures: string[], setTheme: (t: string) => void): Promise<void> {
  if (only && !'interactions'.includes(only)) return;
  setTheme('vscode-light');
  const context = await browser.newContext({ viewport: { width: 1000, height: 640 } });
  const tab = await context.newPage();
  const expect = (ok: boolean, what: string) => { if (!ok) failures.push(`interactions: ${what}`); };
  const posted = () => tab.evaluate<Posted[]>('window.__posted');
  const transform = () => tab.evaluate<string>(`document.querySelector('#viewport').getAttribute('transform') ?? ''`);
  const scale = async () => Number(/scale\(([\d.e-]+)\)/.exec(await transform())?.[1]);
  await tab.goto(`${origin}/harness.html?scenario=pipeline-running`);
  await tab.waitForSelector('#graph[data-layout="elk"]', { timeout: 60_000 });
  await tab.evaluate(`Promise.all(document.getAnimations().filter((a) => a.effect?.getTiming().iterations !== Infinity).map((a) => a.finished))`);

  // The host's highlight (sent by the scenario) rings its box.
  expect(await tab.locator('.node.highlighted').getAttribute('data-id') === 'transform', 'the highlighted activity has the ring');
  // A click reveals the activity in the editor.
  await tab.click('.node[data-id="cleanup"] .box');
  expect((await posted()).some((m) => m.type === 'reveal' && (m as { activityId?: string }).activityId === 'cleanup'), 'a click posts reveal');
  await tab.evaluate(`window.__send({ type: 'highlight', activityId: 'transmit-archive' })`);
  await tab.waitForSelector('.node.highlighted[data-id="transmit-archive"]');
  expect(await tab.locator('.node.highlighted').count() === 1, 'one highlighted box at a time');
  expect(await tab.locator('.edge.related').count() === 2, 'the highlighted box\'s edges are marked');

  // Zoom, fit, pan; a drag is not a click.
  const k0 = await scale();
  const scaleIs = (test: string) => until(tab, `((k) => ${test})(Number(/scale\\(([\\d.e-]+)\\)/.exec(document.querySelector('#viewport').getAttribute('transform'))?.[1]))`);
  await tab.click('#btn-zoom-in');
  expect(await scaleIs(`k >= ${k0 * 1.25 - 1e-6}`), `zoom in (${k0} -> ${await scale()})`);
  await tab.keyboard.press('0');
  expect(await scaleIs(`Math.abs(k - ${k0}) < 1e-6`), 'the 0 key fits again');
  const before = await transform();
  const reveals = (await posted()).filter((m) => m.type === 'reveal').length;
  await tab.mouse.move(150, 500);
  await tab.mouse.down();
  await tab.mouse.move(250, 450, { steps: 5 });
  await tab.mouse.up();
  expect(await until(tab, `document.querySelector('#viewport').getAttribute('transform') !== ${JSON.stringify(before)}`), 'dragging pans');
  await tab.mouse.move(300, 200);
  await tab.mouse.down();
  await tab.mouse.move(340, 260, { steps: 4 });
  await tab.mouse.up();
  expect((await posted()).filter((m) => m.type === 'reveal').length === reveals, 'a drag that ends on a box does not reveal it');

  // A run update touches only the box that changed.
  await tab.evaluate(`(() => {
    window.__mutated = new Set();
    new MutationObserver((records) => { for (const r of records) { const g = (r.target.nodeType === 1 ? r.target : r.target.parentElement)?.closest?.('.node'); window.__mutated.add(g ? g.getAttribute('data-id') : r.target.nodeName); } })
      .observe(document.querySelector('#graph .nodes'), { subtree: true, attributes: true, characterData: true, childList: true });
  })()`);
  await tab.evaluate(`window.__send({ type: 'runUpdate', runId: '20240601-0001', nodes: { 'transmit-warehouse': { state: 'running', attempt: 1, startedAt: Date.now() - 1500 } } })`);
  await tab.waitForSelector('.node[data-id="transmit-warehouse"][data-state="running"]');
  await tab.evaluate(`new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)))`);
  const touched = await tab.evaluate<string[]>('[...window.__mutated]');
  expect(touched.every((id) => id === 'transmit-warehouse' || id === 'transform'), `a run update touched only the running boxes (touched: ${touched.join(', ')})`);
  const d1 = await tab.locator('.node[data-id="transmit-warehouse"] text.duration').textContent();
  const counted = await until(tab, `document.querySelector('.node[data-id="transmit-warehouse"] text.duration').textContent !== ${JSON.stringify(d1)}`, 3000);
  expect(counted, `the duration of a running box counts (from ${d1})`);
  // Messages are handled in order: once the highlight after it shows, the ignored update was handled.
  await tab.evaluate(`window.__send({ type: 'runUpdate', runId: 'another-run', nodes: { cleanup: { state: 'failed', attempt: 1 } } })`);
  await tab.evaluate(`window.__send({ type: 'highlight', activityId: 'cleanup' })`);
  await tab.waitForSelector('.node.highlighted[data-id="cleanup"]');
  expect(await tab.locator('.node[data-id="cleanup"]').getAttribute('data-state') === 'pending', 'an update of another run is ignored');

  // The same structure with other text: no layout, the same elements.
  await tab.evaluate(`document.querySelector('.node[data-id="cleanup"]').__kept = true`);
  const renders = Number(await tab.locator('#graph').getAttribute('data-renders'));
  await tab.evaluate(`(() => {
    const m = ${JSON.stringify(editedPipeline())};
    window.__send(m);
  })()`);
  await until(tab, `Number(document.querySelector('#graph').dataset.renders) > ${renders}`);
  expect(await tab.locator('#graph').getAttribute('data-layout') === 'reuse', 'an edit inside an activity reuses the layout');
  expect(await tab.evaluate<boolean>(`document.querySelector('.node[data-id="cleanup"]').__kept === true`), 'an unchanged box keeps its element');

  // Toggles, and a message the page does not understand.
  await tab.click('#btn-tiers');
  expect(await tab.locator('#btn-tiers').getAttribute('aria-pressed') === 'false' && await tab.locator('.band').count() === 0, 'the tiers toggle hides the bands (the scenario turned them on)');
  await tab.click('#btn-critical');
  expect(await tab.locator('#graph.critical-mode').count() === 1, 'the critical-path toggle');
  await tab.evaluate(`window.__send({ type: 'graph', uri: 1 })`);
  const reported = await until(tab, `window.__posted.some((m) => m.type === 'log' && m.level === 'warn' && /does not understand/.test(m.message))`, 3000);
  expect(reported, 'an invalid message is reported, not used');
  expect(await tab.locator('#graph .node').count() === 6, 'and the graph stays');
  await tab.click('#btn-cancel');
  expect((await posted()).some((m) => m.type === 'action' && (m as { action?: string }).action === 'cancel'), 'Cancel posts the action with the run');
  console.log(`interactions: ${failures.some((f) => f.startsWith('interactions')) ? 'PROBLEMS' : 'ok'}`);
  await context.close();
}

/** The pipeline with different inputs and types: the same structure. */
function editedPipeline(): unknown {
  return graphMessage({ ...PIPELINE, activities: PIPELINE.activities.map((a) => ({ ...a, inputs: ['changed ← input'], type: a.type })) });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
