/**
 * Pushes diagnostics (textDocument/publishDiagnostics) for open documents and, when
 * `orch.validation.workspace` is on, for every definition file of the workspace.
 *
 * Scheduling: an edit is checked at once when the document is cheap to check; while edits keep coming,
 * the next check of a document waits until `3 x its last cost` after the previous one ended (capped by
 * `orch.validation.debounceMs`), so analysis takes at most about a quarter of the CPU during a burst. The
 * check always reads the live text when it runs, and a result is sent with the version it was computed
 * for, so the last diagnostics of a burst always match the final text.
 */
import type { Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import type { DocumentChange, ServerContext } from '../context';
import { toLspDiagnostic } from '../lspDiagnostics';

/** Documents not open are checked in slices of this many, yielding to requests in between. */
const BACKGROUND_SLICE = 20;
/** Analysis may use this share of the time while edits keep coming: wait 3x the last cost. */
const COST_FACTOR = 3;

interface DocState {
  timer?: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate>;
  immediate?: boolean;
  lastEnd: number;
  lastCost: number;
}

interface Counts {
  errors: number;
  warnings: number;
}

export function register(ctx: ServerContext): void {
  const { connection, log } = ctx;
  const states = new Map<string, DocState>();
  /** What was last published per URI (counts for the status bar; absence = nothing published). */
  const published = new Map<string, Counts>();
  const background = new Set<string>();
  let backgroundRunning = false;
  let totals: Counts = { errors: 0, warnings: 0 };

  function stateOf(uri: string): DocState {
    let state = states.get(uri);
    if (!state) states.set(uri, (state = { lastEnd: 0, lastCost: 0 }));
    return state;
  }

  /** Checks an open document soon: now if it is idle, else after its cost-proportional gap. */
  function schedule(uri: string, urgent = false): void {
    const state = stateOf(uri);
    if (state.timer) {
      if (!urgent || state.immediate) return;
      cancel(state);
    }
    const gap = Math.min(ctx.settings().validation.debounceMs, state.lastCost * COST_FACTOR);
    const delay = urgent ? 0 : Math.max(0, state.lastEnd + gap - performance.now());
    if (delay < 1) {
      state.immediate = true;
      state.timer = setImmediate(() => run(uri));
    } else {
      state.immediate = false;
      state.timer = setTimeout(() => run(uri), delay);
    }
  }

  function cancel(state: DocState): void {
    if (!state.timer) return;
    if (state.immediate) clearImmediate(state.timer as ReturnType<typeof setImmediate>);
    else clearTimeout(state.timer as ReturnType<typeof setTimeout>);
    state.timer = undefined;
  }

  function run(uri: string): void {
    const state = stateOf(uri);
    state.timer = undefined;
    const started = performance.now();
    try {
      publishFor(uri);
    } catch (e) {
      log.error(`diagnostics for ${uri}`, e);
    }
    state.lastEnd = performance.now();
    state.lastCost = state.lastEnd - started;
  }

  function wanted(uri: string): boolean {
    const settings = ctx.settings().validation;
    return settings.enable && (ctx.isOpen(uri) || settings.workspace);
  }

  function publishFor(uri: string): void {
    if (!wanted(uri)) { clear(uri); return; }
    const analysis = ctx.analysisOf(uri);
    if (!analysis) { clear(uri); return; }
    const { doc } = analysis;
    const version = ctx.versionOf(uri);
    // The analysis read the live text, synchronously: it is for the current version by construction.
    // Should that ever change (async checks), a result for an old version must not be sent.
    if (version !== undefined && doc.version !== version) { schedule(uri, true); return; }
    const documentOf = (other: string) => ctx.parsed(other);
    const docsUrl = (code: string) => ctx.docsUrl(code);
    const diagnostics: LspDiagnostic[] = new Array(analysis.diagnostics.length);
    let errors = 0;
    let warnings = 0;
    for (let i = 0; i < analysis.diagnostics.length; i++) {
      const d = analysis.diagnostics[i];
      if (d.severity === 'error') errors++;
      else if (d.severity === 'warning') warnings++;
      diagnostics[i] = toLspDiagnostic(doc, d, { docsUrl, documentOf });
    }
    send(uri, version, diagnostics, { errors, warnings });
  }

  function clear(uri: string): void {
    if (!published.has(uri)) return;
    send(uri, ctx.versionOf(uri), [], undefined);
  }

  function send(uri: string, version: number | undefined, diagnostics: LspDiagnostic[], counts: Counts | undefined): void {
    const previous = published.get(uri);
    if (previous) totals = { errors: totals.errors - previous.errors, warnings: totals.warnings - previous.warnings };
    if (counts) {
      published.set(uri, counts);
      totals = { errors: totals.errors + counts.errors, warnings: totals.warnings + counts.warnings };
    } else {
      published.delete(uri);
    }
    ctx.reportStatus({ errors: totals.errors, warnings: totals.warnings });
    void connection.sendDiagnostics(version === undefined ? { uri, diagnostics } : { uri, version, diagnostics }).catch(() => undefined);
  }

  /** Files not open: checked in slices on the side, so that a large workspace does not block requests. */
  function enqueueBackground(uris: Iterable<string>): void {
    for (const uri of uris) if (!ctx.isOpen(uri)) background.add(uri);
    if (backgroundRunning || background.size === 0) return;
    backgroundRunning = true;
    const step = () => {
      let n = 0;
      for (const uri of background) {
        background.delete(uri);
        if (ctx.isOpen(uri)) continue;
        try {
          publishFor(uri);
        } catch (e) {
          log.error(`diagnostics for ${uri}`, e);
        }
        if (++n >= BACKGROUND_SLICE) break;
      }
      if (background.size) setImmediate(step);
      else backgroundRunning = false;
    };
    setImmediate(step);
  }

  function onDocumentsChanged(changes: DocumentChange[]): void {
    const others = new Set<string>();
    for (const change of changes) {
      if (!ctx.isOpen(change.uri)) others.add(change.uri);
      for (const uri of change.dependents) {
        if (ctx.isOpen(uri)) schedule(uri);
        else others.add(uri);
      }
    }
    enqueueBackground(others);
  }

  ctx.onDidOpen((uri) => schedule(uri, true));
  ctx.onDidChangeText((uri) => schedule(uri));
  ctx.onDidClose((uri) => {
    const state = states.get(uri);
    if (state) cancel(state);
    states.delete(uri);
    // The store has fallen back to the file on disk (or dropped the document): publish accordingly.
    if (ctx.parsed(uri) && wanted(uri)) enqueueBackground([uri]);
    else clear(uri);
  });
  ctx.onDidChangeDocuments(onDocumentsChanged);

  ctx.onDidChangeSettings((current, previous) => {
    const v = current.validation;
    const p = previous.validation;
    if (v.enable === p.enable && v.workspace === p.workspace && current.docsBaseUrl === previous.docsBaseUrl) return;
    for (const uri of ctx.openUris()) schedule(uri, true);
    const all: string[] = [];
    for (const doc of ctx.workspace.documents()) all.push(doc.uri);
    for (const uri of published.keys()) all.push(uri);
    enqueueBackground(all);
  });
}
