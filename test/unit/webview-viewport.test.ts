import assert from 'node:assert/strict';
import { minimapFrame, minimapToWorld, minimapWanted, viewForMinimapPoint, viewportInMinimap, worldToMinimap } from '../../media/graph/minimap';
import { clampZoom, ensureVisible, fitView, interpolate, toScreen, toWorld, wheelFactor, ZOOM_LIMITS, zoomAt } from '../../media/graph/viewport';

const close = (a: number, b: number, what = '') => assert.ok(Math.abs(a - b) < 1e-6, `${what} ${a} != ${b}`);

describe('webview viewport', () => {
  it('zooms around the pointer: the point under it stays put', () => {
    const view = { x: 30, y: -20, k: 0.8 };
    const anchor = { x: 400, y: 250 };
    const before = toWorld(view, anchor);
    const after = zoomAt(view, 1.7, anchor);
    close(after.k, 1.36);
    const again = toScreen(after, before);
    close(again.x, anchor.x, 'x');
    close(again.y, anchor.y, 'y');
  });

  it('keeps the zoom within limits', () => {
    assert.equal(zoomAt({ x: 0, y: 0, k: 3 }, 10, { x: 0, y: 0 }).k, ZOOM_LIMITS.max);
    assert.equal(clampZoom(0), ZOOM_LIMITS.min);
  });

  it('fits a big drawing inside the screen, centred, and never enlarges a small one', () => {
    const screen = { width: 1000, height: 600 };
    const big = fitView({ minX: 0, minY: 0, maxX: 4000, maxY: 1000 }, screen);
    close(big.k, (1000 - 48) / 4000);
    const left = toScreen(big, { x: 0, y: 0 }), right = toScreen(big, { x: 4000, y: 1000 });
    close(left.x, 24, 'left margin');
    close(right.x, 976, 'right margin');
    assert.ok(left.y >= 24 && right.y <= 576);
    const small = fitView({ minX: 16, minY: 16, maxX: 216, maxY: 78 }, screen);
    assert.equal(small.k, 1);
    const centre = toScreen(small, { x: 116, y: 47 });
    close(centre.x, 500, 'centred');
  });

  it('moves only when a box is not fully visible, and then centres it', () => {
    const view = { x: 0, y: 0, k: 1 }, screen = { width: 800, height: 600 };
    assert.equal(ensureVisible(view, { x: 100, y: 100, width: 100, height: 46 }, screen), undefined);
    const moved = ensureVisible(view, { x: 1500, y: 900, width: 100, height: 40 }, screen)!;
    const centre = toScreen(moved, { x: 1550, y: 920 });
    close(centre.x, 400);
    close(centre.y, 300);
    assert.equal(moved.k, 1);
  });

  it('turns wheel deltas into gentle zoom factors, whatever the delta unit', () => {
    assert.ok(wheelFactor(-100, 0) > 1 && wheelFactor(100, 0) < 1);
    close(wheelFactor(-3, 1), wheelFactor(-48, 0));
    assert.ok(wheelFactor(100_000, 0) > 0.5, 'one event never zooms by more than a step or so');
  });

  it('interpolates views with easing ends', () => {
    const a = { x: 0, y: 0, k: 1 }, b = { x: 100, y: 50, k: 2 };
    assert.deepEqual(interpolate(a, b, 0), a);
    assert.deepEqual(interpolate(a, b, 1), b);
    close(interpolate(a, b, 0.5).x, 50);
  });
});

describe('webview minimap', () => {
  const bounds = { minX: 16, minY: 16, maxX: 2016, maxY: 516 };
  const size = { width: 200, height: 140 };
  const frame = minimapFrame(bounds, size);

  it('scales the whole drawing into the frame, centred', () => {
    close(frame.scale, (200 - 8) / 2000);
    const topLeft = worldToMinimap(frame, { x: 16, y: 16 }), bottomRight = worldToMinimap(frame, { x: 2016, y: 516 });
    close(topLeft.x, 4);
    close(bottomRight.x, 196);
    close((topLeft.y + bottomRight.y) / 2, 70, 'vertically centred');
    const back = minimapToWorld(frame, { x: 100, y: 70 });
    close(back.x, 1016);
    close(back.y, 266);
  });

  it('shows the screen\'s view as a rectangle', () => {
    const view = { x: -484, y: 0, k: 1 }; // world x 484..1484 on a 1000 px screen
    const r = viewportInMinimap(frame, view, { width: 1000, height: 500 });
    close(r.x, worldToMinimap(frame, { x: 484, y: 0 }).x);
    close(r.width, 1000 * frame.scale);
  });

  it('a click centres the view on that point, same zoom', () => {
    const screen = { width: 1000, height: 500 };
    const view = viewForMinimapPoint(frame, { x: 100, y: 70 }, { x: 0, y: 0, k: 0.5 }, screen);
    assert.equal(view.k, 0.5);
    const centre = toWorld(view, { x: 500, y: 250 });
    close(centre.x, 1016);
    close(centre.y, 266);
  });

  it('appears for big graphs only', () => {
    const screen = { width: 1000, height: 600 };
    assert.equal(minimapWanted(0, bounds, screen), false);
    assert.equal(minimapWanted(6, { minX: 0, minY: 0, maxX: 800, maxY: 400 }, screen), false);
    assert.equal(minimapWanted(6, { minX: 0, minY: 0, maxX: 3000, maxY: 400 }, screen), true);
    assert.equal(minimapWanted(100, { minX: 0, minY: 0, maxX: 800, maxY: 400 }, screen), true);
  });
});
