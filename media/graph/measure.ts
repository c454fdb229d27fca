/**
 * Text widths measured with the glyphs the page really draws (a canvas with the SVG's font), so boxes fit
 * their labels; cached, because a 1,000-box graph asks for thousands of widths per layout.
 */
import { NODE_METRICS, monospaceWidth, type TextMeasure } from '../../runtime/layout/elkGraph';

export function canvasMeasure(fontFamily: string): TextMeasure {
  const context = document.createElement('canvas').getContext('2d');
  if (!context) return monospaceWidth;
  const cache = new Map<string, number>();
  let font = '';
  return (text, fontSize) => {
    const key = `${fontSize}\u0000${text}`;
    let width = cache.get(key);
    if (width === undefined) {
      // The id line is bold (graph.css): measure it bold.
      const wanted = `${fontSize === NODE_METRICS.idFontSize ? '600 ' : ''}${fontSize}px ${fontFamily}`;
      if (font !== wanted) { context.font = wanted; font = wanted; }
      width = Math.ceil(context.measureText(text).width);
      if (cache.size > 50_000) cache.clear();
      cache.set(key, width);
    }
    return width;
  };
}
