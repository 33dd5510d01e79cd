import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { matrix, zeros } from '../../src/core/index.js';
import { peaks } from '../../src/data/index.js';
import { contourSegments, readGrid, saveContour, saveSurface } from '../../src/plots/index.js';
import { readSvg, tempDir } from './helpers.js';

/** Z(iy, ix) = f(x_ix, y_iy) on [−1, 1]², column-major ny × nx. */
function grid(nx: number, ny: number, f: (x: number, y: number) => number) {
  const Z = zeros(ny, nx);
  for (let ix = 0; ix < nx; ix++) for (let iy = 0; iy < ny; iy++) Z.data[iy + ny * ix] = f(-1 + (2 * ix) / (nx - 1), -1 + (2 * iy) / (ny - 1));
  return Z;
}

test('contourSegments: level lines of a plane are straight lines at the right place', () => {
  const g = readGrid('test', grid(11, 7, (x, y) => x + 0 * y), { x: [-1, 1], y: [-1, 1] });
  const segs = contourSegments(g, [0.25]);
  assert.equal(segs.length, 6); // one per cell row crossed
  for (const s of segs) {
    assert.ok(Math.abs(s.x1 - 0.25) < 1e-12 && Math.abs(s.x2 - 0.25) < 1e-12);
    assert.ok(Math.abs(Math.abs(s.y2 - s.y1) - 2 / 6) < 1e-12);
  }
});

test('contourSegments: a circle level set stays on the circle (within the interpolation error)', () => {
  const g = readGrid('test', grid(41, 41, (x, y) => x * x + y * y), { x: [-1, 1], y: [-1, 1] });
  const segs = contourSegments(g, [0.5]);
  assert.ok(segs.length > 20);
  for (const s of segs) {
    for (const [x, y] of [[s.x1, s.y1], [s.x2, s.y2]]) assert.ok(Math.abs(Math.hypot(x, y) - Math.sqrt(0.5)) < 2e-3);
  }
  // Saddle x·y at level 0 through the cell centres: four crossings resolved into two segments.
  const saddle = readGrid('test', grid(2, 2, (x, y) => x * y + 0.1), { x: [-1, 1], y: [-1, 1] });
  assert.equal(contourSegments(saddle, [0]).length, 2);
});

test('saveContour and saveSurface write SVGs with their titles', async () => {
  const dir = tempDir();
  try {
    const Z = grid(31, 25, (x, y) => peaks(3 * x, 3 * y));
    readSvg(await saveContour(join(dir, 'c.svg'), Z, { x: [-3, 3], y: [-3, 3], levels: 8, title: 'Loss landscape', markers: [[0, 0]] }), 'Loss landscape', 'data:image/png;base64,');
    readSvg(await saveContour(join(dir, 'c2.svg'), Z.data, { shape: [25, 31], levels: [-2, 0, 2], title: 'from an array' }), 'from an array');
    const svg = readSvg(await saveSurface(join(dir, 's.svg'), Z, { x: [-3, 3], y: [-3, 3], title: 'Loss surface', zLabel: 'E' }), 'Loss surface', 'E from');
    assert.ok((svg.match(/<path/g) ?? []).length >= 30 * 24, 'one path per grid cell');
    readSvg(await saveSurface(join(dir, 's2.svg'), grid(3, 3, () => 1), { title: 'flat' }), 'flat');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('saveContour and saveSurface reject bad grids with clear messages', async () => {
  const dir = tempDir();
  try {
    await assert.rejects(saveContour(join(dir, 'a.svg'), new Float64Array(12)), /saveContour: values is a Float64Array of length 12: pass shape: \[ny, nx\]/);
    await assert.rejects(saveContour(join(dir, 'a.svg'), new Float64Array(12), { shape: [5, 3] }), /saveContour: values has length 12, expected ny\*nx = 5\*3 = 15/);
    await assert.rejects(saveContour(join(dir, 'a.svg'), zeros(1, 5)), /saveContour: values is 1×5, expected at least 2×2 grid points/);
    await assert.rejects(saveSurface(join(dir, 'a.svg'), matrix(2, 2, Float64Array.from([NaN, NaN, NaN, NaN]))), /saveSurface: values has no finite entry/);
    await assert.rejects(saveSurface(join(dir, 'a.svg'), zeros(3, 3), { x: [1, 1] }), /saveSurface: x must be \[lo, hi\] with lo < hi, got \[1, 1\]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
