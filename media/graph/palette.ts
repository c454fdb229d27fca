/**
 * The colours of the drawing. On screen they are CSS custom properties (`--orch-*` in graph.css, each
 * defined from the VS Code theme's variables); an export cannot use the theme's variables, so the page
 * reads their resolved values into a Palette and the export writes them out literally. Pure.
 */
import type { ActivityRunState } from '../../client/graph/protocol';
import { ACTIVITY_RUN_STATES } from '../../client/graph/protocol';
import { ACCENT_COUNT } from './scene';

export const BASE_KEYS = [
  'bg', 'fg', 'muted', 'box', 'box-border', 'edge', 'cycle', 'error', 'warning', 'info', 'focus', 'critical',
  'band', 'band-label', 'badge-fg', 'font',
] as const;

export type PaletteKey = (typeof BASE_KEYS)[number] | `state-${ActivityRunState}` | `accent-${number}`;
export type Palette = Record<string, string>;

export function paletteKeys(): string[] {
  const keys: string[] = [...BASE_KEYS];
  for (const state of ACTIVITY_RUN_STATES) keys.push(`state-${state}`);
  for (let i = 0; i < ACCENT_COUNT; i++) keys.push(`accent-${i}`);
  return keys;
}

/** A light theme's colours, used for any value the page could not resolve. */
export const DEFAULT_PALETTE: Palette = {
  bg: '#ffffff', fg: '#1f2933', muted: '#616e7c', box: '#f5f7fa', 'box-border': '#9aa5b1', edge: '#7b8794',
  cycle: '#d64545', error: '#e51400', warning: '#bf8803', info: '#1a85ff', focus: '#0090f1', critical: '#d18616',
  band: 'rgba(127, 127, 127, 0.08)', 'band-label': '#7b8794', 'badge-fg': '#ffffff',
  font: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
  'state-pending': '#9aa5b1', 'state-waiting-for-pool': '#9aa5b1', 'state-running': '#1a85ff', 'state-retrying': '#bf8803',
  'state-waiting': '#652d90', 'state-succeeded': '#388a34', 'state-failed': '#e51400', 'state-skipped': '#9aa5b1', 'state-cancelled': '#7b8794',
  'accent-0': '#1a85ff', 'accent-1': '#652d90', 'accent-2': '#d18616', 'accent-3': '#16825d', 'accent-4': '#c4337c', 'accent-5': '#0f9fa8',
};

const COLOUR = /^[#a-zA-Z0-9(),.%\s/-]{1,80}$/;
const FONT = /^[a-zA-Z0-9\s,"'-]{1,200}$/;

/**
 * Keeps only values that are plainly a colour (or a font list): a value ends up inside a <style>
 * element of a file the user opens elsewhere, so it must not be able to close it or inject markup.
 */
export function sanitizePalette(read: (key: string) => string | undefined): Palette {
  const palette: Palette = {};
  for (const key of paletteKeys()) {
    const value = read(key)?.trim();
    const ok = value !== undefined && value !== '' && (key === 'font' ? FONT : COLOUR).test(value);
    palette[key] = ok ? value : DEFAULT_PALETTE[key];
  }
  return palette;
}
