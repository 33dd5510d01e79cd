/**
 * The simple parametric models K(θ) = mat(Qθ): dense, diagonal,
 * antisymmetric and M-matrix — the lecture's n = 3 examples entry for entry,
 * their Q, structural properties, and the conformance suite.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng, eigvals, fromRows, toRows, zeros, type Matrix } from '../../src/core/index.js';
import { antisymmetric, dense, diagonal, mMatrix, sparseMatVec, sparseMatVecTranspose, sparseQ, sparseToDense } from '../../src/operators/index.js';
import { assertClose } from '../helpers/assertions.js';
import { operatorSuite } from '../helpers/operatorSuite.js';

// Independent references, straight from the definitions in docs/conventions.md §2.
function denseRef(nOut: number, nIn: number) {
  return (theta: Float64Array): Matrix => {
    const K = zeros(nOut, nIn);
    for (let i = 0; i < nOut; i++) for (let j = 0; j < nIn; j++) K.set(i, j, theta[i + j * nOut]);
    return K;
  };
}
function diagRef(n: number) {
  return (theta: Float64Array): Matrix => {
    const K = zeros(n, n);
    for (let i = 0; i < n; i++) K.set(i, i, theta[i]);
    return K;
  };
}
function antisymRef(n: number) {
  return (theta: Float64Array): Matrix => {
    const K = zeros(n, n);
    let t = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        K.set(i, j, theta[t]);
        K.set(j, i, -theta[t]);
        t++;
      }
    }
    return K;
  };
}
function mMatrixRef(n: number) {
  return (theta: Float64Array): Matrix => {
    const K = zeros(n, n);
    let t = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        K.set(i, j, -theta[t]);
        K.set(i, i, K.get(i, i) + theta[t]);
        t++;
      }
    }
    return K;
  };
}

operatorSuite([
  { op: dense(3, 5), reference: denseRef(3, 5) },
  { op: dense(1, 1), reference: denseRef(1, 1) },
  { op: diagonal(7), reference: diagRef(7) },
  { op: antisymmetric(3), reference: antisymRef(3) },
  { op: antisymmetric(6), reference: antisymRef(6), nExamples: 4 },
  { op: mMatrix(3), reference: mMatrixRef(3) },
  { op: mMatrix(5), reference: mMatrixRef(5) },
]);

const th = (...v: number[]) => Float64Array.from(v);

describe('dense', () => {
  it('θ = vec(K), column-major like MATLAB K(:)', () => {
    assert.deepEqual(toRows(dense(2, 3).toDense(th(1, 2, 3, 4, 5, 6))), [[1, 3, 5], [2, 4, 6]]);
    assert.equal(dense(4, 6).nTheta, 24);
  });
  it('rejects bad sizes', () => {
    assert.throws(() => dense(0, 3), /dense: nOut must be a positive integer, got 0/);
    assert.throws(() => dense(2, 1.5), /dense: nIn must be a positive integer, got 1.5/);
  });
});

describe('diagonal', () => {
  it('K = diag(θ)', () => {
    assert.deepEqual(toRows(diagonal(3).toDense(th(1, 2, 3))), [[1, 0, 0], [0, 2, 0], [0, 0, 3]]);
  });
});

describe('antisymmetric', () => {
  it("matches the lecture's n = 3 example entry for entry (row-by-row upper triangle)", () => {
    // [[0, θ1, θ2], [−θ1, 0, θ3], [−θ2, −θ3, 0]]
    assert.deepEqual(toRows(antisymmetric(3).toDense(th(1, 2, 3))), [[0, 1, 2], [-1, 0, 3], [-2, -3, 0]]);
    assert.equal(antisymmetric(3).nTheta, 3);
    assert.equal(antisymmetric(10).nTheta, 45);
  });
  it('Q maps θ to vec(K) with ±1 entries', () => {
    const Q = sparseToDense(sparseQ(antisymmetric(3)));
    assert.deepEqual(Q.shape, [9, 3]);
    // rows of Q index vec(K) column-major: K(0,1) is row 3, K(1,0) is row 1
    assert.deepEqual(toRows(Q)[3], [1, 0, 0]);
    assert.deepEqual(toRows(Q)[1], [-1, 0, 0]);
  });
  it('applyTranspose is −apply', () => {
    const op = antisymmetric(5);
    const rng = createRng(3);
    const t = rng.normalArray(op.nTheta);
    const Y = fromRows([[1], [2], [3], [4], [5]]);
    const a = op.apply(t, Y).data, b = op.applyTranspose(t, Y).data;
    for (let i = 0; i < 5; i++) assert.ok(Math.abs(a[i] + b[i]) < 1e-14);
  });
  it('all eigenvalues have zero real part', () => {
    const rng = createRng(5);
    for (const n of [3, 8, 15]) {
      const op = antisymmetric(n);
      const K = op.toDense(rng.normalArray(op.nTheta));
      const { re, im } = eigvals(K);
      const scale = Math.max(...Array.from(im, Math.abs));
      for (const r of re) assert.ok(Math.abs(r) < 1e-12 * Math.max(1, scale), `n = ${n}: eigenvalue real part ${r}`);
    }
  });
});

describe('mMatrix', () => {
  it("matches the lecture's n = 3 example entry for entry", () => {
    // [[θ1+θ2, −θ1, −θ2], [−θ3, θ3+θ4, −θ4], [−θ5, −θ6, θ5+θ6]]
    const t = th(1, 2, 3, 4, 5, 6);
    assert.deepEqual(toRows(mMatrix(3).toDense(t)), [[3, -1, -2], [-3, 7, -4], [-5, -6, 11]]);
  });
  it("Q is the lecture's 9 × 6 matrix", () => {
    const Q = [
      [1, 1, 0, 0, 0, 0],
      [0, 0, -1, 0, 0, 0],
      [0, 0, 0, 0, -1, 0],
      [-1, 0, 0, 0, 0, 0],
      [0, 0, 1, 1, 0, 0],
      [0, 0, 0, 0, 0, -1],
      [0, -1, 0, 0, 0, 0],
      [0, 0, 0, -1, 0, 0],
      [0, 0, 0, 0, 1, 1],
    ];
    assert.deepEqual(toRows(sparseToDense(sparseQ(mMatrix(3)))), Q);
  });
  it('rows sum to zero; θ ≥ 0 gives an M-matrix sign pattern', () => {
    const rng = createRng(9);
    for (const n of [2, 4, 9]) {
      const op = mMatrix(n);
      const t = rng.uniformArray(op.nTheta);
      const K = toRows(op.toDense(t));
      for (let i = 0; i < n; i++) {
        const s = K[i].reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(s) < 1e-14, `row ${i} sums to ${s}`);
        for (let j = 0; j < n; j++) assert.ok(i === j ? K[i][j] >= 0 : K[i][j] <= 0);
      }
      // zero row sums: K·1 = 0 through the matrix-free apply too
      const ones = zeros(n, 1);
      ones.data.fill(1);
      assert.ok(op.apply(t, ones).data.every((v) => Math.abs(v) < 1e-14));
    }
  });
});

describe('sparse Q helpers', () => {
  it('sparseToDense, sparseMatVec and sparseMatVecTranspose agree with the dense Q', () => {
    const op = mMatrix(4);
    const S = sparseQ(op);
    const Q = sparseToDense(S);
    const rng = createRng(12);
    const x = rng.normalArray(op.nTheta), y = rng.normalArray(16);
    const Qx = new Float64Array(16), QTy = new Float64Array(op.nTheta);
    for (let i = 0; i < 16; i++) for (let t = 0; t < op.nTheta; t++) {
      Qx[i] += Q.get(i, t) * x[t];
      QTy[t] += Q.get(i, t) * y[i];
    }
    assertClose(sparseMatVec(S, x), Qx, 1e-14, 'Q x');
    assertClose(sparseMatVecTranspose(S, y), QTy, 1e-14, 'Qᵀ y');
    // vjp is Qᵀ vec(Z Yᵀ) for one example
    const Y = fromRows([[1], [2], [3], [4]]), Z = fromRows([[0.5], [-1], [2], [1]]);
    const G = new Float64Array(16);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) G[i + 4 * j] = Z.get(i, 0) * Y.get(j, 0);
    assertClose(op.vjp(Z, Y), sparseMatVecTranspose(S, G), 1e-14, 'vjp = Qᵀ vec(Z Yᵀ)');
  });
  it('rejects wrong lengths and out-of-range entries', () => {
    const S = sparseQ(diagonal(2));
    assert.throws(() => sparseMatVec(S, new Float64Array(3)), /sparseMatVec: x has length 3, expected 2/);
    assert.throws(() => sparseMatVecTranspose(S, new Float64Array(3)), /sparseMatVecTranspose: x has length 3, expected 4/);
    assert.throws(() => sparseToDense({ ...S, rows: 1 }), /sparseToDense: entry 1 at \(3, 1\) is outside 1×2/);
  });
  it('degenerate n = 1: no parameters, K = [0]', () => {
    assert.equal(antisymmetric(1).nTheta, 0);
    assert.deepEqual(toRows(antisymmetric(1).toDense(new Float64Array(0))), [[0]]);
    assert.deepEqual(toRows(mMatrix(1).toDense(new Float64Array(0))), [[0]]);
    assert.equal(sparseQ(mMatrix(1)).values.length, 0);
  });
});
