import assert from 'node:assert/strict';
import { forEachItems } from '../../../runtime/analysis/checks/forEachItems';
import { at, blockAfter, inside, json, ORCH_URI, rangeOf, relatedRanges, runOrchestrationCheck } from './support';

describe('checks/forEachItems (ORCH408)', () => {
  it('accepts items from an upstream activity or a known input property', () => {
    const text = json({
      type: 't',
      schema: { properties: { regions: { type: 'array' } } },
      activities: [
        { id: 'list', type: 'x' },
        { id: 'each', type: 'x', dependsOn: 'list', forEach: { items: 'list.names', as: 'name' } },
        { id: 'perRegion', type: 'x', forEach: { items: 'regions', as: 'region' } },
      ],
    });
    assert.deepEqual(runOrchestrationCheck(forEachItems, text), []);
  });

  it('reports items read from an activity that is not upstream', () => {
    const text = json({ type: 't', activities: [{ id: 'list', type: 'x' }, { id: 'each', type: 'x', forEach: { items: 'list.names', as: 'name' } }] });
    const [d, ...rest] = runOrchestrationCheck(forEachItems, text);
    assert.equal(rest.length, 0);
    assert.equal(d.code, 'ORCH408');
    assert.equal(d.severity, 'error');
    assert.deepEqual(rangeOf(d), inside(text, '"list.names"', 'list'));
    assert.equal(d.message, "forEach.items \"list.names\" reads the output of 'list', but 'list' is not upstream of 'each' (not reachable through dependsOn), so it may not have run yet: add 'list' to the dependsOn of 'each'.");
    assert.deepEqual(relatedRanges(d), [{ file: ORCH_URI, ...at(text, '"list"') }]);
    assert.deepEqual(d.data, { activityId: 'list' });
  });

  it('reports items read from an unknown input property', () => {
    const text = json({ type: 't', schema: { properties: { regions: {} } }, activities: [{ id: 'each', type: 'x', forEach: { items: 'region', as: 'r' } }] });
    const [d] = runOrchestrationCheck(forEachItems, text);
    assert.equal(d.code, 'ORCH408');
    assert.deepEqual(rangeOf(d), inside(text, '"region"', 'region', 0));
    assert.match(d.message, /^forEach\.items "region" reads the run input, but 'region' is neither an activity .* Did you mean 'regions'\?/);
    assert.deepEqual(relatedRanges(d), [{ file: ORCH_URI, ...blockAfter(text, '"properties":') }]);
    assert.deepEqual(d.data, { property: 'region', suggestion: 'regions' });
  });
});
