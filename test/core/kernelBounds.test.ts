/**
 * The raw kernels at their boundary: a released resident matrix cannot be
 * used any more (a write to it must not reach the block's next owner), and
 * the exported wrappers reject arrays shorter than their shapes instead of
 * writing past them into a neighbouring resident matrix.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, matmul, randn } from '../../src/core/index.js';
import { matrix } from '../../src/core/matrix.js';
import { wasmConv2d, wasmConv2dGradTheta, wasmConv2dTranspose } from '../../src/core/wasm/conv2d.js';
import { wasmGemm, wasmGemmStrided } from '../../src/core/wasm/gemm.js';
import { wasmRelu, wasmTanh } from '../../src/core/wasm/activations.js';
import { wasmAvailable } from '../../src/core/wasm/module.js';
import { isResident, releaseResident, residentMatrix } from '../../src/core/wasm/resident.js';
import { withBackend } from '../helpers/backend.js';

const opts = { skip: wasmAvailable() ? false : 'WebAssembly kernels unavailable' };

/** Two adjacent resident matrices: a short `first` (len entries) and its neighbour, filled with 7. */
function neighbours(len: number) {
  const first = residentMatrix(len, 1);
  const next = residentMatrix(64, 1);
  next.data.fill(7);
  return {
    first: first.data,
    untouched: () => next.data.every((v) => v === 7),
    release: () => { releaseResident(first); releaseResident(next); },
  };
}

test('releaseResident empties the view: a later write cannot change the block\'s next owner', opts, () => {
  withBackend('wasm', () => {
    const M = residentMatrix(8, 8);
    const view = M; // the caller's own reference
    assert.equal(releaseResident(M), true);
    const N = residentMatrix(8, 8); // may reuse M's bytes
    assert.ok(isResident(N));
    view.set(0, 0, 42);
    view.data[5] = 42;
    assert.ok(N.data.every((v) => v === 0), 'a write to the released matrix changed a live one');
    assert.equal(M.data.length, 0);
    assert.equal(M.get(1, 1), undefined);
    assert.throws(() => matmul(M, N), /matmul: A \(8×8\) has no storage: it was given back by releaseResident/);
    assert.equal(releaseResident(M), false, 'a second release does nothing');
    assert.equal(isResident(M), false);
    releaseResident(N);
  });
});

test('wasmGemm / wasmGemmStrided reject short or mixed-precision arrays instead of writing past them', opts, () => {
  withBackend('wasm', () => {
    const rng = createRng(1);
    const A = randn(4, 4, rng);
    const nb = neighbours(9); // C of a 4×4 product needs 16
    assert.throws(() => wasmGemm(nb.first, 4, 4, 4, A.data, 4, false, A.data, 4, false, 1, 0),
      /wasmGemm: C \(4×4 at offset 0, strides 1, 4\) reaches entries 0 … 15, but the array has 9/);
    assert.ok(nb.untouched(), 'the neighbouring resident matrix was overwritten');
    assert.throws(() => wasmGemm(new Float64Array(16), 4, 4, 4, A.data.subarray(0, 10), 4, false, A.data, 4, false, 1, 0), /wasmGemm: op\(A\)/);
    assert.throws(() => wasmGemmStrided(new Float64Array(16), 0, 4, 4, 4, 4, 1, A.data, 0, 1, 4, new Float32Array(16), 0, 1, 4, 0), /share one precision/);
    assert.throws(() => wasmGemm(new Float64Array(16), 4, 4, 4.5, A.data, 4, false, A.data, 4, false, 1, 0), /k must be a non-negative integer, got 4.5/);
    nb.release();
  });
});

test('wasmConv2d, its transpose and θ-gradient reject short arrays', opts, () => {
  withBackend('wasm', () => {
    const g = { nx: 6, ny: 6, kx: 3, ky: 3, cin: 2, cout: 3 };
    const theta = new Float64Array(3 * 3 * 2 * 3).fill(0.5), y = new Float64Array(6 * 6 * 2 * 2).fill(1);
    const nb = neighbours(6 * 6 * 3 * 2 - 5);
    assert.throws(() => wasmConv2d(nb.first, theta, y, 2, g), /wasmConv2d: z has 211 entries but z \(108 × 2\) needs 216/);
    assert.ok(nb.untouched(), 'the neighbouring resident matrix was overwritten');
    assert.throws(() => wasmConv2d(new Float64Array(216), theta.subarray(1), y, 2, g), /wasmConv2d: theta has 53 entries but θ \(3·3·2·3\) needs 54/);
    assert.throws(() => wasmConv2dTranspose(new Float64Array(100), theta, new Float64Array(216), 2, g), /wasmConv2dTranspose: y has 100 entries but y \(72 × 2\) needs 144/);
    assert.throws(() => wasmConv2dGradTheta(new Float64Array(54), new Float64Array(200), y, 2, g), /wasmConv2dGradTheta: z has 200 entries/);
    assert.throws(() => wasmConv2d(new Float64Array(216), theta, y, 2, { ...g, kx: 2 }), /stencil must be odd/);
    nb.release();
  });
});

test('wasmTanh / wasmRelu reject outputs shorter than x', opts, () => {
  withBackend('wasm', () => {
    const x = new Float64Array(40).fill(0.3);
    const nb = neighbours(30);
    const d = residentMatrix(40, 1);
    assert.throws(() => wasmTanh(x, nb.first, d.data), /wasmTanh: value has 30 entries but x \(40 entries\) needs 40/);
    assert.throws(() => wasmRelu(x, new Float64Array(40), nb.first), /wasmRelu: derivative has 30 entries/);
    assert.ok(nb.untouched(), 'the neighbouring resident matrix was overwritten');
    releaseResident(d);
    nb.release();
    const m = matrix(2, 2, Float64Array.of(1, 2, 3, 4));
    assert.equal(releaseResident(m), false, 'an ordinary matrix is not released');
    assert.equal(m.data.length, 4);
  });
});
