/**
 * The mechanisms behind fast analysis: the tape scanner, nodes made on demand (and only then), the
 * model reading the tape, the graph's id order, the index's type uses listed on demand. Behaviour
 * only: speed is the benchmark's business.
 */
import * as assert from 'node:assert/strict';
import { parseTree, type Node as JsoncNode } from 'jsonc-parser';
import { generateWorkload } from '../../bench/generate';
import { ParsedDocument } from '../../runtime/analysis/document';
import { analyzeDocument } from '../../runtime/analysis/validate';
import { buildGraph } from '../../runtime/graph/graph';
import { WorkspaceIndex } from '../../runtime/index/workspaceIndex';
import { nodeAtPath, propertyValue, type JsonNode } from '../../runtime/json/node';
import { parseJsonc } from '../../runtime/json/parse';
import { extractOrchestration, type OrchestrationModel } from '../../runtime/model/located';

const DOCS = [
  '{}',
  '[]',
  '"just a string"',
  '-12.5e-3',
  '{ "a": [1, {"b": null}, [true, false]], "c": "\\u00e9\\n", "d": {} }',
  '{\n  // comment\n  "x": [1, 2,],\n  /* block */ "y": { "z": 1, },\n}',
  '{"k": 1, "k": {"inner": [1]}, "k": 3}',
  '[[[[[]]]], {"": ""}, "\\"quoted\\""]',
];

function shape(node: { type: string; offset: number; length: number; colonOffset?: number; value?: unknown; children?: unknown[] }): unknown {
  const leaf = node.type !== 'object' && node.type !== 'array' && node.type !== 'property';
  return {
    at: `${node.type}@${node.offset}+${node.length}`,
    colon: node.type === 'property' ? node.colonOffset : undefined,
    value: leaf ? node.value : undefined,
    children: (node.children as typeof node[] | undefined)?.map(shape),
  };
}

suite('perf: tape, lazy nodes and the model over them', () => {
  test('nodes are the same as jsonc-parser\'s, and the same objects however they are reached', () => {
    for (const text of DOCS) {
      const result = parseJsonc(text);
      const theirs = parseTree(text, [], { allowTrailingComma: true }) as JsoncNode;
      assert.deepEqual(shape(result.root!), shape(theirs), text);
      const tree = result.tree!;
      // Reached by entry or by walking: one object per node.
      const walk = (node: JsonNode): void => {
        for (const child of node.children ?? []) {
          assert.equal(child.parent, node);
          walk(child);
        }
      };
      walk(result.root!);
      for (let i = 0; i < tree.tape.count; i++) assert.equal(tree.node(i), tree.madeNode(i));
      assert.equal(result.root!.children, result.root!.children, 'children are made once');
    }
  });

  test('container values are the plain value\'s own objects; a repeated key keeps its own value on its node', () => {
    const { root, value } = parseJsonc('{"k": {"a": 1}, "list": [{"b": 2}], "k": {"a": 3}}');
    const doc = value as { k: unknown; list: unknown[] };
    assert.equal(nodeAtPath(root, ['list'])!.value, doc.list);
    assert.equal(nodeAtPath(root, ['list', 0])!.value, doc.list[0]);
    assert.equal(propertyValue(root, 'k')!.value, doc.k);
    const first = root!.children![0].children![1];
    assert.deepEqual(first.value, { a: 1 });
    assert.deepEqual(doc.k, { a: 3 });
  });

  test('repeated keys are found exactly: look-alikes are not repeats, escapes and big objects are handled', () => {
    const keys = (text: string) => parseJsonc(text).problems.filter((p) => p.kind === 'duplicate-key').map((p) => text.slice(p.offset, p.offset + p.length));
    // Same length, first and last character: a signature collision, not a repeat.
    assert.deepEqual(keys('{"axb": 1, "ayb": 2, "a1b": 3}'), []);
    assert.deepEqual(keys('{"a": 1, "\\u0061": 2}'), ['"\\u0061"']);
    const many = Array.from({ length: 50 }, (_, i) => `"k${i}": ${i}`);
    assert.deepEqual(keys(`{${many.join(', ')}, "k7": 0, "k49": 1}`), ['"k7"', '"k49"']);
    assert.deepEqual(keys('{"a": {"a": 1}, "b": {"a": 2, "a": 3}}'), ['"a"']);
  });

  test('raw control characters and bad escapes in strings are syntax errors', () => {
    for (const text of ['{"a": "x\ty"}', '{"a": "x\ny"}', '{"a": "\\q"}', '{"a": "\\u12G4"}', '{"a\u0001": 1}', '{"a": "x\u001fy", /* c */ "b": 1}']) {
      assert.ok(parseJsonc(text).problems.some((p) => p.kind === 'syntax'), JSON.stringify(text));
    }
  });

  test('analysing a valid definition makes almost no nodes; asking the model for one makes it', () => {
    const workload = generateWorkload(300, 4);
    const index = new WorkspaceIndex();
    index.set('file:///w/types.activity.json', workload.activityDefinitions);
    const doc = new ParsedDocument('file:///w/x.orch.json', workload.definition);
    assert.deepEqual(analyzeDocument(doc, index).diagnostics, []);
    const tree = doc.parse.tree!;
    let made = 0;
    for (let i = 0; i < tree.tape.count; i++) if (tree.madeNode(i)) made++;
    assert.ok(made < 50, `${made} of ${tree.tape.count} nodes made`);
    const model = doc.model as OrchestrationModel;
    const activity = model.activities[120];
    assert.equal(activity.idNode!.value, activity.id);
    assert.equal(activity.idNode, nodeAtPath(doc.parse.root, ['activities', 120, 'id']));
    assert.equal(activity.dependsOn[0].node, activity.dependsOnNode!.type === 'array' ? activity.dependsOnNode!.children![0] : activity.dependsOnNode);
  });

  test('the model of a tree built elsewhere points at that tree\'s own nodes', () => {
    const text = '{"type": "t", "activities": [{"id": "a", "type": "x", "dependsOn": ["b"], "inputs": ["b.out"]}, {"id": "b", "type": "x"}]}';
    const foreign = parseTree(text)! as unknown as JsonNode;
    // jsonc-parser leaves container values out; the model reads values from the tree it is given.
    const model = extractOrchestration(foreign);
    assert.deepEqual(model.activities.map((a) => a.id), ['a', 'b']);
    assert.equal(model.activities[0].dependsOn[0].node, foreign.children![1].children![1].children![0].children![2].children![1].children![0]);
    assert.equal(model.activities[0].inputs[0].source?.activityId, 'b');
  });

  test('tiers stay sorted by id when the ids change between graphs', () => {
    const graphOf = (ids: string[]) => buildGraph(new ParsedDocument('file:///w/g.orch.json', JSON.stringify({
      type: 't', activities: ids.map((id) => ({ id, type: 'x' })),
    })).model as OrchestrationModel);
    assert.deepEqual(graphOf(['c', 'a', 'b']).tiers, [['a', 'b', 'c']]);
    assert.deepEqual(graphOf(['c', 'a', 'b']).tiers, [['a', 'b', 'c']]);
    assert.deepEqual(graphOf(['c', 'z', 'b']).tiers, [['b', 'c', 'z']]);
    assert.deepEqual(graphOf(['B', 'a', '_']).tiers, [['B', '_', 'a']]);
  });

  test('type uses are listed on demand and follow replaced and deleted documents', () => {
    const index = new WorkspaceIndex();
    const orch = (types: string[]) => JSON.stringify({ type: 't', activities: types.map((type, i) => ({ id: `a${i}`, type })) });
    index.set('file:///w/one.orch.json', orch(['x', 'y', 'x']));
    index.set('file:///w/two.orch.json', orch(['y']));
    assert.deepEqual(index.filesUsing('x'), ['file:///w/one.orch.json']);
    assert.deepEqual(index.usesOf('x').map((u) => [u.activityIndex, u.type.value, u.type.node.offset > 0]), [[0, 'x', true], [2, 'x', true]]);
    index.set('file:///w/one.orch.json', orch(['z']));
    assert.deepEqual(index.filesUsing('x'), []);
    assert.deepEqual(index.filesUsing('y'), ['file:///w/two.orch.json']);
    index.delete('file:///w/two.orch.json');
    assert.deepEqual(index.usesOf('y'), []);
  });
});
