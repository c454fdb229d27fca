/**
 * When to restart a crashed language server: at most `maxRestarts` times within `windowMs` (a server that
 * crashes on start-up would otherwise restart forever, each time losing the user's diagnostics). Pure, so
 * it is tested without VS Code.
 */
export interface RestartDecision {
  restart: boolean;
  /** 1-based number of this restart within the window (when restarting). */
  attempt: number;
  maxRestarts: number;
}

export class RestartPolicy {
  private crashes: number[] = [];

  constructor(readonly maxRestarts = 3, readonly windowMs = 3 * 60_000, private readonly now: () => number = Date.now) {}

  /** Records a crash and says whether to restart. */
  onCrash(): RestartDecision {
    const now = this.now();
    this.crashes = this.crashes.filter((t) => now - t < this.windowMs);
    this.crashes.push(now);
    const attempt = this.crashes.length;
    return { restart: attempt <= this.maxRestarts, attempt, maxRestarts: this.maxRestarts };
  }

  /** After a manual restart the user asked for, the count starts again. */
  reset(): void {
    this.crashes = [];
  }
}
