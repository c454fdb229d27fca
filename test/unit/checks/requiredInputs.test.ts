import assert from 'node:assert/strict';
import { requiredInputs } from '../../../runtime/analysis/checks/requiredInputs';
import { at, blockAfter, json, rangeOf, relatedRanges, runOrchestrationCheck, workspace } from './support';

const DEFS = 'file:///w/deploy.activity.json';
const defsText = json({
  type: 'deploy', provider: 'noop',
  inputSchema: { type: 'object', properties: { image: {}, replicas: {}, zone: {} }, required: ['image', 'replicas', 'zone'] },
});

describe('checks/requiredInputs (ORCH405)', () => {
  it('accepts every required name supplied, by inputs of any kind or by forEach `as`', () => {
    const text = json({ type: 't', activities: [{
      id: 'a', type: 'deploy', forEach: { items: 'zones', as: 'zone' },
      inputs: ['build.image', { value: 2, target: 'replicas' }],
    }] });
    assert.deepEqual(runOrchestrationCheck(requiredInputs, text, workspace({ [DEFS]: defsText })), []);
  });

  it('lists every missing name once, on the `inputs` key', () => {
    const text = json({ type: 't', activities: [{ id: 'a', type: 'deploy', inputs: ['image'] }] });
    const [d, ...rest] = runOrchestrationCheck(requiredInputs, text, workspace({ [DEFS]: defsText }));
    assert.equal(rest.length, 0);
    assert.equal(d.code, 'ORCH405');
    assert.equal(d.severity, 'error');
    assert.deepEqual(rangeOf(d), at(text, '"inputs"'));
    assert.equal(d.message, "Activity 'a' does not supply the required inputs 'replicas' and 'zone' of type 'deploy': add them to `inputs` (e.g. { \"value\": ..., \"target\": \"replicas\" }).");
    assert.deepEqual(relatedRanges(d), [{ file: DEFS, ...blockAfter(defsText, '"required":') }]);
    assert.deepEqual(d.data, { missing: ['replicas', 'zone'], type: 'deploy' });
  });

  it('without inputs, reports on the type value', () => {
    const text = json({ type: 't', activities: [{ id: 'a', type: 'deploy' }] });
    const [d] = runOrchestrationCheck(requiredInputs, text, workspace({ [DEFS]: defsText }));
    assert.deepEqual(rangeOf(d), at(text, '"deploy"'));
    assert.deepEqual(d.data, { missing: ['image', 'replicas', 'zone'], type: 'deploy' });
  });
});
