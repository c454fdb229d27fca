import * as assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunsFolderFollower } from '../../../client/runs/runsFolderFollower';

/** Resolves on the first call whose run folder is `dir`. */
function nextJournal(calls: { waiters: ((dir: string) => void)[] }, dir: string): Promise<void> {
  return new Promise((resolve) => calls.waiters.push((d) => { if (d === dir) resolve(); }));
}

suite('RunsFolderFollower', () => {
  test('sees a runs folder appear, then a new run and its journal growing, without polling', async () => {
    const root = mkdtempSync(join(tmpdir(), 'orch-follow-'));
    const runsDir = join(root, '.orch', 'runs');
    const calls = { waiters: [] as ((dir: string) => void)[], seen: [] as string[] };
    const follower = new RunsFolderFollower(runsDir, root, {
      journal: (dir) => { calls.seen.push(dir); for (const w of calls.waiters) w(dir); },
      mayGrow: () => true,
    });
    try {
      const run = join(runsDir, 'r1');
      const appeared = nextJournal(calls, run);
      mkdirSync(run, { recursive: true });
      writeFileSync(join(run, 'journal.jsonl'), '{"type":"run.started"}\n');
      await appeared;
      const grew = nextJournal(calls, run);
      appendFileSync(join(run, 'journal.jsonl'), '{"type":"run.finished"}\n');
      await grew;
      follower.release(run);
      const count = calls.seen.length;
      const other = join(runsDir, 'r2');
      const second = nextJournal(calls, other);
      mkdirSync(other);
      await second;
      appendFileSync(join(run, 'journal.jsonl'), '\n');
      // r1 was released: a new run's event arrives, r1's append is not reported.
      const third = nextJournal(calls, other);
      writeFileSync(join(other, 'journal.jsonl'), '{}\n');
      await third;
      assert.ok(calls.seen.slice(count).every((d) => d === other), 'no event for the released run');
    } finally {
      follower.dispose();
    }
  });

});
