import * as assert from 'node:assert/strict';
import Ajv from 'ajv';
import activitySchema from '../../schemas/activity-definition.schema.json';
import hostsSchema from '../../schemas/orch-hosts.schema.json';
import orchestrationSchema from '../../schemas/orchestration-definition.schema.json';
import { schemaDiagnostics } from '../../runtime/analysis/checks/schema';
import type { Diagnostic } from '../../runtime/analysis/diagnostic';
import { ParsedDocument } from '../../runtime/analysis/document';
import { validateAgainst } from '../../runtime/analysis/valueValidation';

function check(uri: string, text: string): Diagnostic[] {
  return schemaDiagnostics(new ParsedDocument(uri, text));
}

const orch = (text: string) => check('flows/test.orch.json', text);
const act = (text: string) => check('flows/test.activity.json', text);
const hosts = (text: string) => check('flows/orch.hosts.json', text);

/** The span of the `nth` occurrence of `needle` in `text`. */
function spanOf(text: string, needle: string, nth = 0): { offset: number; length: number } {
  let offset = -1;
  for (let i = 0; i <= nth; i++) {
    offset = text.indexOf(needle, offset + 1);
    assert.ok(offset >= 0, `${needle} not found`);
  }
  return { offset, length: needle.length };
}

/** The span of the first token (up to a space) of the text starting with `needle`. */
function tokenAt(text: string, needle: string): { offset: number; length: number } {
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0, `${needle} not found`);
  return { offset, length: needle.split(' ')[0].length };
}

/** The opening brace of the object starting with `needle`. */
function braceOf(text: string, needle: string): { offset: number; length: number } {
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0 && text[offset] === '{', `${needle} not found`);
  return { offset, length: 1 };
}

function only(diagnostics: Diagnostic[]): Diagnostic {
  assert.equal(diagnostics.length, 1, `expected one diagnostic, got: ${JSON.stringify(diagnostics.map((d) => d.message))}`);
  return diagnostics[0];
}

function expectOne(diagnostics: Diagnostic[], code: string, span: { offset: number; length: number }, message: string): void {
  const d = only(diagnostics);
  assert.deepEqual({ code: d.code, offset: d.offset, length: d.length, message: d.message }, { code, ...span, message });
  assert.equal(d.severity, 'error');
}

suite('schema check', () => {
  suite('valid documents', () => {
    test('a definition using every property has no diagnostics', () => {
      const text = JSON.stringify({
        $schema: 'https://orchestration-studio.dev/schemas/orchestration-definition.schema.json',
        type: 'tenant.example.com',
        description: 'd',
        active: true,
        schema: { openAPIV3Schema: { type: 'object', properties: { cell: { type: 'string' } } } },
        input: { cell: 'eu' },
        output: { url: 'b.endpoint' },
        concurrency: 4,
        pools: { slots: 2 },
        defaults: { retry: { maxAttempts: 2 }, timeoutMs: 1000 },
        activities: [
          { id: 'a', type: 't', discriminator: 'deploy', inputs: ['cell', { source: 'cell', target: 'c' }, { value: null, target: 'v' }], acquires: { slots: 1 } },
          {
            id: 'b_2-x', type: 't', dependsOn: 'a', when: 'always', continueOnError: true, timeoutMs: 5,
            retry: { maxAttempts: 3, backoff: 'fixed', delayMs: 0, maxDelayMs: 10, jitter: false },
            forEach: { items: 'a.list', as: 'item', concurrency: 2 }, hosts: ['web1'],
          },
        ],
      }, null, 2);
      assert.deepEqual(orch(text), []);
    });

    test('an activity file may hold one definition or an array of them', () => {
      const one = { type: 'a', provider: 'shell', config: { command: 'sh', args: ['-c', 'true'], cwd: '.', env: { A: 'x' } }, retry: { maxAttempts: 2 }, timeoutMs: 10 };
      assert.deepEqual(act(JSON.stringify(one)), []);
      assert.deepEqual(act(JSON.stringify([one, { type: 'b', provider: 'http', config: { url: 'https://x.example', method: 'PUT', headers: { Authorization: 'Bearer ${secret:T}' } } }, { type: 'c', provider: 'node', config: { module: './m.js' } }, { type: 'd', provider: 'noop' }])), []);
    });

    test('the provider is a free name: plugin providers keep a free-form config', () => {
      assert.deepEqual(act(JSON.stringify({ type: 'a', provider: 'provisioner.example.com', config: { anything: [1, 2] } })), []);
    });

    test('a host inventory with key or agent authentication is valid', () => {
      assert.deepEqual(hosts(JSON.stringify({ hosts: { a: { host: '127.0.0.1', username: 'u', privateKeyPath: '~/.ssh/k' }, b: { host: 'h', port: 2222, username: 'u', agent: true, knownHostsPath: 'kh' } } })), []);
    });

    test('properties starting with x- are allowed on every object of the format', () => {
      const text = JSON.stringify({
        'x-owner': 'team', type: 't',
        defaults: { 'x-a': 1 },
        activities: [{ id: 'a', type: 't', 'x-note': 'n', retry: { 'x-r': 1 }, forEach: { items: 'i', as: 'x', 'x-f': true }, inputs: [{ source: 's', 'x-i': 1 }, { value: 1, target: 't', 'x-v': 2 }] }],
      });
      assert.deepEqual(orch(text), []);
      assert.deepEqual(act(JSON.stringify({ type: 'a', provider: 'shell', 'x-y': 1, config: { command: 'sh', 'x-c': 1 } })), []);
      assert.deepEqual(hosts(JSON.stringify({ 'x-inv': 1, hosts: { a: { host: 'h', username: 'u', agent: true, 'x-h': 1 } } })), []);
    });
  });

  suite('ORCH101 wrong type', () => {
    test('a valid value has no diagnostic', () => {
      assert.deepEqual(orch('{ "type": "t", "concurrency": 8, "activities": [] }'), []);
    });

    test('a string where an integer belongs, on the value, with its range', () => {
      const text = '{ "type": "t", "concurrency": "8", "activities": [] }';
      expectOne(orch(text), 'ORCH101', spanOf(text, '"8"'), '`concurrency` must be an integer >= 1');
    });

    test('inside an activity the message names the activity and the path relative to it', () => {
      const text = '{ "type": "t", "activities": [ { "id": "deploy", "type": "x", "retry": { "maxAttempts": "3" } } ] }';
      expectOne(orch(text), 'ORCH101', spanOf(text, '"3"'), 'activity `deploy`: `retry.maxAttempts` must be an integer >= 1');
    });

    test('a wrong-typed object value is shown on its key', () => {
      const text = '{ "type": "t", "activities": { } }';
      expectOne(orch(text), 'ORCH101', spanOf(text, '"activities"'), '`activities` must be an array of objects');
    });

    test('a document of the wrong shape is shown on its first character, not the whole file', () => {
      const text = '[ 1, 2 ]';
      expectOne(orch(text), 'ORCH101', { offset: 0, length: 1 }, 'the definition must be an object');
    });

    test('a type error and a range error on the same value make one diagnostic', () => {
      const text = '{ "type": "t", "activities": [ { "id": "a", "type": "x", "retry": { "maxAttempts": 0.5 } } ] }';
      expectOne(orch(text), 'ORCH101', spanOf(text, '0.5'), 'activity `a`: `retry.maxAttempts` must be an integer >= 1');
    });
  });

  suite('ORCH102 missing required property', () => {
    test('an activity missing its type: on the activity\'s opening brace', () => {
      const text = '{ "type": "t", "activities": [ { "id": "deploy" } ] }';
      expectOne(orch(text), 'ORCH102', braceOf(text, '{ "id"'), 'activity `deploy`: missing required property `type`');
    });

    test('a nested object missing a property: on its key', () => {
      const text = '{ "type": "t", "activities": [ { "id": "fan", "type": "x", "forEach": { "items": "list" } } ] }';
      expectOne(orch(text), 'ORCH102', spanOf(text, '"forEach"'), 'activity `fan`: `forEach` is missing required property `as`');
    });

    test('the root missing a property: on its opening brace', () => {
      const text = '{ "type": "t" }';
      expectOne(orch(text), 'ORCH102', { offset: 0, length: 1 }, 'missing required property `activities`');
    });

    test('an activity without an id is named by its index', () => {
      const text = '{ "type": "t", "activities": [ { "type": "x" } ] }';
      expectOne(orch(text), 'ORCH102', braceOf(text, '{ "type": "x"'), '`activities[0]` is missing required property `id`');
    });

    test('shell and ssh activity types need a config', () => {
      const text = '{ "type": "a", "provider": "ssh" }';
      expectOne(act(text), 'ORCH102', { offset: 0, length: 1 }, 'missing required property `config`');
    });

    test('a host needs a private key or the agent', () => {
      const text = '{ "hosts": { "web1": { "host": "h", "username": "u" } } }';
      expectOne(hosts(text), 'ORCH102', spanOf(text, '"web1"'), 'host `web1`: missing required property `privateKeyPath` or `agent`');
    });
  });

  suite('ORCH103 unknown property', () => {
    test('on the key, listing the allowed properties', () => {
      const text = '{ "type": "t", "activities": [ { "id": "a", "type": "x", "foo": 1 } ] }';
      const d = only(orch(text));
      assert.equal(d.code, 'ORCH103');
      assert.deepEqual({ offset: d.offset, length: d.length }, spanOf(text, '"foo"'));
      assert.equal(d.message, 'activity `a`: unknown property `foo` (allowed: id, type, discriminator, dependsOn, when, inputs, retry, timeoutMs, forEach, hosts, acquires, continueOnError)');
    });

    test('a likely typo gets a suggestion, also in the diagnostic data', () => {
      const text = '{ "type": "t", "activities": [ { "id": "a", "type": "x", "retry": { "maxAttempt": 3 } } ] }';
      const d = only(orch(text));
      assert.equal(d.message, 'activity `a`: unknown property `maxAttempt` in `retry`: did you mean `maxAttempts`?');
      assert.deepEqual({ offset: d.offset, length: d.length }, spanOf(text, '"maxAttempt"'));
      assert.equal(d.data?.suggestion, 'maxAttempts');
    });

    test('known providers have a closed config', () => {
      const text = '{ "type": "a", "provider": "node", "config": { "module": "m.js", "exports": "run" } }';
      expectOne(act(text), 'ORCH103', spanOf(text, '"exports"'), 'unknown property `exports` in `config`: did you mean `export`?');
    });

    test('names an array item by its activity type', () => {
      const text = '[ { "type": "one", "provider": "noop", "color": "red" } ]';
      expectOne(act(text), 'ORCH103', spanOf(text, '"color"'), 'activity type `one`: unknown property `color` (allowed: $schema, type, provider, description, inputSchema, outputSchema, config, retry, timeoutMs)');
    });
  });

  suite('ORCH104 value not allowed', () => {
    test('a listed value is fine', () => {
      assert.deepEqual(orch('{ "type": "t", "activities": [ { "id": "a", "type": "x", "when": "failure" } ] }'), []);
    });

    test('lists the allowed values', () => {
      const text = '{ "type": "t", "activities": [ { "id": "a", "type": "x", "when": "sometimes" } ] }';
      expectOne(orch(text), 'ORCH104', spanOf(text, '"sometimes"'), 'activity `a`: `when` must be one of success, failure, always');
    });

    test('a value of the wrong type gets the list, not a second "must be a string"', () => {
      const text = '{ "type": "t", "activities": [ { "id": "a", "type": "x", "retry": { "backoff": 2 } } ] }';
      expectOne(orch(text), 'ORCH104', tokenAt(text, '2 }'), 'activity `a`: `retry.backoff` must be one of fixed, exponential');
    });
  });

  suite('ORCH105 value out of range', () => {
    test('the lower bound itself is fine', () => {
      assert.deepEqual(orch('{ "type": "t", "activities": [ { "id": "a", "type": "x", "retry": { "maxAttempts": 1 } } ] }'), []);
    });

    test('below a minimum', () => {
      const text = '{ "type": "t", "activities": [ { "id": "deploy", "type": "x", "retry": { "maxAttempts": 0 } } ] }';
      expectOne(orch(text), 'ORCH105', tokenAt(text, '0 }'), 'activity `deploy`: `retry.maxAttempts` must be an integer >= 1');
    });

    test('an exclusive minimum', () => {
      const text = '{ "type": "t", "activities": [ { "id": "a", "type": "x", "timeoutMs": 0 } ] }';
      expectOne(orch(text), 'ORCH105', tokenAt(text, '0 }'), 'activity `a`: `timeoutMs` must be an integer > 0');
    });

    test('both bounds', () => {
      const text = '{ "hosts": { "web1": { "host": "h", "username": "u", "agent": true, "port": 70000 } } }';
      expectOne(hosts(text), 'ORCH105', spanOf(text, '70000'), 'host `web1`: `port` must be an integer between 1 and 65535');
    });

    test('an empty list that must not be: on its key', () => {
      const text = '{ "type": "t", "activities": [ { "id": "a", "type": "x", "hosts": [] } ] }';
      expectOne(orch(text), 'ORCH105', spanOf(text, '"hosts"'), 'activity `a`: `hosts` must not be empty');
    });

    test('a pool capacity', () => {
      const text = '{ "type": "t", "pools": { "db": 0 }, "activities": [] }';
      expectOne(orch(text), 'ORCH105', tokenAt(text, '0 }'), '`pools.db` must be an integer >= 1');
    });
  });

  suite('ORCH106 pattern or format', () => {
    test('a well-formed id is fine', () => {
      assert.deepEqual(orch('{ "type": "t", "activities": [ { "id": "_a-1", "type": "x" } ] }'), []);
    });

    test('an id that does not match the pattern says what an id is', () => {
      const text = '{ "type": "t", "activities": [ { "id": "1st", "type": "x" } ] }';
      expectOne(orch(text), 'ORCH106', spanOf(text, '"1st"'), 'activity `1st`: `id` must be a name of letters, digits, _ and -, not starting with a digit or -');
    });

    test('a bad property name is shown on the key', () => {
      const text = '{ "type": "a", "provider": "shell", "config": { "command": "sh", "env": { "1X": "v" } } }';
      expectOne(act(text), 'ORCH106', spanOf(text, '"1X"'), 'property name `1X` in `config.env` must be an environment variable name: letters, digits and _, not starting with a digit');
    });

    test('an http url', () => {
      const text = '{ "type": "a", "provider": "http", "config": { "url": "ftp://x" } }';
      expectOne(act(text), 'ORCH106', spanOf(text, '"ftp://x"'), '`config.url` must be an absolute http:// or https:// URL');
    });
  });

  suite('ORCH107 other schema violations', () => {
    test('distinct hosts are fine', () => {
      assert.deepEqual(orch('{ "type": "t", "activities": [ { "id": "a", "type": "x", "hosts": ["a", "b"] } ] }'), []);
    });

    test('a host listed twice: on the second one', () => {
      const text = '{ "type": "t", "activities": [ { "id": "a", "type": "x", "hosts": ["web1", "web1"] } ] }';
      expectOne(orch(text), 'ORCH107', spanOf(text, '"web1"', 1), 'activity `a`: `hosts` lists `web1` more than once');
    });
  });

  suite('anyOf collapsing', () => {
    test('an input { "source": 1 } says only that source must be a string', () => {
      const text = '{ "type": "t", "activities": [ { "id": "a", "type": "x", "inputs": [ { "source": 1 } ] } ] }';
      expectOne(orch(text), 'ORCH101', tokenAt(text, '1 }'), 'activity `a`: `inputs[0].source` must be a string');
    });

    test('an input of no form at all names the forms', () => {
      const text = '{ "type": "t", "activities": [ { "id": "a", "type": "x", "inputs": [ 5 ] } ] }';
      expectOne(orch(text), 'ORCH101', spanOf(text, '5'), 'activity `a`: `inputs[0]` must be a string or an object');
    });

    test('a value input without target picks the value form', () => {
      const text = '{ "type": "t", "activities": [ { "id": "a", "type": "x", "inputs": [ { "value": 1 } ] } ] }';
      expectOne(orch(text), 'ORCH102', braceOf(text, '{ "value"'), 'activity `a`: `inputs[0]` is missing required property `target`');
    });

    test('a target alone could be either form: both are named once', () => {
      const text = '{ "type": "t", "activities": [ { "id": "a", "type": "x", "inputs": [ { "target": "t" } ] } ] }';
      expectOne(orch(text), 'ORCH102', braceOf(text, '{ "target"'), 'activity `a`: `inputs[0]` is missing required property `source` or `value`');
    });

    test('dependsOn is one id or a list of ids', () => {
      const text = '{ "type": "t", "activities": [ { "id": "a", "type": "x", "dependsOn": 5 } ] }';
      expectOne(orch(text), 'ORCH101', spanOf(text, '5'), 'activity `a`: `dependsOn` must be a string or an array of strings');
      assert.deepEqual(orch('{ "type": "t", "activities": [ { "id": "a", "type": "x", "dependsOn": "b" }, { "id": "b", "type": "x", "dependsOn": ["a"] } ] }'), []);
    });

    test('an activity file that is neither an object nor an array', () => {
      expectOne(act('"hello"'), 'ORCH101', { offset: 0, length: 7 }, 'the document must be an object or an array of objects');
    });

    test('identical errors are reported once', () => {
      const text = '{ "type": "t", "activities": [ { "id": "a", "type": "x", "inputs": [ { "source": 1, "target": 2 } ] } ] }';
      const messages = orch(text).map((d) => d.message);
      assert.deepEqual(messages, ['activity `a`: `inputs[0].source` must be a string', 'activity `a`: `inputs[0].target` must be a string']);
    });
  });

  suite('ORCH108 invalid JSON Schema', () => {
    test('a valid schema, plain or wrapped, and the empty schema are fine', () => {
      assert.deepEqual(orch('{ "type": "t", "schema": { "type": "object", "properties": { "a": { "type": "string", "pattern": "^x" } } }, "activities": [] }'), []);
      assert.deepEqual(orch('{ "type": "t", "schema": { "openAPIV3Schema": {} }, "activities": [] }'), []);
      assert.deepEqual(orch('{ "type": "t", "schema": {}, "activities": [] }'), []);
    });

    test('a meta-schema violation points inside the schema', () => {
      const text = '{ "type": "t", "schema": { "type": "strng" }, "activities": [] }';
      expectOne(orch(text), 'ORCH108', spanOf(text, '"strng"'), 'invalid JSON Schema in `schema`: `type` must be one of array, boolean, integer, null, number, object, string');
    });

    test('inside openAPIV3Schema, with the path relative to the schema', () => {
      const text = '{ "type": "a", "provider": "noop", "inputSchema": { "openAPIV3Schema": { "properties": { "n": { "minimum": "1" } } } } }';
      expectOne(act(text), 'ORCH108', spanOf(text, '"1"'), 'invalid JSON Schema in `inputSchema.openAPIV3Schema`: `properties.n.minimum` must be a number');
    });

    test('a $ref that cannot be resolved', () => {
      const text = '{ "type": "a", "provider": "noop", "outputSchema": { "$ref": "#/definitions/missing" } }';
      expectOne(act(text), 'ORCH108', spanOf(text, '"#/definitions/missing"'), 'invalid JSON Schema in `outputSchema`: `$ref` #/definitions/missing cannot be resolved');
    });

    test('a pattern JavaScript cannot compile', () => {
      const text = '[ { "type": "a", "provider": "noop", "inputSchema": { "properties": { "p": { "pattern": "(" } } } } ]';
      expectOne(act(text), 'ORCH108', spanOf(text, '"("'), 'activity type `a`: invalid JSON Schema in `inputSchema`: `pattern` is not a valid regular expression (unterminated group)');
    });

    test('another draft than draft-07', () => {
      const text = '{ "type": "t", "schema": { "$schema": "https://json-schema.org/draft/2020-12/schema" }, "activities": [] }';
      expectOne(orch(text), 'ORCH108', spanOf(text, '"https://json-schema.org/draft/2020-12/schema"'), 'invalid JSON Schema in `schema`: `$schema` must be JSON Schema draft-07 (http://json-schema.org/draft-07/schema#) or be left out');
    });

    test('a value that is no schema at all is a type error', () => {
      const text = '{ "type": "t", "schema": 5, "activities": [] }';
      expectOne(orch(text), 'ORCH101', spanOf(text, '5'), '`schema` must be an object or a boolean');
    });

    test('the wrapper holds nothing but openAPIV3Schema', () => {
      const text = '{ "type": "t", "schema": { "openAPIV3Schema": {}, "type": "object" }, "activities": [] }';
      expectOne(orch(text), 'ORCH103', spanOf(text, '"type"', 1), 'unknown property `type` in `schema` (allowed: openAPIV3Schema)');
    });
  });

  suite('robustness and speed', () => {
    test('a document with syntax errors is still checked where its tree allows', () => {
      const text = '{ "type": "t", "activities": [ { "id": "a", "type": "x", "when": "never" }, ';
      const diagnostics = orch(text);
      assert.ok(diagnostics.some((d) => d.code === 'ORCH104' && d.message === 'activity `a`: `when` must be one of success, failure, always'));
    });

    test('a 10,000-activity definition is checked in a few milliseconds', () => {
      const activities = [];
      for (let i = 0; i < 10_000; i++) {
        activities.push({ id: `a${i}`, type: `t${i % 50}`, dependsOn: i ? [`a${i - 1}`] : [], inputs: ['cell', { source: `a${Math.max(0, i - 1)}.out`, target: 'prev' }], retry: { maxAttempts: 3 } });
      }
      const doc = new ParsedDocument('big.orch.json', JSON.stringify({ type: 'big', schema: { type: 'object' }, activities }, null, 1));
      assert.ok(doc.text.length > 2_000_000);
      schemaDiagnostics(doc);
      const times: number[] = [];
      for (let i = 0; i < 7; i++) {
        const start = performance.now();
        assert.deepEqual(schemaDiagnostics(doc), []);
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      // Typically 2 ms; the bound leaves room for a loaded CI machine but catches any per-node walk.
      assert.ok(times[3] < 40, `median ${times[3].toFixed(1)} ms`);
    });

    test('the same mistake in 20,000 activities is reported 20,000 times without going quadratic', () => {
      const activities = [];
      for (let i = 0; i < 20_000; i++) activities.push({ id: `a${i}`, type: 't', inputs: [{ source: 1 }], dependson: [] });
      const doc = new ParsedDocument('big.orch.json', JSON.stringify({ type: 'big', activities }));
      const start = performance.now();
      const diagnostics = schemaDiagnostics(doc);
      const elapsed = performance.now() - start;
      assert.equal(diagnostics.length, 40_000);
      assert.equal(diagnostics[39_999].message, 'activity `a19999`: unknown property `dependson`: did you mean `dependsOn`?');
      // About 1-2 s; a loose bound against anything quadratic in the number of errors.
      assert.ok(elapsed < 8000, `${elapsed.toFixed(0)} ms`);
    });
  });
});

suite('validateAgainst', () => {
  const schema = {
    type: 'object',
    required: ['cell', 'baseUrl'],
    additionalProperties: false,
    properties: {
      cell: { type: 'string' },
      baseUrl: { type: 'string', format: 'uri' },
      replicas: { type: 'integer', minimum: 1 },
      size: { oneOf: [{ type: 'integer' }, { type: 'array', items: { $ref: '#/definitions/name' } }] },
    },
    definitions: { name: { type: 'string', minLength: 2 } },
  };

  test('a valid value and a missing or empty schema give no problems', () => {
    assert.deepEqual(validateAgainst(schema, { cell: 'eu', baseUrl: 'https://x.example' }), []);
    assert.deepEqual(validateAgainst(undefined, 42), []);
    assert.deepEqual(validateAgainst({}, 42), []);
    assert.deepEqual(validateAgainst({ openAPIV3Schema: {} }, 42), []);
  });

  test('names each wrong property', () => {
    assert.deepEqual(validateAgainst(schema, { cell: 3, replicas: 0, extra: true }), [
      { path: 'baseUrl', message: 'missing required property `baseUrl`' },
      { path: 'extra', message: 'unknown property `extra` (allowed: cell, baseUrl, replicas, size)' },
      { path: 'cell', message: '`cell` must be a string' },
      { path: 'replicas', message: '`replicas` must be an integer >= 1' },
    ]);
  });

  test('formats are checked', () => {
    assert.deepEqual(validateAgainst(schema, { cell: 'eu', baseUrl: 'not a uri' }), [{ path: 'baseUrl', message: '`baseUrl` must be a valid uri' }]);
  });

  test('oneOf in a user schema collapses to the branch meant, refs included', () => {
    assert.deepEqual(validateAgainst(schema, { cell: 'eu', baseUrl: 'https://x', size: ['ok', 'x'] }), [{ path: 'size[1]', message: '`size[1]` must be at least 2 characters long' }]);
  });

  test('a oneOf that several branches match says so once', () => {
    assert.deepEqual(validateAgainst({ oneOf: [{ type: 'number' }, { type: 'integer' }] }, 3), [{ path: '', message: 'the value matches more than one of its allowed forms (oneOf)' }]);
  });

  test('the openAPIV3Schema wrapper means the same schema', () => {
    assert.deepEqual(validateAgainst({ openAPIV3Schema: schema }, { cell: 'eu' }), [{ path: 'baseUrl', message: 'missing required property `baseUrl`' }]);
  });

  test('the same schema object answers the same way every time (compiled once)', () => {
    const first = validateAgainst(schema, { cell: 1, baseUrl: 'https://x' });
    const again = validateAgainst(JSON.parse(JSON.stringify(schema)), { cell: 1, baseUrl: 'https://x' });
    assert.deepEqual(first, again);
    assert.deepEqual(first, [{ path: 'cell', message: '`cell` must be a string' }]);
  });

  test('a root value of the wrong type', () => {
    assert.deepEqual(validateAgainst({ type: 'object' }, [1]), [{ path: '', message: 'the value must be an object' }]);
  });

  test('messages never quote the value, which may hold secrets', () => {
    const problems = validateAgainst({ type: 'array', uniqueItems: true, items: { type: 'string', maxLength: 3 } }, ['s3cret!', 's3cret!']);
    assert.deepEqual(problems, [
      { path: '[0]', message: '`[0]` must be at most 3 characters long' },
      { path: '[1]', message: '`[1]` must be at most 3 characters long' },
      { path: '[1]', message: 'the value has the same item at [0] and [1]' },
    ]);
  });

  test('an invalid schema gives one problem saying so', () => {
    const problems = validateAgainst({ $ref: '#/nowhere' }, {});
    assert.equal(problems.length, 1);
    assert.match(problems[0].message, /^the schema is not a valid JSON Schema: /);
  });

  test('schemas with the same $id do not collide', () => {
    assert.deepEqual(validateAgainst({ $id: 'https://same.example/s', type: 'string' }, 'x'), []);
    assert.deepEqual(validateAgainst({ $id: 'https://same.example/s', type: 'number' }, 'x'), [{ path: '', message: 'the value must be a number' }]);
  });
});

suite('the schema files', () => {
  const schemas = { orchestrationSchema, activitySchema, hostsSchema } as Record<string, Record<string, unknown>>;

  test('are valid draft-07 schemas with the project ids', () => {
    const ajv = new Ajv({ strict: false, logger: false });
    for (const [name, schema] of Object.entries(schemas)) {
      assert.equal(ajv.validateSchema(schema), true, `${name}: ${JSON.stringify(ajv.errors)}`);
      assert.match(String(schema.$id), /^https:\/\/orchestration-studio\.dev\/schemas\/[a-z-]+\.schema\.json$/);
    }
  });

  /** A description of its own, or one on the local definition it refers to (editors merge them). */
  const described = (root: Record<string, unknown>, schema: Record<string, unknown>): boolean => {
    if (typeof schema.description === 'string') return true;
    const ref = schema.$ref;
    if (typeof ref !== 'string' || !ref.startsWith('#/definitions/')) return false;
    const target = (root.definitions as Record<string, Record<string, unknown>>)[ref.slice('#/definitions/'.length)];
    return target !== undefined && described(root, target);
  };

  test('describe every property they define', () => {
    const missing: string[] = [];
    const visit = (node: unknown, path: string) => {
      if (typeof node !== 'object' || node === null) return;
      if (Array.isArray(node)) { node.forEach((child, i) => visit(child, `${path}/${i}`)); return; }
      const record = node as Record<string, unknown>;
      if (typeof record.properties === 'object' && record.properties && !path.includes('/if') && !path.includes('/then')) {
        for (const [key, prop] of Object.entries(record.properties as Record<string, unknown>)) {
          if (typeof prop === 'object' && prop !== null && !described(root, prop as Record<string, unknown>)) missing.push(`${path}/properties/${key}`);
        }
      }
      for (const [key, child] of Object.entries(record)) if (key !== 'defaultSnippets' && key !== 'examples') visit(child, `${path}/${key}`);
    };
    let root: Record<string, unknown> = {};
    for (const [name, schema] of Object.entries(schemas)) { root = schema; visit(schema, name); }
    assert.deepEqual(missing, []);
  });

  test('the retry and timeout definitions are the same in both schemas that need them', () => {
    const o = orchestrationSchema.definitions as Record<string, unknown>;
    const a = activitySchema.definitions as Record<string, unknown>;
    assert.deepEqual(a.retry, o.retry);
    assert.deepEqual(a.timeoutMs, o.timeoutMs);
    assert.deepEqual(a.jsonSchemaOrWrapper, o.jsonSchemaOrWrapper);
  });
});
