import assert from 'node:assert/strict';
import { duplicateTypes } from '../../../runtime/analysis/checks/duplicateTypes';
import { at, json, rangeOf, relatedRanges, runActivityCheck, workspace } from './support';

const A = 'file:///w/a.activity.json';
const B = 'file:///w/b.activity.json';

describe('checks/duplicateTypes (ORCH302)', () => {
  it('accepts types declared once', () => {
    const aText = json([{ type: 'one', provider: 'noop' }, { type: 'two', provider: 'noop' }]);
    const index = workspace({ [A]: aText, [B]: { type: 'three', provider: 'noop' } });
    assert.deepEqual(runActivityCheck(duplicateTypes, A, aText, index), []);
  });

  it('reports a type declared in two files on each declaration, related to the other', () => {
    const aText = json({ type: 'deploy', provider: 'noop' });
    const bText = json({ type: 'deploy', provider: 'shell', config: { command: 'true' } });
    const index = workspace({ [A]: aText, [B]: bText });
    for (const [uri, text, other, otherText] of [[A, aText, B, bText], [B, bText, A, aText]] as const) {
      const [d, ...rest] = runActivityCheck(duplicateTypes, uri, text, index);
      assert.equal(rest.length, 0);
      assert.equal(d.code, 'ORCH302');
      assert.equal(d.severity, 'error');
      assert.deepEqual(rangeOf(d), at(text, '"deploy"'));
      assert.equal(d.message, "Activity type 'deploy' is declared 2 times in the workspace: types must be unique, or activities of this type would run an arbitrary one. Rename or remove all but one declaration.");
      assert.deepEqual(relatedRanges(d), [{ file: other, ...at(otherText, '"deploy"') }]);
      assert.deepEqual(d.data, { type: 'deploy', declarations: 2 });
    }
  });

  it('reports a type declared twice in one file, without an index too', () => {
    const text = json([{ type: 'deploy', provider: 'noop' }, { type: 'deploy', provider: 'noop' }]);
    const found = runActivityCheck(duplicateTypes, A, text);
    assert.deepEqual(found.map(rangeOf), [at(text, '"deploy"', 0), at(text, '"deploy"', 1)]);
    assert.deepEqual(relatedRanges(found[0]), [{ file: A, ...at(text, '"deploy"', 1) }]);
  });
});
