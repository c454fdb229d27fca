/**
 * The run commands end to end, each `orch` in its own process: run (text and --json, exit codes,
 * refusals), runs, show, cancel and complete from another process, Ctrl-C then complete, resume.
 * Uses the built CLI once it lists the run commands, else the same commands from source.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RunEvent } from '../../runtime/engine/events';
import { cliPath, repoRoot, TempWorkspace } from './helpers';

const builtHasRun = existsSync(cliPath) && spawnSync(process.execPath, [cliPath, 'resume', '--help'], { encoding: 'utf8' }).status === 0;
const command: string[] = builtHasRun
  ? [cliPath]
  : ['--import', pathToFileURL(join(repoRoot, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href, join(repoRoot, 'test', 'runtime', 'support', 'orch-cli.ts')];

interface Result { code: number | null; stdout: string; stderr: string }

/** Attempt work folders (kept after a failed run, for resume) go inside the workspace, and with it. */
function tempEnv(ws: TempWorkspace): Record<string, string> {
  const dir = join(ws.root, 'tmp');
  mkdirSync(dir, { recursive: true });
  return { TMPDIR: dir };
}

function orch(ws: TempWorkspace, args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...command, ...args], { cwd: ws.root, env: { ...process.env, ...env, ...tempEnv(ws), NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `orch run --json` in the background, with a wait on its events. */
class BackgroundRun {
  readonly child: ChildProcess;
  readonly events: RunEvent[] = [];
  readonly result: Promise<Result>;
  private buffer = '';
  private waiters: { match: (e: RunEvent) => boolean; resolve: (e: RunEvent) => void }[] = [];

  constructor(ws: TempWorkspace, args: string[]) {
    this.child = spawn(process.execPath, [...command, ...args, '--json'], { cwd: ws.root, env: { ...process.env, ...tempEnv(ws), NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    this.child.stderr!.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) !== -1) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        const event = JSON.parse(line) as RunEvent;
        this.events.push(event);
        this.waiters = this.waiters.filter((w) => (w.match(event) ? (w.resolve(event), false) : true));
      }
    });
    this.result = new Promise((resolve) => this.child.on('close', (code) => resolve({ code, stdout, stderr })));
  }

  waitFor(match: (e: RunEvent) => boolean): Promise<RunEvent> {
    const found = this.events.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      this.waiters.push({ match, resolve });
      void this.result.then((r) => reject(new Error(`the run ended first (exit ${r.code}): ${r.stderr}`)));
    });
  }
}

const TYPES = [
  { type: 'nothing', provider: 'noop' },
  // Waits (exit 77) until released; hangs while the marker file is missing, until it is killed.
  { type: 'gate', provider: 'shell', config: { command: process.execPath, args: ['-e', 'process.exit(77)'] } },
  { type: 'hang', provider: 'shell', config: { command: process.execPath, args: ['-e', "if (!require('fs').existsSync('release')) setInterval(() => {}, 1000)"] } },
  { type: 'echo', provider: 'noop' },
];

describe('orch run, runs, show, cancel, complete, resume', function () {
  this.timeout(60_000);
  let ws: TempWorkspace;
  beforeEach(() => {
    ws = new TempWorkspace({ 'types.activity.json': TYPES });
  });
  afterEach(() => ws.dispose());

  it('runs a definition: progress lines, exit 0, then lists and shows it', async () => {
    ws.write('flow.orch.json', {
      type: 'demo',
      schema: { type: 'object', properties: { cell: { type: 'string' } } },
      input: { cell: 'c1' },
      output: { where: 'a.cell' },
      activities: [{ id: 'a', type: 'nothing', inputs: ['cell'] }, { id: 'b', type: 'nothing', dependsOn: 'a' }],
    });
    const run = await orch(ws, ['run', 'flow.orch.json', '--set', 'cell=eu-2']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /✓ a succeeded in/);
    assert.match(run.stdout, /run (\S+) succeeded in .* \(2 succeeded\)/);
    assert.match(run.stdout, /output: \{"where":"eu-2"\}/);
    const runId = /run (\S+) succeeded/.exec(run.stdout)![1];

    const runs = await orch(ws, ['runs']);
    assert.equal(runs.code, 0);
    assert.match(runs.stdout, /^RUN\s+DEFINITION\s+STATE\s+STARTED\s+DURATION/);
    assert.match(runs.stdout, new RegExp(`${runId}\\s+demo\\s+succeeded`));
    const show = await orch(ws, ['show', runId.slice(0, 17)]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /state: succeeded/);
    assert.match(show.stdout, /^a\s+succeeded\s+1\s+/m);
    const json = JSON.parse((await orch(ws, ['show', 'latest', '--json'])).stdout);
    assert.equal(json.activities.b.state, 'succeeded');
    assert.deepEqual(json.output, { where: 'eu-2' });
  });

  it('prints events as NDJSON with --json, and exits 1 when the run fails', async () => {
    ws.write('types.activity.json', [...TYPES, { type: 'boom', provider: 'shell', config: { command: process.execPath, args: ['-e', 'process.exit(3)'] } }]);
    ws.write('flow.orch.json', { type: 'f', activities: [{ id: 'x', type: 'boom' }, { id: 'y', type: 'nothing', dependsOn: 'x' }] });
    const run = await orch(ws, ['run', 'flow.orch.json', '--json']);
    assert.equal(run.code, 1);
    const events = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as RunEvent);
    assert.equal(events[0].type, 'run.started');
    const last = events[events.length - 1];
    assert.equal(last.type, 'run.finished');
    assert.equal((last as { state: string }).state, 'failed');
    assert.ok(events.some((e) => e.type === 'activity.skipped' && e.activityId === 'y'));
  });

  it('refuses an invalid definition and an input that does not match, before anything runs', async () => {
    ws.write('bad.orch.json', { type: 'bad', activities: [{ id: 'a', type: 'nothing', dependsOn: 'ghost' }] });
    const invalid = await orch(ws, ['run', 'bad.orch.json']);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /bad\.orch\.json:\d+:\d+ error ORCH202/);
    ws.write('typed.orch.json', { type: 't', schema: { type: 'object', properties: { n: { type: 'integer' } } }, activities: [] });
    const input = await orch(ws, ['run', 'typed.orch.json', '--set', 'n="x"']);
    assert.equal(input.code, 1);
    assert.match(input.stderr, /input\.n: /);
    const usage = await orch(ws, ['run', 'typed.orch.json', '--set', 'novalue']);
    assert.equal(usage.code, 2);
    assert.ok(!existsSync(join(ws.root, '.orch')), 'refused runs leave nothing behind');
  });

  it('cancel from another process reaches the live run; resume finishes it', async () => {
    ws.write('flow.orch.json', { type: 'c', activities: [{ id: 'stuck', type: 'hang' }, { id: 'after', type: 'nothing', dependsOn: 'stuck' }] });
    const background = new BackgroundRun(ws, ['run', 'flow.orch.json']);
    const started = await background.waitFor((e) => e.type === 'activity.started' && e.activityId === 'stuck');
    const cancel = await orch(ws, ['cancel', started.runId, '--grace-ms', '3000']);
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.match(cancel.stdout, /cancelling/);
    const ended = await background.result;
    assert.equal(ended.code, 130, ended.stderr);
    const show = await orch(ws, ['show', started.runId]);
    assert.match(show.stdout, /state: cancelled/);
    writeFileSync(join(ws.root, 'release'), '');
    const resumed = await orch(ws, ['resume', started.runId]);
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.match(resumed.stdout, /succeeded/);
    const again = await orch(ws, ['cancel', started.runId]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already finished \(succeeded\)/);
  });

  it('complete from another process reaches the live run; outputs reach the dependents', async () => {
    ws.write('flow.orch.json', {
      type: 'w',
      activities: [{ id: 'approve', type: 'gate' }, { id: 'ship', type: 'echo', dependsOn: 'approve', inputs: [{ source: 'approve.ok', target: 'ok' }] }],
    });
    const background = new BackgroundRun(ws, ['run', 'flow.orch.json']);
    const waiting = await background.waitFor((e) => e.type === 'activity.waiting');
    const wrong = await orch(ws, ['complete', waiting.runId, 'ship', '--output', '{}']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /ship is not waiting \(it is pending\)/);
    const complete = await orch(ws, ['complete', waiting.runId, 'approve', '--output', '{"ok": true}']);
    assert.equal(complete.code, 0, complete.stderr);
    assert.match(complete.stdout, /completed approve/);
    const ended = await background.result;
    assert.equal(ended.code, 0, ended.stderr);
    const ship = background.events.find((e) => e.type === 'activity.started' && e.activityId === 'ship');
    assert.deepEqual((ship as { inputs: unknown }).inputs, { ok: true });
  });

  it('Ctrl-C leaves a waiting activity waiting (exit 130); complete then continues the run itself', async () => {
    ws.write('flow.orch.json', { type: 'w', activities: [{ id: 'approve', type: 'gate' }, { id: 'ship', type: 'echo', dependsOn: 'approve', inputs: ['approve.ok'] }] });
    const background = new BackgroundRun(ws, ['run', 'flow.orch.json']);
    const waiting = await background.waitFor((e) => e.type === 'activity.waiting');
    background.child.kill('SIGINT');
    const ended = await background.result;
    assert.equal(ended.code, 130, ended.stderr);
    const runs = await orch(ws, ['runs']);
    assert.match(runs.stdout, new RegExp(`${waiting.runId}\\s+w\\s+cancelled`));
    const complete = await orch(ws, ['complete', waiting.runId, 'approve', '--output', '{"ok": 1}']);
    assert.equal(complete.code, 0, complete.stdout + complete.stderr);
    assert.match(complete.stdout, /completed approve; the run continues here/);
    assert.match(complete.stdout, /run \S+ succeeded/);
    const json = JSON.parse((await orch(ws, ['show', waiting.runId, '--json'])).stdout);
    assert.equal(json.state, 'succeeded');
    assert.equal(json.activities.approve.completedBy, 'external');
    assert.deepEqual(json.activities.ship.inputs, { ok: 1 });
  });
});
