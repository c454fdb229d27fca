import assert from 'node:assert/strict';
import { inputProperties } from '../../../runtime/analysis/checks/inputProperties';
import { blockAfter, inside, json, ORCH_URI, rangeOf, relatedRanges, runOrchestrationCheck } from './support';

describe('checks/inputProperties (ORCH402)', () => {
  it('accepts schema properties, required names and `input` defaults; an empty schema checks nothing', () => {
    const text = json({
      type: 't',
      schema: { openAPIV3Schema: { type: 'object', properties: { cell: { type: 'string' } }, required: ['region'] } },
      input: { baseUrl: 'https://example.com' },
      activities: [{ id: 'a', type: 'x', inputs: ['cell', 'region', 'baseUrl.host', { source: 'cell', target: 'c2' }] }],
    });
    assert.deepEqual(runOrchestrationCheck(inputProperties, text), []);
    const empty = json({ type: 't', schema: {}, activities: [{ id: 'a', type: 'x', inputs: ['cell', 'baseUrl'] }] });
    assert.deepEqual(runOrchestrationCheck(inputProperties, empty), []);
  });

  it('reports a property outside the schema, on its first segment, with a suggestion', () => {
    const text = json({
      type: 't',
      schema: { properties: { cell: { type: 'string' } } },
      activities: [{ id: 'a', type: 'x', inputs: ['cel.name'] }],
    });
    const [d, ...rest] = runOrchestrationCheck(inputProperties, text);
    assert.equal(rest.length, 0);
    assert.equal(d.code, 'ORCH402');
    assert.equal(d.severity, 'error');
    assert.deepEqual(rangeOf(d), inside(text, '"cel.name"', 'cel'));
    assert.equal(d.message, "The input \"cel.name\" reads the run input, but 'cel' is neither an activity of this definition nor a property of its `schema`, and `input` gives it no default. Did you mean 'cell'? Declare it in schema.properties, give it a default in `input`, or fix the name.");
    assert.deepEqual(relatedRanges(d), [{ file: ORCH_URI, ...blockAfter(text, '"properties":') }]);
    assert.deepEqual(d.data, { property: 'cel', suggestion: 'cell' });
  });

  it('warns, with an empty schema, about a name that is a typo of an activity id', () => {
    const text = json({ type: 't', activities: [{ id: 'activity1', type: 'x' }, { id: 'b', type: 'x', dependsOn: 'activity1', inputs: ['activty1.resource'] }] });
    const [d, ...rest] = runOrchestrationCheck(inputProperties, text);
    assert.equal(rest.length, 0);
    assert.equal(d.code, 'ORCH402');
    assert.equal(d.severity, 'warning');
    assert.deepEqual(rangeOf(d), inside(text, '"activty1.resource"', 'activty1'));
    assert.equal(d.message, "The input \"activty1.resource\" reads the run input, but 'activty1' is not an activity of this definition, so this reads the run-input property 'activty1'. Did you mean activity 'activity1'? If 'activty1' is meant as an input property, declare it in `schema`.");
    assert.deepEqual(d.data, { property: 'activty1', suggestion: 'activity1' });
  });
});
