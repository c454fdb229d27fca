import * as assert from 'node:assert/strict';
import { parseTree } from 'jsonc-parser';
import { nodeAtOffset, nodeAtPath, pathOf, propertyValue } from '../../runtime/json/node';
import { parseJsonc } from '../../runtime/json/parse';

suite('parseJsonc', () => {
  test('builds the tree and the value in one pass', () => {
    const text = '{ "a": [1, -2.5e3, true, null], "b": { "c": "x\\ny\\u0041" } }';
    const { root, value, problems } = parseJsonc(text);
    assert.deepEqual(problems, []);
    assert.deepEqual(value, JSON.parse(text));
    const c = nodeAtPath(root, ['b', 'c'])!;
    assert.equal(c.type, 'string');
    assert.equal(text.slice(c.offset, c.offset + c.length), '"x\\ny\\u0041"');
    assert.deepEqual(pathOf(c), ['b', 'c']);
    assert.equal(nodeAtPath(root, ['a', 1])!.value, -2500);
  });

  test('has the same offsets as jsonc-parser', () => {
    const text = '{\n  "activities": [ { "id": "a", "dependsOn": ["b", "c"] }, {"id":"b"} ],\n  "n": 1.5 }';
    const ours = parseJsonc(text).root!;
    const theirs = parseTree(text)!;
    const flatten = (n: { type: string; offset: number; length: number; children?: unknown[] }): string[] =>
      [`${n.type}@${n.offset}+${n.length}`, ...((n.children ?? []) as typeof n[]).flatMap(flatten)];
    assert.deepEqual(flatten(ours), flatten(theirs));
  });

  test('tolerates comments and trailing commas with warnings at their place', () => {
    const text = '{\n  // note\n  "a": 1, /* b */\n  "b": [1, 2,],\n}';
    const { value, problems } = parseJsonc(text);
    assert.deepEqual(value, { a: 1, b: [1, 2] });
    assert.deepEqual(problems.map((p) => [p.kind, text.slice(p.offset, p.offset + p.length)]), [
      ['comment', '// note'],
      ['comment', '/* b */'],
      ['trailing-comma', ','],
      ['trailing-comma', ','],
    ]);
  });

  test('reports duplicate keys on the later key; the last value wins', () => {
    const text = '{"a": 1, "a": 2}';
    const { value, problems } = parseJsonc(text);
    assert.deepEqual(value, { a: 2 });
    assert.equal(problems.length, 1);
    assert.equal(problems[0].kind, 'duplicate-key');
    assert.equal(problems[0].offset, text.lastIndexOf('"a"'));
  });

  test('a __proto__ key is data, not a prototype', () => {
    const { value } = parseJsonc('{"__proto__": {"polluted": true}}');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(Object.keys(value as object), ['__proto__']);
  });

  test('broken text still gives a tree and located errors', () => {
    const text = '{ "a": 1, "b": [1, 2 }';
    const { root, problems } = parseJsonc(text);
    assert.ok(root);
    assert.ok(problems.length >= 1);
    assert.ok(problems.every((p) => p.kind === 'syntax' && p.offset >= 0 && p.offset <= text.length));
    assert.equal(propertyValue(root, 'a')!.value, 1);
  });

  test('empty and garbage documents never throw', () => {
    for (const text of ['', '   ', '}', '"', '{"a":', '[[[[[[', 'tru', '{"a": truex}', '\ud800', '[1,,2]', '{"a" 1}']) {
      const result = parseJsonc(text);
      assert.ok(result.problems.some((p) => p.kind === 'syntax'), `expected a syntax problem for ${JSON.stringify(text)}`);
    }
  });

  test('very deep nesting gives one located problem instead of overflowing the stack', () => {
    // [text, offset of the bracket that opens level 1001]
    const cases: [string, number][] = [
      ['['.repeat(100_000) + ']'.repeat(100_000), 1000],
      ['{"a":' + '['.repeat(50_000), 5 + 999],
    ];
    for (const [text, offset] of cases) {
      const result = parseJsonc(text);
      assert.equal(result.problems.length, 1);
      assert.match(result.problems[0].message, /Nesting deeper than 1000 levels/);
      assert.equal(result.problems[0].offset, offset);
    }
    assert.ok(parseJsonc('['.repeat(500) + ']'.repeat(500)).root, 'moderate nesting still parses');
  });

  test('nodeAtOffset finds the innermost node, end inclusive', () => {
    const text = '{"a": {"b": "xyz"}}';
    const root = parseJsonc(text).root;
    const at = nodeAtOffset(root, text.indexOf('xyz') + 1)!;
    assert.equal(at.value, 'xyz');
    assert.equal(nodeAtOffset(root, text.length + 5), undefined);
  });
});
