/**
 * A throwaway workspace for engine tests (a temp folder with package.json, so the workspace root and
 * the default runs folder stay inside it), definition builders, and an event recorder whose waits
 * resolve on events, never on time.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startRun, type StartRunOptions } from '../../../runtime/engine/engine';
import type { RunEvent, RunEventType } from '../../../runtime/engine/events';
import type { RunHandle } from '../../../runtime/engine/session';
import type { ActivityDefinition, ActivitySpec, OrchestrationDefinition } from '../../../runtime/model/types';

export interface TestWorkspace {
  dir: string;
  runsDir: string;
  write(name: string, content: unknown): string;
  cleanup(): void;
}

export function testWorkspace(prefix = 'orch-engine-'): TestWorkspace {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, 'package.json'), '{"name":"engine-test","private":true}\n');
  return {
    dir,
    runsDir: join(dir, 'runs'),
    write(name, content) {
      const path = join(dir, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
      return path;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Activity types every engine test can use: `fake` (provider fake) plus any given. */
export function activityTypes(extra: ActivityDefinition[] = []): ActivityDefinition[] {
  return [{ type: 'fake', provider: 'fake' }, ...extra];
}

export function definition(activities: ActivitySpec[], rest: Partial<OrchestrationDefinition> = {}): OrchestrationDefinition {
  return { type: 'test.flow', ...rest, activities };
}

/** `a`, or `{ id, ...rest }` with type `fake`. */
export function act(id: string, rest: Partial<ActivitySpec> = {}): ActivitySpec {
  return { id, type: 'fake', ...rest };
}

export class Recorder {
  readonly events: RunEvent[] = [];
  private waiters: { match: (e: RunEvent) => boolean; resolve: (e: RunEvent) => void }[] = [];
  readonly listener = (event: RunEvent) => {
    this.events.push(event);
    for (let i = 0; i < this.waiters.length; i++) {
      if (this.waiters[i].match(event)) { this.waiters[i].resolve(event); this.waiters.splice(i--, 1); }
    }
  };

  /** The first event (past or future) that matches. */
  waitFor(match: (e: RunEvent) => boolean): Promise<RunEvent> {
    const found = this.events.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** The next event from now on that matches. */
  next(match: (e: RunEvent) => boolean): Promise<RunEvent> {
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  waitForType<T extends RunEventType>(type: T, activityId?: string, instance?: number): Promise<Extract<RunEvent, { type: T }>> {
    return this.waitFor((e) => e.type === type && (activityId === undefined || ('activityId' in e && e.activityId === activityId))
      && (instance === undefined || ('instance' in e && e.instance === instance))) as Promise<Extract<RunEvent, { type: T }>>;
  }

  of<T extends RunEventType>(type: T, activityId?: string): Extract<RunEvent, { type: T }>[] {
    return this.events.filter((e) => e.type === type && (activityId === undefined || ('activityId' in e && e.activityId === activityId))) as Extract<RunEvent, { type: T }>[];
  }

  /** `type activity[instance]` per activity event, for order assertions. */
  trace(filter: (e: RunEvent) => boolean = () => true): string[] {
    return this.events.filter(filter).filter((e) => e.type !== 'activity.log').map((e) => {
      if (!('activityId' in e)) return e.type;
      return `${e.type.replace('activity.', '')} ${e.activityId}${e.instance !== undefined ? `[${e.instance}]` : ''}`;
    });
  }
}

export interface StartedTestRun {
  handle: RunHandle;
  recorder: Recorder;
  path: string;
}

/** Writes the definition (and the activity types) into the workspace and starts a run of it. */
export async function runDefinition(
  ws: TestWorkspace,
  def: OrchestrationDefinition,
  options: Omit<StartRunOptions, 'definitionPath'> & { types?: ActivityDefinition[]; file?: string },
): Promise<StartedTestRun> {
  ws.write('types.activity.json', options.types ?? activityTypes());
  const path = ws.write(options.file ?? 'flow.orch.json', def);
  const recorder = new Recorder();
  const handle = await startRun({
    runsDir: ws.runsDir,
    cwd: ws.dir,
    watchControl: false,
    ...options,
    definitionPath: path,
    listeners: [recorder.listener, ...(options.listeners ?? [])],
  });
  return { handle, recorder, path };
}
