/**
 * ORCH302: an activity type declared more than once in the workspace (in this file or across files):
 * which definition an activity would run is ambiguous. Reported on every declaration, so each file
 * shows the problem. The index may hold an older version of this document, so its own declarations
 * are taken from the document itself and only the others' from the index.
 */
import type { TypeDeclaration } from '../../index/workspaceIndex';
import type { ActivityDefinitionCheck } from '../check';
import { diagnostic, type RelatedLocation } from '../diagnostic';
import { related, spanOf } from './support/spans';

export const duplicateTypes: ActivityDefinitionCheck = (ctx) => {
  const { doc, model, index } = ctx;
  const here = new Map<string, typeof model.definitions>();
  for (const definition of model.definitions) {
    if (!definition.type) continue;
    const list = here.get(definition.type.value);
    if (list) list.push(definition);
    else here.set(definition.type.value, [definition]);
  }
  for (const [type, local] of here) {
    const elsewhere: readonly TypeDeclaration[] = index ? index.declarationsOf(type).filter((d) => d.doc.uri !== doc.uri) : [];
    if (local.length + elsewhere.length < 2) continue;
    for (const definition of local) {
      const others: RelatedLocation[] = [];
      for (const other of local) {
        if (other !== definition && other.type) others.push(related(doc.uri, other.type.node, `'${type}' is also declared here`));
      }
      for (const other of elsewhere) {
        if (other.definition.type) others.push(related(other.doc.uri, other.definition.type.node, `'${type}' is also declared here`));
      }
      const count = local.length + elsewhere.length;
      ctx.report(diagnostic('ORCH302', spanOf(definition.type!.node),
        `Activity type '${type}' is declared ${count} times in the workspace: types must be unique, or activities of this type would run an arbitrary one. Rename or remove all but one declaration.`,
        { related: others, data: { type, declarations: count } }));
    }
  }
};
