import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createRng, randn, fromRows, toRows, matmul, transpose, zeros, vec, mat,
  kron, fromMatrix, toDense, compose, sum, scale, transposeOp, identityOperator, zeroOperator, blockDiagonal, applyToColumns, linearOperator,
} from '../../src/index.js';
import type { Matrix } from '../../src/index.js';
import { assertAdjoint, assertClose } from '../helpers/assertions.js';

/** The Kronecker product built entry by entry from its definition: (A⊗B)[i·rb + k, j·cb + l] = A[i,j]·B[k,l]. */
function kronDense(A: Matrix, B: Matrix): Matrix {
  const [ra, ca] = A.shape, [rb, cb] = B.shape;
  const K = zeros(ra * rb, ca * cb);
  for (let i = 0; i < ra; i++) for (let j = 0; j < ca; j++) for (let k = 0; k < rb; k++) for (let l = 0; l < cb; l++) {
    K.set(i * rb + k, j * cb + l, A.get(i, j) * B.get(k, l));
  }
  return K;
}

test('kron(A, B) equals the explicit Kronecker product, dense and operator factors', () => {
  const rng = createRng(11);
  for (const [ra, ca, rb, cb] of [[2, 3, 4, 5], [1, 1, 3, 2], [3, 2, 1, 4], [4, 4, 4, 4]]) {
    const A = randn(ra, ca, rng), B = randn(rb, cb, rng);
    const ref = kronDense(A, B);
    assertClose(toDense(kron(A, B)), ref, 1e-14, `kron dense ${ra}x${ca} ⊗ ${rb}x${cb}`);
    assertClose(toDense(kron(fromMatrix(A), fromMatrix(B))), ref, 1e-14, 'kron of operators');
    assertClose(toDense(kron(A, fromMatrix(B))), ref, 1e-14, 'kron mixed');
    assertClose(toDense(transposeOp(kron(A, B))), transpose(ref), 1e-14, 'kron transpose');
    assertAdjoint('kron', (v) => kron(A, B).apply(v), (w) => kron(A, B).applyTranspose(w), { nIn: ca * cb, nOut: ra * rb, rng });
  }
});

test('(A ⊗ B) vec(X) = vec(B X Aᵀ) with column-major vec', () => {
  const rng = createRng(3);
  const A = randn(3, 2, rng), B = randn(4, 5, rng), X = randn(5, 2, rng);
  const lhs = kron(A, B).apply(vec(X));
  const rhs = vec(matmul(matmul(B, X), A, { transB: true }));
  assertClose(lhs, rhs, 1e-14);
  // the lecture's J_W = (σ(KY)ᵀ ⊗ I): applied to vec(W) gives vec(W σ(KY))
  const Z = randn(6, 7, rng), W = randn(2, 6, rng);
  assertClose(kron(transpose(Z), identityOperator(2)).apply(vec(W)), vec(matmul(W, Z)), 1e-14, 'J_W');
});

test('composition, sum, scaling, transpose, identityOperator, zero and block-diagonal match dense algebra', () => {
  const rng = createRng(4);
  const A = randn(3, 4, rng), B = randn(4, 2, rng), C = randn(3, 4, rng);
  assertClose(toDense(compose(A, B)), matmul(A, B), 1e-14, 'compose');
  assertClose(toDense(sum(A, C, A)), mat(vec(A).map((a, i) => 2 * a + vec(C)[i]), 3, 4), 1e-14, 'sum');
  assertClose(toDense(scale(-2.5, A)), mat(vec(A).map((a) => -2.5 * a), 3, 4), 1e-14, 'scale');
  assertClose(toDense(transposeOp(A)), transpose(A), 1e-14, 'transpose');
  assert.deepEqual(toRows(toDense(identityOperator(2))), [[1, 0], [0, 1]]);
  assert.deepEqual(toRows(toDense(zeroOperator(2, 1))), [[0], [0]]);
  const D = toDense(blockDiagonal([fromRows([[1, 2]]), fromRows([[3], [4]])]));
  assert.deepEqual(toRows(D), [[1, 2, 0], [0, 0, 3], [0, 0, 4]]);
  for (const [name, op] of [['compose', compose(A, B)], ['sum', sum(A, C)], ['blockDiagonal', blockDiagonal([A, B])]] as const) {
    assertAdjoint(name, (v) => op.apply(v), (w) => op.applyTranspose(w), { nIn: op.cols, nOut: op.rows, rng });
  }
  assertClose(applyToColumns(fromMatrix(A), B.shape[0] === 4 ? randn(4, 3, createRng(1)) : B), matmul(A, randn(4, 3, createRng(1))), 1e-14, 'applyToColumns');
});

test('operators never mutate their input', () => {
  const rng = createRng(8);
  const A = randn(3, 3, rng), B = randn(2, 2, rng);
  const x = rng.normalArray(6), copy = Float64Array.from(x);
  for (const op of [kron(A, B), compose(kron(A, B), identityOperator(6)), scale(2, kron(A, B)), blockDiagonal([A, A])]) {
    op.apply(x);
    op.applyTranspose(x);
    assert.deepEqual(Array.from(x), Array.from(copy));
  }
});

test('size mismatches are reported with the shapes', () => {
  const A = zeros(3, 4), B = zeros(5, 2);
  assert.throws(() => compose(A, B), /compose: operator 0 is 3×4, so operator 1 must have 4 rows .*, but it is 5×2/);
  assert.throws(() => sum(A, B), /sum: operator 0 is 3×4 but operator 1 is 5×2/);
  assert.throws(() => fromMatrix(A).apply(new Float64Array(3)), /fromMatrix.apply: x has length 3, expected 4/);
  assert.throws(() => kron(A, B).applyTranspose(new Float64Array(2)), /kron.applyTranspose: y has length 2, expected 15/);
  assert.throws(() => applyToColumns(fromMatrix(A), zeros(3, 3)), /applyToColumns: A is 3×4 but Y is 3×3/);
  assert.throws(() => linearOperator({ rows: -1, cols: 2, apply: (x) => x, applyTranspose: (y) => y }), /linearOperator: rows must be a non-negative integer, got -1/);
});
