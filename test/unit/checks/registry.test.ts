import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { activityDefinitionChecks, hostsChecks, orchestrationChecks } from '../../../runtime/analysis/checks/registry';
import { Codes, type Code } from '../../../runtime/analysis/codes';
import { analyzeDocument } from '../../../runtime/analysis/validate';
import type { Diagnostic } from '../../../runtime/analysis/diagnostic';
import { ParsedDocument } from '../../../runtime/analysis/document';
import { buildGraph } from '../../../runtime/graph/graph';
import { WorkspaceIndex } from '../../../runtime/index/workspaceIndex';
import type { OrchestrationModel } from '../../../runtime/model/located';
import { json } from './support';

const ROOT = join(__dirname, '..', '..', '..');

function runAll(doc: ParsedDocument, index?: WorkspaceIndex): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const report = (d: Diagnostic) => diagnostics.push(d);
  const model = doc.model!;
  if (model.kind === 'orchestration') {
    const ctx = { doc, index, report, model, graph: buildGraph(model) };
    for (const check of orchestrationChecks) check(ctx);
  } else if (model.kind === 'activity') {
    for (const check of activityDefinitionChecks) check({ doc, index, report, model });
  } else {
    for (const check of hostsChecks) check({ doc, index, report, model });
  }
  return diagnostics;
}

describe('checks/registry', () => {
  it('registers one check per kind of document', () => {
    assert.ok(orchestrationChecks.length >= 17);
    assert.equal(new Set(orchestrationChecks).size, orchestrationChecks.length);
    assert.ok(activityDefinitionChecks.length >= 1);
    assert.ok(hostsChecks.length >= 1);
  });

  it('finds no error in the connector-fabric-manager examples, only warnings for undeclared types', () => {
    const folder = join(ROOT, '..', 'shared', 'fixtures', 'cfm');
    const index = new WorkspaceIndex();
    for (const name of readdirSync(folder).filter((f) => f.endsWith('.json'))) index.set(`file:///cfm/${name}`, readFileSync(join(folder, name), 'utf8'));
    const found = [...index.documents()].flatMap((doc) => runAll(doc, index).map((d) => `${doc.uri} ${d.code} ${d.severity}`));
    assert.deepEqual(found.sort(), [
      'file:///cfm/tenant.orch.json ORCH301 warning',
      'file:///cfm/test-deploy.orch.json ORCH301 warning',
    ]);
  });

  it('runs through analyzeDocument, after the schema check, sorted by offset', () => {
    const index = new WorkspaceIndex();
    index.set('file:///w/types.activity.json', json({ type: 'build', provider: 'noop' }));
    const text = json({ type: 't', activities: [
      { id: 'a', type: 'build', dependsOn: ['c'] },
      { id: 'b', type: 'biuld', dependsOn: ['a', 'zz'] },
      { id: 'c', type: 'build', dependsOn: ['b'], inputs: ['nope.x'] },
    ] });
    const doc = index.set('file:///w/x.orch.json', text);
    const { diagnostics, graph } = analyzeDocument(doc, index);
    assert.deepEqual(diagnostics.map((d) => d.code), ['ORCH301', 'ORCH205', 'ORCH202']);
    assert.deepEqual(diagnostics.map((d) => d.offset), [...diagnostics.map((d) => d.offset)].sort((x, y) => x - y));
    assert.equal(diagnostics[1].message.split(':')[1].trim().split(' (')[0], 'a -> c -> b -> a');
    assert.deepEqual(graph?.ids, ['a', 'b', 'c']);
  });

  it('finds nothing wrong in a valid 10,000-activity definition (speed is measured by npm run bench)', () => {
    const n = 10000;
    const activities = [];
    for (let i = 0; i < n; i++) {
      const dependsOn = i === 0 ? [] : i % 7 === 0 && i > 7 ? [`a${i - 1}`, `a${i - 7}`] : [`a${i - 1}`];
      const inputs = i === 0 ? ['cell'] : [{ source: 'a0.url', target: 'url' }, { source: `a${i - 1}.port`, target: 'port' }, 'cell'];
      activities.push({ id: `a${i}`, type: i % 2 ? 'odd' : 'even', dependsOn, inputs, acquires: { slots: 1 }, hosts: ['web-1'] });
    }
    const text = json({ type: 't', schema: { properties: { cell: {} } }, pools: { slots: 4 }, output: { url: `a${n - 1}.url` }, activities });
    const schemaOf = { inputSchema: { properties: { url: {}, port: {}, cell: {} }, required: ['cell'] }, outputSchema: { properties: { url: {}, port: {} } } };
    const index = new WorkspaceIndex();
    index.set('file:///w/types.activity.json', json([{ type: 'odd', provider: 'noop', ...schemaOf }, { type: 'even', provider: 'noop', ...schemaOf }]));
    index.set('file:///w/orch.hosts.json', json({ hosts: { 'web-1': { host: 'h', username: 'u' } } }));
    const doc = new ParsedDocument('file:///w/big.orch.json', text);
    const model = doc.model as OrchestrationModel;
    const graph = buildGraph(model);
    const diagnostics: Diagnostic[] = [];
    const ctx = { doc, index, model, graph, report: (d: Diagnostic) => diagnostics.push(d) };
    for (const check of orchestrationChecks) check(ctx);
    assert.deepEqual(diagnostics, []);
  });

  it('reports every misspelt dependency of 5,000 activities with its suggestion', () => {
    const n = 5000;
    const activities = [];
    for (let i = 0; i < n; i++) activities.push({ id: `step-${i}`, type: 'x', dependsOn: i ? [`stepp-${i - 1}`] : [] });
    const doc = new ParsedDocument('file:///w/typos.orch.json', json({ type: 't', activities }));
    const found = runAll(doc);
    assert.equal(found.filter((d) => d.code === 'ORCH202').length, n - 1);
    assert.equal(found[0].data?.suggestion, 'step-0');
  });

  it('has a documentation section, anchored by the lower-case code, for every code', () => {
    const docs = readFileSync(join(ROOT, 'docs', 'diagnostics.md'), 'utf8');
    for (const code of Object.keys(Codes) as Code[]) {
      assert.ok(docs.includes(`<a id="${code.toLowerCase()}"></a>`), `anchor for ${code}`);
      assert.ok(docs.includes(`## ${code} ${Codes[code].title}`), `heading for ${code}`);
    }
  });
});
