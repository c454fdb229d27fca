import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** How to start a node-provider worker: the script and the Node flags it needs. */
export interface WorkerEntry {
  script: string;
  execArgv: string[];
}

/**
 * Bundled, every entry point sits in dist/ and the worker is dist/node-worker.js beside this code.
 * From sources (tests under tsx), the worker is the .ts file, loaded through tsx's loader.
 */
export function findWorkerEntry(here = __dirname): WorkerEntry {
  const bundled = join(here, 'node-worker.js');
  if (existsSync(bundled)) return { script: bundled, execArgv: [] };
  const source = resolve(here, '../../node-provider/worker.ts');
  if (existsSync(source)) return { script: source, execArgv: ['--import', tsxLoader()] };
  throw new Error(`node provider: the worker script was not found (looked for ${bundled} and ${source}); run the build`);
}

function tsxLoader(): string {
  try {
    return pathToFileURL(require.resolve('tsx')).href;
  } catch {
    throw new Error('node provider: running from TypeScript sources needs the tsx package (npm install --save-dev tsx)');
  }
}
