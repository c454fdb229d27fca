import assert from 'node:assert/strict';
import { duplicateHosts } from '../../../runtime/analysis/checks/duplicateHosts';
import { at, json, rangeOf, relatedRanges, runHostsCheck, workspace } from './support';

const A = 'file:///w/a/orch.hosts.json';
const B = 'file:///w/b/orch.hosts.json';

describe('checks/duplicateHosts (ORCH504)', () => {
  it('accepts host names declared by one inventory', () => {
    const aText = json({ hosts: { web: { host: 'a', username: 'u' } } });
    const index = workspace({ [A]: aText, [B]: { hosts: { db: { host: 'b', username: 'u' } } } });
    assert.deepEqual(runHostsCheck(duplicateHosts, A, aText, index), []);
    assert.deepEqual(runHostsCheck(duplicateHosts, A, aText), []);
  });

  it('warns on a host name another inventory declares too', () => {
    const aText = json({ hosts: { web: { host: 'a', username: 'u' } } });
    const bText = json({ hosts: { web: { host: 'b', username: 'u' } } });
    const index = workspace({ [A]: aText, [B]: bText });
    const [d, ...rest] = runHostsCheck(duplicateHosts, A, aText, index);
    assert.equal(rest.length, 0);
    assert.equal(d.code, 'ORCH504');
    assert.equal(d.severity, 'warning');
    assert.deepEqual(rangeOf(d), at(aText, '"web"'));
    assert.equal(d.message, "Host 'web' is also declared in another inventory file: host names are shared by the whole workspace, so which settings a run would use is ambiguous. Keep one declaration, or rename one of them.");
    assert.deepEqual(relatedRanges(d), [{ file: B, ...at(bText, '"web"') }]);
    assert.deepEqual(d.data, { host: 'web', files: [B] });
  });
});
