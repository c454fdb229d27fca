/**
 * The hover card: built from tooltipContent.ts's data with DOM nodes and textContent only (activity
 * inputs and outputs are user data, never markup), placed next to the pointer inside the stage.
 */
import type { TooltipContent } from './tooltipContent';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export class Tooltip {
  readonly element: HTMLDivElement;
  private shownFor: string | undefined;

  constructor(private readonly stage: HTMLElement) {
    this.element = el('div', 'tooltip hidden');
    this.element.id = 'tooltip';
    this.element.setAttribute('role', 'tooltip');
    stage.appendChild(this.element);
  }

  /** `key` identifies what is shown, so moving inside one box only moves the card. */
  show(key: string, content: () => TooltipContent, clientX: number, clientY: number): void {
    if (this.shownFor !== key) {
      this.shownFor = key;
      this.element.replaceChildren(...this.build(content()));
      this.element.classList.remove('hidden');
    }
    this.place(clientX, clientY);
  }

  /** Rebuilds the card in place (its activity's run state changed under the pointer). */
  refresh(key: string, content: () => TooltipContent): void {
    if (this.shownFor === key) this.element.replaceChildren(...this.build(content()));
  }

  hide(): void {
    this.shownFor = undefined;
    this.element.classList.add('hidden');
  }

  get key(): string | undefined {
    return this.shownFor;
  }

  private build(c: TooltipContent): HTMLElement[] {
    const parts: HTMLElement[] = [];
    const head = el('div', 'tt-head');
    head.appendChild(el('span', 'tt-title', c.title));
    if (c.state) head.appendChild(el('span', `tt-state state-${c.state}`, c.rows.find(([k]) => k === 'state')?.[1] ?? c.state));
    parts.push(head);
    if (c.subtitle) parts.push(el('div', 'tt-subtitle', c.subtitle));
    if (c.description) parts.push(el('div', 'tt-description', c.description));
    const rows = c.rows.filter(([k]) => k !== 'state');
    if (rows.length) {
      const dl = el('dl', 'tt-rows');
      for (const [label, value] of rows) dl.append(el('dt', undefined, label), el('dd', undefined, value));
      parts.push(dl);
    }
    if (c.problems.length) {
      const list = el('ul', 'tt-problems');
      for (const p of c.problems) {
        const item = el('li', `sev-${p.severity}`);
        item.append(el('span', 'tt-code', p.code), document.createTextNode(` ${p.message}`));
        list.appendChild(item);
      }
      parts.push(list);
    }
    if (c.inputs.length) {
      parts.push(el('div', 'tt-section', 'inputs'));
      const list = el('ul', 'tt-inputs');
      for (const input of c.inputs) list.appendChild(el('li', undefined, input));
      parts.push(list);
    }
    if (c.error) { parts.push(el('div', 'tt-section', 'error')); parts.push(el('pre', 'tt-error', c.error)); }
    if (c.outputs) { parts.push(el('div', 'tt-section', 'last outputs')); parts.push(el('pre', 'tt-outputs', c.outputs)); }
    return parts;
  }

  private place(clientX: number, clientY: number): void {
    const stage = this.stage.getBoundingClientRect();
    const card = this.element.getBoundingClientRect();
    let x = clientX - stage.left + 14, y = clientY - stage.top + 16;
    if (x + card.width > stage.width - 4) x = Math.max(4, clientX - stage.left - card.width - 14);
    if (y + card.height > stage.height - 4) y = Math.max(4, stage.height - card.height - 4);
    this.element.style.transform = `translate(${Math.round(x)}px, ${Math.round(y)}px)`;
  }
}
