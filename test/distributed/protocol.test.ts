import assert from 'node:assert/strict';
import { connectionOptions, NatsSettingsError, natsSettingsFromEnv } from '../../runtime/distributed/connection';
import {
  activitySubject, attemptKey, decodeActivityMessage, decodeAgentReport, encode, ProtocolError, PROTOCOL_VERSION, subjectToken, typeConsumer,
} from '../../runtime/distributed/protocol';

describe('distributed: protocol', () => {
  it('keeps plain names as subject tokens and encodes anything that could change what a subject matches', () => {
    assert.equal(activitySubject('build'), 'orch.activity.build');
    assert.equal(activitySubject('deploy-cell_2'), 'orch.activity.deploy-cell_2');
    for (const odd of ['cfm.deploy', 'a b', 'x*', 'y>', '>', '_lead', 'ünï']) {
      const token = subjectToken(odd);
      assert.match(token, /^[A-Za-z0-9_-]+$/, `${odd} -> ${token}`);
      assert.notEqual(token, odd);
    }
    assert.notEqual(subjectToken('a.b'), subjectToken('a_b'));
    assert.match(typeConsumer('cfm.deploy'), /^orch-type-[A-Za-z0-9_-]+$/);
    assert.match(attemptKey('20260101-000000-ab12.XyZ'), /^[-/_=.a-zA-Z0-9]+$/);
  });

  it('refuses malformed messages and reports with a message that says what is wrong', () => {
    const bad = (text: string) => new TextEncoder().encode(text);
    assert.throws(() => decodeActivityMessage(bad('{nope')), (e: Error) => e instanceof ProtocolError && /not JSON/.test(e.message));
    assert.throws(() => decodeActivityMessage(bad('[1]')), /not a JSON object/);
    assert.throws(() => decodeActivityMessage(bad('{"v":99}')), /protocol version 99/);
    assert.throws(() => decodeActivityMessage(bad(`{"v":${PROTOCOL_VERSION},"runId":"r"}`)), /'dispatchId' must be a string/);
    assert.throws(() => decodeAgentReport(bad(`{"v":1,"runId":"r","dispatchId":"d","agent":"a","kind":"explode","attempt":1}`)), /unknown kind "explode"/);
    const report = { v: PROTOCOL_VERSION, runId: 'r', dispatchId: 'd', agent: 'a', kind: 'result', attempt: 1, result: { kind: 'complete', outputs: { x: 1 } } } as const;
    assert.deepEqual(decodeAgentReport(encode(report)), report);
  });
});

describe('distributed: connection settings', () => {
  it('reads credentials from the environment, never needing them on the command line', () => {
    const settings = natsSettingsFromEnv({ ORCH_NATS_URL: 'nats://h:4222', ORCH_NATS_USER: 'u', ORCH_NATS_PASSWORD: 'p' });
    assert.deepEqual(settings, { url: 'nats://h:4222', user: 'u', password: 'p' });
    assert.equal(natsSettingsFromEnv({}), undefined);
    const options = connectionOptions(settings!);
    assert.deepEqual([options.user, options.pass, options.maxReconnectAttempts, options.waitOnFirstConnect], ['u', 'p', -1, true]);
    assert.equal(options.tls, undefined);
  });

  it('asks for TLS when the URL says tls:// and refuses settings that cannot work', () => {
    assert.deepEqual(connectionOptions({ url: 'tls://h:4222', caFile: '/ca.pem' }).tls, { caFile: '/ca.pem' });
    const refuses = (settings: Parameters<typeof connectionOptions>[0], pattern: RegExp) =>
      assert.throws(() => connectionOptions(settings), (e: Error) => e instanceof NatsSettingsError && pattern.test(e.message));
    refuses({ url: 'http://h:4222' }, /scheme http/);
    refuses({ url: ' , ' }, /empty/);
    refuses({ url: 'nats://h', token: 't', user: 'u' }, /one kind of NATS credentials/);
    refuses({ url: 'nats://h', password: 'p' }, /needs a user/);
    refuses({ url: 'nats://h', nkeySeed: 'not-a-seed' }, /nkey seed/);
    refuses({ url: 'nats://h', nkeyFile: '/no/such/seed' }, /cannot read the nkey seed file/);
    refuses({ url: 'tls://h', certFile: '/c.pem' }, /both a certificate file and a key file/);
  });
});
