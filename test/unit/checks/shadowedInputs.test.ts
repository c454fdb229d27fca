import assert from 'node:assert/strict';
import { shadowedInputs } from '../../../runtime/analysis/checks/shadowedInputs';
import { at, json, ORCH_URI, rangeOf, relatedRanges, runOrchestrationCheck } from './support';

describe('checks/shadowedInputs (ORCH407)', () => {
  it('accepts input properties named unlike any activity', () => {
    const text = json({ type: 't', schema: { properties: { cell: {} } }, input: { region: 'eu' }, activities: [{ id: 'deploy', type: 'x' }] });
    assert.deepEqual(runOrchestrationCheck(shadowedInputs, text), []);
  });

  it('warns on a schema property and an input default named like an activity', () => {
    const text = json({
      type: 't',
      schema: { openAPIV3Schema: { properties: { deploy: { type: 'string' } } } },
      input: { deploy: 'x', build: 'y' },
      activities: [{ id: 'deploy', type: 'x' }, { id: 'build', type: 'x' }],
    });
    const found = runOrchestrationCheck(shadowedInputs, text);
    assert.equal(found.length, 2, 'one per name');
    const [schemaProp, inputDefault] = found;
    assert.equal(schemaProp.code, 'ORCH407');
    assert.equal(schemaProp.severity, 'warning');
    assert.deepEqual(rangeOf(schemaProp), at(text, '"deploy"', 0));
    assert.equal(schemaProp.message, "The input property 'deploy' (in `schema`) has the same name as activity 'deploy': sources starting with 'deploy' read the activity's output, never this property. Rename the property or the activity.");
    assert.deepEqual(relatedRanges(schemaProp), [{ file: ORCH_URI, ...at(text, '"deploy"', 2) }]);
    assert.deepEqual(schemaProp.data, { property: 'deploy', activityId: 'deploy' });
    assert.deepEqual(rangeOf(inputDefault), at(text, '"build"', 0));
    assert.match(inputDefault.message, /^The input property 'build' \(in `input`\)/);
  });
});
