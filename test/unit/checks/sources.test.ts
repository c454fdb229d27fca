import assert from 'node:assert/strict';
import { ParsedDocument } from '../../../runtime/analysis/document';
import { malformedReason, RunInput } from '../../../runtime/analysis/checks/support/sources';
import { segmentSpan } from '../../../runtime/analysis/checks/support/spans';
import { makeSource, type OrchestrationModel } from '../../../runtime/model/located';
import { at } from './support';

function source(text: string) {
  const doc = new ParsedDocument('file:///w/s.orch.json', text);
  const node = doc.parse.root!;
  return makeSource(node);
}

describe('checks/support/sources', () => {
  it('tells why a source is malformed', () => {
    const reasons = ['"a.b"', '""', '"  "', '"."', '".a"', '"a."', '"a..b"'].map((t) => malformedReason(source(t)));
    assert.deepEqual(reasons, [undefined, 'is empty', 'is empty', 'starts with a dot', 'starts with a dot', 'ends with a dot', 'has an empty segment (`..`)']);
  });

  it('locates a segment inside the string, or the whole string when it has escapes', () => {
    const text = '"db.url.host"';
    const s = source(text);
    assert.deepEqual(segmentSpan(text, s, 0), at(text, 'db'));
    assert.deepEqual(segmentSpan(text, s, 1), at(text, 'url'));
    assert.deepEqual(segmentSpan(text, s, 1, 3), at(text, 'url.host'));
    const escaped = '"d\\u0062.url"';
    assert.deepEqual(segmentSpan(escaped, source(escaped), 1), { offset: 0, length: escaped.length });
  });

  it('knows the run input from schema properties, required names and defaults; an empty schema checks nothing', () => {
    const model = (v: unknown) => new ParsedDocument('file:///w/x.orch.json', JSON.stringify(v)).model as OrchestrationModel;
    const input = new RunInput(model({ type: 't', schema: { openAPIV3Schema: { properties: { a: {} }, required: ['b'] } }, input: { c: 1 }, activities: [] }));
    assert.equal(input.checked, true);
    assert.deepEqual([...input.names].sort(), ['a', 'b', 'c']);
    assert.equal(new RunInput(model({ type: 't', schema: { openAPIV3Schema: {} }, activities: [] })).checked, false);
    assert.equal(new RunInput(model({ type: 't', schema: { required: ['x'] }, activities: [] })).checked, false);
    assert.equal(new RunInput(model({ type: 't', schema: { additionalProperties: false }, activities: [] })).checked, true);
  });
});
