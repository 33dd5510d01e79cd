import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fromRows, zeros, type Matrix } from '../../src/core/index.js';
import { setupPeaks, peaksLabels } from '../../src/data/index.js';
import { saveDecisionRegions, classColor } from '../../src/plots/index.js';
import { pixel, readPng, readSvg, tempDir } from './helpers.js';

// Class 1 where x > 0, class 0 elsewhere.
const halfPlane = (P: Matrix) => {
  const out = new Int32Array(P.shape[1]);
  for (let j = 0; j < out.length; j++) out[j] = P.get(0, j) > 0 ? 1 : 0;
  return out;
};

test('saveDecisionRegions paints each class in its light colour, left and right of x = 0', async () => {
  const dir = tempDir();
  try {
    const path = await saveDecisionRegions(join(dir, 'half.png'), halfPlane, { resolution: 50, size: 100, classes: 2 });
    const png = readPng(path, 100, 100);
    const left = pixel(png, 10, 50), right = pixel(png, 90, 50);
    assert.notDeepEqual(left, right);
    // Light tint of the palette colour: the hue ordering of the class colour survives.
    const c0 = classColor(0), c1 = classColor(1);
    assert.ok(left[2] > left[0] && c0[2] > c0[0], `class 0 is bluish: ${left}`);
    assert.ok(right[0] > right[2] && c1[0] > c1[2], `class 1 is orange: ${right}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('saveDecisionRegions draws the points on top; SVG output carries title and axes', async () => {
  const dir = tempDir();
  try {
    const d = setupPeaks({ n: 200, seed: 2 });
    const png = readPng(await saveDecisionRegions(join(dir, 'peaks.png'), (P) => peaksLabels(P), { points: d.Y, labels: d.labels, classes: 5, resolution: 80 }), 400, 400);
    // A data point's centre pixel has its class's full colour (up to the anti-aliasing rounding).
    const j = d.labels.length - 1, x = d.Y.get(0, j), y = d.Y.get(1, j); // drawn last, so on top
    const px = Math.round(((x + 3) / 6) * 400 - 0.5), py = Math.round(400 - ((y + 3) / 6) * 400 - 0.5);
    const want = classColor(d.labels[j]);
    const got = pixel(png, px, py);
    assert.ok(got.every((v, i) => Math.abs(v - want[i]) <= 2), `last point at (${px}, ${py}): ${got} vs ${want}`);
    readSvg(await saveDecisionRegions(join(dir, 'peaks.svg'), (P) => peaksLabels(P), { points: d.Y, labels: d.labels, classes: 5, resolution: 60, title: 'Peaks: true classes' }), 'Peaks: true classes', 'data:image/png;base64,');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('saveDecisionRegions rejects mismatched sizes and bad predictions with clear messages', async () => {
  const dir = tempDir();
  const p = join(dir, 'x.png');
  try {
    await assert.rejects(saveDecisionRegions(p, () => new Int32Array(3), { resolution: 10 }), /saveDecisionRegions: predict returned 3 labels for a 2×100 input, expected 100/);
    await assert.rejects(saveDecisionRegions(p, halfPlane, { resolution: 10, classes: 1 }), /saveDecisionRegions: predict returned label 1 at column \d+, expected an integer in 0..0/);
    await assert.rejects(saveDecisionRegions(p, halfPlane, { points: zeros(3, 4) }), /saveDecisionRegions: points is 3×4, expected 2 rows/);
    await assert.rejects(saveDecisionRegions(p, halfPlane, { points: fromRows([[0, 1], [0, 1]]), labels: [0] }), /saveDecisionRegions: labels has length 1 but points has 2 columns/);
    await assert.rejects(saveDecisionRegions(p, halfPlane, { range: [3, -3] }), /saveDecisionRegions: range must be \[lo, hi\] with lo < hi, got \[3, -3\]/);
    await assert.rejects(saveDecisionRegions(join(dir, 'x.jpg'), halfPlane), /saveDecisionRegions: path .*x\.jpg must end in \.png or \.svg/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
