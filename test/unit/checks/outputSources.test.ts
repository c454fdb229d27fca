import assert from 'node:assert/strict';
import { outputSources } from '../../../runtime/analysis/checks/outputSources';
import { blockAfter, inside, json, ORCH_URI, rangeOf, relatedRanges, runOrchestrationCheck } from './support';

describe('checks/outputSources (ORCH409)', () => {
  it('accepts outputs reading any activity or a known input property', () => {
    const text = json({
      type: 't',
      schema: { properties: { cell: {} } },
      output: { url: 'ingress.endpoint', all: 'ingress', cell: 'cell' },
      activities: [{ id: 'ingress', type: 'x' }],
    });
    assert.deepEqual(runOrchestrationCheck(outputSources, text), []);
  });

  it('reports an output naming neither an activity nor an input property, suggesting the activity', () => {
    const text = json({
      type: 't',
      schema: { properties: { cell: {} } },
      output: { url: 'ingres.endpoint' },
      activities: [{ id: 'ingress', type: 'x' }],
    });
    const [d, ...rest] = runOrchestrationCheck(outputSources, text);
    assert.equal(rest.length, 0);
    assert.equal(d.code, 'ORCH409');
    assert.equal(d.severity, 'error');
    assert.deepEqual(rangeOf(d), inside(text, '"ingres.endpoint"', 'ingres'));
    assert.equal(d.message, "The output 'url' reads \"ingres.endpoint\", but 'ingres' is neither an activity of this definition nor a property of its `schema`, and `input` gives it no default. Did you mean activity 'ingress'? Declare it in schema.properties, give it a default in `input`, or fix the name.");
    assert.deepEqual(relatedRanges(d), [{ file: ORCH_URI, ...blockAfter(text, '"properties":') }]);
    assert.deepEqual(d.data, { output: 'url', property: 'ingres', suggestion: 'ingress' });
  });

  it('with an empty schema, only warns about a likely misspelt activity', () => {
    const text = json({ type: 't', output: { url: 'ingres.endpoint', cell: 'cell' }, activities: [{ id: 'ingress', type: 'x' }] });
    const [d, ...rest] = runOrchestrationCheck(outputSources, text);
    assert.equal(rest.length, 0);
    assert.equal(d.severity, 'warning');
    assert.equal(d.related, undefined);
  });
});
