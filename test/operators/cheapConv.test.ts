/**
 * The cheaper convolution models: separable (bilinear in θ, product-rule
 * derivatives), doubly symmetric and M-matrix convolutions — each against its
 * parametrisation written out, structural properties, and the conformance suite.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng, toRows, zeros } from '../../src/core/index.js';
import { conv2d, doublySymmetricConv2d, mMatrixConv, separableConv2d } from '../../src/operators/index.js';
import { assertClose } from '../helpers/assertions.js';
import { operatorSuite } from '../helpers/operatorSuite.js';

type K4 = [number, number, number, number];

/** Full stencils [kx, ky, cin, cout] of a separable θ = [vec(U); vec(V)]. */
function separableFull(theta: Float64Array, [kx, ky, cin, cout]: K4): Float64Array {
  const np = cin * cout, W = new Float64Array(kx * ky * np);
  for (let q = 0; q < np; q++) for (let b = 0; b < ky; b++) for (let a = 0; a < kx; a++)
    W[a + kx * b + kx * ky * q] = theta[a + kx * q] * theta[kx * np + b + ky * q];
  return W;
}
/** Full stencils of a doubly symmetric θ (quadrant by distance from the centre). */
function symmetricFull(theta: Float64Array, [kx, ky, cin, cout]: K4): Float64Array {
  const hx = (kx - 1) / 2, hy = (ky - 1) / 2, np = cin * cout, W = new Float64Array(kx * ky * np);
  for (let q = 0; q < np; q++) for (let b = 0; b < ky; b++) for (let a = 0; a < kx; a++)
    W[a + kx * b + kx * ky * q] = theta[Math.abs(a - hx) + (hx + 1) * Math.abs(b - hy) + (hx + 1) * (hy + 1) * q];
  return W;
}
/** Full [kx, ky, c, c] stencils of an M-matrix convolution (block diagonal in channels). */
function mMatrixFull(theta: Float64Array, kx: number, ky: number, c: number): Float64Array {
  const kk = kx * ky, m = kk - 1, centre = (kk - 1) / 2, W = new Float64Array(kk * c * c);
  for (let ch = 0; ch < c; ch++) {
    const q = ch + c * ch;
    let t = 0;
    for (let e = 0; e < kk; e++) {
      if (e === centre) continue;
      W[q * kk + e] = -theta[ch * m + t];
      W[q * kk + centre] += theta[ch * m + t];
      t++;
    }
  }
  return W;
}

const sepCases: [[number, number], K4, 'zero' | 'periodic', number][] = [
  [[5, 4], [3, 3, 1, 1], 'zero', 1],
  [[6, 4], [3, 3, 2, 2], 'periodic', 2],
  [[7, 5], [5, 3, 1, 2], 'zero', 1],
];
const symCases = sepCases;

operatorSuite([
  ...sepCases.map(([d, k, boundary, stride]) => ({
    op: separableConv2d(d, k, { boundary, stride }),
    reference: (t: Float64Array) => conv2d(d, k, { boundary, stride }).toDense(separableFull(t, k)),
  })),
  ...symCases.map(([d, k, boundary, stride]) => ({
    op: doublySymmetricConv2d(d, k, { boundary, stride }),
    reference: (t: Float64Array) => conv2d(d, k, { boundary, stride }).toDense(symmetricFull(t, k)),
  })),
  ...([[[5, 4], [3, 3], 1, 'zero'], [[6, 5], [3, 3], 2, 'periodic'], [[6, 6], [5, 3], 1, 'periodic']] as const).map(([d, [kx, ky], c, boundary]) => ({
    op: mMatrixConv([d[0], d[1]], [kx, ky], { channels: c, boundary }),
    reference: (t: Float64Array) => conv2d([d[0], d[1]], [kx, ky, c, c], { boundary }).toDense(mMatrixFull(t, kx, ky, c)),
  })),
  { op: separableConv2d([28, 28], [3, 3, 8, 8], { stride: 2 }), dense: false, referenceApply: (t, Y) => conv2d([28, 28], [3, 3, 8, 8], { stride: 2 }).apply(separableFull(t, [3, 3, 8, 8]), Y), nExamples: 2 },
]);

describe('separableConv2d', () => {
  it('is not linear in θ: jvp/vjp without θ throw, jvpAt/vjpAt give the product rule', () => {
    const op = separableConv2d([5, 5], [3, 3, 1, 1]);
    assert.equal(op.linear, false);
    assert.equal(op.nTheta, 6);
    assert.throws(() => op.jvp(new Float64Array(6), zeros(25, 1)), /separableConv2d: K is not linear in θ/);
    assert.throws(() => op.vjp(zeros(25, 1), zeros(25, 1)), /use jvpAt\(theta, dTheta, Y\)/);
    assert.equal(op.Q, undefined);
  });
  it('stencil = column stencil ⊗ row stencil: [1 2 1]ᵀ[−1 0 1] is the Sobel x-derivative', () => {
    const op = separableConv2d([5, 5], [3, 3, 1, 1], { boundary: 'periodic' });
    const t = Float64Array.of(1, 2, 1, -1, 0, 1);
    const sobel = Float64Array.of(-1, -2, -1, 0, 0, 0, 1, 2, 1);
    assertClose(op.toDense(t), conv2d([5, 5], [3, 3, 1, 1], { boundary: 'periodic' }).toDense(sobel), 0, 'Sobel');
  });
});

describe('doublySymmetricConv2d', () => {
  it('θ = [c, x, y, d] gives [[d, x, d], [y, c, y], [d, x, d]] and symmetric blocks', () => {
    const op = doublySymmetricConv2d([4, 4], [3, 3, 1, 1], { boundary: 'periodic' });
    assert.equal(op.nTheta, 4);
    const t = Float64Array.of(4, -1, -2, 0.5);
    // rows a (x offset), columns b (y offset), stencil column-major a + 3b
    const W = Float64Array.of(0.5, -2, 0.5, -1, 4, -1, 0.5, -2, 0.5);
    assertClose(op.toDense(t), conv2d([4, 4], [3, 3, 1, 1], { boundary: 'periodic' }).toDense(W), 0, 'stencil');
    for (const boundary of ['zero', 'periodic'] as const) {
      const K = toRows(doublySymmetricConv2d([5, 4], [3, 3, 1, 1], { boundary }).toDense(createRng(3).normalArray(4)));
      for (let i = 0; i < K.length; i++) for (let j = 0; j < K.length; j++) assert.equal(K[i][j], K[j][i]);
    }
  });
});

describe('mMatrixConv', () => {
  it('is an M-matrix for θ ≥ 0: non-positive off-diagonal, zero row sums (periodic), non-negative (zero)', () => {
    const rng = createRng(31);
    for (const boundary of ['periodic', 'zero'] as const) {
      const op = mMatrixConv([6, 5], [3, 3], { boundary, channels: 2 });
      assert.equal(op.nTheta, 16);
      const K = toRows(op.toDense(rng.uniformArray(op.nTheta)));
      for (let i = 0; i < K.length; i++) {
        let s = 0;
        for (let j = 0; j < K.length; j++) {
          s += K[i][j];
          if (i !== j) assert.ok(K[i][j] <= 0, `K[${i}][${j}] = ${K[i][j]}`);
        }
        if (boundary === 'periodic') assert.ok(Math.abs(s) < 1e-14, `row ${i} sums to ${s}`);
        else assert.ok(s >= -1e-14, `row ${i} sums to ${s}`);
      }
    }
  });
  it('θ = 1 on a 3×3 stencil is the 8-neighbour graph Laplacian', () => {
    const K = toRows(mMatrixConv([4, 4], [3, 3], { boundary: 'periodic' }).toDense(new Float64Array(8).fill(1)));
    assert.equal(K[0][0], 8);
    assert.equal(K[0].filter((v) => v === -1).length, 8);
  });
  it('rejects a 1×1 stencil', () => {
    assert.throws(() => mMatrixConv([4, 4], [1, 1]), /mMatrixConv: stencil 1×1 has no off-centre entries/);
  });
});
