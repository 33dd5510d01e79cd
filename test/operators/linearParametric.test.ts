/**
 * linearParametric (K(θ) = mat(Qθ) for a user's Q, dense or triplets) and
 * sparsityPattern: the conformance suite, K built entry by entry from Q,
 * the existing operators rebuilt from their own Q, and the input checks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng, fromRows, matmul, randn, toRows, zeros, type Matrix } from '../../src/core/index.js';
import { antisymmetric, conv1d, conv2d, dense, diagonal, linearParametric, mMatrix, sparseQ, sparseToDense, sparsityPattern } from '../../src/operators/index.js';
import { assertClose } from '../helpers/assertions.js';
import { operatorSuite } from '../helpers/operatorSuite.js';

/** A random dense Q with about `density` of its entries nonzero. */
function randomQ(nK: number, p: number, density: number, seed: number): Matrix {
  const rng = createRng(seed);
  const Q = zeros(nK, p);
  for (let k = 0; k < nK * p; k++) if (rng.uniform() < density) Q.data[k] = rng.normal();
  return Q;
}

/** K(θ) from the definition: K_{ij} = Σ_t Q_{i + j·rows, t} θ_t, with a naive loop over the dense Q. */
function qReference(Q: Matrix, rows: number, cols: number) {
  return (theta: Float64Array): Matrix => {
    const K = zeros(rows, cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let t = 0; t < Q.shape[1]; t++) s += Q.get(i + j * rows, t) * theta[t];
      K.set(i, j, s);
    }
    return K;
  };
}

/** The same Q as triplets (with one entry split in two, to check that duplicates add). */
function triplets(Q: Matrix) {
  const r: number[] = [], c: number[] = [], v: number[] = [];
  for (let t = 0; t < Q.shape[1]; t++) for (let i = 0; i < Q.shape[0]; i++) {
    const x = Q.get(i, t);
    if (x === 0) continue;
    if (r.length === 0) { r.push(i, i); c.push(t, t); v.push(0.25 * x, 0.75 * x); continue; }
    r.push(i); c.push(t); v.push(x);
  }
  return { rows: Q.shape[0], cols: Q.shape[1], rowIdx: r, colIdx: c, values: v };
}

const Qsparse = randomQ(4 * 5, 6, 0.08, 1); // support well below a quarter of K: the entry-by-entry path
const Qdense = randomQ(4 * 5, 6, 0.6, 2); // support over a quarter: the GEMM path
const Qrect = randomQ(7 * 3, 4, 0.3, 3);
const mask = fromRows([[1, 0, 0, 2], [0, 1, 0, 0], [3, 0, 0, 1]]);
const maskRef = (theta: Float64Array): Matrix => {
  const K = zeros(3, 4);
  // column-major order of the nonzeros: (0,0), (2,0), (1,1), (0,3), (2,3)
  [[0, 0], [2, 0], [1, 1], [0, 3], [2, 3]].forEach(([i, j], t) => K.set(i, j, theta[t]));
  return K;
};

operatorSuite([
  { label: 'linearParametric, sparse support (dense Q 20×6)', op: linearParametric(Qsparse, [4, 5]), reference: qReference(Qsparse, 4, 5) },
  { label: 'linearParametric, dense support (dense Q 20×6)', op: linearParametric(Qdense, [4, 5]), reference: qReference(Qdense, 4, 5) },
  { label: 'linearParametric, triplets (7×3, p = 4)', op: linearParametric(triplets(Qrect), [7, 3]), reference: qReference(Qrect, 7, 3), nExamples: 5 },
  { label: 'sparsityPattern 3×4 (5 nonzeros)', op: sparsityPattern(mask), reference: maskRef },
  { label: 'sparsityPattern 6×6 tridiagonal', op: sparsityPattern(Array.from({ length: 6 }, (_, i) => Array.from({ length: 6 }, (_, j) => Math.abs(i - j) <= 1))) },
]);

describe('linearParametric', () => {
  it("rebuilds the lecture's M-matrix, and every existing linear operator, from its own Q", () => {
    const t = Float64Array.of(1, 2, 3, 4, 5, 6);
    assert.deepEqual(toRows(linearParametric(sparseQ(mMatrix(3)), [3, 3]).toDense(t)), [[3, -1, -2], [-3, 7, -4], [-5, -6, 11]]);
    const rng = createRng(4);
    const ops = [dense(3, 4), diagonal(5), antisymmetric(4), mMatrix(4), conv1d(9, 3, { boundary: 'periodic' }), conv1d(8, 5, { boundary: 'zero' }), conv2d([4, 5], [3, 3, 2, 3], { boundary: 'zero' })];
    for (const op of ops) {
      const g = linearParametric(sparseQ(op), [op.nOut, op.nIn]);
      assert.equal(g.nTheta, op.nTheta, op.name);
      const theta = rng.normalArray(op.nTheta);
      const Y = randn(op.nIn, 3, rng), Z = randn(op.nOut, 3, rng);
      assertClose(g.apply(theta, Y), op.apply(theta, Y), 1e-13, `${op.name} apply`);
      assertClose(g.applyTranspose(theta, Z), op.applyTranspose(theta, Z), 1e-13, `${op.name} applyTranspose`);
      assertClose(g.vjp(Z, Y), op.vjp(Z, Y), 1e-13, `${op.name} vjp`);
    }
  });

  it('dense Q and the same Q as triplets give the same operator; Q() returns it', () => {
    const a = linearParametric(Qrect, [7, 3]), b = linearParametric(triplets(Qrect), [7, 3]);
    const rng = createRng(5);
    const theta = rng.normalArray(4), Y = randn(3, 2, rng);
    assertClose(a.apply(theta, Y), b.apply(theta, Y), 1e-15, 'apply');
    assertClose(sparseToDense(sparseQ(a)), Qrect, 0, 'Q of the dense input');
    assertClose(sparseToDense(sparseQ(b)), Qrect, 1e-15, 'Q of the triplets (duplicates added)');
  });

  it('copies Q: changing it afterwards does not change the operator', () => {
    const Q = Qrect.data.slice();
    const M = zeros(21, 4);
    M.data.set(Q);
    const op = linearParametric(M, [7, 3]);
    const theta = Float64Array.of(1, -2, 0.5, 3);
    const before = op.toDense(theta);
    M.data.fill(7);
    assert.deepEqual(op.toDense(theta).data, before.data);
  });

  it('an all-zero Q gives K = 0 and a zero gradient', () => {
    const op = linearParametric(zeros(6, 2), [2, 3]);
    const Y = randn(3, 4, createRng(6));
    assert.ok(op.apply(Float64Array.of(1, 2), Y).data.every((v) => v === 0));
    assert.deepEqual(Array.from(op.vjp(randn(2, 4, createRng(7)), Y)), [0, 0]);
  });

  it('matches K(θ) = mat(Qθ) against matmul on a larger random case', () => {
    const Q = randomQ(30 * 20, 15, 0.05, 8);
    const op = linearParametric(Q, [30, 20]);
    const rng = createRng(9);
    const theta = rng.normalArray(15);
    const K = qReference(Q, 30, 20)(theta);
    const Y = randn(20, 7, rng);
    assertClose(op.apply(theta, Y), matmul(K, Y), 1e-13, 'apply');
  });

  it('rejects a wrong shape, a Q with the wrong rows, out-of-range or non-finite entries, naming the values', () => {
    assert.throws(() => linearParametric(zeros(6, 2), [2, 4]), /linearParametric: Q is 6×2, expected rows·cols = 2·4 = 8 rows/);
    assert.throws(() => linearParametric(zeros(6, 2), [0, 3] as [number, number]), /linearParametric: shape\[0\] \(rows\) must be a positive integer, got 0/);
    assert.throws(() => linearParametric(zeros(6, 2), [6] as unknown as [number, number]), /linearParametric: shape must be \[rows, cols\], got an array of length 1/);
    assert.throws(() => linearParametric({ rows: 6, cols: 2, rowIdx: [6], colIdx: [0], values: [1] }, [2, 3]), /linearParametric: Q entry 0 at \(6, 0\) is outside 6×2/);
    assert.throws(() => linearParametric({ rows: 6, cols: 2, rowIdx: [1], colIdx: [0], values: [NaN] }, [2, 3]), /linearParametric: Q entry 0 at \(1, 0\) is NaN/);
    assert.throws(() => linearParametric({ rows: 5, cols: 2, rowIdx: [], colIdx: [], values: [] }, [2, 3]), /linearParametric: Q has 5 rows, expected rows·cols = 2·3 = 6/);
    assert.throws(() => linearParametric({ rows: 6, cols: 2, rowIdx: [1, 2], colIdx: [0], values: [1] }, [2, 3]), /one length, got 2, 1 and 1/);
    const Q = zeros(6, 1);
    Q.data[3] = Infinity;
    assert.throws(() => linearParametric(Q, [2, 3]), /linearParametric: Q\(3, 0\) is Infinity, expected a finite number/);
  });
});

describe('sparsityPattern', () => {
  it('θ fills the nonzeros of the mask in column-major order', () => {
    const op = sparsityPattern(mask);
    assert.equal(op.nTheta, 5);
    assert.deepEqual(toRows(op.toDense(Float64Array.of(1, 2, 3, 4, 5))), [[1, 0, 0, 4], [0, 3, 0, 0], [2, 0, 0, 5]]);
    assert.deepEqual(toRows(sparsityPattern([[true, false], [true, true]]).toDense(Float64Array.of(7, 8, 9))), [[7, 0], [8, 9]]);
  });

  it('a full mask is the dense model, θ = vec(K)', () => {
    const op = sparsityPattern(fromRows([[1, 1, 1], [1, 1, 1]]));
    const rng = createRng(11);
    const theta = rng.normalArray(6), Y = randn(3, 4, rng), Z = randn(2, 4, rng);
    const d = dense(2, 3);
    assertClose(op.apply(theta, Y), d.apply(theta, Y), 1e-15, 'apply');
    assertClose(op.vjp(Z, Y), d.vjp(Z, Y), 1e-14, 'vjp');
  });

  it('an empty pattern has no parameters and K = 0', () => {
    const op = sparsityPattern([[0, 0], [0, 0]]);
    assert.equal(op.nTheta, 0);
    assert.deepEqual(toRows(op.toDense(new Float64Array(0))), [[0, 0], [0, 0]]);
  });

  it('rejects ragged, empty or non-numeric masks', () => {
    assert.throws(() => sparsityPattern([[1, 0], [1]]), /sparsityPattern: mask row 1 has 1 entries, expected 2/);
    assert.throws(() => sparsityPattern([]), /sparsityPattern: mask must have at least one row/);
    assert.throws(() => sparsityPattern([[1, NaN]]), /sparsityPattern: mask\(0, 1\) is NaN, expected a finite number or a boolean/);
  });
});
