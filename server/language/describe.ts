/**
 * Markdown descriptions of the domain's things, shared by hover and completion documentation: an
 * activity type (description, provider, input and output schemas as tables), an activity (type, tier,
 * dependencies, inputs), a pool, a host.
 */
import type { Graph } from '../../runtime/graph/graph';
import type { HostDeclaration, TypeDeclaration } from '../../runtime/index/workspaceIndex';
import type { ActivityModel } from '../../runtime/model/located';
import { unwrapSchema, type JsonSchema } from '../../runtime/model/types';
import { baseName } from '../uris';

export function code(text: string): string {
  // A backtick inside inline code needs a longer fence.
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${text.includes('`') ? ' ' + text + ' ' : text}${fence}`;
}

/** Text for a markdown table cell: no pipes or line breaks. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function schemaTypeText(schema: unknown): string {
  if (!schema || typeof schema !== 'object') return '';
  const s = schema as Record<string, unknown>;
  if (Array.isArray(s.enum)) return s.enum.map((e) => JSON.stringify(e)).join(' \\| ');
  if (typeof s.type === 'string') return s.type === 'array' && s.items && typeof s.items === 'object' && typeof (s.items as Record<string, unknown>).type === 'string' ? `${(s.items as Record<string, unknown>).type}[]` : s.type;
  if (Array.isArray(s.type)) return s.type.join(' \\| ');
  if (s.$ref) return String(s.$ref).split('/').pop() ?? '';
  return '';
}

/** A table of the properties a schema lists: name, type, required, description. Undefined when it lists none. */
export function propertiesTable(schema: JsonSchema | undefined): string | undefined {
  const s = unwrapSchema(schema);
  if (!s || typeof s !== 'object') return undefined;
  const props = s.properties;
  if (!props || typeof props !== 'object' || Object.keys(props).length === 0) return undefined;
  const required = new Set(Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === 'string') : []);
  const rows = ['| name | type | required | description |', '|---|---|---|---|'];
  for (const [name, sub] of Object.entries(props as Record<string, unknown>)) {
    const desc = sub && typeof sub === 'object' && typeof (sub as Record<string, unknown>).description === 'string' ? String((sub as Record<string, unknown>).description) : '';
    rows.push(`| ${code(name)} | ${cell(schemaTypeText(sub))} | ${required.has(name) ? 'yes' : ''} | ${cell(desc)} |`);
  }
  if (s.additionalProperties === false) rows.push('', '_No other properties allowed._');
  return rows.join('\n');
}

export function describeType(name: string, declarations: readonly TypeDeclaration[]): string {
  if (!declarations.length) {
    return `**activity type** ${code(name)}\n\n_No ActivityDefinition in the workspace declares this type._`;
  }
  const { definition, doc } = declarations[0];
  const parts = [`**activity type** ${code(name)}${definition.provider ? ` · provider ${code(definition.provider.value)}` : ''}`];
  if (definition.description) parts.push(definition.description);
  const inputs = propertiesTable(definition.inputSchema);
  parts.push(inputs ? `**Inputs**\n\n${inputs}` : '**Inputs**: _the input schema lists none_');
  const outputs = propertiesTable(definition.outputSchema);
  parts.push(outputs ? `**Outputs**\n\n${outputs}` : '**Outputs**: _the output schema lists none_');
  parts.push(`Defined in [${baseName(doc.uri)}](${doc.uri})${declarations.length > 1 ? ` (and ${declarations.length - 1} more: defined twice)` : ''}`);
  return parts.join('\n\n');
}

export function describeActivity(activity: ActivityModel, graph: Graph | undefined, declarations: readonly TypeDeclaration[]): string {
  const parts: string[] = [];
  const node = graph && activity.id !== undefined ? graph.indexOf.get(activity.id) : undefined;
  const tier = node !== undefined && graph ? graph.tierOf[node] : undefined;
  let head = `**activity** ${code(activity.id ?? '?')}`;
  if (activity.type !== undefined) head += ` · type ${code(activity.type)}`;
  if (tier !== undefined) head += tier >= 0 ? ` · tier ${tier + 1}` : ' · on a dependency cycle';
  parts.push(head);
  const description = declarations[0]?.definition.description;
  if (description) parts.push(description);
  const facts: string[] = [];
  if (activity.dependsOn.length) facts.push(`- depends on ${activity.dependsOn.map((d) => code(d.value)).join(', ')}${activity.when !== 'success' ? ` (runs when: ${code(activity.when)})` : ''}`);
  else facts.push('- no dependencies');
  if (node !== undefined && graph) {
    const dependents = graph.dependents[node];
    if (dependents.length) facts.push(`- needed by ${dependents.slice(0, 10).map((i) => code(graph.ids[i])).join(', ')}${dependents.length > 10 ? ` and ${dependents.length - 10} more` : ''}`);
  }
  if (activity.forEach) facts.push(`- fans out over ${code(activity.forEach.items?.value ?? '?')} as ${code(activity.forEach.as ?? '?')}`);
  if (activity.hosts.length) facts.push(`- runs on ${activity.hosts.map((h) => code(h.value)).join(', ')}`);
  if (activity.acquires.length) facts.push(`- acquires ${activity.acquires.map((a) => `${code(a.pool)} × ${a.amount}`).join(', ')}`);
  if (activity.continueOnError) facts.push('- continues on error');
  parts.push(facts.join('\n'));
  if (activity.inputs.length) {
    const rows = ['| input | from |', '|---|---|'];
    for (const input of activity.inputs) {
      const from = input.kind === 'value' ? `value ${code(JSON.stringify(input.value) ?? 'undefined')}` : code(input.source?.value ?? '');
      rows.push(`| ${code(input.target ?? '?')} | ${cell(from)} |`);
    }
    parts.push(rows.join('\n'));
  }
  return parts.join('\n\n');
}

export function describePool(name: string, capacity: number | undefined, users: number): string {
  if (capacity === undefined) return `**pool** ${code(name)}\n\n_Not declared in \`pools\`._`;
  return `**pool** ${code(name)} · capacity ${capacity}\n\nAcquired by ${users} activit${users === 1 ? 'y' : 'ies'} of this file.`;
}

export function describeHost(name: string, declarations: readonly HostDeclaration[]): string {
  if (!declarations.length) return `**host** ${code(name)}\n\n_Not in the inventory (orch.hosts.json)._`;
  const value = declarations[0].value as Record<string, unknown> | undefined;
  const parts = [`**host** ${code(name)}`];
  if (value && typeof value === 'object') {
    const user = typeof value.username === 'string' ? `${value.username}@` : '';
    const port = typeof value.port === 'number' ? `:${value.port}` : '';
    if (typeof value.host === 'string') parts.push(code(`${user}${value.host}${port}`));
    if (typeof value.privateKeyPath === 'string') parts.push(`key ${code(value.privateKeyPath)}`);
    else if (value.agent) parts.push('authenticates through the ssh agent');
  }
  parts.push(`From [${baseName(declarations[0].doc.uri)}](${declarations[0].doc.uri})`);
  return parts.join('\n\n');
}
