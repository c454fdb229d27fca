/**
 * ORCH501, ORCH502: `acquires` names declared pools and never asks for more than a pool holds (such an
 * activity would wait for its pool forever).
 */
import { keyOf, propertyValue, type JsonNode } from '../../json/node';
import type { ActivityModel } from '../../model/located';
import type { OrchestrationCheck } from '../check';
import { diagnostic } from '../diagnostic';
import { related, spanOf } from './support/spans';
import { Suggester } from './support/suggest';

export const pools: OrchestrationCheck = (ctx) => {
  const { model, doc } = ctx;
  const poolsNode = propertyValue(model.root, 'pools');
  // Declared names come from the node: a pool with an invalid capacity is a schema error, not undeclared.
  const declared = new Map<string, JsonNode>();
  if (poolsNode?.type === 'object') {
    for (const prop of poolsNode.children ?? []) {
      const key = prop.children?.[0];
      if (key && typeof key.value === 'string') declared.set(key.value, key);
    }
  }
  const capacity = new Map(model.pools.map((p) => [p.name, p]));
  const names = new Suggester(() => declared.keys());
  const poolsKey = poolsNode ? keyOf(poolsNode) : undefined;
  for (let a = 0; a < model.activities.length; a++) {
    const activity = model.activities[a];
    for (let c = 0; c < activity.acquires.length; c++) {
      const claim = activity.acquires[c];
      if (!declared.has(claim.pool)) {
        const suggestion = names.suggest(claim.pool);
        const hint = suggestion ? ` Did you mean '${suggestion}'?` : '';
        const fix = poolsKey ? `declare it in \`pools\`` : `declare it in a top-level \`pools\` object ("pools": { "${claim.pool}": 1 })`;
        ctx.report(diagnostic('ORCH501', spanOf(claim.keyNode),
          `${whoOf(activity)} acquires pool '${claim.pool}', which the definition does not declare.${hint} Fix the name or ${fix} with its capacity.`,
          {
            related: poolsKey ? [related(doc.uri, poolsKey, 'the pools of this definition')] : undefined,
            data: suggestion ? { pool: claim.pool, suggestion } : { pool: claim.pool },
          }));
        continue;
      }
      const pool = capacity.get(claim.pool);
      if (pool && claim.amount > pool.capacity) {
        ctx.report(diagnostic('ORCH502', spanOf(claim.valueNode),
          `${whoOf(activity)} acquires ${claim.amount} of pool '${pool.name}', whose capacity is ${pool.capacity}: it would wait for the pool forever. Acquire at most ${pool.capacity}, or raise the capacity.`,
          {
            related: [related(doc.uri, pool.keyNode.parent ?? pool.keyNode, `pool '${pool.name}' holds ${pool.capacity}`)],
            data: { pool: pool.name, amount: claim.amount, capacity: pool.capacity },
          }));
      }
    }
  }
};

/** How messages name an activity (made only for a diagnostic). */
function whoOf(activity: ActivityModel): string {
  return activity.id === undefined ? `activities[${activity.index}]` : `'${activity.id}'`;
}
