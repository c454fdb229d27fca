import assert from 'node:assert/strict';
import { hosts } from '../../../runtime/analysis/checks/hosts';
import { at, json, rangeOf, relatedRanges, runOrchestrationCheck, workspace } from './support';

const INVENTORY = 'file:///w/orch.hosts.json';
const inventoryText = json({ hosts: { 'web-1': { host: '10.0.0.1', username: 'deploy' }, 'web-2': { host: '10.0.0.2', username: 'deploy' } } });
const text = json({ type: 't', activities: [{ id: 'a', type: 'x', hosts: ['web-1', 'web1'] }] });

describe('checks/hosts (ORCH503)', () => {
  it('accepts hosts of the inventory, and says nothing without an index', () => {
    const ok = json({ type: 't', activities: [{ id: 'a', type: 'x', hosts: ['web-1', 'web-2'] }] });
    assert.deepEqual(runOrchestrationCheck(hosts, ok, workspace({ [INVENTORY]: inventoryText })), []);
    assert.deepEqual(runOrchestrationCheck(hosts, text), []);
  });

  it('reports a host missing from the inventory, with a suggestion related to its declaration', () => {
    const [d, ...rest] = runOrchestrationCheck(hosts, text, workspace({ [INVENTORY]: inventoryText }));
    assert.equal(rest.length, 0);
    assert.equal(d.code, 'ORCH503');
    assert.equal(d.severity, 'error');
    assert.deepEqual(rangeOf(d), at(text, '"web1"'));
    assert.equal(d.message, "Host 'web1' is not in the inventory. Did you mean 'web-1'? Declare it in orch.hosts.json or fix the name.");
    assert.deepEqual(relatedRanges(d), [{ file: INVENTORY, ...at(inventoryText, '"web-1"') }]);
    assert.deepEqual(d.data, { host: 'web1', inventory: true, suggestion: 'web-1' });
  });

  it('says when the workspace has no inventory at all', () => {
    const found = runOrchestrationCheck(hosts, text, workspace({}));
    assert.equal(found.length, 2);
    assert.deepEqual(rangeOf(found[1]), at(text, '"web1"'));
    assert.equal(found[1].message, "Host 'web1' is not declared: the workspace has no inventory. Create an orch.hosts.json that declares it (\"hosts\": { \"web1\": { \"host\": \"...\", \"username\": \"...\" } }).");
    assert.deepEqual(found[1].data, { host: 'web1', inventory: false });
  });
});
