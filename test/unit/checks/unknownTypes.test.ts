import assert from 'node:assert/strict';
import { unknownTypes } from '../../../runtime/analysis/checks/unknownTypes';
import { at, json, rangeOf, relatedRanges, runOrchestrationCheck, workspace } from './support';

const DEFS = 'file:///w/defs.activity.json';

describe('checks/unknownTypes (ORCH301)', () => {
  const text = json({ type: 't', activities: [{ id: 'a', type: 'deploy.example.com' }, { id: 'b', type: 'depoly.example.com' }] });

  it('accepts types the workspace declares, and says nothing without an index', () => {
    const index = workspace({ [DEFS]: [{ type: 'deploy.example.com', provider: 'noop' }, { type: 'depoly.example.com', provider: 'noop' }] });
    assert.deepEqual(runOrchestrationCheck(unknownTypes, text, index), []);
    assert.deepEqual(runOrchestrationCheck(unknownTypes, text), []);
  });

  it('warns on an undeclared type, suggesting the closest declared one', () => {
    const defsText = json({ type: 'deploy.example.com', provider: 'noop' });
    const index = workspace({ [DEFS]: defsText });
    const [d, ...rest] = runOrchestrationCheck(unknownTypes, text, index);
    assert.equal(rest.length, 0);
    assert.equal(d.code, 'ORCH301');
    assert.equal(d.severity, 'warning');
    assert.deepEqual(rangeOf(d), at(text, '"depoly.example.com"'));
    assert.equal(d.message, "No ActivityDefinition in the workspace declares type 'depoly.example.com'. Did you mean 'deploy.example.com'? Add a *.activity.json file with \"type\": \"depoly.example.com\", or fix the name; until then its inputs and outputs are not checked.");
    assert.deepEqual(relatedRanges(d), [{ file: DEFS, ...at(defsText, '"deploy.example.com"') }]);
    assert.deepEqual(d.data, { type: 'depoly.example.com', suggestion: 'deploy.example.com' });
  });
});
