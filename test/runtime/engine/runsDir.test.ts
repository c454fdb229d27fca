import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNewRunFolder, createRunFolder, defaultRunsDir } from '../../../runtime/engine/runFolder';

describe('engine: the default runs folder', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'orch-runsdir-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is .orch/runs at the workspace root (the nearest folder with package.json or .git)', () => {
    writeFileSync(join(dir, 'package.json'), '{}');
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    assert.equal(defaultRunsDir(join(dir, 'a', 'b')), join(dir, '.orch', 'runs'));
  });

  it('stays in the folder itself when no ancestor is a workspace root, never at the filesystem root', () => {
    mkdirSync(join(dir, 'loose'));
    assert.equal(defaultRunsDir(join(dir, 'loose')), join(dir, 'loose', '.orch', 'runs'));
  });

  it('gives runs started in the same second distinct folders (ids that collide are drawn again)', () => {
    const now = Date.UTC(2026, 10, 22, 1, 2, 3);
    const ids = new Set<string>();
    // 2,000 draws from 65,536 ids per second: collisions are certain (about 30), each must be drawn again.
    for (let i = 0; i < 2000; i++) ids.add(createNewRunFolder(dir, now).runId);
    assert.equal(ids.size, 2000);
    assert.throws(() => createRunFolder(dir, [...ids][0]), /already exists/);
  });
});
