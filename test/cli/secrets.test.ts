/**
 * Secrets end to end through the built CLI and the real shell provider: a program that receives a
 * secret, echoes it to stdout and stderr, writes it into its outputs and then fails. Afterwards no
 * byte of the secret may be found anywhere in the runs folder, in the attempt work folders that a
 * failed run keeps for resume, or in what the CLI printed.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runOrch, TempWorkspace } from './helpers';

const SECRET = 'pA55-w0rd-7c1e9b';

function filesBelow(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    out = statSync(path).isDirectory() ? out.concat(filesBelow(path)) : out.concat(path);
  }
  return out;
}

suite('orch run: secrets never reach disk or output', () => {
  test('a secret echoed, written to outputs and in the error is redacted everywhere', async () => {
    const ws = new TempWorkspace({
      'leak.activity.json': {
        type: 'leak',
        provider: 'shell',
        config: {
          command: 'sh',
          args: ['-c', 'echo "stdout: $ORCH_INPUT_TOKEN"; echo "stderr: $ORCH_INPUT_TOKEN" >&2; printf \'{"echoed":"%s"}\' "$ORCH_INPUT_TOKEN" > "$ORCH_OUTPUTS_FILE"'],
        },
      },
      'fail.activity.json': {
        type: 'fail',
        provider: 'shell',
        config: { command: 'sh', args: ['-c', 'echo "bad token $ORCH_INPUT_TOKEN" >&2; exit 3'] },
      },
      'secret.orch.json': {
        type: 'secret.test',
        activities: [
          { id: 'leak', type: 'leak', inputs: [{ value: '${secret:TOKEN}', target: 'token' }] },
          { id: 'fail', type: 'fail', dependsOn: 'leak', inputs: [{ source: 'leak.echoed', target: 'token' }] },
        ],
      },
    });
    const tmp = ws.write('tmp/.keep', '');
    const result = await runOrch(['run', 'secret.orch.json', '--runs-dir', 'runs'], {
      cwd: ws.root,
      env: { ORCH_SECRET_TOKEN: SECRET, TMPDIR: join(tmp, '..'), NO_COLOR: '1' },
    });
    assert.equal(result.code, 1, `the second activity fails: ${result.stdout}${result.stderr}`);
    assert.match(result.stdout, /stdout: \*\*\*/, 'the echo reached the log, redacted');
    const json = await runOrch(['show', 'latest', '--runs-dir', 'runs'], { cwd: ws.root });
    const files = [...filesBelow(join(ws.root, 'runs')), ...filesBelow(join(tmp, '..'))];
    assert.ok(files.some((f) => f.endsWith('journal.jsonl')), 'the journal was written');
    assert.ok(files.some((f) => f.endsWith('.log')), 'attempt logs were written');
    for (const file of files) {
      assert.ok(!readFileSync(file, 'latin1').includes(SECRET), `${file} holds the secret`);
    }
    for (const text of [result.stdout, result.stderr, json.stdout, json.stderr]) assert.ok(!text.includes(SECRET));
  });
});
