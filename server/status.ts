/**
 * The server state shown in the status bar. Updates arrive on every analysis; the client is told at
 * most every 100 ms (and at once on a change of state), so a burst of edits is one notification.
 */
import type { Connection } from 'vscode-languageserver';
import { StatusNotification, type ServerStatus } from './protocol';

const INTERVAL_MS = 100;

export class StatusReporter {
  private status: ServerStatus = { state: 'starting', files: 0, errors: 0, warnings: 0 };
  private timer: ReturnType<typeof setTimeout> | undefined;
  private sent = '';

  constructor(private readonly connection: Connection) {}

  current(): ServerStatus {
    return { ...this.status };
  }

  update(partial: Partial<ServerStatus>): void {
    const stateChanged = partial.state !== undefined && partial.state !== this.status.state;
    this.status = { ...this.status, ...partial };
    if (stateChanged) {
      this.send();
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => this.send(), INTERVAL_MS);
    // The process must be free to exit while an update is pending.
    this.timer.unref?.();
  }

  private send(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const payload = JSON.stringify(this.status);
    if (payload === this.sent) return;
    this.sent = payload;
    void this.connection.sendNotification(StatusNotification, this.current()).catch(() => undefined);
  }
}
