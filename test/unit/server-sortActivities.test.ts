import * as assert from 'node:assert/strict';
import { ParsedDocument } from '../../runtime/analysis/document';
import type { OrchestrationModel } from '../../runtime/model/located';
import { applyOffsetEdits } from '../../server/features/polish/offsetEdit';
import { planSort, sortEdit } from '../../server/features/polish/sortActivities';

function sorted(text: string): string {
  const doc = new ParsedDocument('file:///x.orch.json', text);
  const model = doc.model as OrchestrationModel;
  const plan = planSort(model);
  if (plan.kind !== 'reorder') return plan.kind;
  const out = applyOffsetEdits(text, [sortEdit(text, model.activitiesNode!, plan.order)!]);
  assert.equal(planSort(new ParsedDocument('file:///x.orch.json', out).model as OrchestrationModel).kind, 'sorted', out);
  return out;
}

describe('server polish: sort activities', () => {
  it('puts dependencies first and keeps the file order otherwise, comments travelling with their activity', () => {
    const text = [
      '{',
      '  "type": "t",',
      '  "activities": [',
      '    // the last step',
      '    { "id": "c", "type": "x", "dependsOn": ["b"] }, // after b',
      '',
      '    { "id": "a", "type": "x" },',
      '    /* b needs a */',
      '    {',
      '      "id": "b",',
      '      "type": "x",',
      '      "dependsOn": "a"',
      '    } // last line',
      '  ]',
      '}',
    ].join('\n');
    assert.equal(sorted(text), [
      '{',
      '  "type": "t",',
      '  "activities": [',
      '    { "id": "a", "type": "x" },',
      '',
      '    /* b needs a */',
      '    {',
      '      "id": "b",',
      '      "type": "x",',
      '      "dependsOn": "a"',
      '    }, // last line',
      '    // the last step',
      '    { "id": "c", "type": "x", "dependsOn": ["b"] } // after b',
      '  ]',
      '}',
    ].join('\n'));
  });

  it('is stable: independent activities keep their relative order', () => {
    const text = '{"type":"t","activities":[{"id":"d","type":"x","dependsOn":["b"]},{"id":"a","type":"x"},{"id":"b","type":"x"},{"id":"c","type":"x"}]}';
    assert.equal(sorted(text), '{"type":"t","activities":[{"id":"a","type":"x"},{"id":"b","type":"x"},{"id":"d","type":"x","dependsOn":["b"]},{"id":"c","type":"x"}]}');
  });

  it('reports a sorted file and a cycle', () => {
    assert.equal(sorted('{"type":"t","activities":[{"id":"a","type":"x"},{"id":"b","type":"x","dependsOn":"a"}]}'), 'sorted');
    assert.equal(sorted('{"type":"t","activities":[{"id":"a","type":"x","dependsOn":"b"},{"id":"b","type":"x","dependsOn":"a"}]}'), 'cycle');
  });

  it('sorts 10,000 activities quickly', () => {
    const items: string[] = [];
    for (let i = 9999; i >= 0; i--) items.push(`    { "id": "a${i}", "type": "x"${i > 0 ? `, "dependsOn": ["a${i - 1}"]` : ''} }`);
    const text = `{\n  "type": "t",\n  "activities": [\n${items.join(',\n')}\n  ]\n}\n`;
    const started = performance.now();
    const out = sorted(text);
    assert.ok(performance.now() - started < 2000);
    assert.ok(out.indexOf('"a0"') < out.indexOf('"a1"'));
  });
});
