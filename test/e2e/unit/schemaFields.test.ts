import * as assert from 'node:assert';
import { MAX_SIMPLE_FIELDS, parseFieldText, simpleFields } from '../../../client/input/schemaFields';

suite('schemaFields', () => {
  test('a flat object of scalars is asked field by field', () => {
    const fields = simpleFields({
      type: 'object',
      properties: {
        env: { enum: ['dev', 'prod'], description: 'where' },
        replicas: { type: 'integer', minimum: 1, maximum: 5, default: 2 },
        dry: { type: 'boolean' },
        name: { type: ['string', 'null'], pattern: '^[a-z]+$' },
      },
      required: ['env'],
    })!;
    assert.deepStrictEqual(fields.map((f) => [f.name, f.kind, f.required]), [['env', 'enum', true], ['replicas', 'integer', false], ['dry', 'boolean', false], ['name', 'string', false]]);
    assert.strictEqual(fields[1].defaultValue, 2);
    assert.strictEqual(fields[0].description, 'where');
  });

  test('the openAPIV3Schema wrapper is unwrapped', () => {
    assert.strictEqual(simpleFields({ openAPIV3Schema: { properties: { a: { type: 'string' } } } })?.length, 1);
  });

  test('anything else is asked as a JSON file', () => {
    assert.strictEqual(simpleFields(undefined), undefined);
    assert.strictEqual(simpleFields({}), undefined);
    assert.strictEqual(simpleFields({ type: 'array' }), undefined);
    assert.strictEqual(simpleFields({ properties: { a: { type: 'object' } } }), undefined);
    assert.strictEqual(simpleFields({ properties: { a: { type: 'array', items: { type: 'string' } } } }), undefined);
    assert.strictEqual(simpleFields({ properties: { a: { $ref: '#/x' } } }), undefined);
    assert.strictEqual(simpleFields({ oneOf: [{}], properties: { a: { type: 'string' } } }), undefined);
    const many = Object.fromEntries(Array.from({ length: MAX_SIMPLE_FIELDS + 1 }, (_, i) => [`p${i}`, { type: 'string' }]));
    assert.strictEqual(simpleFields({ properties: many }), undefined);
  });

  test('typed text is checked and converted', () => {
    const [env, replicas, dry, name] = simpleFields({
      properties: { env: { enum: ['dev', 1, true] }, replicas: { type: 'integer', minimum: 1, exclusiveMaximum: 5 }, dry: { type: 'boolean' }, name: { type: 'string', minLength: 2, pattern: '^[a-z]+$' } },
      required: ['env', 'replicas'],
    })!;
    assert.deepStrictEqual(parseFieldText(env, '1'), { value: 1 });
    assert.deepStrictEqual(parseFieldText(env, 'true'), { value: true });
    assert.match(parseFieldText(env, 'x').error!, /one of/);
    assert.match(parseFieldText(replicas, '').error!, /required/);
    assert.match(parseFieldText(replicas, '2.5').error!, /integer/);
    assert.match(parseFieldText(replicas, '0').error!, /at least 1/);
    assert.match(parseFieldText(replicas, '5').error!, /less than 5/);
    assert.deepStrictEqual(parseFieldText(replicas, ' 4 '), { value: 4 });
    assert.deepStrictEqual(parseFieldText(dry, 'false'), { value: false });
    assert.match(parseFieldText(dry, 'yes').error!, /true or false/);
    assert.deepStrictEqual(parseFieldText(name, ''), {}, 'an optional field left empty is left out');
    assert.match(parseFieldText(name, 'a').error!, /at least 2/);
    assert.match(parseFieldText(name, 'AB').error!, /match/);
    assert.deepStrictEqual(parseFieldText(name, 'ab'), { value: 'ab' });
  });
});
