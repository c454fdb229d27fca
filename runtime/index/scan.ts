/** Finds definition files on disk and feeds them to an index (the CLI and the server's startup). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkspaceIndex } from './workspaceIndex';

const SKIP = new Set(['node_modules', '.git', '.orch', 'dist', 'out']);

export function isDefinitionFile(name: string): boolean {
  return name.endsWith('.orch.json') || name.endsWith('.activity.json') || name === 'orch.hosts.json';
}

/** Every definition file below `folder` (or `folder` itself when it is a file). */
export function findDefinitionFiles(folder: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    let entries;
    try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const entry of entries) {
      if (entry.isDirectory()) { if (!SKIP.has(entry.name)) walk(join(dir, entry.name)); }
      else if (entry.isFile() && isDefinitionFile(entry.name)) found.push(join(dir, entry.name));
    }
  };
  if (statSync(folder).isFile()) return [folder];
  walk(folder);
  return found.sort();
}

/** Reads every definition file below the folders into the index; returns the paths read. */
export function scanInto(index: WorkspaceIndex, folders: string[]): string[] {
  const files = new Set<string>();
  for (const folder of folders) for (const file of findDefinitionFiles(folder)) files.add(file);
  for (const file of files) index.set(file, readFileSync(file, 'utf8'));
  return [...files];
}
