import { test } from 'node:test';
import assert from 'node:assert/strict';
import { peaks, setupPeaks, peaksLabels, splitData } from '../../src/data/index.js';
import { createRng, fromRows, columnMajorData } from '../../src/core/index.js';

// The formula written out independently of the implementation.
function reference(x: number, y: number): number {
  const a = 3 * Math.pow(1 - x, 2) * Math.exp(-Math.pow(x, 2) - Math.pow(y + 1, 2));
  const b = 10 * (x / 5 - Math.pow(x, 3) - Math.pow(y, 5)) * Math.exp(-Math.pow(x, 2) - Math.pow(y, 2));
  const c = Math.exp(-Math.pow(x + 1, 2) - Math.pow(y, 2)) / 3;
  return a - b - c;
}

test('peaks matches the formula at a few points and element-wise on arrays', () => {
  const pts: [number, number][] = [[0, 0], [1, -1], [-3, 3], [0.5, 1.5], [-1.2, 0.3], [2.9, -2.1]];
  for (const [x, y] of pts) {
    const v = peaks(x, y);
    assert.ok(Math.abs(v - reference(x, y)) <= 1e-14 * Math.max(1, Math.abs(v)), `peaks(${x}, ${y}) = ${v}, expected ${reference(x, y)}`);
  }
  assert.ok(Math.abs(peaks(0, 0) - (8 / 3) * Math.exp(-1)) < 1e-15);
  const xs = Float64Array.from(pts, (p) => p[0]);
  const ys = Float64Array.from(pts, (p) => p[1]);
  const v = peaks(xs, ys);
  pts.forEach(([x, y], i) => assert.equal(v[i], peaks(x, y)));
  assert.throws(() => peaks(new Float64Array(2), new Float64Array(3)), /peaks: x has length 2 but y has length 3/);
});

test('setupPeaks: shapes, balanced classes, one-hot columns, points on the mesh in [-3,3]^2', () => {
  const d = setupPeaks({ n: 1000, seed: 7 });
  assert.deepEqual(d.Y.shape, [2, 1000]);
  assert.deepEqual(d.C.shape, [5, 1000]);
  assert.equal(d.labels.length, 1000);
  const counts = new Array(5).fill(0);
  for (let j = 0; j < 1000; j++) {
    let sum = 0, hot = -1;
    for (let k = 0; k < 5; k++) {
      const c = d.C.get(k, j);
      assert.ok(c === 0 || c === 1);
      sum += c;
      if (c === 1) hot = k;
    }
    assert.equal(sum, 1, `column ${j} is not one-hot`);
    assert.equal(hot, d.labels[j]);
    counts[hot]++;
    const x = d.Y.get(0, j), y = d.Y.get(1, j);
    assert.ok(x >= -3 && x <= 3 && y >= -3 && y <= 3, `point ${j} = (${x}, ${y}) outside [-3,3]^2`);
    // on the 256-point mesh
    const ix = ((x + 3) * 255) / 6, iy = ((y + 3) * 255) / 6;
    assert.ok(Math.abs(ix - Math.round(ix)) < 1e-9 && Math.abs(iy - Math.round(iy)) < 1e-9);
  }
  assert.deepEqual(counts, [200, 200, 200, 200, 200]);
  // The label agrees with the bin of peaks at the point.
  const { edges } = d;
  for (let j = 0; j < 1000; j++) {
    const v = peaks(d.Y.get(0, j), d.Y.get(1, j));
    const k = d.labels[j];
    assert.ok(k === 0 ? v <= edges[1] : v > edges[k] && v <= edges[k + 1] + 1e-12, `point ${j}: value ${v} not in bin ${k}`);
  }
  // All mesh points are accounted for.
  assert.equal(d.gridCounts.reduce((a, b) => a + b, 0), 256 * 256);
});

test('setupPeaks: ceil(n/classes) per class, custom classes and grid', () => {
  const d = setupPeaks({ n: 10, classes: 3, grid: 50, seed: 1 });
  assert.deepEqual(d.Y.shape, [2, 12]);
  assert.deepEqual(d.C.shape, [3, 12]);
  const counts = [0, 0, 0];
  for (const l of d.labels) counts[l]++;
  assert.deepEqual(counts, [4, 4, 4]);
  assert.equal(d.edges.length, 4);
  const sorted = setupPeaks({ n: 10, classes: 3, grid: 50, seed: 1, shuffle: false });
  assert.deepEqual(Array.from(sorted.labels), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
});

test('setupPeaks: same seed gives the same bits, another seed other points', () => {
  const a = setupPeaks({ n: 500, seed: 42 });
  const b = setupPeaks({ n: 500, seed: 42 });
  const c = setupPeaks({ n: 500, seed: 43 });
  assert.deepEqual(a.Y.data, b.Y.data);
  assert.deepEqual(a.C.data, b.C.data);
  assert.deepEqual(a.labels, b.labels);
  assert.notDeepEqual(a.Y.data, c.Y.data);
  const r = setupPeaks({ n: 500, rng: createRng(42) });
  assert.deepEqual(r.Y.data, a.Y.data);
});

test('setupPeaks: bad options give clear errors', () => {
  assert.throws(() => setupPeaks({ n: 0 }), /setupPeaks: n must be a positive integer, got 0/);
  assert.throws(() => setupPeaks({ n: 10, classes: 2.5 }), /setupPeaks: classes must be a positive integer, got 2.5/);
  assert.throws(() => setupPeaks({ n: 10, grid: 1 }), /setupPeaks: grid must be at least 2, got 1/);
  assert.throws(() => setupPeaks({ n: 10, classes: 500, grid: 4 }), /setupPeaks: class \d+ has no point on the 4×4 mesh/);
});

test('peaksLabels agrees with setupPeaks labels', () => {
  const d = setupPeaks({ n: 300, seed: 3 });
  assert.deepEqual(peaksLabels(d.Y), d.labels);
  assert.deepEqual(Array.from(peaksLabels(fromRows([[0], [0]]))), [2]);
  assert.throws(() => peaksLabels(fromRows([[0, 1]])), /peaksLabels: P is 1×2, expected 2 rows/);
});

test('splitData: sizes, disjoint cover, columns follow their labels, determinism', () => {
  const d = setupPeaks({ n: 100, seed: 5 });
  const s = splitData(d.Y, d.C, 0.8, createRng(9));
  assert.deepEqual(s.Ytrain.shape, [2, 80]);
  assert.deepEqual(s.Yval.shape, [2, 20]);
  assert.deepEqual(s.Ctrain.shape, [5, 80]);
  assert.deepEqual(s.Cval.shape, [5, 20]);
  const all = [...s.trainIndex, ...s.valIndex].sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: 100 }, (_, i) => i));
  for (let k = 0; k < 20; k++) {
    const j = s.valIndex[k];
    assert.equal(s.Yval.get(0, k), d.Y.get(0, j));
    assert.equal(s.Yval.get(1, k), d.Y.get(1, j));
    assert.equal(s.Cval.get(d.labels[j], k), 1);
  }
  const t = splitData(d.Y, d.C, 0.8, 9);
  assert.deepEqual(t.trainIndex, s.trainIndex);
  const inOrder = splitData(d.Y, d.C, 0.5);
  assert.deepEqual(Array.from(inOrder.trainIndex), Array.from({ length: 50 }, (_, i) => i));
  assert.deepEqual(columnMajorData(inOrder.Ytrain), d.Y.data.subarray(0, 100));
  assert.throws(() => splitData(d.Y, d.C, 1.5), /splitData: fraction must be <= 1, got 1.5/);
  assert.throws(() => splitData(d.Y, fromRows([[1, 0]]), 0.5), /splitData: Y is 2×100 but C is 1×2/);
});
