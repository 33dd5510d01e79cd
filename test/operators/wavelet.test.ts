/**
 * waveletOperator: K(θ) = Wᵀ diag(θ) W with the orthonormal Haar transform,
 * 1-D and 2-D (per channel). The conformance suite against K built from a
 * dense W assembled level by level from the definition; W orthonormal; the
 * eigenvalues of K exactly θ (the library's eigSym on toDense); known
 * coefficients; the input checks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng, eigSym, eye, fromRows, matmul, randn, toRows, zeros, type Matrix } from '../../src/core/index.js';
import { waveletOperator } from '../../src/operators/index.js';
import { assertClose } from '../helpers/assertions.js';
import { operatorSuite } from '../helpers/operatorSuite.js';

const s = Math.SQRT1_2;

/** The len × len one-level Haar matrix: rows 0…len/2−1 averages, then the differences. */
function haarLevel(len: number): Matrix {
  const P = zeros(len, len);
  for (let k = 0; k < len / 2; k++) {
    P.set(k, 2 * k, s); P.set(k, 2 * k + 1, s);
    P.set(len / 2 + k, 2 * k, s); P.set(len / 2 + k, 2 * k + 1, -s);
  }
  return P;
}

/**
 * Dense W of the 2-D (ny > 1) or 1-D (ny = 1) transform with `channels` blocks:
 * W = M_{L−1} ⋯ M_0, M_l acting as P_lx ⊗ P_ly on the low-pass block, identity elsewhere.
 */
function denseW(nx: number, ny: number, levels: number, channels = 1): Matrix {
  const seg = nx * ny, N = seg * channels;
  let W = eye(N);
  for (let l = 0; l < levels; l++) {
    const lx = nx >> l, ly = ny > 1 ? ny >> l : 1;
    const Px = haarLevel(lx), Py = ly > 1 ? haarLevel(ly) : eye(1);
    const M = eye(N);
    for (let c = 0; c < channels; c++) {
      for (let ky = 0; ky < ly; ky++) for (let kx = 0; kx < lx; kx++) {
        const row = c * seg + kx + nx * ky;
        M.set(row, row, 0);
        for (let jy = 0; jy < ly; jy++) for (let jx = 0; jx < lx; jx++) M.set(row, c * seg + jx + nx * jy, Px.get(kx, jx) * Py.get(ky, jy));
      }
    }
    W = matmul(M, W);
  }
  return W;
}

/** K(θ) = Wᵀ diag(θ) W from the dense W. */
function reference(W: Matrix) {
  return (theta: Float64Array): Matrix => {
    const D = zeros(W.shape[0], W.shape[1]);
    for (let i = 0; i < W.shape[0]; i++) for (let j = 0; j < W.shape[1]; j++) D.set(i, j, theta[i] * W.get(i, j));
    return matmul(W, D, { transA: true });
  };
}


/**
 * K(θ)Y = Σ_t θ_t ⟨w_t, y⟩ w_t with the Haar basis written out: coefficient t
 * of Mallat's layout [a_L | d_L | … | d_1] is the scaling function
 * 2^{−L/2}·1 on block k of length 2^L, or the wavelet of level l, position k:
 * +2^{−l/2} on the first half of block k (length 2^l), −2^{−l/2} on the second.
 */
function haarBasisApply(n: number, L: number) {
  const basis: { start: number; len: number; sign: boolean; scale: number }[] = [];
  for (let k = 0; k < n >> L; k++) basis.push({ start: k << L, len: 1 << L, sign: false, scale: 2 ** (-L / 2) });
  for (let l = L; l >= 1; l--) for (let k = 0; k < n >> l; k++) basis.push({ start: k << l, len: 1 << l, sign: true, scale: 2 ** (-l / 2) });
  return (theta: Float64Array, Y: Matrix): Matrix => {
    const Z = zeros(n, Y.shape[1]);
    for (let c = 0; c < Y.shape[1]; c++) {
      basis.forEach((b, t) => {
        const w = (i: number) => (b.sign && i >= b.start + b.len / 2 ? -b.scale : b.scale);
        let dotp = 0;
        for (let i = b.start; i < b.start + b.len; i++) dotp += w(i) * Y.get(i, c);
        for (let i = b.start; i < b.start + b.len; i++) Z.set(i, c, Z.get(i, c) + theta[t] * dotp * w(i));
      });
    }
    return Z;
  };
}

operatorSuite([
  { op: waveletOperator(16), reference: reference(denseW(16, 1, 4)) },
  { op: waveletOperator(12, { levels: 2 }), reference: reference(denseW(12, 1, 2)) },
  { op: waveletOperator(6, { levels: 0 }), reference: reference(denseW(6, 1, 0)) },
  { op: waveletOperator([8, 4], { levels: 2 }), reference: reference(denseW(8, 4, 2)) },
  { op: waveletOperator([4, 4], { channels: 3 }), reference: reference(denseW(4, 4, 2, 3)), nExamples: 2 },
  { label: 'waveletOperator 1536, 9 levels (matrix-free, against the explicit Haar basis)', op: waveletOperator(1536), dense: false, referenceApply: haarBasisApply(1536, 9) },
]);

describe('waveletOperator', () => {
  it('the eigenvalues of K(θ) are exactly θ (eigSym on toDense), 1-D and 2-D with channels', () => {
    const rng = createRng(3);
    for (const op of [waveletOperator(32), waveletOperator(24, { levels: 3 }), waveletOperator([8, 8], { channels: 2 }), waveletOperator([16, 4], { levels: 1 })]) {
      const theta = rng.normalArray(op.nTheta);
      const { values } = eigSym(op.toDense(theta), { vectors: false });
      const sorted = Float64Array.from(theta).sort();
      let err = 0;
      for (let i = 0; i < sorted.length; i++) err = Math.max(err, Math.abs(values[i] - sorted[i]));
      console.log(`${op.name}: max |λ_i − θ_(i)| = ${err.toExponential(2)}`);
      assert.ok(err < 1e-13, `${op.name}: eigenvalues differ from θ by ${err}`);
      // and the eigenvectors are the wavelets: K w_t = θ_t w_t
      const E = zeros(op.nIn, 1);
      E.data[5] = 1;
      const w = op.synthesis(E);
      assertClose(op.apply(theta, w), w.data.map((v) => theta[5] * v), 1e-14, `${op.name}: K w_5 = θ_5 w_5`);
    }
  });

  it('W is orthonormal: analysis ∘ synthesis = I, ‖W y‖ = ‖y‖, and K(1) = I', () => {
    const rng = createRng(4);
    for (const op of [waveletOperator(64), waveletOperator([16, 8], { channels: 2 })]) {
      const Y = randn(op.nIn, 3, rng);
      assertClose(op.synthesis(op.analysis(Y)), Y, 1e-14, 'Wᵀ W Y = Y');
      assertClose(op.analysis(op.synthesis(Y)), Y, 1e-14, 'W Wᵀ Y = Y');
      const nY = Math.hypot(...Y.data), nC = Math.hypot(...op.analysis(Y).data);
      assert.ok(Math.abs(nY - nC) < 1e-13 * nY);
      assertClose(op.apply(new Float64Array(op.nTheta).fill(1), Y), Y, 1e-14, 'K(1) = I');
    }
  });

  it('known coefficients: a constant has one nonzero average, a step one detail per level', () => {
    const op = waveletOperator(4, { levels: 2 });
    assert.deepEqual(toRows(op.analysis(fromRows([[1], [1], [1], [1]]))).map((r) => +r[0].toFixed(14)), [2, 0, 0, 0]);
    // [1, −1, 0, 0]: level 1 gives a = [0, 0], d = [√2, 0]; level 2 leaves it.
    assertClose(op.analysis(fromRows([[1], [-1], [0], [0]])), fromRows([[0], [0], [Math.SQRT2], [0]]), 1e-15, 'step');
    // 2-D: the constant 2×2 image of ones has the single coefficient 2 (= ‖image‖) at the LL corner.
    const op2 = waveletOperator([2, 2]);
    assertClose(op2.analysis(fromRows([[1], [1], [1], [1]])), fromRows([[2], [0], [0], [0]]), 1e-15, '2-D constant');
  });

  it('leaves the channels independent: θ on one channel does not touch another', () => {
    const op = waveletOperator([4, 4], { channels: 2 });
    const theta = new Float64Array(32);
    theta.fill(3, 0, 16);
    const Y = randn(32, 1, createRng(5));
    const Z = op.apply(theta, Y);
    for (let i = 0; i < 16; i++) assert.ok(Math.abs(Z.data[i] - 3 * Y.data[i]) < 1e-14);
    for (let i = 16; i < 32; i++) assert.equal(Z.data[i], 0);
  });

  it('takes the most levels by default and rejects sizes, levels and wavelets it cannot do', () => {
    assert.equal(waveletOperator(48).levels, 4);
    assert.equal(waveletOperator([28, 28]).levels, 2);
    assert.equal(waveletOperator(7).levels, 0);
    assert.throws(() => waveletOperator(12, { levels: 3 }), /waveletOperator: levels = 3 needs n = 12 must be divisible by 2\^3 = 8 \(at most 2 levels here\)/);
    assert.throws(() => waveletOperator([8, 6], { levels: 2 }), /nx = 8 and ny = 6 must be divisible by 2\^2 = 4/);
    assert.throws(() => waveletOperator(8, { wavelet: 'db2' as 'haar' }), /waveletOperator: wavelet must be 'haar', got db2/);
    assert.throws(() => waveletOperator(0), /waveletOperator: n must be a positive integer, got 0/);
    assert.throws(() => waveletOperator(8, { channels: 2 }), /channels is for images/);
    assert.throws(() => waveletOperator(8, { levels: -1 }), /levels must be a non-negative integer, got -1/);
    assert.throws(() => waveletOperator([4, 4], { channels: 2 }).analysis(zeros(16, 1)), /waveletOperator.analysis: Y has 16 rows, expected 32 \(4×4×2\)/);
  });
});
