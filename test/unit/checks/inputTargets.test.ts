import assert from 'node:assert/strict';
import { inputTargets } from '../../../runtime/analysis/checks/inputTargets';
import { at, blockAfter, inside, json, rangeOf, relatedRanges, runOrchestrationCheck, workspace } from './support';

const DEFS = 'file:///w/deploy.activity.json';

function defs(closed: boolean): string {
  return json({
    type: 'deploy', provider: 'noop',
    inputSchema: { openAPIV3Schema: { type: 'object', properties: { image: { type: 'string' }, replicas: { type: 'integer' } }, ...(closed ? { additionalProperties: false } : {}) } },
  });
}

describe('checks/inputTargets (ORCH404)', () => {
  it('accepts targets listed by the inputSchema (forEach `as` included); no index or no listed properties checks nothing', () => {
    const text = json({ type: 't', activities: [{ id: 'a', type: 'deploy', forEach: { items: 'images', as: 'image' }, inputs: [{ value: 2, target: 'replicas' }] }] });
    assert.deepEqual(runOrchestrationCheck(inputTargets, text, workspace({ [DEFS]: defs(true) })), []);
    const other = json({ type: 't', activities: [{ id: 'a', type: 'deploy', inputs: ['anything'] }] });
    assert.deepEqual(runOrchestrationCheck(inputTargets, other), []);
    assert.deepEqual(runOrchestrationCheck(inputTargets, other, workspace({ [DEFS]: { type: 'deploy', provider: 'noop', inputSchema: { openAPIV3Schema: {} } } })), []);
  });

  it('warns on a target outside the inputSchema, with a suggestion', () => {
    const defsText = defs(false);
    const text = json({ type: 't', activities: [{ id: 'a', type: 'deploy', inputs: ['settings.replica'] }] });
    const [d, ...rest] = runOrchestrationCheck(inputTargets, text, workspace({ [DEFS]: defsText }));
    assert.equal(rest.length, 0);
    assert.equal(d.code, 'ORCH404');
    assert.equal(d.severity, 'warning');
    assert.deepEqual(rangeOf(d), inside(text, '"settings.replica"', 'replica'));
    assert.equal(d.message, "The target 'replica' is not an input of type 'deploy' (the processor will probably ignore it). Did you mean 'replicas'? Use one of the inputSchema properties or add 'replica' to them.");
    assert.deepEqual(relatedRanges(d), [{ file: DEFS, ...blockAfter(defsText, '"properties":') }]);
    assert.deepEqual(d.data, { target: 'replica', type: 'deploy', suggestion: 'replicas' });
  });

  it('is an error where the inputSchema sets additionalProperties: false', () => {
    const text = json({ type: 't', activities: [{ id: 'a', type: 'deploy', inputs: [{ value: 'x', target: 'zone' }] }] });
    const [d] = runOrchestrationCheck(inputTargets, text, workspace({ [DEFS]: defs(true) }));
    assert.equal(d.code, 'ORCH404');
    assert.equal(d.severity, 'error');
    assert.deepEqual(rangeOf(d), at(text, '"zone"'));
    assert.match(d.message, /additionalProperties: false, so the run would be refused/);
    assert.deepEqual(d.data, { target: 'zone', type: 'deploy' });
  });
});
