/**
 * ORCH503: every name in an activity's `hosts` is declared in the workspace's inventory
 * (`orch.hosts.json`). Without a workspace index the inventory is unknown and nothing is reported.
 */
import type { OrchestrationCheck } from '../check';
import { diagnostic } from '../diagnostic';
import { related, spanOf } from './support/spans';
import { Suggester } from './support/suggest';

export const hosts: OrchestrationCheck = (ctx) => {
  const index = ctx.index;
  if (!index) return;
  let inventory: boolean | undefined;
  const names = new Suggester(() => index.hostNames());
  for (let a = 0; a < ctx.model.activities.length; a++) {
    const activity = ctx.model.activities[a];
    for (let h = 0; h < activity.hosts.length; h++) {
      const host = activity.hosts[h];
      if (index.hostsNamed(host.value).length) continue;
      inventory ??= index.hasInventory();
      if (!inventory) {
        ctx.report(diagnostic('ORCH503', spanOf(host.node),
          `Host '${host.value}' is not declared: the workspace has no inventory. Create an orch.hosts.json that declares it ("hosts": { "${host.value}": { "host": "...", "username": "..." } }).`,
          { data: { host: host.value, inventory: false } }));
        continue;
      }
      const suggestion = names.suggest(host.value);
      const declaration = suggestion ? index.hostsNamed(suggestion)[0] : undefined;
      const hint = suggestion ? ` Did you mean '${suggestion}'?` : '';
      ctx.report(diagnostic('ORCH503', spanOf(host.node),
        `Host '${host.value}' is not in the inventory.${hint} Declare it in orch.hosts.json or fix the name.`,
        {
          related: declaration ? [related(declaration.doc.uri, declaration.keyNode, `'${suggestion}' is declared here`)] : undefined,
          data: suggestion ? { host: host.value, inventory: true, suggestion } : { host: host.value, inventory: true },
        }));
    }
  }
};
