import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { matrix, zeros } from '../../src/core/index.js';
import { saveImageGrid } from '../../src/plots/index.js';
import { pixel, readPng, tempDir } from './helpers.js';

test('saveImageGrid writes a grid of the expected size; pixel (ix, iy) lands at column ix, row iy', async () => {
  const dir = tempDir();
  try {
    // 5 images of 4×3 pixels; image k has a single bright pixel at ix = k % 4, iy = 1.
    const nx = 4, ny = 3, count = 5;
    const Y = zeros(nx * ny, count);
    for (let k = 0; k < count; k++) Y.data[(k % nx) + nx * 1 + nx * ny * k] = 1;
    const path = join(dir, 'nested', 'grid.png');
    const written = await saveImageGrid(path, Y, [nx, ny], { scale: 3, padding: 2, normalize: 'global' });
    assert.equal(written, path);
    // ⌈√5⌉ = 3 columns, 2 rows: width 3*4*3 + 4*2, height 2*3*3 + 3*2.
    const png = readPng(path, 3 * nx * 3 + 4 * 2, 2 * ny * 3 + 3 * 2);
    // Image 1 (second tile): bright pixel at ix = 1, iy = 1 → output (2 + 12 + 2 + 1*3, 2 + 1*3).
    const x0 = 2 + (nx * 3 + 2);
    assert.deepEqual(pixel(png, x0 + 1 * 3 + 1, 2 + 1 * 3 + 1), [255, 255, 255]);
    assert.deepEqual(pixel(png, x0 + 0 * 3 + 1, 2 + 1 * 3 + 1), [0, 0, 0]);
    assert.deepEqual(pixel(png, 0, 0), [160, 160, 160]); // padding colour
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('saveImageGrid: channels side by side, per-tile normalisation, colour maps', async () => {
  const dir = tempDir();
  try {
    const nx = 5, ny = 5, c = 3, count = 2;
    const data = new Float64Array(nx * ny * c * count);
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(i) * (1 + Math.floor(i / 25));
    const Y = matrix(nx * ny * c, count, data);
    const p1 = await saveImageGrid(join(dir, 'channels.png'), Y, [nx, ny], { normalize: 'each', colormap: 'coolwarm', scale: 1, padding: 1 });
    readPng(p1, c * nx + (c + 1), count * ny + (count + 1)); // default cols = channels
    const p2 = await saveImageGrid(join(dir, 'viridis.png'), Y, [nx, ny], { colormap: 'viridis', cols: 6, range: [-2, 2] });
    const png = readPng(p2, 6 * nx * 2 + 7, ny * 2 + 2);
    // Viridis colours are never gray.
    const [r, g, b] = pixel(png, 2, 2);
    assert.ok(!(r === g && g === b));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('saveImageGrid rejects mismatched sizes and bad options with clear messages', async () => {
  const dir = tempDir();
  try {
    await assert.rejects(saveImageGrid(join(dir, 'a.png'), zeros(785, 2), [28, 28]), /saveImageGrid: images has 785 rows, expected a multiple of nx\*ny = 28\*28 = 784/);
    await assert.rejects(saveImageGrid(join(dir, 'a.png'), zeros(784, 0), [28, 28]), /saveImageGrid: images has no columns/);
    await assert.rejects(saveImageGrid(join(dir, 'a.jpg'), zeros(784, 1), [28, 28]), /saveImageGrid: path .*a\.jpg must end in \.png or \.svg/);
    await assert.rejects(saveImageGrid(join(dir, 'a.png'), zeros(4, 1), [2, 2], { range: [1, 0] }), /saveImageGrid: range must be \[lo, hi\] with lo < hi/);
    await assert.rejects(saveImageGrid(join(dir, 'a.png'), zeros(4, 1), [2, 2], { scale: 0 }), /saveImageGrid: scale must be a positive integer, got 0/);
    assert.ok(!existsSync(join(dir, 'a.png')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
