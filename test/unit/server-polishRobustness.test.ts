/**
 * The editor-polish logic on thousands of randomly broken documents: nothing may throw, and on text
 * that parses, every quick fix and the sort must leave text that still parses.
 */
import * as assert from 'node:assert/strict';
import { ParsedDocument } from '../../runtime/analysis/document';
import { analyzeDocument } from '../../runtime/analysis/validate';
import { WorkspaceIndex } from '../../runtime/index/workspaceIndex';
import type { OrchestrationModel } from '../../runtime/model/located';
import { relatives } from '../../server/features/codeLens';
import { formattingEdits } from '../../server/features/formatting';
import { tierOf } from '../../server/features/inlayHints';
import { spansAt } from '../../server/features/selectionRanges';
import { quickFixes } from '../../server/features/polish/fixes/registry';
import { foldingRanges } from '../../server/features/polish/foldingRanges';
import { linkTargets } from '../../server/features/polish/linkTargets';
import { applyOffsetEdits } from '../../server/features/polish/offsetEdit';
import { planSort, sortEdit } from '../../server/features/polish/sortActivities';
import { eolOf, indentUnitOf } from '../../server/features/polish/textScan';
import { collectTokens } from '../../server/features/polish/tokens';

const BASE = `{
  "type": "flow",
  "schema": { "type": "object", "properties": { "cell": { "type": "string" } } },
  "pools": { "db": 2 },
  "output": { "url": "deploy.url" },
  "activities": [
    // the first
    { "id": "build", "type": "build", "inputs": ["cell"] },
    {
      "id": "test",
      "type": "step",
      "dependsOn": ["biuld", "build", "test"],
      "inputs": [{ "source": "deploy.url", "target": "image" }, "cell.name"]
    },
    { "id": "deploy", "type": "missing.type", "dependsOn": "test", "acquires": { "db": 1, "dbb": 1 }, "hosts": ["web"] },
    { "id": "loop", "type": "step", "dependsOn": ["deploy", "loop2"] },
    { "id": "loop2", "type": "step", "dependsOn": ["loop"], "forEach": { "items": "build.list", "as": "itm" } },
    { "id": "build", "type": "step" },
  ]
}
`;

const PIECES = ['{', '}', '[', ']', '"', ',', ':', '\n', ' ', 'x', '"a"', '/*', '*/', '//', '\\', '\uD800', '1', 'true', '"dependsOn": ["build"]', '"id": "z"'];

/** Deterministic, so a failure reproduces. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(text: string, rand: () => number): string {
  const at = Math.floor(rand() * (text.length + 1));
  const r = rand();
  if (r < 0.4) return text.slice(0, at) + text.slice(at + 1 + Math.floor(rand() * 8));
  if (r < 0.97) return text.slice(0, at) + PIECES[Math.floor(rand() * PIECES.length)] + text.slice(at);
  return text.slice(0, at) + '['.repeat(200) + text.slice(at);
}

function parses(text: string): boolean {
  return !new ParsedDocument('file:///ws/flow.orch.json', text).parse.problems.some((p) => p.kind === 'syntax');
}

describe('server polish: robustness on broken documents', () => {
  const index = new WorkspaceIndex();
  index.set('file:///ws/build.activity.json', JSON.stringify({ type: 'build', provider: 'noop', inputSchema: { type: 'object', required: ['cell', 'image'], properties: { cell: {}, image: { default: 'x' } } } }));
  index.set('file:///ws/step.activity.json', JSON.stringify({ type: 'step', provider: 'node', config: { module: './x.js' }, inputSchema: { type: 'object', properties: { image: {} } }, outputSchema: { type: 'object', properties: { url: {} } } }));

  it('never throws, and fixes keep parseable text parseable', function () {
    this.timeout(120000);
    const rand = random(1234);
    let text = BASE;
    let fixesApplied = 0;
    for (let round = 0; round < 800; round++) {
      text = round % 50 === 0 ? BASE : mutate(text, rand);
      if (text.length > 20000) text = BASE;
      const doc = new ParsedDocument('file:///ws/flow.orch.json', text, round);
      const context = `round ${round}:\n${text}`;
      try {
        const analysis = analyzeDocument(doc, index);
        foldingRanges(doc, { rangeLimit: 50, lineFoldingOnly: round % 2 === 0, collapsedText: true, kinds: { comment: 'comment', region: 'region' } });
        for (let k = 0; k < 3; k++) spansAt(doc, Math.floor(rand() * (text.length + 1)));
        collectTokens(doc, (offset, length) => assert.ok(offset >= 0 && length > 0 && offset + length <= text.length));
        collectTokens(doc, () => undefined, Math.floor(rand() * text.length), Math.floor(rand() * text.length));
        linkTargets(doc, index);
        formattingEdits(text, { tabSize: 2, insertSpaces: round % 3 !== 0, trimFinalNewlines: true, insertFinalNewline: true });
        const model = doc.model;
        if (model?.kind !== 'orchestration' || !analysis.graph) continue;
        const graph = analysis.graph;
        for (let node = 0; node < graph.ids.length; node++) relatives(graph, node);
        for (const activity of model.activities) tierOf(graph, activity);
        const valid = parses(text);
        const plan = planSort(model);
        if (plan.kind === 'reorder' && model.activitiesNode) {
          const edit = sortEdit(text, model.activitiesNode, plan.order);
          if (edit && valid) assert.ok(parses(applyOffsetEdits(text, [edit])), `sort broke the text\n${context}`);
        }
        const input = { doc, model: model as OrchestrationModel, graph, index, layout: { unit: indentUnitOf(text), eol: eolOf(text) } };
        for (const diagnostic of analysis.diagnostics) {
          for (const fix of quickFixes[diagnostic.code]?.(input, diagnostic) ?? []) {
            const fixed = applyOffsetEdits(text, fix.edits);
            fixesApplied++;
            if (valid) assert.ok(parses(fixed), `${diagnostic.code} "${fix.title}" broke the text\n${context}\n---\n${fixed}`);
          }
        }
      } catch (e) {
        if (e instanceof assert.AssertionError) throw e;
        throw new Error(`${(e as Error).stack}\n${context}`);
      }
    }
    assert.ok(fixesApplied > 500, `only ${fixesApplied} fixes were tried`);
  });
});
