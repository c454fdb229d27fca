/** Where the links of a definition file lead (see documentLinks.ts). */
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { ParsedDocument } from '../../../runtime/analysis/document';
import type { WorkspaceIndex } from '../../../runtime/index/workspaceIndex';
import { propertyValue, type JsonNode } from '../../../runtime/json/node';
import { linesOf } from '../../lines';
import { fileUri, uriToPath } from '../../uris';

export interface LinkTarget {
  /** The string node the link sits on (its content is the link's range). */
  node: JsonNode;
  target: string;
  tooltip: string;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** `#L<line>,<column>` (1-based): VS Code opens the file there. */
function at(doc: ParsedDocument, node: JsonNode): string {
  const { line, character } = linesOf(doc).positionAt(node.offset);
  return `${doc.uri}#L${line + 1},${character + 1}`;
}

/** A file reference relative to the document's folder (or absolute, or `~/`), when the file exists. */
function localFile(base: string | undefined, reference: string): string | undefined {
  if (!reference.trim()) return undefined;
  let path: string;
  if (reference.startsWith('~/') || reference === '~') path = join(homedir(), reference.slice(1));
  else if (isAbsolute(reference)) path = reference;
  else if (base !== undefined) path = resolve(base, reference);
  else return undefined;
  return isFile(path) ? path : undefined;
}

/**
 * A node module as the node provider loads it, relative to the definition's folder: a path (with
 * the usual extensions and index files), or a package resolved from node_modules there.
 */
function moduleFile(base: string | undefined, specifier: string): string | undefined {
  if (base === undefined || !specifier.trim()) return undefined;
  if (specifier.startsWith('.') || isAbsolute(specifier)) {
    const path = isAbsolute(specifier) ? specifier : resolve(base, specifier);
    for (const candidate of [path, ...['.js', '.mjs', '.cjs', '.ts'].map((e) => path + e), ...['index.js', 'index.mjs', 'index.cjs', 'index.ts'].map((f) => join(path, f))]) {
      if (isFile(candidate)) return candidate;
    }
    return undefined;
  }
  try {
    const resolved = require.resolve(specifier, { paths: [base] });
    return isAbsolute(resolved) && existsSync(resolved) ? resolved : undefined;
  } catch {
    return undefined;
  }
}

const SCHEMA_ID_PREFIX = 'https://orchestration-studio.dev/schemas/';
const SCHEMA_FILES = new Set(['orchestration-definition.schema.json', 'activity-definition.schema.json', 'orch-hosts.schema.json']);

/**
 * Our schemas' `$id`s name a site that only identifies them: the link opens the copy shipped with
 * the extension (schemas/ beside dist/ when bundled, the repository's schemas/ when run from source).
 */
function bundledSchema(url: string): string | undefined {
  if (!url.startsWith(SCHEMA_ID_PREFIX)) return undefined;
  const name = url.slice(SCHEMA_ID_PREFIX.length);
  if (!SCHEMA_FILES.has(name)) return undefined;
  for (const folder of [join(__dirname, '..', 'schemas'), join(__dirname, '..', '..', '..', 'schemas')]) {
    if (isFile(join(folder, name))) return join(folder, name);
  }
  return undefined;
}

function schemaTarget(doc: ParsedDocument, base: string | undefined): LinkTarget | undefined {
  const node = propertyValue(doc.parse.root, '$schema');
  if (node?.type !== 'string') return undefined;
  const value = (node.value as string).trim();
  const bundled = bundledSchema(value);
  if (bundled) return { node, target: fileUri(bundled), tooltip: 'Open the JSON Schema (shipped with the extension)' };
  if (/^(https?|file):\/\//i.test(value)) return { node, target: value, tooltip: 'Open the JSON Schema' };
  const path = localFile(base, value);
  return path ? { node, target: fileUri(path), tooltip: 'Open the JSON Schema' } : undefined;
}

export function linkTargets(doc: ParsedDocument, index: WorkspaceIndex | undefined): LinkTarget[] {
  const model = doc.model;
  const path = uriToPath(doc.uri);
  const base = path === undefined ? undefined : dirname(path);
  const links: LinkTarget[] = [];
  const schema = schemaTarget(doc, base);
  if (schema) links.push(schema);
  if (!model) return links;
  if (model.kind === 'orchestration') {
    // One lookup per type, not per activity: a 10,000-activity file uses a handful of types.
    const byType = new Map<string, { target: string; tooltip: string } | undefined>();
    for (const activity of model.activities) {
      const type = activity.type;
      const node = activity.typeNode;
      if (type === undefined || !node) continue;
      if (!byType.has(type)) {
        const declaration = index?.declarationsOf(type)[0];
        const typeNode = declaration?.definition.type?.node;
        byType.set(type, declaration && typeNode
          ? { target: at(declaration.doc, typeNode), tooltip: `Open the ActivityDefinition of '${type}'` }
          : undefined);
      }
      const link = byType.get(type);
      if (link) links.push({ node, ...link });
    }
  } else if (model.kind === 'activity') {
    for (const definition of model.definitions) {
      const node = definition.moduleNode;
      if (!node || definition.provider?.value !== 'node') continue;
      const file = moduleFile(base, node.value as string);
      if (file) links.push({ node, target: fileUri(file), tooltip: 'Open the module' });
    }
  } else {
    for (const host of model.hosts) {
      // Not privateKeyPath: a key opened in the editor lands in its history and backups.
      const node = propertyValue(host.valueNode, 'knownHostsPath');
      if (node?.type !== 'string') continue;
      const file = localFile(base, node.value as string);
      if (file) links.push({ node, target: fileUri(file), tooltip: 'Open the known_hosts file' });
    }
  }
  return links.sort((a, b) => a.node.offset - b.node.offset);
}
