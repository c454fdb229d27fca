import assert from 'node:assert/strict';
import { duplicateIds } from '../../../runtime/analysis/checks/duplicateIds';
import { at, json, ORCH_URI, rangeOf, relatedRanges, runOrchestrationCheck } from './support';

describe('checks/duplicateIds (ORCH201)', () => {
  it('accepts unique ids', () => {
    const text = json({ type: 't', activities: [{ id: 'a', type: 'x' }, { id: 'b', type: 'x' }] });
    assert.deepEqual(runOrchestrationCheck(duplicateIds, text), []);
  });

  it('reports a repeated id on the later id, related to the first, with a free name to rename to', () => {
    const text = json({ type: 't', activities: [{ id: 'a', type: 'x' }, { id: 'a-2', type: 'x' }, { id: 'a', type: 'y' }] });
    const [d, ...rest] = runOrchestrationCheck(duplicateIds, text);
    assert.equal(rest.length, 0);
    assert.equal(d.code, 'ORCH201');
    assert.equal(d.severity, 'error');
    assert.deepEqual(rangeOf(d), at(text, '"a"', 1));
    assert.match(d.message, /Activity id 'a' is already used by activities\[0\]/);
    assert.match(d.message, /Rename this activity \(e\.g\. 'a-3'\)/);
    assert.deepEqual(relatedRanges(d), [{ file: ORCH_URI, ...at(text, '"a"', 0) }]);
    assert.deepEqual(d.data, { id: 'a', firstIndex: 0, suggestion: 'a-3' });
  });
});
