import assert from 'node:assert/strict';
import { cycles } from '../../../runtime/analysis/checks/cycles';
import { at, json, ORCH_URI, rangeOf, relatedRanges, runOrchestrationCheck } from './support';

describe('checks/cycles (ORCH205)', () => {
  it('accepts a diamond', () => {
    const text = json({ type: 't', activities: [
      { id: 'a', type: 'x' },
      { id: 'b', type: 'x', dependsOn: 'a' },
      { id: 'c', type: 'x', dependsOn: 'a' },
      { id: 'd', type: 'x', dependsOn: ['b', 'c'] },
    ] });
    assert.deepEqual(runOrchestrationCheck(cycles, text), []);
  });

  it('reports a cycle with its path, on the closing entry, with every edge related', () => {
    // a -> b -> c -> a: a depends on b, b on c, c on a.
    const text = [
      '{ "type": "t", "activities": [',
      '  { "id": "a", "type": "x", "dependsOn": ["b"] },',
      '  { "id": "b", "type": "x", "dependsOn": ["c"] },',
      '  { "id": "c", "type": "x", "dependsOn": ["a"] }',
      '] }',
    ].join('\n');
    const [d, ...rest] = runOrchestrationCheck(cycles, text);
    assert.equal(rest.length, 0);
    assert.equal(d.code, 'ORCH205');
    assert.equal(d.severity, 'error');
    assert.deepEqual(rangeOf(d), { offset: at(text, '["a"]').offset + 1, length: 3 }, 'on the closing entry');
    assert.equal(d.message, "Dependency cycle: a -> b -> c -> a (each activity depends on the next), so none of them can ever start. Remove one of these dependencies, e.g. 'a' from the dependsOn of 'c'.");
    assert.deepEqual(relatedRanges(d), [
      { file: ORCH_URI, offset: at(text, '["b"]').offset + 1, length: 3 },
      { file: ORCH_URI, offset: at(text, '["c"]').offset + 1, length: 3 },
      { file: ORCH_URI, offset: at(text, '["a"]').offset + 1, length: 3 },
    ]);
    assert.deepEqual(d.related!.map((r) => r.message), ["'a' depends on 'b'", "'b' depends on 'c'", "'c' depends on 'a'"]);
    assert.deepEqual(d.data, { cycle: ['a', 'b', 'c', 'a'], edge: { from: 'c', to: 'a' } });
  });

  it('reports each strongly connected component once', () => {
    const text = json({ type: 't', activities: [
      { id: 'a', type: 'x', dependsOn: 'b' },
      { id: 'b', type: 'x', dependsOn: 'a' },
      { id: 'c', type: 'x', dependsOn: ['d', 'a'] },
      { id: 'd', type: 'x', dependsOn: 'c' },
    ] });
    const found = runOrchestrationCheck(cycles, text);
    assert.deepEqual(found.map((d) => d.data?.cycle), [['a', 'b', 'a'], ['c', 'd', 'c']]);
  });
});
