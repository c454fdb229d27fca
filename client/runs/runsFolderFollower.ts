/**
 * Follows a runs folder with the operating system's own file events (fs.watch: inotify on Linux),
 * beside VS Code's FileSystemWatcher. VS Code's watcher runs in another process and coalesces and
 * throttles its events; a run of a few milliseconds written by the CLI could then be seen late or not
 * at all. Direct events are cheap and immediate. Both sources call the same idempotent reader.
 *
 * Watches: the runs folder (new run folders), each run folder whose run may still grow (its journal),
 * and, while the runs folder does not exist yet, its nearest existing ancestor inside `root`.
 */
import { existsSync, readdirSync, watch, type FSWatcher } from 'node:fs';
import { dirname, join, relative, isAbsolute } from 'node:path';

export interface FollowerCallbacks {
  /** A run folder's journal may have grown (or the folder appeared). */
  journal(runDir: string): void;
  /** Whether a run folder can still change (its run is not finished); finished ones are not watched. */
  mayGrow(runDir: string): boolean;
}

export class RunsFolderFollower {
  private folderWatcher: FSWatcher | undefined;
  private ancestorWatcher: FSWatcher | undefined;
  private readonly runWatchers = new Map<string, FSWatcher>();
  private disposed = false;

  constructor(private readonly runsDir: string, private readonly root: string, private readonly callbacks: FollowerCallbacks) {
    this.attach();
  }

  /** Stops watching a run folder whose run finished. */
  release(runDir: string): void {
    this.runWatchers.get(runDir)?.close();
    this.runWatchers.delete(runDir);
  }

  dispose(): void {
    this.disposed = true;
    this.folderWatcher?.close();
    this.ancestorWatcher?.close();
    for (const w of this.runWatchers.values()) w.close();
    this.runWatchers.clear();
  }

  private attach(): void {
    if (this.disposed) return;
    if (!existsSync(this.runsDir)) {
      this.watchAncestor();
      return;
    }
    this.ancestorWatcher?.close();
    this.ancestorWatcher = undefined;
    if (this.folderWatcher) return;
    this.folderWatcher = this.tryWatch(this.runsDir, (name) => {
      if (name) this.watchRun(join(this.runsDir, name));
      else this.scan();
    }, () => {
      // The runs folder itself went away (deleted, renamed): start again from its ancestor.
      this.folderWatcher = undefined;
      this.attach();
    });
    this.scan();
  }

  private scan(): void {
    let names: string[] = [];
    try { names = readdirSync(this.runsDir); } catch { return; }
    for (const name of names) this.watchRun(join(this.runsDir, name));
  }

  private watchRun(runDir: string): void {
    if (this.runWatchers.has(runDir) || !existsSync(runDir)) return;
    this.callbacks.journal(runDir);
    if (!this.callbacks.mayGrow(runDir) && existsSync(join(runDir, 'journal.jsonl'))) return;
    const watcher = this.tryWatch(runDir, (name) => {
      if (!name || name === 'journal.jsonl') this.callbacks.journal(runDir);
    }, () => this.release(runDir));
    if (watcher) this.runWatchers.set(runDir, watcher);
  }

  /** Waits for the runs folder to appear, one level at a time, never above `root`. */
  private watchAncestor(): void {
    let dir = dirname(this.runsDir);
    while (!existsSync(dir)) {
      const up = dirname(dir);
      if (up === dir || !inside(this.root, up)) return;
      dir = up;
    }
    if (!inside(this.root, dir)) return;
    this.ancestorWatcher?.close();
    this.ancestorWatcher = this.tryWatch(dir, () => this.attach(), () => { this.ancestorWatcher = undefined; });
  }

  private tryWatch(path: string, onEvent: (name: string | null) => void, onGone: () => void): FSWatcher | undefined {
    try {
      const watcher = watch(path, { persistent: false }, (_event, name) => onEvent(name === null ? null : String(name)));
      watcher.on('error', () => { watcher.close(); onGone(); });
      return watcher;
    } catch {
      return undefined; // out of inotify watches, or gone: VS Code's watcher still covers the folder
    }
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
