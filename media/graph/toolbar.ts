/**
 * The bar above the drawing: what is shown (file, definition, problems, the run and its clock), the run
 * actions that make sense for that run, the view toggles, zoom and export. Buttons carry stable ids
 * (#btn-*) for the end-to-end tests; icons are small SVG paths (no icon font, nothing from the network).
 */
const SVG_NS = 'http://www.w3.org/2000/svg';

const ICONS: Record<string, string[]> = {
  run: ['M4 2.5v11l9-5.5z'],
  cancel: ['M3.5 3.5h9v9h-9z'],
  rerun: ['M13 8a5 5 0 1 1-1.5-3.6', 'M13 2.5v3h-3'],
  resume: ['M3 2.5v11', 'M6 2.5v11l8-5.5z'],
  tiers: ['M2 3.5h12', 'M2 8h12', 'M2 12.5h12'],
  critical: ['M2 13l4-5 3 3 5-7'],
  zoomIn: ['M11.5 7a4.5 4.5 0 1 1-9 0a4.5 4.5 0 1 1 9 0z', 'M7 4.8v4.4', 'M4.8 7h4.4', 'M10.3 10.3l3.7 3.7'],
  zoomOut: ['M11.5 7a4.5 4.5 0 1 1-9 0a4.5 4.5 0 1 1 9 0z', 'M4.8 7h4.4', 'M10.3 10.3l3.7 3.7'],
  fit: ['M2 6V2h4', 'M10 2h4v4', 'M14 10v4h-4', 'M6 14H2v-4'],
  export: ['M8 2v8', 'M4.5 6.5L8 10l3.5-3.5', 'M2.5 13.5h11'],
};

function icon(name: string): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('class', `icon icon-${name}`);
  svg.setAttribute('aria-hidden', 'true');
  for (const d of ICONS[name] ?? []) {
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', d);
    svg.appendChild(path);
  }
  return svg;
}

export type ToolbarAction =
  | 'run' | 'cancel' | 'rerunFailed' | 'resume' | 'toggleTiers' | 'toggleCriticalPath' | 'zoomIn' | 'zoomOut' | 'fit' | 'exportSvg' | 'exportPng';

interface ButtonSpec { id: string; action: ToolbarAction; label: string; icon?: string; text?: string; toggle?: boolean }

const GROUPS: ButtonSpec[][] = [
  [
    { id: 'btn-run', action: 'run', label: 'Run the orchestration', icon: 'run', text: 'Run' },
    { id: 'btn-cancel', action: 'cancel', label: 'Cancel the run', icon: 'cancel', text: 'Cancel' },
    { id: 'btn-rerun-failed', action: 'rerunFailed', label: 'Re-run what failed', icon: 'rerun', text: 'Re-run failed' },
    { id: 'btn-resume', action: 'resume', label: 'Resume the run', icon: 'resume', text: 'Resume' },
  ],
  [
    { id: 'btn-tiers', action: 'toggleTiers', label: 'Show tier bands', icon: 'tiers', toggle: true },
    { id: 'btn-critical', action: 'toggleCriticalPath', label: 'Show the critical path of the run', icon: 'critical', toggle: true },
  ],
  [
    { id: 'btn-zoom-out', action: 'zoomOut', label: 'Zoom out (-)', icon: 'zoomOut' },
    { id: 'btn-zoom-in', action: 'zoomIn', label: 'Zoom in (+)', icon: 'zoomIn' },
    { id: 'btn-fit', action: 'fit', label: 'Fit the graph (0)', icon: 'fit' },
  ],
  [
    { id: 'btn-export-svg', action: 'exportSvg', label: 'Export as SVG', icon: 'export', text: 'SVG' },
    { id: 'btn-export-png', action: 'exportPng', label: 'Export as PNG', icon: 'export', text: 'PNG' },
  ],
];

export class Toolbar {
  readonly element: HTMLElement;
  readonly title: HTMLElement;
  readonly subtitle: HTMLElement;
  readonly runStatus: HTMLElement;
  readonly problems: HTMLElement;
  private readonly buttons = new Map<ToolbarAction, HTMLButtonElement>();

  constructor(parent: HTMLElement, onAction: (action: ToolbarAction) => void) {
    this.element = document.createElement('header');
    this.element.id = 'toolbar';
    this.element.className = 'toolbar';
    this.element.setAttribute('role', 'toolbar');
    this.element.setAttribute('aria-label', 'Graph');
    const info = document.createElement('div');
    info.className = 'info';
    this.title = document.createElement('span');
    this.title.id = 'title';
    this.title.className = 'title';
    this.subtitle = document.createElement('span');
    this.subtitle.id = 'subtitle';
    this.subtitle.className = 'subtitle';
    this.problems = document.createElement('span');
    this.problems.id = 'problems';
    this.problems.className = 'problems hidden';
    this.runStatus = document.createElement('span');
    this.runStatus.id = 'run-status';
    this.runStatus.className = 'run-status hidden';
    this.runStatus.setAttribute('role', 'status');
    info.append(this.title, this.subtitle, this.problems, this.runStatus);
    this.element.appendChild(info);
    for (const group of GROUPS) {
      const box = document.createElement('div');
      box.className = 'group';
      for (const spec of group) {
        const button = document.createElement('button');
        button.id = spec.id;
        button.type = 'button';
        button.className = spec.text ? 'with-text' : 'icon-only';
        button.title = spec.label;
        button.setAttribute('aria-label', spec.label);
        if (spec.toggle) button.setAttribute('aria-pressed', 'false');
        if (spec.icon) button.appendChild(icon(spec.icon));
        if (spec.text) {
          const text = document.createElement('span');
          text.textContent = spec.text;
          button.appendChild(text);
        }
        button.addEventListener('click', () => onAction(spec.action));
        this.buttons.set(spec.action, button);
        box.appendChild(button);
      }
      this.element.appendChild(box);
    }
    parent.appendChild(this.element);
  }

  button(action: ToolbarAction): HTMLButtonElement {
    return this.buttons.get(action)!;
  }

  setPressed(action: ToolbarAction, pressed: boolean): void {
    this.button(action).setAttribute('aria-pressed', String(pressed));
  }

  setVisible(action: ToolbarAction, visible: boolean): void {
    this.button(action).classList.toggle('hidden', !visible);
  }

  setEnabled(action: ToolbarAction, enabled: boolean, why?: string): void {
    const button = this.button(action);
    button.disabled = !enabled;
    const label = button.getAttribute('aria-label') ?? '';
    button.title = enabled || !why ? label : `${label}: ${why}`;
  }
}
