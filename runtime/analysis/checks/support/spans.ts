/** Where diagnostics point: a node, or one dotted segment of a source inside its string. */
import type { JsonNode, Span } from '../../../json/node';
import type { SourceRef } from '../../../model/located';
import type { RelatedLocation } from '../../diagnostic';

export function spanOf(node: JsonNode): Span {
  return { offset: node.offset, length: node.length };
}

/**
 * The span of segments [from, to) of a dotted source, inside the quotes of its string node, so a
 * quick fix can replace just the misspelt part. A literal with escape sequences has no simple mapping
 * from characters to offsets: the whole string is used then.
 */
export function segmentSpan(text: string, source: SourceRef, from: number, to = from + 1): Span {
  const node = source.node;
  const value = source.value;
  if (node.length !== value.length + 2 || text.charCodeAt(node.offset) !== 34 /* " */) return spanOf(node);
  let start = node.offset + 1;
  for (let i = 0; i < from; i++) start += source.segments[i].length + 1;
  let end = start;
  for (let i = from; i < to; i++) end += source.segments[i].length + (i > from ? 1 : 0);
  return { offset: start, length: end - start };
}

export function related(file: string, at: JsonNode | Span, message: string): RelatedLocation {
  return { file, offset: at.offset, length: at.length, message };
}
