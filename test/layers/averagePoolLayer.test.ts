import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../src/core/rng.js';
import { columnMajorData, randn, zeros, type Matrix } from '../../src/core/matrix.js';
import { averagePoolLayer } from '../../src/layers/averagePoolLayer.js';
import { singleLayer } from '../../src/layers/singleLayer.js';
import { conv2d } from '../../src/operators/conv2d.js';
import { chain } from '../../src/networks/chain.js';
import { modelFromJSON, modelToJSON } from '../../src/io/modelJson.js';
import { modelSuite } from '../helpers/modelSuite.js';

modelSuite([
  { label: 'averagePoolLayer(4×6, 3 ch, 2×2)', make: () => averagePoolLayer([4, 6], 3, 2) },
  { label: 'averagePoolLayer(6×3, 2 ch, 3×3)', make: () => averagePoolLayer([6, 3], 2, 3), n: 3 },
  {
    label: 'chain[conv2d 6×6 1→2 relu, averagePoolLayer, conv2d 3×3 2→2 tanh]',
    make: () => chain([
      singleLayer(conv2d([6, 6], [3, 3, 1, 2], { boundary: 'zero' }), { activation: 'tanh', bias: 'vector' }),
      averagePoolLayer([6, 6], 2, 2),
      singleLayer(conv2d([3, 3], [3, 3, 2, 2], { boundary: 'zero' }), { activation: 'tanh', bias: 'vector' }),
    ]),
    n: 3,
  },
]);

/** The pooling matrix built entry by entry from z(ox, oy, c) = (1/p²) Σ_{a,b<p} y(p·ox + a, p·oy + b, c). */
function poolMatrix(nx: number, ny: number, c: number, p: number): Matrix {
  const mx = nx / p, my = ny / p, rows = mx * my * c, cols = nx * ny * c;
  const D = zeros(rows, cols);
  for (let ch = 0; ch < c; ch++) {
    for (let oy = 0; oy < my; oy++) {
      for (let ox = 0; ox < mx; ox++) {
        const r = ox + mx * (oy + my * ch);
        for (let b = 0; b < p; b++) for (let a = 0; a < p; a++) D.data[r + rows * (p * ox + a + nx * (p * oy + b + ny * ch))] = 1 / (p * p);
      }
    }
  }
  return D;
}

/** Columns of D·X for a dense D (column-major). */
function times(D: Matrix, X: Matrix): Float64Array {
  const [r, k] = D.shape, n = X.shape[1], x = columnMajorData(X), out = new Float64Array(r * n);
  for (let j = 0; j < n; j++) for (let q = 0; q < k; q++) for (let i = 0; i < r; i++) out[i + r * j] += D.data[i + r * q] * x[q + k * j];
  return out;
}

test('averagePoolLayer: forward, jvp and vjp equal the explicitly built pooling matrix and its transpose', () => {
  const rng = createRng(3);
  for (const [nx, ny, c, p] of [[4, 6, 3, 2], [6, 3, 2, 3], [2, 2, 1, 2]] as const) {
    const layer = averagePoolLayer([nx, ny], c, p);
    const D = poolMatrix(nx, ny, c, p);
    assert.equal(layer.nParams, 0);
    assert.deepEqual([layer.nOut, layer.nIn], D.shape);
    const Y = randn(layer.nIn, 4, rng), W = randn(layer.nOut, 4, rng);
    const x = new Float64Array(0);
    const st = layer.forward(x, Y);
    const ref = times(D, Y);
    const out = columnMajorData(st.output);
    for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(out[i] - ref[i]) <= 1e-15 * (1 + Math.abs(ref[i])), `forward entry ${i}`);
    const jv = columnMajorData(layer.jvp(x, st, null, Y));
    for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(jv[i] - ref[i]) <= 1e-15 * (1 + Math.abs(ref[i])), `jvp entry ${i}`);
    // Dᵀ W by the transpose of the dense matrix.
    const Dt = zeros(D.shape[1], D.shape[0]);
    for (let i = 0; i < D.shape[0]; i++) for (let q = 0; q < D.shape[1]; q++) Dt.data[q + D.shape[1] * i] = D.data[i + D.shape[0] * q];
    const refT = times(Dt, W);
    const { dx, dY } = layer.vjp(x, st, W);
    assert.equal(dx.length, 0);
    const dy = columnMajorData(dY);
    for (let i = 0; i < refT.length; i++) assert.ok(Math.abs(dy[i] - refT[i]) <= 1e-15 * (1 + Math.abs(refT[i])), `vjp entry ${i}`);
    // Without the input gradient there is nothing to compute.
    assert.equal(layer.vjp(x, st, W, { input: false }).dY, null);
    assert.deepEqual(layer.jvp(x, st, null, null).shape, [layer.nOut, 4]);
  }
});

test('averagePoolLayer: saved and loaded inside a chain (modelToJSON / modelFromJSON) gives the same outputs', () => {
  const net = chain([
    singleLayer(conv2d([4, 4], [3, 3, 1, 2], { boundary: 'zero' }), { activation: 'relu', bias: 'vector' }),
    averagePoolLayer([4, 4], 2, 2),
  ]);
  const x = net.initialize(createRng(2));
  const json = modelToJSON(net, x);
  const back = modelFromJSON(json);
  const Y = randn(16, 3, createRng(4));
  assert.deepEqual(columnMajorData(back.model.forward(back.x, Y).output), columnMajorData(net.forward(x, Y).output));
});

test('averagePoolLayer: bad input names the function and the values', () => {
  assert.throws(() => averagePoolLayer([5, 4], 2, 2), /averagePoolLayer: patch size 2 does not divide the 5×4 grid/);
  assert.throws(() => averagePoolLayer([4, 4], 0, 2), /averagePoolLayer: channels must be a positive integer, got 0/);
  const layer = averagePoolLayer([4, 4], 1, 2);
  assert.throws(() => layer.forward(new Float64Array(0), zeros(15, 2)), /averagePoolLayer\.forward: Y is 15×2, expected 16 rows/);
  assert.throws(() => layer.forward(new Float64Array(1), zeros(16, 2)), /averagePoolLayer\.forward: x/);
});
