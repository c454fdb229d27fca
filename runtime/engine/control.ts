/**
 * Reaching a live run from another process (`orch cancel`, `orch complete` in another shell): the
 * requester drops a request file into the run's `control/` folder (written aside, then renamed, so it
 * is never read half-written) and the live process, which watches the folder (fs.watch: no polling),
 * handles it and answers with a response file the requester is watching for.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { join } from 'node:path';

export type ControlRequest =
  | { id: string; kind: 'cancel'; reason: string; graceMs?: number }
  | { id: string; kind: 'complete'; target: string; outputs: Record<string, unknown> };

export interface ControlResponse {
  ok: boolean;
  message: string;
}

const REQUEST = '.request.json';
const RESPONSE = '.response.json';

export function newRequestId(): string {
  return `${Date.now().toString(36)}-${process.pid}-${Math.floor(Math.random() * 0x100000).toString(36)}`;
}

const REQUEST_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** The request in `raw`, or why it is not one. */
export function controlRequest(raw: unknown, id: string): ControlRequest | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'not a JSON object';
  const r = raw as Record<string, unknown>;
  if (r.kind === 'cancel') {
    if (r.reason !== undefined && typeof r.reason !== 'string') return '"reason" must be a string';
    if (r.graceMs !== undefined && !(typeof r.graceMs === 'number' && Number.isFinite(r.graceMs) && r.graceMs >= 0)) return '"graceMs" must be a number >= 0';
    return { id, kind: 'cancel', reason: (r.reason as string | undefined) ?? 'cancelled', ...(r.graceMs !== undefined ? { graceMs: r.graceMs as number } : {}) };
  }
  if (r.kind === 'complete') {
    if (typeof r.target !== 'string') return '"target" must be a string';
    if (typeof r.outputs !== 'object' || r.outputs === null || Array.isArray(r.outputs)) return '"outputs" must be a JSON object';
    return { id, kind: 'complete', target: r.target, outputs: r.outputs as Record<string, unknown> };
  }
  return '"kind" must be cancel or complete';
}

function writeAtomically(dir: string, name: string, value: unknown): void {
  const temporary = join(dir, `.tmp-${name}`);
  writeFileSync(temporary, JSON.stringify(value), { mode: 0o600 });
  renameSync(temporary, join(dir, name));
}

/** The live side: handles each request once, in arrival order, and answers it. */
export class ControlWatcher {
  private watcher: FSWatcher | undefined;
  private readonly seen = new Set<string>();
  private scanning = false;
  private rescan = false;

  constructor(private readonly dir: string, private readonly handle: (request: ControlRequest) => Promise<ControlResponse>) {}

  start(): void {
    mkdirSync(this.dir, { recursive: true });
    this.watcher = watch(this.dir, () => void this.scan());
    this.watcher.on('error', () => undefined);
    // Requests written before the watch began are handled too.
    void this.scan();
  }

  stop(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  private async scan(): Promise<void> {
    if (this.scanning) { this.rescan = true; return; }
    this.scanning = true;
    try {
      do {
        this.rescan = false;
        let names: string[];
        try { names = readdirSync(this.dir).filter((n) => n.endsWith(REQUEST) && !this.seen.has(n)).sort(); } catch { return; }
        for (const name of names) {
          if (!this.watcher) return;
          this.seen.add(name);
          const path = join(this.dir, name);
          // The answer is named after the request file, never after what the file says: its id
          // could otherwise aim the response anywhere (`../../x`).
          const id = name.slice(0, -REQUEST.length);
          // `.tmp-` files are requests still being written (renamed into place when whole).
          if (!REQUEST_ID.test(id)) continue;
          let raw: unknown;
          try {
            raw = JSON.parse(readFileSync(path, 'utf8'));
            unlinkSync(path);
          } catch {
            continue;
          }
          const request = controlRequest(raw, id);
          let response: ControlResponse;
          if (typeof request === 'string') {
            response = { ok: false, message: `malformed control request: ${request}` };
          } else {
            try {
              response = await this.handle(request);
            } catch (error) {
              response = { ok: false, message: error instanceof Error ? error.message : String(error) };
            }
          }
          try { writeAtomically(this.dir, `${id}${RESPONSE}`, response); } catch { /* the requester times out and says so */ }
        }
      } while (this.rescan);
    } finally {
      this.scanning = false;
    }
  }
}

/**
 * The requester's side: sends `request` and waits for the answer. Undefined when nobody answered
 * within `timeoutMs` (the request is withdrawn if it was not picked up).
 */
export function sendControl(dir: string, request: ControlRequest, timeoutMs: number): Promise<ControlResponse | undefined> {
  mkdirSync(dir, { recursive: true });
  const responseName = `${request.id}${RESPONSE}`;
  const responsePath = join(dir, responseName);
  return new Promise((resolve) => {
    let done = false;
    const finish = (response: ControlResponse | undefined) => {
      if (done) return;
      done = true;
      watcher.close();
      clearTimeout(timer);
      if (response === undefined) {
        try { unlinkSync(join(dir, `${request.id}${REQUEST}`)); } catch { /* it was picked up after all */ }
      }
      try { unlinkSync(responsePath); } catch { /* not there */ }
      resolve(response);
    };
    const check = () => {
      if (done || !existsSync(responsePath)) return;
      try {
        finish(JSON.parse(readFileSync(responsePath, 'utf8')) as ControlResponse);
      } catch {
        // Renamed into place whole, so a parse error means another event will follow.
      }
    };
    const watcher = watch(dir, (_event, name) => { if (!name || name === responseName) check(); });
    watcher.on('error', () => undefined);
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    writeAtomically(dir, `${request.id}${REQUEST}`, request);
    check();
  });
}
