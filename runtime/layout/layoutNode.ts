/**
 * Runs the shared layout (./elkGraph.ts) with ELK in this Node process, for `orch graph` and the
 * benchmarks. The bundled ELK needs no worker; it is loaded on first use so that commands which never
 * lay anything out do not pay for 1.6 MB of JavaScript.
 */
import type { ELK } from 'elkjs/lib/elk-api';
import { fromElkLayout, toElkGraph, type ElkBuildOptions, type GraphLayout } from './elkGraph';
import type { LayoutGraph } from './layoutGraph';

let elk: Promise<ELK> | undefined;

function engine(): Promise<ELK> {
  return (elk ??= import('elkjs/lib/elk.bundled.js').then((module) => {
    // CommonJS interop: the constructor is the default export, or the module itself.
    const Elk = (module.default ?? module) as unknown as new () => ELK;
    return new Elk();
  }));
}

export async function layoutGraph(graph: LayoutGraph, options: ElkBuildOptions = {}): Promise<GraphLayout> {
  const result = await (await engine()).layout(toElkGraph(graph, options));
  return fromElkLayout(graph, result);
}
