/**
 * Box sizes in the webview. The shared metrics (runtime/layout/elkGraph.ts) size a box for its id and
 * type; the webview also draws a run's state, duration and attempt at the right end of those lines, so
 * it reserves that room up front: a box must not change size (and the graph its layout) when a run starts.
 */
import { NODE_METRICS, nodeWidth, type TextMeasure } from '../../runtime/layout/elkGraph';

/** Room at the right of each line: a state dot and "12m 05s" on the id line, "attempt 3" on the type line. */
export const STATUS_RESERVE = 64;

export function reservingMeasure(measure: TextMeasure): TextMeasure {
  return (text, fontSize) => measure(text, fontSize) + STATUS_RESERVE;
}

export function boxWidth(node: { id: string; type?: string; discriminator?: string }, measure: TextMeasure): number {
  return nodeWidth(node, reservingMeasure(measure));
}

export const BOX_HEIGHT = NODE_METRICS.height;
