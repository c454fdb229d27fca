import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inputEnv, inputEnvName } from '../../../runtime/providers/shared/inputEnv';
import { LineSplitter } from '../../../runtime/providers/shared/lineSplitter';
import { parseOutputsFile, parseStateText, stateText } from '../../../runtime/providers/shared/outputsFile';
import { buildRunScript, parseCollected, shQuote } from '../../../runtime/providers/ssh/remoteScript';
import { TrailerSplitter } from '../../../runtime/providers/ssh/trailer';

describe('provider helpers', () => {
  describe('LineSplitter', () => {
    it('splits on \\n and \\r\\n, keeps empty lines, decodes UTF-8 split across chunks and flushes the last line', () => {
      const lines: string[] = [];
      const splitter = new LineSplitter((l) => lines.push(l));
      const euro = Buffer.from('€');
      splitter.write(Buffer.from('a\r\n\nprix 5'));
      splitter.write(euro.subarray(0, 1));
      splitter.write(Buffer.concat([euro.subarray(1), Buffer.from('\nlast')]));
      splitter.end();
      assert.deepEqual(lines, ['a', '', 'prix 5€', 'last']);
    });

    it('cuts a line that never ends into bounded pieces', () => {
      const lines: string[] = [];
      const splitter = new LineSplitter((l) => lines.push(l), 10);
      splitter.write('x'.repeat(25));
      splitter.end();
      assert.deepEqual(lines.map((l) => l.length), [10, 10, 5]);
    });
  });

  describe('outputs file', () => {
    it('reads a JSON object, key=value lines and heredoc values', () => {
      assert.deepEqual(parseOutputsFile('{"a": [1]}\n'), { ok: true, values: { a: [1] } });
      assert.deepEqual(parseOutputsFile('a=1\nb = x=y\n\n# c=3\n'), { ok: true, values: { a: '1', b: ' x=y' } });
      assert.deepEqual(parseOutputsFile('text<<END\nl1\n\nl3\nEND\n'), { ok: true, values: { text: 'l1\n\nl3' } });
      assert.deepEqual(parseOutputsFile(''), { ok: true, values: {} });
    });

    it('says what is wrong, with the line', () => {
      assert.deepEqual(parseOutputsFile('a=1\njust text\n'), { ok: false, error: 'outputs file line 2: expected key=value, key<<DELIMITER or a JSON object, found "just text"' });
      assert.deepEqual(parseOutputsFile('t<<EOF\nnever closed'), { ok: false, error: 'outputs file line 1: "t<<EOF" is never closed by a line "EOF"' });
      assert.deepEqual(parseOutputsFile('[1, 2]'), { ok: false, error: 'the outputs file must hold a JSON object (or key=value lines)' });
      assert.equal(parseOutputsFile('1x=2').ok, false);
    });

    it('keeps Schedule state as text unless it is a JSON object or array', () => {
      assert.deepEqual(parseStateText('{"n": 1}\n'), { n: 1 });
      assert.equal(parseStateText('job-42\n'), 'job-42');
      assert.equal(parseStateText('42'), '42');
      assert.equal(stateText('job-42'), 'job-42');
      assert.equal(stateText({ n: 1 }), '{"n":1}');
    });
  });

  describe('input variables', () => {
    it('names them ORCH_INPUT_<TARGET> with non-alphanumerics as _', () => {
      assert.equal(inputEnvName('db.host-name'), 'ORCH_INPUT_DB_HOST_NAME');
      assert.equal(inputEnvName('naïve'), 'ORCH_INPUT_NA_VE');
    });

    it('JSON-encodes non-strings and reports clashes', () => {
      const env = inputEnv({ a: 'x', n: 1, o: { k: null }, 'a-b': 1, a_b: 2 });
      assert.deepEqual(env.vars, { ORCH_INPUT_A: 'x', ORCH_INPUT_N: '1', ORCH_INPUT_O: '{"k":null}', ORCH_INPUT_A_B: '1' });
      assert.equal(env.skipped.length, 1);
      assert.match(env.skipped[0], /"a-b" and "a_b" both map to ORCH_INPUT_A_B/);
    });
  });

  describe('remote script', () => {
    it('quotes any value so that sh reads it back byte for byte', () => {
      const nasty = ["it's", '$(id)', '`id`', '"; rm -rf /; "', 'a\nb', '\\', "''", '$HOME ${x} !!', 'ünï'];
      const out = execFileSync('sh', ['-c', `printf '%s\\0' ${nasty.map(shQuote).join(' ')}`]).toString();
      assert.deepEqual(out.split('\0').slice(0, -1), nasty);
    });

    it('runs hostile values through sh byte for byte: args, environment, cwd and inputs', async () => {
      const nasty = ["it's", '$(touch pwned)', '`touch pwned`', '"; touch pwned; "', 'a\nb\r\nc', '\\', "''", '$HOME ${x} !!', 'ünï', '-n', 'x'.repeat(100_000)];
      const root = mkdtempSync(join(tmpdir(), 'orch-script-'));
      try {
        const cwd = join(root, "we'ird $(dir)\n");
        mkdirSync(cwd);
        const d = join(root, 'd');
        mkdirSync(d);
        const env = Object.fromEntries(nasty.map((v, i) => [`ORCH_INPUT_V${i}`, v]));
        const run = buildRunScript({
          token: 'abcdef0123456789', header: "run $(x) 'a'", inputsJson: JSON.stringify({ v: nasty }), state: nasty.join('|'), env, cwd,
          command: 'sh', args: ['-c', 'printf "%s\\0" "$@"; env | grep -c ^ORCH_INPUT_V >&2; pwd >&2; cat "$ORCH_INPUTS_FILE" "$ORCH_STATE_FILE" >&2', 'sh', ...nasty], graceSeconds: 1,
        });
        writeFileSync(join(d, 'run.sh'), run.script);
        // stdin stays open while the command runs, as an ssh channel's does (its end means "stop").
        const child = spawn('sh', [join(d, 'run.sh'), d], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (c: Buffer) => out.push(c));
        child.stderr.on('data', (c: Buffer) => err.push(c));
        const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
        const result = { status, stdout: Buffer.concat(out), stderr: Buffer.concat(err) };
        assert.equal(result.status, 0, result.stderr.toString().slice(0, 500));
        const stdout = result.stdout.toString();
        const printed = stdout.slice(0, stdout.indexOf(run.trailerMarker)).split('\0').slice(0, -1);
        assert.deepEqual(printed, nasty);
        const stderr = result.stderr.toString();
        assert.ok(stderr.startsWith(`${nasty.length}\n${cwd}\n${JSON.stringify({ v: nasty })}\n${nasty.join('|')}`));
        assert.equal(existsSync(join(root, 'pwned')) || existsSync(join(cwd, 'pwned')), false);
        assert.equal(existsSync(d), false, 'the script removes its folder');
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
      for (const bad of [{ cwd: 'a\0b' }, { args: ['\0'] }, { state: 's\0' }, { env: { A: '\0' } }]) {
        assert.throws(() => buildRunScript({ token: 'abcdef0123456789', header: '', inputsJson: '{}', env: {}, command: 'x', args: [], graceSeconds: 1, ...bad }), /NUL/);
      }
    });

    it('is valid sh, and wraps its command for any login shell', () => {
      const run = buildRunScript({ token: 'abcdef0123456789abcdef01', header: 'r a\nx', inputsJson: '{"a":"it\'s"}', state: 's', env: { ORCH_INPUT_A: "it's" }, cwd: '/tmp', command: 'echo', args: ['$(x)'], graceSeconds: 2 });
      execFileSync('sh', ['-n'], { input: run.script });
      assert.equal(run.command.split("'").length, 3, 'one single-quoted argument to /bin/sh -c');
      assert.ok(run.command.includes(`head -c ${Buffer.byteLength(run.script)} `));
      assert.ok(run.script.startsWith('# r a x\n'), 'no line break from the header');
      assert.throws(() => buildRunScript({ token: 'nothex!', header: '', inputsJson: '{}', env: {}, command: 'x', args: [], graceSeconds: 1 }));
    });

    it('separates the output from the trailer, wherever the chunks break', () => {
      const marker = '\u0000ORCH-TRAILER-abc\n';
      const stream = Buffer.from(`line 1\npartial${marker}4\nk=v\n-1\n`);
      for (let cut = 0; cut <= stream.length; cut++) {
        const out: Buffer[] = [];
        const splitter = new TrailerSplitter(marker, (c) => out.push(c));
        splitter.write(stream.subarray(0, cut));
        splitter.write(stream.subarray(cut));
        const trailer = splitter.end();
        assert.equal(Buffer.concat(out).toString(), 'line 1\npartial', `cut at ${cut}`);
        assert.deepEqual(parseCollected(trailer!), { outputs: 'k=v\n', state: undefined });
      }
    });

    it('passes output through when no trailer comes', () => {
      const out: Buffer[] = [];
      const splitter = new TrailerSplitter('\u0000END\n', (c) => out.push(c));
      splitter.write(Buffer.from('text\u0000EN'));
      assert.equal(splitter.end(), undefined);
      assert.equal(Buffer.concat(out).toString(), 'text\u0000EN');
    });

    it('rejects a malformed trailer', () => {
      assert.ok('error' in parseCollected(Buffer.from('12\nshort')));
      assert.ok('error' in parseCollected(Buffer.from('')));
    });
  });
});
