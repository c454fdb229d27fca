import * as assert from 'node:assert/strict';
import type { Code } from '../../runtime/analysis/codes';
import { ParsedDocument } from '../../runtime/analysis/document';
import { analyzeDocument } from '../../runtime/analysis/validate';
import { WorkspaceIndex } from '../../runtime/index/workspaceIndex';
import type { OrchestrationModel } from '../../runtime/model/located';
import { quickFixes } from '../../server/features/polish/fixes/registry';
import type { PlannedFix } from '../../server/features/polish/fixes/types';
import { applyOffsetEdits } from '../../server/features/polish/offsetEdit';
import { eolOf, indentUnitOf } from '../../server/features/polish/textScan';

const ORCH = 'file:///ws/flow.orch.json';

function workspace(files: Record<string, string>): WorkspaceIndex {
  const index = new WorkspaceIndex();
  for (const [name, text] of Object.entries(files)) index.set(`file:///ws/${name}`, text);
  return index;
}

const defs = workspace({
  'build.activity.json': JSON.stringify({ type: 'build', provider: 'noop', inputSchema: { type: 'object', required: ['cell', 'image'], properties: { cell: { type: 'string' }, image: { type: 'string' }, region: { type: 'string', default: 'eu' } } }, outputSchema: { type: 'object', properties: { artifact: { type: 'string' } } } }),
  'step.activity.json': JSON.stringify({ type: 'step', provider: 'noop', inputSchema: { type: 'object', properties: { artifact: {}, items: {} } }, outputSchema: { type: 'object', properties: { image: { type: 'string' }, list: { type: 'array' } } } }),
});

function analyze(text: string, index = defs) {
  const doc = new ParsedDocument(ORCH, text, 1);
  index.put(doc);
  const analysis = analyzeDocument(doc, index);
  return { doc, ...analysis };
}

function codes(text: string, index = defs): Code[] {
  return analyze(text, index).diagnostics.map((d) => d.code);
}

/** The fixes offered for the first diagnostic with `code`. */
function fixesFor(text: string, code: Code, index = defs): PlannedFix[] {
  const { doc, diagnostics, graph } = analyze(text, index);
  const diagnostic = diagnostics.find((d) => d.code === code);
  assert.ok(diagnostic, `no ${code} in ${JSON.stringify(diagnostics.map((d) => d.code))}`);
  const provider = quickFixes[code]!;
  return provider({ doc, model: doc.model as OrchestrationModel, graph: graph!, index, layout: { unit: indentUnitOf(text), eol: eolOf(text) } }, diagnostic);
}

function apply(text: string, fix: PlannedFix): string {
  return applyOffsetEdits(text, fix.edits);
}

function orch(activities: string, extra = ''): string {
  return `{\n  "type": "flow",${extra}\n  "activities": [\n${activities}\n  ]\n}\n`;
}

describe('server polish: quick fixes', () => {
  it('ORCH202: replaces an unknown dependency with the suggestion, or removes it', () => {
    const text = orch([
      '    { "id": "build", "type": "step" },',
      '    { "id": "test", "type": "step", "dependsOn": ["biuld", "build2"] },',
      '    { "id": "build2", "type": "step" }',
    ].join('\n'));
    const fixes = fixesFor(text, 'ORCH202');
    assert.deepEqual(fixes.map((f) => f.title), ["Change to 'build'", "Remove 'biuld' from the dependsOn of 'test'"]);
    assert.ok(fixes[0].preferred);
    const replaced = apply(text, fixes[0]);
    assert.match(replaced, /"dependsOn": \["build", "build2"\]/);
    assert.ok(!codes(replaced).includes('ORCH202'));
    assert.match(apply(text, fixes[1]), /"dependsOn": \["build2"\] \}/);
  });

  it('ORCH202: removing the only entry removes the property (string or array)', () => {
    const text = orch('    {\n      "id": "a",\n      "type": "step",\n      "dependsOn": "zzz"\n    }');
    const fixes = fixesFor(text, 'ORCH202');
    assert.equal(fixes.length, 1);
    assert.equal(apply(text, fixes[0]), orch('    {\n      "id": "a",\n      "type": "step"\n    }'));
    const arr = orch('    { "id": "a", "type": "step", "dependsOn": ["zzz"] }');
    assert.equal(apply(arr, fixesFor(arr, 'ORCH202')[0]), orch('    { "id": "a", "type": "step" }'));
  });

  it('ORCH205: removes the edge that closes the cycle, or any other edge of it', () => {
    const text = orch([
      '    { "id": "a", "type": "step", "dependsOn": "c" },',
      '    { "id": "b", "type": "step", "dependsOn": ["a"] },',
      '    { "id": "c", "type": "step", "dependsOn": ["b"] }',
    ].join('\n'));
    const fixes = fixesFor(text, 'ORCH205');
    assert.equal(fixes.length, 3);
    assert.ok(fixes[0].preferred);
    for (const fix of fixes) {
      const out = apply(text, fix);
      assert.deepEqual(codes(out).filter((c) => c === 'ORCH205'), [], `${fix.title}\n${out}`);
    }
  });

  it('ORCH401: adds the read activity to dependsOn in every shape of dependsOn', () => {
    const none = orch('    { "id": "a", "type": "step" },\n    {\n      "id": "b",\n      "type": "step",\n      "inputs": ["a.image"]\n    }');
    const fixed = apply(none, fixesFor(none, 'ORCH401')[0]);
    assert.equal(fixed, orch('    { "id": "a", "type": "step" },\n    {\n      "id": "b",\n      "type": "step",\n      "dependsOn": ["a"],\n      "inputs": ["a.image"]\n    }'));
    assert.ok(!codes(fixed).includes('ORCH401'));
    const str = orch('    { "id": "a", "type": "step" },\n    { "id": "z", "type": "step" },\n    { "id": "b", "type": "step", "dependsOn": "z", "inputs": ["a.image"] }');
    assert.match(apply(str, fixesFor(str, 'ORCH401')[0]), /"dependsOn": \["z", "a"\]/);
    const arr = orch('    { "id": "a", "type": "step" },\n    { "id": "z", "type": "step" },\n    { "id": "b", "type": "step", "dependsOn": [\n      "z"\n    ], "inputs": ["a.image"] }');
    assert.match(apply(arr, fixesFor(arr, 'ORCH401')[0]), /"dependsOn": \[\n {6}"z",\n {6}"a"\n {4}\]/);
  });

  it('ORCH401: offers nothing when the new edge would close a cycle', () => {
    const text = orch('    { "id": "a", "type": "step", "dependsOn": ["b"] },\n    { "id": "b", "type": "step", "inputs": ["a.image"] }');
    assert.deepEqual(fixesFor(text, 'ORCH401'), []);
  });

  it('ORCH405: adds the missing required inputs from the run input, upstream outputs or schema defaults', () => {
    const text = orch([
      '    { "id": "s", "type": "step" },',
      '    {',
      '      "id": "b",',
      '      "type": "build",',
      '      "dependsOn": ["s"]',
      '    }',
    ].join('\n'), '\n  "schema": { "type": "object", "properties": { "cell": { "type": "string" } } },');
    const fixes = fixesFor(text, 'ORCH405');
    assert.equal(fixes[0].title, "Add the missing required inputs 'cell', 'image'");
    const out = apply(text, fixes[0]);
    assert.match(out, /"dependsOn": \["s"\],\n {6}"inputs": \[\n {8}\{ "source": "cell", "target": "cell" \},\n {8}\{ "source": "s.image", "target": "image" \}\n {6}\]\n/);
    assert.ok(!codes(out).includes('ORCH405'), out);
  });

  it('ORCH201: renames a duplicate id to a free one', () => {
    const text = orch('    { "id": "x", "type": "step" },\n    { "id": "x-2", "type": "step" },\n    { "id": "x", "type": "step" }');
    const [fix] = fixesFor(text, 'ORCH201');
    assert.equal(fix.title, "Rename this activity to 'x-3'");
    assert.ok(!codes(apply(text, fix)).includes('ORCH201'));
  });

  it('ORCH301: proposes the close type and a new definition file derived from the uses', () => {
    const text = orch([
      '    { "id": "d", "type": "deploy", "inputs": [{ "value": 3, "target": "replicas" }, "cell"] },',
      '    { "id": "u", "type": "step", "dependsOn": ["d"], "inputs": ["d.url"], "forEach": { "items": "d.hosts", "as": "host" } }',
    ].join('\n'), '\n  "schema": { "type": "object", "properties": { "cell": { "type": "string" } } },');
    const fixes = fixesFor(text, 'ORCH301');
    const create = fixes.find((f) => f.newFile)!;
    assert.equal(create.title, "Create deploy.activity.json defining 'deploy'");
    assert.equal(create.newFile!.uri, 'file:///ws/deploy.activity.json');
    const def = JSON.parse(create.newFile!.text);
    assert.equal(def.type, 'deploy');
    assert.equal(def.provider, 'shell');
    assert.equal(def.config.command, 'sh');
    assert.deepEqual(def.inputSchema, { type: 'object', required: ['replicas', 'cell'], properties: { replicas: { type: 'integer' }, cell: { type: 'string' } } });
    assert.deepEqual(def.outputSchema, { type: 'object', properties: { url: {}, hosts: { type: 'array' } } });
    // With the new file in the workspace, the warning is gone.
    const index = workspace({});
    for (const d of defs.documents()) index.set(d.uri, d.text);
    index.set(create.newFile!.uri, create.newFile!.text);
    assert.ok(!codes(text, index).includes('ORCH301'));
  });

  it('ORCH404: a shorthand input keeps its source when its target is renamed', () => {
    const text = orch('    { "id": "s", "type": "step" },\n    { "id": "t", "type": "step", "dependsOn": ["s"], "inputs": ["s.list.artifakt"] }');
    const [fix] = fixesFor(text, 'ORCH404');
    const out = apply(text, fix);
    assert.match(out, /"inputs": \[\{ "source": "s.list.artifakt", "target": "artifact" \}\]/);
    assert.ok(!codes(out).includes('ORCH404'));
  });

  it('did-you-mean replacements change just the misspelt name (a source segment, a pool, an input property)', () => {
    const output = orch('    { "id": "s", "type": "step" },\n    { "id": "t", "type": "step", "dependsOn": ["s"], "inputs": [{ "source": "s.imag.tag", "target": "image" }] }');
    const [segment] = fixesFor(output, 'ORCH406');
    assert.equal(segment.title, "Change to output 'image'");
    assert.match(apply(output, segment), /"source": "s.image.tag"/);
    const pool = orch('    { "id": "s", "type": "step", "acquires": { "dbb": 1 } }', '\n  "pools": { "db": 2 },');
    const [poolFix] = fixesFor(pool, 'ORCH501');
    assert.match(apply(pool, poolFix), /"acquires": \{ "db": 1 \}/);
    const property = orch('    { "id": "s", "type": "step", "inputs": [{ "source": "cel.x", "target": "image" }] }', '\n  "schema": { "type": "object", "properties": { "cell": {} } },');
    const [propertyFix] = fixesFor(property, 'ORCH402');
    assert.match(apply(property, propertyFix), /"source": "cell.x"/);
    assert.ok(!codes(apply(property, propertyFix)).includes('ORCH402'));
  });
});
