import assert from 'node:assert/strict';
import { malformedSources } from '../../../runtime/analysis/checks/malformedSources';
import { at, json, rangeOf, runOrchestrationCheck } from './support';

describe('checks/malformedSources (ORCH410)', () => {
  it('accepts well-formed sources', () => {
    const text = json({ type: 't', output: { o: 'a.b.c' }, activities: [{ id: 'a', type: 'x', inputs: ['cell', 'config.timeout'], forEach: { items: 'list', as: 'i' } }] });
    assert.deepEqual(runOrchestrationCheck(malformedSources, text), []);
  });

  it('reports empty, empty-segment and dotted-edge sources in inputs, forEach.items and outputs', () => {
    const text = json({
      type: 't',
      output: { o: 'a.' },
      activities: [{ id: 'a', type: 'x', inputs: ['a..b', { source: '', target: 't' }, '.x'], forEach: { items: ' ', as: 'i' } }],
    });
    const found = runOrchestrationCheck(malformedSources, text);
    assert.deepEqual(found.map((d) => d.code), ['ORCH410', 'ORCH410', 'ORCH410', 'ORCH410', 'ORCH410']);
    assert.deepEqual(found.map(rangeOf), [at(text, '"a..b"'), at(text, '""'), at(text, '".x"'), at(text, '" "'), at(text, '"a."')]);
    assert.equal(found[0].message, 'The input source "a..b" has an empty segment (`..`): write an input property path (`cell`, `config.timeout`) or `activityId.outputPath` (`activity1.resource`).');
    assert.deepEqual(found.map((d) => d.data?.reason), ['has an empty segment (`..`)', 'is empty', 'starts with a dot', 'is empty', 'ends with a dot']);
    assert.match(found[3].message, /^The forEach\.items source " " is empty/);
    assert.match(found[4].message, /^The output source "a\." ends with a dot/);
  });
});
