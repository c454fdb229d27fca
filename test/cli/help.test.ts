import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, TempWorkspace } from './helpers';

describe('orch help and version', () => {
  let ws: TempWorkspace;
  before(() => { ws = new TempWorkspace(); });
  after(() => ws.dispose());

  it('orch --help lists every command', async () => {
    const r = await ws.run(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: orch <command>/);
    for (const name of ['validate', 'plan', 'graph']) assert.match(r.stdout, new RegExp(`^  ${name} +\\S`, 'm'));
  });

  it('every command has --help and -h', async () => {
    for (const name of ['validate', 'plan', 'graph']) {
      const long = await ws.run([name, '--help']);
      assert.equal(long.code, 0);
      assert.match(long.stdout, new RegExp(`^Usage: orch ${name}`));
      assert.match(long.stdout, /-h, --help/);
      const short = await ws.run([name, '-h']);
      assert.equal(short.stdout, long.stdout);
      const topic = await ws.run(['help', name]);
      assert.equal(topic.stdout, long.stdout);
    }
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const r = await ws.run(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${version}\n`);
  });

  it('an unknown command exits 2 with one line and a suggestion', async () => {
    const r = await ws.run(['valdate']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "orch: unknown command 'valdate' (did you mean 'validate'?); see 'orch --help'\n");
  });

  it('no command prints the help on stdout and exits 2', async () => {
    const r = await ws.run([]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /^Usage: orch/);
  });
});
