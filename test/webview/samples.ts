/**
 * Sample host messages for the webview harness and the webview unit tests: graphs shaped exactly like
 * the language server's orch/graph result (server/protocol.ts), with tiers, cycles, ranges and problems
 * computed the way the server computes them, and runs at various stages.
 */
import type { GraphEdgeInfo, GraphNode, GraphProblem, GraphResult } from '../../server/protocol';
import type { GraphMessage, NodeRunInfo, RunSnapshotMessage, RunState } from '../../client/graph/protocol';

export interface SampleActivity {
  id: string;
  type?: string;
  discriminator?: string;
  dependsOn?: string[];
  when?: 'success' | 'failure' | 'always';
  inputs?: string[];
  /** Problems inside the activity; `onDependency` puts one inside that dependsOn entry. */
  problems?: { severity: GraphProblem['severity']; code: string; message: string; onDependency?: string }[];
  hosts?: string[];
  forEach?: { items?: string; as?: string };
  continueOnError?: boolean;
  description?: string;
  provider?: string;
}

export interface SampleDefinition {
  type: string;
  description?: string;
  fileName?: string;
  activities: SampleActivity[];
  problems?: GraphProblem[];
  stale?: boolean;
}

const range = (line: number, from = 4, to = 40) => ({ start: { line, character: from }, end: { line, character: to } });

/** The graph result the server would send for these activities (one activity per 10 lines). */
export function sampleGraph(def: SampleDefinition): GraphResult {
  const ids = def.activities.map((a) => a.id);
  const index = new Map(ids.map((id, i) => [id, i]));
  const deps = def.activities.map((a) => (a.dependsOn ?? []).filter((d) => index.has(d) && d !== a.id).map((d) => index.get(d)!));
  const dependents: number[][] = ids.map(() => []);
  deps.forEach((list, to) => list.forEach((from) => dependents[from].push(to)));
  const remaining = deps.map((d) => d.length);
  const tier = ids.map(() => -1);
  const order: number[] = [];
  remaining.forEach((r, i) => { if (r === 0) { order.push(i); tier[i] = 0; } });
  for (let head = 0; head < order.length; head++) {
    for (const next of dependents[order[head]]) {
      tier[next] = Math.max(tier[next], tier[order[head]] + 1);
      if (--remaining[next] === 0) order.push(next);
    }
  }
  const blocked = new Set(ids.filter((_, i) => remaining[i] > 0));
  for (const id of blocked) tier[index.get(id)!] = -1;
  const cycles = findCycles(ids, deps);
  const onCycle = new Set(cycles.flat());
  const nodes: GraphNode[] = def.activities.map((a, i) => {
    const line = 10 + i * 10;
    const problems: GraphProblem[] = (a.problems ?? []).map((p) => {
      const depLine = p.onDependency ? line + 3 + (a.dependsOn ?? []).indexOf(p.onDependency) : line + 1;
      return { severity: p.severity, code: p.code, message: p.message, range: p.onDependency ? range(depLine, 8, 20) : range(depLine) };
    });
    const node: GraphNode = {
      id: a.id, index: i, tier: tier[i] + 1, when: a.when ?? 'success', hosts: a.hosts ?? [], continueOnError: a.continueOnError === true,
      range: { start: { line, character: 4 }, end: { line: line + 9, character: 5 } }, idRange: range(line + 1, 12, 12 + a.id.length), problems,
    };
    if (a.type !== undefined) node.type = a.type;
    if (a.discriminator !== undefined) node.discriminator = a.discriminator;
    if (a.forEach) node.forEach = a.forEach;
    if (a.description) node.description = a.description;
    if (a.provider) node.provider = a.provider;
    return node;
  });
  const edges: GraphEdgeInfo[] = [];
  def.activities.forEach((a, to) => (a.dependsOn ?? []).forEach((dep, k) => {
    if (!index.has(dep) || dep === a.id) return;
    const edge: GraphEdgeInfo = { from: dep, to: a.id, range: range(10 + to * 10 + 3 + k, 8, 20) };
    if (onCycle.has(dep) && onCycle.has(a.id)) edge.cycle = true;
    edges.push(edge);
  }));
  const tiers: string[][] = [];
  for (const i of order) (tiers[tier[i]] ??= []).push(ids[i]);
  for (const t of tiers) t.sort();
  const all = [...nodes.flatMap((n) => n.problems), ...(def.problems ?? [])];
  return {
    uri: `file:///work/${def.fileName ?? 'sample.orch.json'}`, version: 1, ok: true, type: def.type, description: def.description,
    nodes, edges, tiers, cycles, problems: def.problems ?? [],
    counts: { errors: all.filter((p) => p.severity === 'error').length, warnings: all.filter((p) => p.severity === 'warning').length },
  };
}

/** Tarjan's SCCs, each as a closed path along dependencies (as the server reports them). */
function findCycles(ids: string[], deps: number[][]): string[][] {
  const n = ids.length, index = new Array<number>(n).fill(-1), low = new Array<number>(n).fill(0), onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  const out: string[][] = [];
  let counter = 0;
  const visit = (v: number) => {
    index[v] = low[v] = counter++;
    stack.push(v); onStack[v] = true;
    for (const w of deps[v]) {
      if (index[w] === -1) { visit(w); low[v] = Math.min(low[v], low[w]); } else if (onStack[w]) low[v] = Math.min(low[v], index[w]);
    }
    if (low[v] === index[v]) {
      const component: number[] = [];
      let w: number;
      do { w = stack.pop()!; onStack[w] = false; component.push(w); } while (w !== v);
      if (component.length > 1) out.push([...component.reverse().map((i) => ids[i]), ids[component[0]]]);
    }
  };
  for (let v = 0; v < n; v++) if (index[v] === -1) visit(v);
  return out;
}

export function graphMessage(def: SampleDefinition): GraphMessage {
  const details: GraphMessage['details'] = {};
  for (const a of def.activities) details[a.id] = { inputs: a.inputs ?? [] };
  const graph = sampleGraph(def);
  return { type: 'graph', uri: graph.uri, fileName: def.fileName ?? 'sample.orch.json', graph, details, stale: def.stale === true };
}

export function runMessage(runId: string, state: RunState, startedAt: number, nodes: Record<string, NodeRunInfo>, extra: { endedAt?: number; criticalPath?: string[] } = {}): RunSnapshotMessage {
  return { type: 'run', run: { runId, state, startedAt, ...extra }, nodes };
}

/** The examples/batch-pipeline definition. */
export const PIPELINE: SampleDefinition = {
  type: 'batch.orders-report',
  description: 'Nightly orders report: extracts orders and customers in parallel, joins them, delivers the report to the warehouse and the archive, and always cleans up the staging files.',
  fileName: 'pipeline.orch.json',
  activities: [
    { id: 'extract-orders', type: 'batch.extract', provider: 'shell', inputs: ['dataset = "orders"', 'batchId ← batchId', 'dataDir ← dataDir'] },
    { id: 'extract-customers', type: 'batch.extract', provider: 'shell', inputs: ['dataset = "customers"', 'batchId ← batchId', 'dataDir ← dataDir'] },
    { id: 'transform', type: 'batch.join', provider: 'node', dependsOn: ['extract-orders', 'extract-customers'], inputs: ['ordersFile ← extract-orders.file', 'customersFile ← extract-customers.file', 'batchId ← batchId'] },
    { id: 'transmit-warehouse', type: 'batch.transmit', provider: 'http', dependsOn: ['transform'], inputs: ['file ← transform.file', 'destination = "warehouse"'] },
    {
      id: 'transmit-archive', type: 'batch.transmit', provider: 'http', dependsOn: ['transform'], continueOnError: true,
      inputs: ['file ← transform.file', 'destination = "archive"', 'simulateFailures = 1'],
      problems: [{ severity: 'warning', code: 'ORCH310', message: 'Input "simulateFailures" is not declared by batch.transmit\'s inputSchema.' }],
    },
    { id: 'cleanup', type: 'batch.cleanup', provider: 'shell', dependsOn: ['transmit-warehouse', 'transmit-archive'], when: 'always', inputs: ['batchId ← batchId', 'dataDir ← dataDir'] },
  ],
};

/** A release with fan-out, hosts, a dependency cycle and problems, as typed in the middle of an edit. */
export const BROKEN: SampleDefinition = {
  type: 'release.example.com',
  fileName: 'release.orch.json',
  stale: true,
  problems: [{ severity: 'error', code: 'ORCH001', message: 'Expected a comma between properties.', range: range(71, 6, 7) }],
  activities: [
    { id: 'build', type: 'ci.build', provider: 'shell' },
    { id: 'package', type: 'ci.package', dependsOn: ['build'], forEach: { items: 'targets', as: 'target' } },
    { id: 'deploy', type: 'deploy.ssh', discriminator: 'deploy', hosts: ['web-1', 'web-2'], dependsOn: ['package', 'verify'] },
    {
      id: 'verify', type: 'ci.verify', dependsOn: ['deploy'],
      problems: [{ severity: 'error', code: 'ORCH203', message: 'Dependency cycle: deploy → verify → deploy.', onDependency: 'deploy' }],
    },
    {
      id: 'notify', type: 'chat.notify', dependsOn: ['verify', 'missing-step'],
      problems: [{ severity: 'error', code: 'ORCH201', message: 'Unknown activity "missing-step" in dependsOn.' }],
    },
    { id: 'docs', type: 'ci.docs', dependsOn: ['build'] },
  ],
};

/** A layered graph of `n` activities with a realistic fan-in and fan-out (deterministic). */
export function largeDefinition(n: number, seed = 7): SampleDefinition {
  let s = seed;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  const types = ['etl.extract', 'etl.transform', 'etl.load', 'qa.check', 'ops.notify', 'infra.provision', 'ml.train'];
  const activities: SampleActivity[] = [];
  for (let i = 0; i < n; i++) {
    const dependsOn: string[] = [];
    if (i > 3) {
      const width = Math.max(4, Math.round(Math.sqrt(n)));
      dependsOn.push(`step_${Math.max(0, i - 1 - Math.floor(rnd() * width))}`);
      if (rnd() < 0.45) dependsOn.push(`step_${Math.floor(rnd() * i)}`);
    }
    activities.push({ id: `step_${i}`, type: types[i % types.length], dependsOn: [...new Set(dependsOn)], inputs: [`part ← step_${Math.max(0, i - 1)}.out`] });
  }
  return { type: `generated.${n}`, fileName: `generated-${n}.orch.json`, activities };
}
