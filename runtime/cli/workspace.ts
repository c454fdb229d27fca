/**
 * The files a CLI command works on and the workspace they are checked against. The editor checks a
 * definition against every activity definition and host inventory of the workspace; the CLI has no
 * workspace, so it builds one: the folders named on the command line (recursively) and, for each file
 * or folder named, its own folder and each parent folder up to the workspace root (the nearest ancestor
 * holding `.git` or `package.json`). Parents are read without descending into them, so a sibling
 * project's definitions never leak in; `--defs DIR` replaces that default with folders of your choice.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { diagnostic, type Diagnostic } from '../analysis/diagnostic';
import type { ParsedDocument } from '../analysis/document';
import { findDefinitionFiles, isDefinitionFile } from '../index/scan';
import { WorkspaceIndex } from '../index/workspaceIndex';
import { LineIndex } from '../text/lineIndex';
import { UsageError } from './args';
import type { FileView } from './format';

export interface Workspace {
  index: WorkspaceIndex;
  /** The documents asked for, in the order given (folders expanded, duplicates removed). */
  targets: ParsedDocument[];
  /** The display name and line index of any file a diagnostic mentions. */
  view(file: string): FileView;
}

export interface WorkspaceOptions {
  cwd: string;
  /** Folders holding activity definitions and inventories; replaces the default lookup when non-empty. */
  defs?: readonly string[];
}

/** The nearest ancestor of `folder` (itself included) holding `.git` or `package.json`; else the filesystem root. */
export function findWorkspaceRoot(folder: string): string {
  let dir = resolve(folder);
  for (;;) {
    if (existsSync(join(dir, '.git')) || existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return dir;
    dir = parent;
  }
}

/** `folder` and its parents up to the workspace root, nearest first. */
export function foldersUpToRoot(folder: string): string[] {
  const root = findWorkspaceRoot(folder);
  const chain: string[] = [];
  let dir = resolve(folder);
  for (;;) {
    chain.push(dir);
    if (dir === root) return chain;
    const parent = dirname(dir);
    if (parent === dir) return chain;
    dir = parent;
  }
}

function definitionFilesIn(folder: string): string[] {
  let entries;
  try { entries = readdirSync(folder, { withFileTypes: true }); } catch { return []; }
  return entries.filter((e) => e.isFile() && isDefinitionFile(e.name)).map((e) => join(folder, e.name)).sort();
}

export function pathKind(path: string): 'file' | 'folder' | undefined {
  try {
    const stat = statSync(path);
    return stat.isDirectory() ? 'folder' : stat.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

function readText(path: string, shown: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${shown}${code ? ` (${code})` : ''}`);
  }
}

export function displayPath(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

/** Reads the targets and their context into one index. A missing path is a UsageError. */
export function loadWorkspace(paths: readonly string[], options: WorkspaceOptions): Workspace {
  const { cwd } = options;
  const index = new WorkspaceIndex();
  const targetFiles: string[] = [];
  const recursive: string[] = [];
  const shallow: string[] = [];
  for (const arg of paths.length ? paths : ['.']) {
    const path = resolve(cwd, arg);
    const kind = pathKind(path);
    if (!kind) throw new UsageError(`no such file or folder: ${arg}`);
    const folder = kind === 'folder' ? path : dirname(path);
    if (kind === 'folder') {
      targetFiles.push(...findDefinitionFiles(path));
      recursive.push(path);
    } else {
      targetFiles.push(path);
      if (!options.defs?.length) recursive.push(folder);
    }
    if (!options.defs?.length) shallow.push(...foldersUpToRoot(folder).slice(1));
  }
  for (const def of options.defs ?? []) {
    const path = resolve(cwd, def);
    if (pathKind(path) !== 'folder') throw new UsageError(`--defs ${def}: no such folder`);
    recursive.push(path);
  }
  const context = new Set<string>();
  for (const folder of new Set(recursive)) for (const file of findDefinitionFiles(folder)) context.add(file);
  for (const folder of new Set(shallow)) for (const file of definitionFilesIn(folder)) context.add(file);
  // Targets are read with their own error message; the context quietly skips what it cannot read.
  const targets: ParsedDocument[] = [];
  const seen = new Set<string>();
  for (const file of targetFiles) {
    if (seen.has(file)) continue;
    seen.add(file);
    targets.push(index.set(file, readText(file, displayPath(cwd, file))));
  }
  for (const file of context) {
    if (seen.has(file)) continue;
    try { index.set(file, readFileSync(file, 'utf8')); } catch { /* unreadable context files are not ours to report */ }
  }
  const extraLines = new Map<string, LineIndex | undefined>();
  const view = (file: string): FileView => {
    const doc = index.get(file);
    if (doc) return { display: displayPath(cwd, file), lines: doc.lineIndex };
    if (!extraLines.has(file)) {
      let lines: LineIndex | undefined;
      try { lines = new LineIndex(readFileSync(file, 'utf8')); } catch { lines = undefined; }
      extraLines.set(file, lines);
    }
    return { display: displayPath(cwd, file), lines: extraLines.get(file) };
  };
  return { index, targets, view };
}

/**
 * A file named explicitly that is neither kind of definition: the analysis has nothing to say about
 * it, but silence would read as "valid".
 */
export function unknownKindDiagnostic(doc: ParsedDocument): Diagnostic | undefined {
  if (doc.kind) return undefined;
  return diagnostic('ORCH005', { offset: 0, length: 0 },
    'Not an orchestration definition: name the file *.orch.json, *.activity.json or orch.hosts.json, or set "$schema" to one of the orchestration schemas.');
}
