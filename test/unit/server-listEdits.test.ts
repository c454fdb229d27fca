import * as assert from 'node:assert/strict';
import { parseJsonc } from '../../runtime/json/parse';
import { nodeAtPath } from '../../runtime/json/node';
import { appendItems, insertProperty, removeItems } from '../../server/features/polish/listEdits';
import { applyOffsetEdits } from '../../server/features/polish/offsetEdit';

const layout = { unit: '  ', eol: '\n' };

function remove(text: string, path: (string | number)[], indices: number[]): string {
  const root = parseJsonc(text).root;
  const node = nodeAtPath(root, path)!;
  const out = applyOffsetEdits(text, removeItems(text, node, indices));
  assert.doesNotThrow(() => parseJsonc(out), out);
  return out;
}

function append(text: string, path: (string | number)[], items: string[], multiline = false): string {
  const root = parseJsonc(text).root;
  return applyOffsetEdits(text, appendItems(text, nodeAtPath(root, path)!, () => items, layout, multiline));
}

describe('server polish: list edits', () => {
  it('removes inline array items with their commas', () => {
    assert.equal(remove('{"a": ["x", "y", "z"]}', ['a'], [1]), '{"a": ["x", "z"]}');
    assert.equal(remove('{"a": ["x", "y", "z"]}', ['a'], [0]), '{"a": ["y", "z"]}');
    assert.equal(remove('{"a": ["x", "y", "z"]}', ['a'], [2]), '{"a": ["x", "y"]}');
    assert.equal(remove('{"a": ["x", "y", "z"]}', ['a'], [1, 2]), '{"a": ["x"]}');
    assert.equal(remove('{"a": ["x", "y", "z"]}', ['a'], [0, 2]), '{"a": ["y"]}');
    assert.equal(remove('{"a": ["x", "y", "z"]}', ['a'], [0, 1, 2]), '{"a": []}');
  });

  it('removes whole lines of multi-line arrays and keeps the comments of the others', () => {
    const text = '[\n  "x", // about x\n  // about y\n  "y",\n  "z"\n]';
    assert.equal(remove(text, [], [0]), '[\n  // about y\n  "y",\n  "z"\n]');
    assert.equal(remove(text, [], [1]), '[\n  "x", // about x\n  // about y\n  "z"\n]');
    assert.equal(remove(text, [], [2]), '[\n  "x", // about x\n  // about y\n  "y"\n]');
    assert.equal(remove(text, [], [1, 2]), '[\n  "x" // about x\n  // about y\n]');
  });

  it('handles a trailing comma and CRLF line breaks', () => {
    assert.equal(remove('[\r\n  "x",\r\n  "y",\r\n]', [], [1]), '[\r\n  "x"\r\n]');
    assert.equal(remove('[\r\n  "x",\r\n  "y"\r\n]', [], [0]), '[\r\n  "y"\r\n]');
  });

  it('removes object properties', () => {
    assert.equal(remove('{ "a": 1, "b": 2 }', [], [1]), '{ "a": 1 }');
    assert.equal(remove('{\n  "a": 1,\n  "b": [\n    2\n  ],\n  "c": 3\n}', [], [1]), '{\n  "a": 1,\n  "c": 3\n}');
  });

  it('appends items in the style of the array', () => {
    assert.equal(append('{"a": ["x"]}', ['a'], ['"y"']), '{"a": ["x", "y"]}');
    assert.equal(append('{"a": []}', ['a'], ['"y"']), '{"a": ["y"]}');
    assert.equal(append('[\n    "x" // note\n]', [], ['"y"', '"z"']), '[\n    "x", // note\n    "y",\n    "z"\n]');
    assert.equal(append('[\n  "x",\n]', [], ['"y"']), '[\n  "x",\n  "y",\n]');
    assert.equal(append('{\n  "a": []\n}', ['a'], ['1'], true), '{\n  "a": [\n    1\n  ]\n}');
  });

  it('inserts properties after an anchor, on their own line or inline', () => {
    const multi = '{\n    "id": "a",\n    "type": "t"\n}';
    const root = parseJsonc(multi).root!;
    const after = (key: string) => root.children!.find((p) => p.children![0].value === key);
    assert.equal(applyOffsetEdits(multi, insertProperty(multi, root, after('id'), 'k', () => '1', layout)), '{\n    "id": "a",\n    "k": 1,\n    "type": "t"\n}');
    assert.equal(applyOffsetEdits(multi, insertProperty(multi, root, after('type'), 'k', () => '1', layout)), '{\n    "id": "a",\n    "type": "t",\n    "k": 1\n}');
    assert.equal(applyOffsetEdits(multi, insertProperty(multi, root, undefined, 'k', () => '1', layout)), '{\n    "k": 1,\n    "id": "a",\n    "type": "t"\n}');
    const inline = '{ "id": "a", "type": "t" }';
    const iroot = parseJsonc(inline).root!;
    assert.equal(applyOffsetEdits(inline, insertProperty(inline, iroot, iroot.children![0], 'k', () => '1', layout)), '{ "id": "a", "k": 1, "type": "t" }');
    assert.equal(applyOffsetEdits('{}', insertProperty('{}', parseJsonc('{}').root!, undefined, 'k', () => '1', layout)), '{ "k": 1 }');
  });
});
