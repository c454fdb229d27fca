/**
 * A file watcher pattern for a path that may not exist yet (the runs folder before the first run, a log
 * folder before its first line). Inside a workspace folder the pattern is anchored at the folder, so the
 * workspace's own watcher serves it and sees the path appear; a watcher based on a missing folder may
 * never report anything. Outside the workspace, it is anchored at the nearest existing ancestor.
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, relative, sep } from 'node:path';

export function watchPattern(absolutePath: string, glob: string): vscode.RelativePattern {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(absolutePath));
  if (folder) {
    const inside = relative(folder.uri.fsPath, absolutePath);
    if (!inside.startsWith('..') && !isAbsolute(inside)) {
      return new vscode.RelativePattern(folder, [...(inside ? inside.split(sep) : []), glob].join('/'));
    }
  }
  let base = absolutePath;
  const parts: string[] = [];
  while (!existsSync(base) && dirname(base) !== base) {
    parts.unshift(base.slice(dirname(base).length + 1));
    base = dirname(base);
  }
  return new vscode.RelativePattern(vscode.Uri.file(base), [...parts, glob].join('/'));
}
