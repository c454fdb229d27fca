/** What the graph's hover shows of each activity besides the server's graph: its inputs, as written. */
import { ParsedDocument } from '../../runtime/analysis/document';
import type { NodeDetails } from './protocol';

const MAX_VALUE_CHARS = 120;

export function nodeDetails(uri: string, text: string): Record<string, NodeDetails> {
  const model = new ParsedDocument(uri, text).model;
  const details: Record<string, NodeDetails> = {};
  if (model?.kind !== 'orchestration') return details;
  for (const activity of model.activities) {
    if (activity.id === undefined || details[activity.id]) continue;
    details[activity.id] = {
      inputs: activity.inputs.map((input) => {
        const target = input.target ?? '?';
        if (input.kind === 'value') {
          const value = JSON.stringify(input.value) ?? 'undefined';
          return `${target} = ${value.length > MAX_VALUE_CHARS ? `${value.slice(0, MAX_VALUE_CHARS)}…` : value}`;
        }
        return `${target} ← ${input.source?.value ?? '?'}`;
      }),
    };
  }
  return details;
}

/** The activity whose object contains `offset` (the cursor), if any. */
export function activityAt(text: string, uri: string, offset: number, parsed?: ParsedDocument): string | undefined {
  const model = (parsed ?? new ParsedDocument(uri, text)).model;
  if (model?.kind !== 'orchestration') return undefined;
  for (const activity of model.activities) {
    if (offset >= activity.node.offset && offset <= activity.node.offset + activity.node.length) return activity.id;
  }
  return undefined;
}
