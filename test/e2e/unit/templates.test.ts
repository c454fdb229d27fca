import * as assert from 'node:assert';
import { analyzeDocument } from '../../../runtime/analysis/validate';
import { WorkspaceIndex } from '../../../runtime/index/workspaceIndex';
import { NAME_PATTERN, renderTemplate, TEMPLATES } from '../../../client/templates/templates';

suite('templates', () => {
  for (const template of TEMPLATES) {
    test(`"${template.label}" makes a definition that validates against its own types`, () => {
      const text = renderTemplate(template, 'sample');
      const index = new WorkspaceIndex();
      index.set('/w/sample.activity.json', text.types);
      const doc = index.set('/w/sample.orch.json', text.definition);
      const problems = analyzeDocument(doc, index).diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning');
      assert.deepStrictEqual(problems.map((d) => `${d.code} ${d.message}`), []);
      const types = analyzeDocument(index.get('/w/sample.activity.json')!, index).diagnostics.filter((d) => d.severity === 'error');
      assert.deepStrictEqual(types.map((d) => `${d.code} ${d.message}`), []);
    });
  }

  test('names are checked', () => {
    assert.ok(NAME_PATTERN.test('my-flow.v2'));
    assert.ok(!NAME_PATTERN.test('2flow'));
    assert.ok(!NAME_PATTERN.test('a/b'));
  });
});
