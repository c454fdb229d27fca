/**
 * ELK in a Web Worker, for the layout controller. The worker script is the packaged elk-worker.js (its
 * URL is on <body data-elk-worker>, set by the host). A webview may not start a worker from its resource
 * origin directly, so the script is fetched (CSP connect-src) and started from a blob URL (worker-src
 * blob:). Layouts run one at a time in the worker; a superseded or stuck one is abandoned by terminating
 * the worker (the script stays in memory as a blob, so a new worker starts without another fetch).
 */
import * as elkApi from 'elkjs/lib/elk-api.js';
import type { ELK, ELKConstructorArguments } from 'elkjs/lib/elk-api';
import { fromElkLayout, toElkGraph, type ElkBuildOptions, type GraphLayout } from '../../runtime/layout/elkGraph';
import type { LayoutGraph } from '../../runtime/layout/layoutGraph';
import { LayoutCancelled, type LayoutEngine } from './layoutController';

type ElkConstructor = new (args?: ELKConstructorArguments) => ELK;
const ElkClass: ElkConstructor = ((elkApi as unknown as { default?: ElkConstructor }).default ?? (elkApi as unknown as ElkConstructor));

/** A layout that takes longer is treated as stuck (the drawing keeps the fallback placement). */
const HARD_TIMEOUT_MS = 120_000;

export type Logger = (level: 'info' | 'warn' | 'error', message: string) => void;

/**
 * Options for big graphs: fewer crossing-minimisation passes. ELK's default thoroughness (7) takes
 * twice as long on a thousand boxes (measured: 7.7 s against 3.6 s) for a drawing that looks the same.
 */
export function tuneForSize(root: ReturnType<typeof toElkGraph>, nodeCount: number): void {
  if (nodeCount < 300 || !root.layoutOptions) return;
  root.layoutOptions['elk.layered.thoroughness'] = '3';
}

export class ElkWorkerEngine implements LayoutEngine {
  private script: Promise<string> | undefined;
  private elk: ELK | undefined;
  private worker: Worker | undefined;
  private running: { reject(error: unknown): void } | undefined;

  constructor(private readonly workerUrl: string | undefined, private readonly log: Logger) {}

  /** Starts fetching the worker script and the worker itself, before the first graph arrives. */
  warm(): void {
    this.instance().catch(() => undefined); // reported on first use
  }

  async layout(graph: LayoutGraph, options: ElkBuildOptions): Promise<GraphLayout> {
    const elk = await this.instance();
    const input = toElkGraph(graph, options);
    tuneForSize(input, graph.nodes.length);
    return new Promise<GraphLayout>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.reset();
        reject(new Error(`the layout of ${graph.nodes.length} activities took longer than ${HARD_TIMEOUT_MS / 1000} s`));
      }, HARD_TIMEOUT_MS);
      const job = { reject: (error: unknown) => { clearTimeout(timer); reject(error); } };
      this.running = job;
      elk.layout(input).then(
        (result) => {
          clearTimeout(timer);
          if (this.running === job) this.running = undefined;
          try { resolve(fromElkLayout(graph, result)); } catch (error) { reject(error); }
        },
        (error: unknown) => {
          if (this.running === job) this.running = undefined;
          job.reject(error instanceof Error ? error : new Error(String((error as { message?: unknown })?.message ?? error)));
        },
      );
    });
  }

  cancel(): void {
    const job = this.running;
    this.running = undefined;
    this.reset();
    job?.reject(new LayoutCancelled());
  }

  dispose(): void {
    this.cancel();
    void this.script?.then((url) => URL.revokeObjectURL(url), () => undefined);
  }

  private reset(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.elk = undefined;
  }

  private async instance(): Promise<ELK> {
    if (this.elk) return this.elk;
    const url = await this.scriptUrl();
    if (this.elk) return this.elk;
    const elk = new ElkClass({
      workerUrl: url,
      workerFactory: (scriptUrl) => {
        const worker = new Worker(scriptUrl ?? url, { name: 'elk-layout' });
        worker.addEventListener('error', (event) => {
          this.log('error', `layout worker failed: ${event.message || 'unknown error'}`);
          const job = this.running;
          this.running = undefined;
          if (this.worker === worker) this.reset();
          job?.reject(new Error(`the layout worker failed: ${event.message || 'unknown error'}`));
        });
        this.worker = worker;
        return worker;
      },
    });
    this.elk = elk;
    return elk;
  }

  private scriptUrl(): Promise<string> {
    this.script ??= (async () => {
      if (!this.workerUrl) throw new Error('no layout worker script was given (body[data-elk-worker] is empty); drawing the simple tiered layout');
      const response = await fetch(this.workerUrl);
      if (!response.ok) throw new Error(`the layout worker script could not be loaded (${response.status} ${response.statusText})`);
      const blob = new Blob([await response.text()], { type: 'text/javascript' });
      return URL.createObjectURL(blob);
    })();
    this.script.catch(() => { this.script = undefined; });
    return this.script;
  }
}
