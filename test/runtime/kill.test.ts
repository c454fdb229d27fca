/**
 * Durability under SIGKILL: a 200-activity orchestration runs in a child process that is killed at
 * random moments (chosen by journal growth, never by time) 20 times and resumed each time. Nothing
 * reported may be lost: every activity's side effect happens, an activity the journal had as
 * succeeded never runs again, every extra run of a side effect is accounted for by an attempt the
 * journal marks interrupted, and the journal replays to the state the last process ended with.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readJournal } from '../../runtime/engine/journal';
import { replay } from '../../runtime/engine/replay';

const CHILD = join(__dirname, 'support', 'run-child.ts');
/** tsx's loader by path, so the child starts wherever mocha was started from. */
const TSX = pathToFileURL(join(__dirname, '..', '..', 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const KILLS = 20;
const ACTIVITIES = 200;

/** A seeded generator, so a failure can be replayed with the same DAG (the seed is in the test title). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function layeredDag(count: number, random: () => number): object {
  const activities: { id: string; type: string; dependsOn?: string[] }[] = [];
  const width = 10;
  for (let i = 0; i < count; i++) {
    const layer = Math.floor(i / width);
    const activity: { id: string; type: string; dependsOn?: string[] } = { id: `a${i}`, type: 'append' };
    if (layer > 0) {
      const deps = new Set<string>();
      const n = 1 + Math.floor(random() * 3);
      for (let k = 0; k < n; k++) deps.add(`a${Math.floor(random() * layer * width)}`);
      activity.dependsOn = [...deps];
    }
    activities.push(activity);
  }
  return { type: 'kill.test', concurrency: 8, activities };
}

interface Child {
  process: ChildProcess;
  ready: Promise<string>;
  exited: Promise<number | null>;
  stderr(): string;
}

function startChild(args: string[]): Child {
  const child = spawn(process.execPath, ['--import', TSX, CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /ready (.+)\n/.exec(out);
      if (match) resolve(match[1]);
    });
    child.on('exit', () => reject(new Error(`child exited before it was ready: ${err}`)));
  });
  ready.catch(() => undefined);
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { err += chunk; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { process: child, ready, exited, stderr: () => err };
}

function journalLines(path: string): number {
  if (!existsSync(path)) return 0;
  const text = readFileSync(path, 'utf8');
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** Resolves once the journal has grown by `growth` lines, or the child ended first (false). */
function journalGrowth(path: string, growth: number, child: Child): Promise<boolean> {
  const target = journalLines(path) + growth;
  return new Promise((resolve) => {
    let done = false;
    const finish = (grown: boolean) => {
      if (done) return;
      done = true;
      watcher.close();
      resolve(grown);
    };
    const watcher = watch(path, () => { if (journalLines(path) >= target) finish(true); });
    void child.exited.then(() => finish(false));
    if (journalLines(path) >= target) finish(true);
  });
}

function counts(file: string): Map<string, number> {
  const map = new Map<string, number>();
  if (!existsSync(file)) return map;
  for (const line of readFileSync(file, 'utf8').split('\n')) if (line) map.set(line, (map.get(line) ?? 0) + 1);
  return map;
}

const seed = Number(process.env.ORCH_KILL_SEED ?? Math.floor(Math.random() * 1e9));

describe(`kill test (seed ${seed}; ORCH_KILL_SEED=${seed} replays it)`, function () {
  this.timeout(180_000);
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'orch-kill-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(`loses nothing over ${KILLS} SIGKILLs of a ${ACTIVITIES}-activity run`, async () => {
    const random = rng(seed);
    writeFileSync(join(dir, 'package.json'), '{"private":true}');
    writeFileSync(join(dir, 'types.activity.json'), JSON.stringify({ type: 'append', provider: 'append' }));
    const definition = join(dir, 'kill.orch.json');
    writeFileSync(definition, JSON.stringify(layeredDag(ACTIVITIES, random), null, 2));
    const runsDir = join(dir, 'runs');
    const sideEffects = join(dir, 'side-effects.txt');
    const resultFile = join(dir, 'result.json');
    const runId = 'kill-run';
    const runDir = join(runsDir, runId);
    const journal = join(runDir, 'journal.jsonl');

    /** Per kill: the activities the journal had as succeeded, and their side-effect counts then. */
    const checkpoints: { succeeded: string[]; counts: Map<string, number> }[] = [];
    let child = startChild(['run', definition, runsDir, runId, sideEffects, resultFile]);
    let kills = 0;
    while (kills < KILLS) {
      await child.ready;
      const grown = await journalGrowth(journal, 3 + Math.floor(random() * 30), child);
      if (!grown) break; // The run finished before this kill: nothing left to interrupt.
      child.process.kill('SIGKILL');
      await child.exited;
      kills++;
      const snapshot = replay(readJournal(journal).entries);
      checkpoints.push({
        succeeded: Object.values(snapshot.activities).filter((a) => a.state === 'succeeded').map((a) => a.id),
        counts: counts(sideEffects),
      });
      child = startChild(['resume', runDir, sideEffects, resultFile]);
    }
    assert.equal(await child.exited, 0, child.stderr());
    assert.ok(kills >= 15, `only ${kills} kills landed before the run finished`);

    const entries = readJournal(journal).entries;
    const final = replay(entries);
    assert.equal(final.state, 'succeeded');
    assert.equal(final.resumes, kills);
    const finalCounts = counts(sideEffects);
    const interrupted = new Map<string, number>();
    for (const e of entries) if (e.type === 'activity.interrupted') interrupted.set(e.activityId, (interrupted.get(e.activityId) ?? 0) + 1);
    for (const activity of Object.values(final.activities)) {
      assert.equal(activity.state, 'succeeded', activity.id);
      const n = finalCounts.get(activity.id) ?? 0;
      assert.ok(n >= 1, `${activity.id}: its side effect never happened`);
      assert.ok(n <= 1 + (interrupted.get(activity.id) ?? 0), `${activity.id}: ran ${n} times with ${interrupted.get(activity.id) ?? 0} interrupted attempts`);
    }
    for (const [k, checkpoint] of checkpoints.entries()) {
      for (const id of checkpoint.succeeded) {
        assert.equal(finalCounts.get(id), checkpoint.counts.get(id), `${id} succeeded before kill ${k + 1} but ran again afterwards`);
      }
    }
    // Compared as JSON: replay keeps activities in a prototype-less map (ids are data), the file is plain JSON.
    assert.deepEqual(JSON.parse(JSON.stringify(final)), JSON.parse(readFileSync(resultFile, 'utf8')), 'the journal replays to the state the last process ended with');
  });
});
