/**
 * Time to lay out the activity graph with ELK (runtime/layout, as `orch graph` and the webview do),
 * from the analysis graph to positions, on generated DAGs of 100, 500 and 1,000 activities.
 */
import { ParsedDocument } from '../runtime/analysis/document';
import { buildGraph } from '../runtime/graph/graph';
import { layoutGraphOf } from '../runtime/layout/layoutGraph';
import { layoutGraph } from '../runtime/layout/layoutNode';
import { generateWorkload } from './generate';
import { measure } from './measure';
import type { BenchSection } from './section';
import { count, ms, Table } from './table';

export const layoutSection: BenchSection = {
  name: 'layout',
  description: 'ELK layered layout of the activity graph (runtime/layout)',
  async run(ctx) {
    const sizes = ctx.quick ? [100, 500] : [100, 500, 1000];
    const table = new Table('Graph layout with elkjs in Node (median of the runs, after warm-up)', [
      { header: 'activities' }, { header: 'dependencies' }, { header: 'runs' }, { header: 'layout' }, { header: 'min' }, { header: 'max' }, { header: 'CPU' },
    ]);
    for (const size of sizes) {
      const doc = new ParsedDocument(`file:///bench/layout-${size}.orch.json`, generateWorkload(size).definition);
      if (doc.model?.kind !== 'orchestration') throw new Error('the generator produced no orchestration');
      const graph = layoutGraphOf(buildGraph(doc.model));
      const runs = ctx.runs(size >= 1000 ? 3 : 5);
      const samples = await measure(() => layoutGraph(graph), { warmup: 1, runs });
      table.add(count(size), count(graph.edges.length), String(runs), ms(samples.median), ms(samples.min), ms(samples.max), ms(samples.cpuMedian));
    }
    ctx.print(table);
  },
};
