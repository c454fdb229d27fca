import assert from 'node:assert/strict';
import { duplicateTargets } from '../../../runtime/analysis/checks/duplicateTargets';
import { at, inside, json, ORCH_URI, rangeOf, relatedRanges, runOrchestrationCheck } from './support';

describe('checks/duplicateTargets (ORCH403)', () => {
  it('accepts distinct targets, including the forEach item name', () => {
    const text = json({ type: 't', activities: [{
      id: 'a', type: 'x',
      forEach: { items: 'hosts', as: 'host' },
      inputs: ['cell', 'config.timeout', { source: 'config.region', target: 'where' }, { value: 3, target: 'count' }],
    }] });
    assert.deepEqual(runOrchestrationCheck(duplicateTargets, text), []);
  });

  it('reports a target set twice: shorthand last segment against an explicit target', () => {
    const text = json({ type: 't', activities: [{
      id: 'a', type: 'x',
      inputs: ['config.timeout', { value: 30, target: 'timeout' }],
    }] });
    const [d, ...rest] = runOrchestrationCheck(duplicateTargets, text);
    assert.equal(rest.length, 0);
    assert.equal(d.code, 'ORCH403');
    assert.equal(d.severity, 'error');
    assert.deepEqual(rangeOf(d), at(text, '"timeout"'));
    assert.equal(d.message, "The target 'timeout' is already set by an earlier input of this activity: one value would silently replace the other. Give this input another target (`{ \"source\": ..., \"target\": \"...\" }`) or remove it.");
    assert.deepEqual(relatedRanges(d), [{ file: ORCH_URI, ...inside(text, '"config.timeout"', 'timeout') }]);
    assert.deepEqual(d.data, { target: 'timeout' });
  });

  it('counts the forEach `as` name as a target, first when forEach comes first', () => {
    const text = json({ type: 't', activities: [{ id: 'a', type: 'x', forEach: { items: 'hosts', as: 'host' }, inputs: ['config.host'] }] });
    const [d, ...rest] = runOrchestrationCheck(duplicateTargets, text);
    assert.equal(rest.length, 0);
    assert.deepEqual(rangeOf(d), inside(text, '"config.host"', 'host'));
    assert.match(d.message, /already set by the forEach item \(`as`\)/);
    assert.deepEqual(relatedRanges(d), [{ file: ORCH_URI, ...at(text, '"host"') }]);
  });
});
