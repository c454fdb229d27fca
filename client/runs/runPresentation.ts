/** How states, durations and times read in the Runs view, the status bar and messages. */
import * as vscode from 'vscode';
import type { ActivityState, RunState } from '../../runtime/engine/events';
import type { AttemptState } from './runModel';

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m - h * 60} min`;
}

/** Today: the time; earlier: the date and the time. */
export function formatStart(time: number, now = Date.now()): string {
  const date = new Date(time);
  const today = new Date(now);
  const hm = date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  if (date.toDateString() === today.toDateString()) return hm;
  return `${date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${hm}`;
}

const green = new vscode.ThemeColor('testing.iconPassed');
const red = new vscode.ThemeColor('testing.iconFailed');
const yellow = new vscode.ThemeColor('list.warningForeground');
const blue = new vscode.ThemeColor('charts.blue');
const grey = new vscode.ThemeColor('disabledForeground');

export function runIcon(state: RunState): vscode.ThemeIcon {
  switch (state) {
    case 'running': return new vscode.ThemeIcon('loading~spin');
    case 'succeeded': return new vscode.ThemeIcon('pass', green);
    case 'failed': return new vscode.ThemeIcon('error', red);
    case 'cancelled': return new vscode.ThemeIcon('circle-slash', grey);
    case 'interrupted': return new vscode.ThemeIcon('debug-pause', yellow);
  }
}

export function activityIcon(state: ActivityState): vscode.ThemeIcon {
  switch (state) {
    case 'pending': return new vscode.ThemeIcon('circle-large-outline', grey);
    case 'waiting-for-pool': return new vscode.ThemeIcon('clock', yellow);
    case 'running': return new vscode.ThemeIcon('loading~spin');
    case 'retrying': return new vscode.ThemeIcon('sync', yellow);
    case 'waiting': return new vscode.ThemeIcon('bell', blue);
    case 'succeeded': return new vscode.ThemeIcon('pass', green);
    case 'failed': return new vscode.ThemeIcon('error', red);
    case 'skipped': return new vscode.ThemeIcon('debug-step-over', grey);
    case 'cancelled': return new vscode.ThemeIcon('circle-slash', grey);
  }
}

export function attemptIcon(state: AttemptState): vscode.ThemeIcon {
  switch (state) {
    case 'running': return new vscode.ThemeIcon('loading~spin');
    case 'polling': return new vscode.ThemeIcon('watch', blue);
    case 'waiting': return new vscode.ThemeIcon('bell', blue);
    case 'succeeded': return new vscode.ThemeIcon('pass', green);
    case 'retrying': return new vscode.ThemeIcon('warning', yellow);
    case 'failed': return new vscode.ThemeIcon('error', red);
    case 'cancelled': return new vscode.ThemeIcon('circle-slash', grey);
    case 'interrupted': return new vscode.ThemeIcon('debug-disconnect', yellow);
  }
}

export const ACTIVITY_STATE_LABEL: Record<ActivityState, string> = {
  pending: 'pending',
  'waiting-for-pool': 'waiting for a pool',
  running: 'running',
  retrying: 'retrying',
  waiting: 'waiting for completion',
  succeeded: 'succeeded',
  failed: 'failed',
  skipped: 'skipped',
  cancelled: 'cancelled',
};

/** A value for a tooltip: JSON, cut to a readable size. */
export function previewJson(value: unknown, max = 1500): string {
  let text: string;
  try { text = JSON.stringify(value, null, 2) ?? 'undefined'; } catch { text = String(value); }
  return text.length > max ? `${text.slice(0, max)}\n… (${text.length - max} more characters)` : text;
}

/** Markdown code block that cannot be closed early by the content. */
export function codeBlock(text: string, language = ''): string {
  const fence = '`'.repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return `${fence}${language}\n${text}\n${fence}`;
}
