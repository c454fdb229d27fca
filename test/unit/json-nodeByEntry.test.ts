import * as assert from 'node:assert/strict';
import { generateWorkload } from '../../bench/generate';
import type { JsonNode } from '../../runtime/json/node';
import { parseJsonc } from '../../runtime/json/parse';

const DOCS = [
  '{ "a": [1, {"b": null}, [true, false]], "c": "\\u00e9\\n", "d": {} }',
  '{\n  // comment\n  "x": [1, 2,],\n  /* block */ "y": { "z": 1, },\n}',
  '{"k": 1, "k": {"inner": [1]}, "k": 3}',
  '[[[[[]]]], {"": ""}, "\\"quoted\\"", {"__proto__": {"p": 1}}]',
  '{"a": [{"id": "x", "dependsOn": ["y", "z"]}, {"id": "y"}, {"id": "z", "inputs": [{"source": "y.out"}]}]}',
];

/** Every field of every node, walking from the root (children, then each child's). */
function walk(root: JsonNode): unknown[] {
  const out: unknown[] = [];
  const visit = (node: JsonNode, parent: JsonNode | undefined) => {
    assert.equal(node.parent, parent);
    out.push({ type: node.type, offset: node.offset, length: node.length, value: node.value, colonOffset: node.colonOffset });
    for (const child of node.children ?? []) visit(child, node);
  };
  visit(root, undefined);
  return out;
}

describe('JSON tree: a node asked for by entry', () => {
  it('is the node a walk from the root reaches, with the same fields, whichever entry is asked first', () => {
    for (const text of DOCS) {
      const expected = walk(parseJsonc(text).root!);
      const count = parseJsonc(text).tree!.tape.count;
      for (let i = 0; i < count; i++) {
        const { root, tree } = parseJsonc(text);
        const alone = tree!.node(i);
        assert.equal(tree!.node(i), alone, 'made once');
        assert.deepEqual(walk(root!), expected, `${text} (entry ${i} first)`);
        assert.equal(tree!.node(i), alone, 'the walk took the node made before');
        for (let j = 0; j < count; j++) assert.equal(tree!.node(j), tree!.madeNode(j));
      }
    }
  });

  it('makes only its ancestors: one activity of a large definition does not make the others', () => {
    const { tree } = parseJsonc(generateWorkload(1000).definition);
    const last = tree!.tape.count - 1;
    const node = tree!.node(last);
    let made = 0;
    for (let i = 0; i < tree!.tape.count; i++) if (tree!.madeNode(i)) made++;
    let depth = 0;
    for (let n: JsonNode | undefined = node; n; n = n.parent) depth++;
    assert.equal(made, depth);
  });
});
