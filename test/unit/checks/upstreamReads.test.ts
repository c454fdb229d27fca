import assert from 'node:assert/strict';
import { upstreamReads } from '../../../runtime/analysis/checks/upstreamReads';
import { at, inside, json, ORCH_URI, rangeOf, relatedRanges, runOrchestrationCheck } from './support';

describe('checks/upstreamReads (ORCH401)', () => {
  it('accepts reads of direct and indirect dependencies, and of run-input properties', () => {
    const text = json({ type: 't', activities: [
      { id: 'a', type: 'x' },
      { id: 'b', type: 'x', dependsOn: 'a' },
      { id: 'c', type: 'x', dependsOn: 'b', inputs: ['a.url', { source: 'b.port', target: 'port' }, 'cell'] },
    ] });
    assert.deepEqual(runOrchestrationCheck(upstreamReads, text), []);
  });

  it('reports a read of an activity that is not upstream, on its id segment', () => {
    const text = json({ type: 't', activities: [
      { id: 'db', type: 'x' },
      { id: 'app', type: 'x', inputs: [{ source: 'db.url', target: 'dbUrl' }] },
    ] });
    const [d, ...rest] = runOrchestrationCheck(upstreamReads, text);
    assert.equal(rest.length, 0);
    assert.equal(d.code, 'ORCH401');
    assert.equal(d.severity, 'error');
    assert.deepEqual(rangeOf(d), inside(text, '"db.url"', 'db'));
    assert.equal(d.message, "The input \"db.url\" reads the output of 'db', but 'db' is not upstream of 'app' (not reachable through dependsOn), so it may not have run yet: add 'db' to the dependsOn of 'app'.");
    assert.deepEqual(relatedRanges(d), [{ file: ORCH_URI, ...at(text, '"db"') }]);
    assert.deepEqual(d.data, { activityId: 'db' });
  });

  it('reports an activity reading its own output, without suggesting a self-dependency', () => {
    const text = json({ type: 't', activities: [{ id: 'a', type: 'x', inputs: ['a.out'] }] });
    const [d] = runOrchestrationCheck(upstreamReads, text);
    assert.equal(d.code, 'ORCH401');
    assert.deepEqual(rangeOf(d), inside(text, '"a.out"', 'a'));
    assert.match(d.message, /an activity cannot read its own output\.$/);
    assert.deepEqual(d.data, { selfRead: 'a' });
    assert.equal(d.related, undefined);
  });
});
