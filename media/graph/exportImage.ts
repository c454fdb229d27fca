/**
 * PNG export: the exported SVG drawn onto a canvas (as an image from a data: URL, which the page's CSP
 * allows and which does not taint the canvas), at twice the size for sharp text when that stays within
 * what a canvas can hold.
 */

import { pngScale } from './svgExport';

/** The PNG as base64 (no data: prefix), as the export message wants it. */
export async function svgToPngBase64(markup: string, width: number, height: number): Promise<string> {
  const scale = pngScale(width, height);
  const image = new Image();
  image.decoding = 'async';
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(markup)}`;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const context = canvas.getContext('2d');
  if (!context) throw new Error('this page cannot draw on a canvas');
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  const url = canvas.toDataURL('image/png');
  const comma = url.indexOf(',');
  if (comma < 0 || !url.startsWith('data:image/png')) throw new Error('the canvas did not produce a PNG (the drawing may be too large)');
  return url.slice(comma + 1);
}
