import assert from 'node:assert/strict';
import { outputProperties } from '../../../runtime/analysis/checks/outputProperties';
import { blockAfter, inside, json, rangeOf, relatedRanges, runOrchestrationCheck, workspace } from './support';

const DEFS = 'file:///w/db.activity.json';

function defs(closed: boolean): string {
  return json({
    type: 'db', provider: 'noop',
    outputSchema: { openAPIV3Schema: { type: 'object', properties: { url: {}, port: {} }, ...(closed ? { additionalProperties: false } : {}) } },
  });
}

describe('checks/outputProperties (ORCH406)', () => {
  it('accepts listed outputs, whole-output reads and reads of fan-out activities', () => {
    const text = json({
      type: 't',
      output: { url: 'db.url' },
      activities: [
        { id: 'db', type: 'db' },
        { id: 'many', type: 'db', forEach: { items: 'names', as: 'name' } },
        { id: 'app', type: 'x', dependsOn: ['db', 'many'], inputs: ['db.url.host', 'db', 'many.anything'], forEach: { items: 'db.port', as: 'p' } },
      ],
    });
    assert.deepEqual(runOrchestrationCheck(outputProperties, text, workspace({ [DEFS]: defs(true) })), []);
  });

  it('warns on an output property the type does not list, in inputs, forEach.items and outputs', () => {
    const defsText = defs(false);
    const text = json({
      type: 't',
      output: { link: 'db.uri' },
      activities: [
        { id: 'db', type: 'db' },
        { id: 'app', type: 'x', dependsOn: 'db', inputs: [{ source: 'db.prot', target: 'p' }], forEach: { items: 'db.hosts', as: 'h' } },
      ],
    });
    const found = runOrchestrationCheck(outputProperties, text, workspace({ [DEFS]: defsText }));
    assert.deepEqual(found.map((d) => [d.code, d.severity]), [['ORCH406', 'warning'], ['ORCH406', 'warning'], ['ORCH406', 'warning']]);
    const [input, items, output] = found;
    assert.deepEqual(rangeOf(input), inside(text, '"db.prot"', 'prot'));
    assert.equal(input.message, "The input \"db.prot\" reads 'prot' from 'db', but type 'db' lists no such output (it will probably be missing at run time). Did you mean 'port'? Read one of its outputSchema properties or add 'prot' to them.");
    assert.deepEqual(relatedRanges(input), [{ file: DEFS, ...blockAfter(defsText, '"properties":') }]);
    assert.deepEqual(input.data, { activityId: 'db', property: 'prot', type: 'db', suggestion: 'port' });
    assert.deepEqual(rangeOf(items), inside(text, '"db.hosts"', 'hosts'));
    assert.match(items.message, /^The forEach\.items "db\.hosts" reads 'hosts' from 'db'/);
    assert.deepEqual(rangeOf(output), inside(text, '"db.uri"', 'uri'));
    assert.deepEqual(output.data, { activityId: 'db', property: 'uri', type: 'db', suggestion: 'url' });
  });

  it('is an error where the outputSchema sets additionalProperties: false', () => {
    const text = json({ type: 't', activities: [{ id: 'db', type: 'db' }, { id: 'app', type: 'x', dependsOn: 'db', inputs: ['db.password'] }] });
    const [d, ...rest] = runOrchestrationCheck(outputProperties, text, workspace({ [DEFS]: defs(true) }));
    assert.equal(rest.length, 0);
    assert.equal(d.severity, 'error');
    assert.deepEqual(rangeOf(d), inside(text, '"db.password"', 'password'));
    assert.match(d.message, /additionalProperties: false, so it can never be there/);
  });
});
