import assert from 'node:assert/strict';
import { dependsOn } from '../../../runtime/analysis/checks/dependsOn';
import { at, json, ORCH_URI, rangeOf, relatedRanges, runOrchestrationCheck } from './support';

describe('checks/dependsOn (ORCH202, ORCH203, ORCH204)', () => {
  it('accepts dependencies on other activities, as a string or an array', () => {
    const text = json({ type: 't', activities: [
      { id: 'build', type: 'x' },
      { id: 'test', type: 'x', dependsOn: 'build' },
      { id: 'ship', type: 'x', dependsOn: ['build', 'test'] },
    ] });
    assert.deepEqual(runOrchestrationCheck(dependsOn, text), []);
  });

  it('ORCH202: an unknown id, with a did-you-mean suggestion', () => {
    const text = json({ type: 't', activities: [{ id: 'build', type: 'x' }, { id: 'test', type: 'x', dependsOn: ['biuld'] }] });
    const [d, ...rest] = runOrchestrationCheck(dependsOn, text);
    assert.equal(rest.length, 0);
    assert.equal(d.code, 'ORCH202');
    assert.equal(d.severity, 'error');
    assert.deepEqual(rangeOf(d), at(text, '"biuld"'));
    assert.equal(d.message, "'test' depends on 'biuld', but no activity of this file has that id. Did you mean 'build'? dependsOn must name activities of the same file.");
    assert.deepEqual(d.data, { dependency: 'biuld', suggestion: 'build' });
    assert.equal(d.related, undefined);
  });

  it('ORCH202: no suggestion when nothing is close', () => {
    const text = json({ type: 't', activities: [{ id: 'build', type: 'x' }, { id: 'test', type: 'x', dependsOn: 'zzzzzz' }] });
    const [d] = runOrchestrationCheck(dependsOn, text);
    assert.equal(d.code, 'ORCH202');
    assert.doesNotMatch(d.message, /Did you mean/);
    assert.deepEqual(d.data, { dependency: 'zzzzzz' });
  });

  it('ORCH203: an activity that depends on itself', () => {
    const text = json({ type: 't', activities: [{ id: 'loop', type: 'x', dependsOn: 'loop' }] });
    const [d, ...rest] = runOrchestrationCheck(dependsOn, text);
    assert.equal(rest.length, 0);
    assert.equal(d.code, 'ORCH203');
    assert.deepEqual(rangeOf(d), at(text, '"loop"', 1));
    assert.equal(d.message, "'loop' depends on itself, so it could never start: remove 'loop' from its dependsOn.");
    assert.deepEqual(d.data, { activityId: 'loop', dependency: 'loop' });
  });

  it('ORCH204: a dependency listed twice, related to the first listing', () => {
    const text = json({ type: 't', activities: [{ id: 'a', type: 'x' }, { id: 'b', type: 'x', dependsOn: ['a', 'a'] }] });
    const [d, ...rest] = runOrchestrationCheck(dependsOn, text);
    assert.equal(rest.length, 0);
    assert.equal(d.code, 'ORCH204');
    assert.equal(d.severity, 'warning');
    assert.deepEqual(rangeOf(d), at(text, '"a"', 2));
    assert.equal(d.message, "'b' already depends on 'a': remove this repeated entry.");
    assert.deepEqual(relatedRanges(d), [{ file: ORCH_URI, ...at(text, '"a"', 1) }]);
    assert.deepEqual(d.data, { activityId: 'b', dependency: 'a' });
  });
});
