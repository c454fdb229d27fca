/**
 * ORCH504: a host name declared by more than one inventory file of the workspace. Host names form one
 * namespace for `hosts` in activities, so which connection settings a run would use is ambiguous.
 * (A name repeated inside one file is a duplicate property, ORCH004.) The index may hold an older
 * version of this document, so only other files' declarations are taken from it.
 */
import type { HostsCheck } from '../check';
import { diagnostic } from '../diagnostic';
import { related, spanOf } from './support/spans';

export const duplicateHosts: HostsCheck = (ctx) => {
  const { index, doc, model } = ctx;
  if (!index) return;
  const seen = new Set<string>();
  for (const host of model.hosts) {
    if (seen.has(host.name)) continue;
    seen.add(host.name);
    const elsewhere = index.hostsNamed(host.name).filter((d) => d.doc.uri !== doc.uri);
    if (!elsewhere.length) continue;
    ctx.report(diagnostic('ORCH504', spanOf(host.keyNode),
      `Host '${host.name}' is also declared in ${elsewhere.length === 1 ? 'another inventory file' : `${elsewhere.length} other inventory files`}: host names are shared by the whole workspace, so which settings a run would use is ambiguous. Keep one declaration, or rename one of them.`,
      {
        related: elsewhere.map((d) => related(d.doc.uri, d.keyNode, `'${host.name}' is also declared here`)),
        data: { host: host.name, files: elsewhere.map((d) => d.doc.uri) },
      }));
  }
};
