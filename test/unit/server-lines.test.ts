import * as assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ParsedDocument } from '../../runtime/analysis/document';
import { forgetLines, linesOf, noteParsed, type Lines } from '../../server/lines';

/** A small deterministic generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PIECES = ['{', '}', '"a"', ': ', '1', ',', '\n', '\n\n', '  ', 'é', '😀', '[', ']', 'xyz'];

function randomText(next: () => number, pieces: readonly string[], length: number): string {
  let out = '';
  while (out.length < length) out += pieces[Math.floor(next() * pieces.length)];
  return out;
}

/** Every offset and every position (past line ends and outside the text too) answered alike. */
function assertSameAnswers(lines: Lines, doc: ParsedDocument): void {
  const reference = doc.lineIndex;
  assert.equal(lines.lineCount, reference.lineCount);
  for (let offset = -2; offset <= doc.text.length + 2; offset++) {
    assert.deepEqual(lines.positionAt(offset), reference.positionAt(offset), `positionAt(${offset})`);
  }
  for (let line = -1; line <= reference.lineCount + 1; line++) {
    for (let character = -1; character <= 6; character++) {
      const position = { line, character };
      assert.equal(lines.offsetAt(position), reference.offsetAt(position), `offsetAt(${line}:${character})`);
    }
  }
  assert.deepEqual(lines.rangeOf(1, 5), reference.rangeOf(1, 5));
}

describe('server: lines of an edited open document', () => {
  it('answers as the LineIndex does after random incremental edits', () => {
    const next = random(7);
    for (let round = 0; round < 20; round++) {
      let text = TextDocument.create('file:///w/a.orch.json', 'json', 1, randomText(next, PIECES, 80));
      text.positionAt(0);
      for (let edit = 0; edit < 10; edit++) {
        const length = text.getText().length;
        const from = Math.floor(next() * (length + 1));
        const to = Math.min(length, from + Math.floor(next() * 8));
        const range = { start: text.positionAt(from), end: text.positionAt(to) };
        text = TextDocument.update(text, [{ range, text: randomText(next, PIECES, Math.floor(next() * 6)) }], text.version + 1);
        const doc = new ParsedDocument(text.uri, text.getText(), text.version);
        noteParsed(doc, text, true);
        const lines = linesOf(doc);
        assert.notEqual(lines, doc.lineIndex, 'an edited text without carriage returns is read through its TextDocument');
        assertSameAnswers(lines, doc);
      }
    }
  });

  it('keeps the LineIndex for a text with carriage returns (the TextDocument breaks lines at a lone one)', () => {
    const next = random(11);
    const text = TextDocument.create('file:///w/a.orch.json', 'json', 1, randomText(next, [...PIECES, '\r', '\r\n'], 120));
    const doc = new ParsedDocument(text.uri, text.getText(), text.version);
    noteParsed(doc, text, true);
    assert.equal(linesOf(doc), doc.lineIndex);
  });

  it('keeps the LineIndex for a document not made from a ranged edit, and after close', () => {
    const text = TextDocument.create('file:///w/b.orch.json', 'json', 1, '{\n  "a": 1\n}\n');
    const doc = new ParsedDocument(text.uri, text.getText(), text.version);
    noteParsed(doc, text, false);
    assert.equal(linesOf(doc), doc.lineIndex);
    noteParsed(doc, text, true);
    assert.notEqual(linesOf(doc), doc.lineIndex);
    forgetLines(doc.uri);
    assert.equal(linesOf(doc), doc.lineIndex);
  });

  it('falls back to the LineIndex once the TextDocument has moved on to a later version', () => {
    const text = TextDocument.create('file:///w/a.orch.json', 'json', 1, '{\n  "a": 1\n}\n');
    const doc = new ParsedDocument(text.uri, text.getText(), text.version);
    noteParsed(doc, text, true);
    const held = linesOf(doc);
    assert.notEqual(held, doc.lineIndex);
    TextDocument.update(text, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '\n\n\n' }], 2);
    assert.equal(linesOf(doc), doc.lineIndex);
    assertSameAnswers(held, doc);
    // The next version takes over; the previous one keeps its LineIndex.
    const next = new ParsedDocument(text.uri, text.getText(), text.version);
    noteParsed(next, text, true);
    assert.notEqual(linesOf(next), next.lineIndex);
    assert.equal(linesOf(doc), doc.lineIndex);
    assertSameAnswers(linesOf(next), next);
  });
});
