/**
 * 1-D convolution: the lecture's 4-point Toeplitz and circulant matrices entry
 * for entry, the FFT diagonalisation (λ = F(K e_1), conj(λ) for Kᵀ), FFT and
 * direct periodic paths agreeing, eigenvalues without building K, validation.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng, eigvals, fft, ifft, randn, toRows, zeros, type Matrix } from '../../src/core/index.js';
import { circulantEigenvalues, conv1d, sparseQ, sparseToDense } from '../../src/operators/index.js';
import { assertClose } from '../helpers/assertions.js';
import { operatorSuite } from '../helpers/operatorSuite.js';

/** K from z_i = Σ_{j=−k..k} θ_{c−j} y_{i+j} (1-based θ, c = k+1), entry by entry. */
function conv1dRef(n: number, p: number, periodic: boolean) {
  const k = (p - 1) / 2;
  return (theta: Float64Array): Matrix => {
    const K = zeros(n, n);
    for (let i = 0; i < n; i++) {
      for (let j = -k; j <= k; j++) {
        let col = i + j;
        if (col < 0 || col >= n) {
          if (!periodic) continue;
          col = (col + n) % n;
        }
        const c = k + 1; // 1-based centre
        K.set(i, col, K.get(i, col) + theta[c - j - 1]);
      }
    }
    return K;
  };
}

operatorSuite([
  { op: conv1d(4, 3), reference: conv1dRef(4, 3, false) },
  { op: conv1d(9, 5, { boundary: 'zero' }), reference: conv1dRef(9, 5, false) },
  { op: conv1d(4, 3, { boundary: 'periodic', method: 'direct' }), reference: conv1dRef(4, 3, true) },
  { op: conv1d(4, 3, { boundary: 'periodic', method: 'fft' }), reference: conv1dRef(4, 3, true) },
  { op: conv1d(12, 5, { boundary: 'periodic', method: 'fft' }), reference: conv1dRef(12, 5, true), nExamples: 5 },
  { op: conv1d(16, 7, { boundary: 'periodic', method: 'direct' }), reference: conv1dRef(16, 7, true) },
  { op: conv1d(7, 7, { boundary: 'periodic' }), reference: conv1dRef(7, 7, true) },
  { op: conv1d(30, 21, { boundary: 'periodic' }), reference: conv1dRef(30, 21, true) },
]);

const th = Float64Array.of(1, 2, 3);

describe('conv1d', () => {
  it("zero boundary: the lecture's 4-point Toeplitz matrix (rows [θ3 θ2 θ1])", () => {
    assert.deepEqual(toRows(conv1d(4, 3).toDense(th)), [
      [2, 1, 0, 0],
      [3, 2, 1, 0],
      [0, 3, 2, 1],
      [0, 0, 3, 2],
    ]);
  });
  it("periodic boundary: the lecture's 4-point circulant matrix, first column [θ2, θ3, 0, θ1]", () => {
    for (const method of ['direct', 'fft'] as const) {
      const K = toRows(conv1d(4, 3, { boundary: 'periodic', method }).toDense(th));
      assert.deepEqual(K, [
        [2, 1, 0, 3],
        [3, 2, 1, 0],
        [0, 3, 2, 1],
        [1, 0, 3, 2],
      ]);
      assert.deepEqual(K.map((r) => r[0]), [2, 3, 0, 1]);
    }
  });
  it('Q has one unit entry per stencil position', () => {
    const Q = sparseToDense(sparseQ(conv1d(4, 3)));
    assert.deepEqual(Q.shape, [16, 3]);
    assert.equal(Q.data.reduce((a, b) => a + b, 0), 10); // 4 + 3 + 3 non-zeros of a 4×4 tridiagonal
  });
  it('periodic FFT and direct paths agree to rounding (apply, transpose, vjp)', () => {
    const rng = createRng(4);
    for (const [n, p] of [[16, 3], [28, 5], [31, 9], [64, 17]]) {
      const a = conv1d(n, p, { boundary: 'periodic', method: 'fft' });
      const b = conv1d(n, p, { boundary: 'periodic', method: 'direct' });
      const t = rng.normalArray(p), Y = randn(n, 5, rng), Z = randn(n, 5, rng);
      assertClose(a.apply(t, Y), b.apply(t, Y), 1e-13, `apply n=${n} p=${p}`);
      assertClose(a.applyTranspose(t, Z), b.applyTranspose(t, Z), 1e-13, `transpose n=${n} p=${p}`);
      assertClose(a.vjp(Z, Y), b.vjp(Z, Y), 1e-13, `vjp n=${n} p=${p}`);
    }
  });
  it("'auto' takes the direct path for short stencils and the FFT for long ones", () => {
    assert.match(conv1d(64, 3, { boundary: 'periodic' }).name, /direct/);
    assert.match(conv1d(64, 33, { boundary: 'periodic' }).name, /fft/);
  });
  it('K y = real(ifft(λ ∘ fft(y))) and Kᵀ y = real(ifft(conj(λ) ∘ fft(y))) with λ = fft(K e_1)', () => {
    const rng = createRng(6);
    const n = 16, t = rng.normalArray(3);
    const op = conv1d(n, 3, { boundary: 'periodic' });
    const K = op.toDense(t);
    const col = K.data.slice(0, n);
    const lam = fft(col);
    const y = rng.normalArray(n);
    const Y = fft(y);
    const mul = (conj: number) => {
      const re = new Float64Array(n), im = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const lr = lam.re[i], li = conj * lam.im[i];
        re[i] = lr * Y.re[i] - li * Y.im[i];
        im[i] = lr * Y.im[i] + li * Y.re[i];
      }
      return ifft(re, im).re;
    };
    const Ym = zeros(n, 1);
    Ym.data.set(y);
    assertClose(mul(1), op.apply(t, Ym).data, 1e-13, 'K y');
    assertClose(mul(-1), op.applyTranspose(t, Ym).data, 1e-13, 'Kᵀ y');
  });
  it('rejects even stencils, stencils larger than the grid and bad options', () => {
    assert.throws(() => conv1d(8, 4), /conv1d: stencil size 4 is even, expected an odd size/);
    assert.throws(() => conv1d(4, 5), /conv1d: stencil size 5 is larger than the grid \(n = 4\)/);
    assert.throws(() => conv1d(4, 3, { boundary: 'reflect' as never }), /boundary must be 'zero' or 'periodic', got reflect/);
    assert.throws(() => conv1d(4, 3, { method: 'slow' as never }), /method must be 'fft', 'direct' or 'auto', got slow/);
    assert.throws(() => conv1d(4, 3).apply(new Float64Array(2), zeros(4, 1)), /^NumdlError: conv1d: theta has length 2, expected 3$/);
    assert.throws(() => conv1d(4, 3).apply(th, zeros(5, 1)), /conv1d: Y has 5 rows, expected 4/);
  });
});

/** Match two lists of complex numbers as multisets (greedy nearest), return the max distance. */
function multisetDistance(a: { re: ArrayLike<number>; im: ArrayLike<number> }, b: { re: ArrayLike<number>; im: ArrayLike<number> }): number {
  const used = new Array(b.re.length).fill(false);
  let worst = 0;
  for (let i = 0; i < a.re.length; i++) {
    let best = Infinity, bj = -1;
    for (let j = 0; j < b.re.length; j++) {
      if (used[j]) continue;
      const d = Math.hypot(a.re[i] - b.re[j], a.im[i] - b.im[j]);
      if (d < best) {
        best = d;
        bj = j;
      }
    }
    used[bj] = true;
    worst = Math.max(worst, best);
  }
  return worst;
}

describe('circulantEigenvalues', () => {
  it('the FFT of the shifted stencil equals eigvals(toDense(θ)) for n = 16 and n = 12', () => {
    const rng = createRng(11);
    for (const n of [16, 12]) {
      for (const p of [3, 5]) {
        const t = rng.normalArray(p);
        const lam = circulantEigenvalues(t, n);
        const ev = eigvals(conv1d(n, p, { boundary: 'periodic' }).toDense(t));
        const d = multisetDistance(lam, ev);
        assert.ok(d < 1e-10, `n = ${n}, p = ${p}: eigenvalue sets differ by ${d}`);
      }
    }
  });
  it('equals the FFT of the first column of K (lecture step 2) and never needs K', () => {
    const t = Float64Array.of(-1, 2, -1);
    const lam = circulantEigenvalues(t, 4);
    assertClose(lam.re, [0, 2, 4, 2], 1e-15, 'λ of the periodic Laplacian');
    assertClose(lam.im, [0, 0, 0, 0], 1e-15, 'λ imaginary parts');
    const big = circulantEigenvalues(createRng(2).normalArray(101), 100_003);
    assert.equal(big.re.length, 100_003);
  });
  it('rejects bad stencils', () => {
    assert.throws(() => circulantEigenvalues(new Float64Array(4), 8), /circulantEigenvalues: stencil size 4 is even/);
    assert.throws(() => circulantEigenvalues(new Float64Array(9), 8), /stencil size 9 is larger than the grid size 8/);
  });
});
