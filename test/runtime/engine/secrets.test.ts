import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RunEvent } from '../../../runtime/engine/events';
import { envSecretStore, LogLineRedactor, mapSecretStore, Redactor, secretReferences } from '../../../runtime/engine/secrets';
import { FakeProvider } from '../support/fakes';
import { act, activityTypes, definition, runDefinition, testWorkspace, type TestWorkspace } from '../support/harness';

const SECRET = 's3cr3t-VALUE-9f8e7d';

function filesBelow(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesBelow(path));
    else out.push(path);
  }
  return out;
}

describe('engine: secrets', () => {
  let ws: TestWorkspace;
  beforeEach(() => { ws = testWorkspace(); });
  afterEach(() => ws.cleanup());

  it('finds references and reads the CLI store from ORCH_SECRET_NAME', () => {
    assert.deepEqual([...secretReferences({ a: 'x ${secret:ONE} ${secret:two.b}', b: ['${secret:ONE}'] })], ['ONE', 'two.b']);
    const store = envSecretStore({ ORCH_SECRET_ONE: '1', ORCH_SECRET_TWO_B: '2' });
    assert.equal(store.get('ONE'), '1');
    assert.equal(store.get('two.b'), '2');
    assert.equal(store.get('none'), undefined);
    assert.match(store.hint!('db-pass'), /ORCH_SECRET_DB_PASS/);
  });

  it('redacts every form of a secret, longest first', () => {
    const r = new Redactor(['abc def', 'line-one-of-key\nline-two-of-key']);
    assert.equal(r.text('x abc def y'), 'x *** y');
    assert.equal(r.text('q=abc%20def'), 'q=***');
    assert.equal(r.text('got line-two-of-key here'), 'got *** here');
    assert.deepEqual(r.value({ 'abc def': ['abc def', 1] }), { '***': ['***', 1] });
  });

  it('joins a long log line cut in the middle of a secret before redacting it', () => {
    const lines = new LogLineRedactor(new Redactor([SECRET]));
    const head = 'x'.repeat(2000) + SECRET.slice(0, 7);
    assert.deepEqual(lines.push(head), []);
    const out = lines.push(SECRET.slice(7) + ' tail');
    assert.equal(out.length, 1);
    assert.ok(!out[0].includes(SECRET.slice(0, 7)), 'no piece of the secret is left');
    assert.ok(out[0].endsWith('*** tail'));
    assert.deepEqual(lines.push('short'), ['short']);
    assert.deepEqual(lines.push('y'.repeat(2000) + SECRET.slice(0, 5)), []);
    assert.deepEqual(lines.flush(), ['y'.repeat(2000) + SECRET.slice(0, 5)]);
  });

  it('passes secrets to providers in memory and never writes or reports them', async () => {
    const types = activityTypes([{ type: 'with-config', provider: 'fake', config: { header: 'Bearer ${secret:TOKEN}' } }]);
    const fake = new FakeProvider()
      .on('use', (c) => {
        c.ctx.log('stdout', `echo token=${SECRET} and again ${SECRET}`);
        c.ctx.log('stderr', `${'z'.repeat(3000)}${SECRET.slice(0, 6)}`);
        c.ctx.log('stderr', `${SECRET.slice(6)} continues`);
        return { kind: 'complete', outputs: { leaked: SECRET, nested: { list: [`a${SECRET}b`] } } };
      })
      .on('configured', (c) => ({ kind: 'fatal', error: `server rejected ${String(c.ctx.definition.config?.header)}` }))
      .on('fromInput', (c) => ({ kind: 'complete', outputs: { got: c.inputs.password === SECRET } }));
    const events: RunEvent[] = [];
    const { handle } = await runDefinition(ws, definition([
      act('use', { inputs: [{ value: '${secret:TOKEN}', target: 'token' }] }),
      { id: 'configured', type: 'with-config', continueOnError: true },
      act('fromInput', { inputs: ['password'] }),
    ]), {
      providers: { fake }, types, secrets: mapSecretStore({ TOKEN: SECRET }),
      input: { password: '${secret:TOKEN}' },
      listeners: [(e) => events.push(e)],
    });
    const result = await handle.done;
    assert.equal(result.state, 'succeeded');
    assert.equal(fake.callsOf('use')[0].inputs.token, SECRET, 'the provider gets the value');
    assert.equal(fake.callsOf('configured')[0].ctx.definition.config?.header, `Bearer ${SECRET}`);
    assert.equal(fake.callsOf('fromInput')[0].inputs.password, SECRET);

    const everything = JSON.stringify(events) + JSON.stringify(result);
    assert.ok(!everything.includes(SECRET), 'no event and no result holds the secret');
    assert.ok(everything.includes('***'));
    const started = events.find((e) => e.type === 'run.started');
    assert.deepEqual(started && 'input' in started ? started.input : undefined, { password: '${secret:TOKEN}' }, 'the journal keeps the reference');
    const logs = events.filter((e) => e.type === 'activity.log').map((e) => (e as { line: string }).line);
    assert.equal(logs[0], 'echo token=*** and again ***');
    assert.ok(logs[1].endsWith('*** continues'), logs[1].slice(-40));

    for (const file of filesBelow(ws.runsDir)) {
      const text = readFileSync(file, 'utf8');
      assert.ok(!text.includes(SECRET), `${file} holds the secret`);
      assert.ok(!text.includes(SECRET.slice(0, 6) + SECRET.slice(6, 12)), `${file} holds part of the secret`);
    }
    const logDir = join(handle.runDir, 'logs', 'use');
    assert.ok(readFileSync(join(logDir, 'attempt-1.log'), 'utf8').includes('echo token=*** and again ***'));
  });

  it('keeps secrets out of the run result, its error and output, and run.json', async () => {
    const fake = new FakeProvider()
      .on('leak', () => ({ kind: 'complete', outputs: { token: SECRET } }))
      .on('fail', () => ({ kind: 'fatal', error: `denied for ${SECRET}` }));
    const first = await runDefinition(ws, definition([act('leak')], { output: { token: 'leak.token' } }), { providers: { fake }, secrets: mapSecretStore({ T: SECRET }), input: { x: '${secret:T}' } });
    const succeeded = await first.handle.done;
    assert.deepEqual(succeeded.output, { token: '***' });
    const second = await runDefinition(ws, definition([act('fail')]), { providers: { fake }, secrets: mapSecretStore({ T: SECRET }), input: { x: '${secret:T}' } });
    const failed = await second.handle.done;
    assert.equal(failed.error, 'activity fail failed: denied for ***');
    for (const file of filesBelow(ws.runsDir)) assert.ok(!readFileSync(file, 'utf8').includes(SECRET), `${file} holds the secret`);
  });
});
