import assert from 'node:assert/strict';
import { inactive } from '../../../runtime/analysis/checks/inactive';
import { at, json, rangeOf, runOrchestrationCheck } from './support';

describe('checks/inactive (ORCH601)', () => {
  it('accepts active definitions, explicit or by default', () => {
    assert.deepEqual(runOrchestrationCheck(inactive, json({ type: 't', active: true, activities: [] })), []);
    assert.deepEqual(runOrchestrationCheck(inactive, json({ type: 't', activities: [] })), []);
  });

  it('warns on `active: false`, on the value', () => {
    const text = json({ type: 't', active: false, activities: [] });
    const [d, ...rest] = runOrchestrationCheck(inactive, text);
    assert.equal(rest.length, 0);
    assert.equal(d.code, 'ORCH601');
    assert.equal(d.severity, 'warning');
    assert.deepEqual(rangeOf(d), at(text, 'false'));
    assert.equal(d.message, 'This definition is inactive ("active": false): it can be edited and validated, but runs of it are refused. Set "active" to true (or remove it) to run it.');
    assert.deepEqual(d.data, { active: false });
  });
});
