/**
 * The channel to the extension: typed messages out, and the little state VS Code keeps for the page
 * across reloads (the toggles). In the test harness, acquireVsCodeApi is the harness's stand-in.
 */
import type { WebviewMessage } from '../../client/graph/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface SavedState {
  tiers: boolean;
  critical: boolean;
}

export interface Host {
  post(message: WebviewMessage): void;
  saved(): SavedState;
  save(state: SavedState): void;
}

export function connectHost(): Host {
  let api: VsCodeApi | undefined;
  try {
    api = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;
  } catch {
    api = undefined; // acquired twice (a second script): the page still draws, it just cannot answer
  }
  return {
    post: (message) => api?.postMessage(message),
    saved: () => {
      const raw = api?.getState() as Partial<SavedState> | undefined;
      return { tiers: raw?.tiers === true, critical: raw?.critical === true };
    },
    save: (state) => api?.setState(state),
  };
}
