import { fork, type ChildProcess } from 'node:child_process';
import type { FromWorker, ToWorker } from '../../node-provider/protocol';
import { LineSplitter } from '../shared/lineSplitter';
import type { WorkerEntry } from './workerEntry';

/** A worker process and the task it is running. */
export class NodeWorker {
  readonly child: ChildProcess;
  /** Receives the messages of the current task and the end of the process. */
  listener?: { message(message: FromWorker): void; exit(description: string): void };
  exited = false;

  constructor(entry: WorkerEntry) {
    const env: NodeJS.ProcessEnv = { ...process.env };
    // Inside VS Code the runtime's Node is Electron: make the child a plain Node.
    if (process.versions.electron) env.ELECTRON_RUN_AS_NODE = '1';
    this.child = fork(entry.script, [], { execArgv: entry.execArgv, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'json' });
    // Output outside the IPC channel (Node's own report of an uncaught exception, native writes,
    // child processes) belongs to the current task, as id -1.
    for (const [stream, readable] of [['stdout', this.child.stdout], ['stderr', this.child.stderr]] as const) {
      const lines = new LineSplitter((line) => this.listener?.message({ type: 'output', id: -1, stream, text: `${line}\n` }));
      readable!.on('data', (chunk: Buffer) => lines.write(chunk));
      readable!.on('end', () => lines.end());
    }
    this.child.on('message', (message: FromWorker) => this.listener?.message(message));
    this.child.on('error', () => { /* a failed send or spawn: the exit event tells the task */ });
    let open = 2;
    let drained!: () => void;
    const outputDrained = new Promise<void>((resolve) => { drained = resolve; });
    for (const readable of [this.child.stdout!, this.child.stderr!]) readable.on('close', () => { if (--open === 0) drained(); });
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      const description = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      // Node's report of an uncaught exception may still be in the pipe; a grandchild holding the
      // pipe open must not delay the news for long.
      const timer = setTimeout(drained, 200);
      void outputDrained.then(() => {
        clearTimeout(timer);
        this.listener?.exit(description);
      });
    });
  }

  send(message: ToWorker): void {
    if (!this.exited && this.child.connected) this.child.send(message);
  }

  /** Idle workers must not keep the runtime's process alive. */
  setBusy(busy: boolean): void {
    const pipes = [this.child.stdout, this.child.stderr] as unknown as ({ ref?(): void; unref?(): void } | null)[];
    if (busy) {
      this.child.ref();
      this.child.channel?.ref();
      for (const pipe of pipes) pipe?.ref?.();
    } else {
      this.child.unref();
      this.child.channel?.unref();
      for (const pipe of pipes) pipe?.unref?.();
    }
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

/**
 * Keeps a few idle workers so that consecutive node activities skip the process start (and the
 * module load, which each worker caches). A worker that crashed or was killed is never reused.
 */
export class WorkerPool {
  private readonly idle: NodeWorker[] = [];
  private readonly all = new Set<NodeWorker>();

  constructor(private readonly entry: () => WorkerEntry, private readonly maxIdle: number) {}

  acquire(): NodeWorker {
    for (let worker = this.idle.pop(); worker; worker = this.idle.pop()) {
      if (!worker.exited) { worker.setBusy(true); return worker; }
      this.all.delete(worker);
    }
    const worker = new NodeWorker(this.entry());
    this.all.add(worker);
    worker.child.on('exit', () => {
      this.all.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at !== -1) this.idle.splice(at, 1);
    });
    return worker;
  }

  release(worker: NodeWorker, healthy: boolean): void {
    worker.listener = undefined;
    if (!healthy || worker.exited || this.idle.length >= this.maxIdle) {
      worker.kill();
      return;
    }
    worker.setBusy(false);
    this.idle.push(worker);
  }

  /** Kills every worker, busy or idle, and waits until they are gone. */
  async dispose(): Promise<void> {
    const workers = [...this.all];
    this.idle.length = 0;
    await Promise.all(workers.map((worker) => worker.exited ? undefined : new Promise<void>((resolve) => {
      worker.child.once('exit', () => resolve());
      worker.kill();
    })));
  }

  get size(): number {
    return this.all.size;
  }
}
