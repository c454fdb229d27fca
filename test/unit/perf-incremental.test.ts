/**
 * Re-parsing after an edit (runtime/json/incremental.ts) must give exactly what parsing the whole new
 * text gives: the same tape, problems, plain value and nodes. Seeded random edits on realistic
 * definitions and on JSONC with comments, trailing commas, repeated keys and escapes.
 */
import * as assert from 'node:assert/strict';
import { generateWorkload, seededRandom } from '../../bench/generate';
import { ParsedDocument } from '../../runtime/analysis/document';
import { analyzeDocument } from '../../runtime/analysis/validate';
import { WorkspaceIndex } from '../../runtime/index/workspaceIndex';
import { reparse } from '../../runtime/json/incremental';
import type { JsonNode } from '../../runtime/json/node';
import { parseJsonc, type ParseResult } from '../../runtime/json/parse';

const JSONC = `{
  // a comment
  "type": "t",
  "a": { "x": 1, "x": 2, "s": "q\\"uote\\u0041", },
  "activities": [
    { "id": "one", "type": "shell", "dependsOn": [], /* block */ "inputs": ["cell", { "source": "one.out", "target": "t" }] },
    { "id": "two", "type": "shell", "dependsOn": ["one", "one",], "retry": { "maxAttempts": 3 } },
    { "id": "three", "dependsOn": "two", "when": "always", "acquires": { "p": 1 }, "__proto__": { "z": null } }
  ],
  "input": { "k": [1, 2.5e3, -0, true, false, null] }
}`;

/** What is typed: mostly names and numbers, sometimes punctuation that changes the structure. */
const TYPED = ['a', 'b', '1', 'x', '.', '-', 'e', ' '];
const STRUCTURAL = ['"', ',', ':', '{', '}', '[', ']', '\n', '\\', '/', '*'];

function flatten(node: JsonNode | undefined): string[] {
  if (!node) return [];
  const own = `${node.type}@${node.offset}+${node.length}:${node.colonOffset ?? ''}:${node.type === 'object' || node.type === 'array' ? '' : JSON.stringify(node.value)}`;
  return [own, ...(node.children ?? []).flatMap(flatten)];
}

function assertSame(actual: ParseResult, expected: ParseResult, what: string): void {
  const a = actual.tree!.tape;
  const e = expected.tree!.tape;
  assert.equal(a.count, e.count, `${what}: entry count`);
  for (const field of ['kind', 'start', 'end', 'parent', 'skip', 'aux'] as const) {
    assert.deepEqual([...a[field].subarray(0, a.count)], [...e[field].subarray(0, e.count)], `${what}: ${field}`);
  }
  assert.deepEqual([...(a.shadowed ?? [])].sort(), [...(e.shadowed ?? [])].sort(), `${what}: shadowed properties`);
  assert.deepEqual(actual.problems, expected.problems, `${what}: problems`);
  assert.deepEqual(actual.value, expected.value, `${what}: value`);
  assert.deepEqual(flatten(actual.root), flatten(expected.root), `${what}: nodes`);
}

/** The model with its locations, as plain data. */
function summary(doc: ParsedDocument): unknown {
  const model = doc.model;
  if (model?.kind !== 'orchestration') return model?.kind;
  return model.activities.map((a) => ({
    id: a.id,
    idAt: a.idNode?.offset,
    type: a.type,
    node: [a.node.offset, a.node.length],
    dependsOn: a.dependsOn.map((d) => [d.value, d.node.offset]),
    inputs: a.inputs.map((i) => [i.kind, i.target, i.targetNode?.offset, i.source?.value, i.source?.activityId, i.source?.outputPath, i.value]),
  }));
}

/** Applies `edits` random edits to `text`, checking each re-parse against a full parse. */
function fuzz(text: string, seed: number, edits: number): { incremental: number; full: number } {
  const random = seededRandom(seed);
  let current = parseJsonc(text);
  let currentText = text;
  let incremental = 0;
  let full = 0;
  for (let n = 0; n < edits; n++) {
    const at = Math.floor(random() * (currentText.length + 1));
    const removed = Math.min(currentText.length - at, Math.floor(random() * 3));
    let inserted = '';
    for (let k = Math.floor(random() * 3); k > 0; k--) {
      const from = random() < 0.85 ? TYPED : STRUCTURAL;
      inserted += from[Math.floor(random() * from.length)];
    }
    const next = currentText.slice(0, at) + inserted + currentText.slice(at + removed);
    // Sometimes the caller knows less than it could (several edits merged): the ends it reports shrink.
    const slack = random() < 0.2 ? Math.floor(random() * 40) : 0;
    const unchanged = { prefix: Math.max(0, at - slack), suffix: Math.max(0, currentText.length - at - removed - slack) };
    const expected = parseJsonc(next);
    const actual = reparse(current, currentText, next, unchanged);
    if (actual) {
      incremental++;
      assertSame(actual, expected, `edit ${n} (seed ${seed}) at ${at}: -${removed} +${JSON.stringify(inserted)}`);
    } else {
      full++;
    }
    // A broken text is checked (a repair is an edit too) but not built on: the next edit starts again
    // from the last good text.
    if (expected.problems.some((p) => p.kind === 'syntax')) continue;
    current = actual ?? expected;
    currentText = next;
  }
  return { incremental, full };
}

suite('perf: incremental re-parse', () => {
  test('equals a full parse after random edits of JSONC with comments, repeated keys and escapes', () => {
    let incremental = 0;
    for (let seed = 1; seed <= 12; seed++) incremental += fuzz(JSONC, seed, 150).incremental;
    assert.ok(incremental > 300, `the incremental path was taken ${incremental} times`);
  });

  test('equals a full parse after random edits of a generated definition', () => {
    const text = generateWorkload(60, 7).definition;
    const { incremental, full } = fuzz(text, 99, 400);
    assert.ok(incremental > 100, `incremental ${incremental}, full ${full}`);
  });

  test('a keystroke in one activity scans that activity only and leaves the previous version intact', () => {
    const text = generateWorkload(200, 3).definition;
    const before = new ParsedDocument('file:///w/x.orch.json', text);
    const beforeValue = JSON.stringify(before.parse.value);
    const at = text.indexOf('"', text.indexOf('"dependsOn": [', text.length >> 1) + '"dependsOn": ['.length) + 1;
    const next = text.slice(0, at) + 'z' + text.slice(at);
    const after = new ParsedDocument('file:///w/x.orch.json', next, 2, { doc: before, unchanged: { prefix: at, suffix: text.length - at } });
    assertSame(after.parse, parseJsonc(next), 'keystroke');
    // The unchanged activities share their plain values with the previous version.
    const activities = (before.parse.value as { activities: unknown[] }).activities;
    const nextActivities = (after.parse.value as { activities: unknown[] }).activities;
    assert.equal(nextActivities[0], activities[0]);
    assert.equal(JSON.stringify(before.parse.value), beforeValue, 'the previous value is unchanged');
    assert.equal(before.parse.tree!.tape.text, text);
    assert.deepEqual(summary(after), summary(new ParsedDocument('file:///w/x.orch.json', next)));
  });

  test('edits it cannot handle fall back to a full parse', () => {
    const text = '{"a": [1, 2], "b": {"c": true}}';
    const previous = parseJsonc(text);
    // Crossing a bracket, breaking the syntax, or touching the root's own brackets.
    assert.equal(reparse(previous, text, '{"a": [1, 2, "b": {"c": true}}', { prefix: 11, suffix: 18 }), undefined);
    assert.equal(reparse(previous, text, '{"a": [1, 2], "b": {"c": tru}}', { prefix: 25, suffix: 2 }), undefined);
    assert.equal(reparse(previous, text, '[' + text.slice(1), { prefix: 0, suffix: text.length - 1 }), undefined);
    assert.ok(reparse(previous, text, '{"a": [1, 22], "b": {"c": true}}', { prefix: 10, suffix: text.length - 10 }));
  });

  test('diagnostics of an edited document equal those of the same text parsed whole', () => {
    const workload = generateWorkload(40, 11);
    const index = new WorkspaceIndex();
    index.set('file:///w/types.activity.json', workload.activityDefinitions);
    const uri = 'file:///w/x.orch.json';
    const random = seededRandom(5);
    const values = ['"always"', '"sometimes"', '3', '"a0001"', '"a0001.out"', '[]', '"x"', '{}', '-1'];
    let doc = new ParsedDocument(uri, workload.definition);
    analyzeDocument(doc, index);
    let incremental = 0;
    for (let n = 0; n < 300; n++) {
      const text = doc.text;
      // Replace one string or number value (or insert a character into one) somewhere in the text.
      const matches = [...text.matchAll(/: ("[^"]*"|-?\d+)/g)];
      const m = matches[Math.floor(random() * matches.length)];
      const at = m.index! + 2;
      const isString = m[1].startsWith('"');
      const replacement = random() < 0.5 || !isString ? values[Math.floor(random() * values.length)] : '"z' + m[1].slice(1);
      const next = text.slice(0, at) + replacement + text.slice(at + m[1].length);
      const edited = new ParsedDocument(uri, next, n + 1, { doc, unchanged: { prefix: at, suffix: text.length - at - m[1].length } });
      if (edited.parse.derivedFrom) incremental++;
      const whole = new ParsedDocument(uri, next, n + 1);
      assert.deepEqual(analyzeDocument(edited, index).diagnostics, analyzeDocument(whole, index).diagnostics, `edit ${n}: ${m[1]} -> ${replacement}`);
      // Keep a valid document most of the time, so that the next edit starts from a known-valid value.
      if (random() < 0.7 || !analyzeDocument(edited, index).diagnostics.length) doc = edited;
    }
    assert.ok(incremental > 200, `incremental ${incremental}`);
  });
});
