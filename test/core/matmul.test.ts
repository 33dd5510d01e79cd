/**
 * matmul / matmulInto / gemm / gemm32 against a naive triple loop: sizes that
 * straddle the kernel's register tile (4) and blocks (mc = 128, kc = 256,
 * nc = 2048), all four transpose cases, alpha/beta, strided views, single
 * precision, empty inner dimension, and the error messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import ndarray from 'ndarray';
import {
  matmul, matmulInto, matrix, zeros, randn, createRng, toFloat32, toFloat64, clone, fromRows, toRows,
  type AnyMatrix, type Matrix, type Rng,
} from '../../src/index.js';
import { gemm, gemm32, GEMM_BLOCKS } from '../../src/internals.js';
import { assertClose } from '../helpers/assertions.js';

const TRANS: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];

/** Reference op(A)·op(B) through ndarray's get (so it follows any strides). */
function naive(A: AnyMatrix, B: AnyMatrix, transA = false, transB = false): Matrix {
  const m = transA ? A.shape[1] : A.shape[0];
  const k = transA ? A.shape[0] : A.shape[1];
  const n = transB ? B.shape[0] : B.shape[1];
  const a = new Float64Array(m * k), b = new Float64Array(k * n);
  for (let p = 0; p < k; p++) for (let i = 0; i < m; i++) a[i + p * m] = transA ? A.get(p, i) : A.get(i, p);
  for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) b[p + j * k] = transB ? B.get(j, p) : B.get(p, j);
  const C = zeros(m, n);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i + p * m] * b[p + j * k];
      C.data[i + j * m] = s;
    }
  }
  return C;
}

/** Stored operands for op(X) of size r×c: X itself is c×r when transposed. */
function operand(rows: number, cols: number, trans: boolean, rng: Rng): Matrix {
  return trans ? randn(cols, rows, rng) : randn(rows, cols, rng);
}

function relTol(k: number): number {
  return 1e-14 * Math.max(8, k);
}

test('matmul equals the naive triple loop for sizes around the tile and block edges, all transpose cases', () => {
  const rng = createRng(11);
  const square = [1, 2, 3, 4, 5, 7, 8, 17, 63, 64, 65];
  const mixed: [number, number, number][] = [
    [130, 129, 257], [257, 65, 130], [65, 257, 17], [130, 3, 257], [1, 257, 64], [257, 1, 65],
    [63, 64, 65], [5, 17, 1], [2, 3, 5], [17, 2, 63], [3, 130, 2], [9, 7, 513], [6, 2049, 5],
    [129, 5, 3], [4, 4, 300], [2, 40, 40], [33, 1, 700], [1, 1, 1], [5, 9, 5], [100, 100, 2],
  ];
  const cases: [number, number, number][] = [...square.map((s): [number, number, number] => [s, s, s]), ...mixed];
  for (const [m, n, k] of cases) {
    for (const [tA, tB] of TRANS) {
      const A = operand(m, k, tA, rng), B = operand(k, n, tB, rng);
      const C = matmul(A, B, { transA: tA, transB: tB });
      assert.deepEqual(C.shape, [m, n]);
      assert.deepEqual(C.stride, [1, m], 'result is contiguous column-major');
      assert.ok(C.data instanceof Float64Array);
      assertClose(C, naive(A, B, tA, tB), relTol(k), `${m}×${n}×${k} transA=${tA} transB=${tB}`);
    }
  }
});

test('matmul on a known 2×2 product and its transposes', () => {
  const A = fromRows([[1, 2], [3, 4]]);
  const B = fromRows([[5, 6], [7, 8]]);
  assert.deepEqual(toRows(matmul(A, B)), [[19, 22], [43, 50]]);
  assert.deepEqual(toRows(matmul(A, B, { transA: true })), [[26, 30], [38, 44]]);
  assert.deepEqual(toRows(matmul(A, B, { transB: true })), [[17, 23], [39, 53]]);
  assert.deepEqual(toRows(matmul(A, B, { transA: true, transB: true })), [[23, 31], [34, 46]]);
  assert.deepEqual(toRows(matmul(A, A, { transB: true })), [[5, 11], [11, 25]]);
});

test('matmulInto: C ← alpha·op(A)·op(B) + beta·C for small and blocked sizes', () => {
  const rng = createRng(12);
  const cases: [number, number, number, number, number][] = [
    [3, 2, 4, 1, 0], [7, 5, 3, 2.5, -1], [65, 67, 130, -0.5, 0.25], [70, 1, 40, 3, 1], [1, 70, 33, 1, 2], [20, 20, 0, 1, 3],
  ];
  for (const [m, n, k, alpha, beta] of cases) {
    for (const [tA, tB] of TRANS) {
      const A = operand(m, k, tA, rng), B = operand(k, n, tB, rng);
      const C0 = randn(m, n, rng);
      const C = clone(C0);
      const out = matmulInto(C, A, B, { transA: tA, transB: tB, alpha, beta });
      assert.equal(out, C, 'returns C itself');
      const P = naive(A, B, tA, tB);
      const expected = zeros(m, n);
      for (let i = 0; i < m * n; i++) expected.data[i] = alpha * P.data[i] + beta * C0.data[i];
      assertClose(C, expected, relTol(k), `${m}×${n}×${k} alpha=${alpha} beta=${beta} transA=${tA} transB=${tB}`);
    }
  }
});

test('matmulInto with beta = 0 ignores NaN in C; alpha = 0 only scales C', () => {
  const rng = createRng(13);
  for (const [m, n, k] of [[3, 2, 4], [40, 30, 20]]) {
    const A = randn(m, k, rng), B = randn(k, n, rng);
    const C = matrix(m, n, new Float64Array(m * n).fill(NaN));
    matmulInto(C, A, B);
    assertClose(C, naive(A, B), relTol(k), 'beta = 0 overwrites');
    const D = randn(m, n, rng), D0 = clone(D);
    matmulInto(D, A, B, { alpha: 0, beta: -2 });
    assertClose(D, D0.data.map((x) => -2 * x), 0, 'alpha = 0');
  }
});

test('k = 0: the product is zero, matmulInto leaves beta·C', () => {
  for (const [m, n] of [[3, 4], [1, 1], [20, 30]]) {
    const C = matmul(zeros(m, 0), zeros(0, n));
    assert.deepEqual(C.shape, [m, n]);
    assert.ok(C.data.every((x) => x === 0));
    const C32 = matmul(toFloat32(zeros(0, m)), toFloat32(zeros(0, n)), { transA: true });
    assert.ok(C32.data instanceof Float32Array);
    assert.deepEqual(C32.shape, [m, n]);
    const D = matrix(m, n, new Float64Array(m * n).fill(1.5));
    matmulInto(D, zeros(m, 0), zeros(0, n), { beta: 2 });
    assert.ok(D.data.every((x) => x === 3));
  }
  // Empty outer dimensions give empty results.
  assert.deepEqual(matmul(zeros(0, 5), zeros(5, 3)).shape, [0, 3]);
  assert.deepEqual(matmul(zeros(4, 5), zeros(5, 0)).shape, [4, 0]);
});

test('inputs are not modified (values, shapes, strides)', () => {
  const rng = createRng(14);
  for (const [m, n, k] of [[3, 2, 5], [70, 66, 300]]) {
    for (const [tA, tB] of TRANS) {
      const A = operand(m, k, tA, rng), B = operand(k, n, tB, rng);
      const a0 = Float64Array.from(A.data), b0 = Float64Array.from(B.data);
      const sa = [...A.stride], sb = [...B.stride];
      matmul(A, B, { transA: tA, transB: tB });
      matmulInto(zeros(m, n), A, B, { transA: tA, transB: tB, alpha: 2, beta: 1 });
      assert.deepEqual(A.data, a0);
      assert.deepEqual(B.data, b0);
      assert.deepEqual(A.stride, sa);
      assert.deepEqual(B.stride, sb);
    }
  }
});

test('strided views are read through their strides: transposed, sub-blocks, reversed, row-major', () => {
  const rng = createRng(15);
  for (const [m, n, k] of [[3, 2, 4], [37, 41, 29], [70, 9, 150]]) {
    const Abig = randn(m + 7, k + 5, rng), Bbig = randn(k + 3, n + 6, rng);
    // Sub-blocks: offset ≠ 0, column stride larger than the row count.
    const Asub = Abig.lo(2, 3).hi(m, k) as Matrix;
    const Bsub = Bbig.lo(1, 4).hi(k, n) as Matrix;
    assertClose(matmul(Asub, Bsub), naive(Asub, Bsub), relTol(k), `sub-blocks ${m}×${n}×${k}`);
    // Transposed views (strides [rows, 1]) combined with the transpose flags.
    const At = randn(k, m, rng).transpose(1, 0) as Matrix;
    const Bt = randn(n, k, rng).transpose(1, 0) as Matrix;
    assertClose(matmul(At, Bt), naive(At, Bt), relTol(k), `transposed views ${m}×${n}×${k}`);
    assertClose(matmul(At, Asub, { transA: true }), naive(At, Asub, true, false), relTol(m), 'transA of a transposed view');
    assertClose(matmul(Asub, At, { transB: true }), naive(Asub, At, false, true), relTol(k), 'transB of a transposed view');
    // Reversed rows and columns (negative strides).
    const Arev = randn(m, k, rng).step(-1, -1) as Matrix;
    assertClose(matmul(Arev, Bt), naive(Arev, Bt), relTol(k), 'negative strides');
    // A bare row-major ndarray (ndarray's default strides) is still a valid view.
    const rowMajor = ndarray(Float64Array.from(randn(m, k, rng).data), [m, k]) as Matrix;
    assertClose(matmul(rowMajor, Bsub), naive(rowMajor, Bsub), relTol(k), 'row-major storage');
    // Every-other column of a wider matrix.
    const Bskip = randn(k, 2 * n, rng).step(1, 2) as Matrix;
    assertClose(matmul(At, Bskip), naive(At, Bskip), relTol(k), 'column step 2');
  }
});

test('matmulInto writes into a sub-block of a larger C and nowhere else', () => {
  const rng = createRng(16);
  for (const [m, n, k] of [[3, 2, 4], [30, 25, 40]]) {
    const big = randn(m + 5, n + 4, rng), big0 = clone(big);
    const C = big.lo(2, 1).hi(m, n) as Matrix;
    const A = randn(m, k, rng), B = randn(n, k, rng);
    matmulInto(C, A, B, { transB: true, alpha: 2, beta: 0.5 });
    const P = naive(A, B, false, true);
    for (let j = 0; j < n + 4; j++) {
      for (let i = 0; i < m + 5; i++) {
        const inside = i >= 2 && i < 2 + m && j >= 1 && j < 1 + n;
        const want = inside ? 2 * P.get(i - 2, j - 1) + 0.5 * big0.get(i, j) : big0.get(i, j);
        assert.ok(Math.abs(big.get(i, j) - want) <= 1e-12 * Math.max(1, Math.abs(want)), `entry (${i}, ${j}): ${big.get(i, j)} vs ${want}`);
      }
    }
  }
});

test('float32: same result as float64 on the rounded inputs, to single precision, with a Float32Array result', () => {
  const rng = createRng(17);
  for (const [m, n, k] of [[1, 1, 1], [5, 3, 7], [2, 70, 9], [64, 65, 63], [130, 17, 257], [33, 1, 300]]) {
    for (const [tA, tB] of TRANS) {
      const A32 = toFloat32(operand(m, k, tA, rng)), B32 = toFloat32(operand(k, n, tB, rng));
      const C32 = matmul(A32, B32, { transA: tA, transB: tB });
      assert.ok(C32.data instanceof Float32Array, 'float32 in, float32 out');
      assert.deepEqual(C32.shape, [m, n]);
      const C64 = matmul(toFloat64(A32), toFloat64(B32), { transA: tA, transB: tB });
      assertClose(C32, C64, 2e-6 * Math.sqrt(Math.max(k, 1)), `float32 ${m}×${n}×${k} transA=${tA} transB=${tB}`);
    }
  }
  // matmulInto and a float32 strided view.
  const A = toFloat32(randn(20, 30, rng)), B = toFloat32(randn(20, 10, rng));
  const C = toFloat32(randn(30, 10, rng)), C0 = toFloat64(C);
  matmulInto(C, A, B, { transA: true, alpha: -1, beta: 2 });
  const P = naive(toFloat64(A), toFloat64(B), true, false);
  assertClose(C, P.data.map((x, i) => -x + 2 * C0.data[i]), 2e-6 * 6);
  const At = A.transpose(1, 0);
  assertClose(matmul(At, B.transpose(1, 0), { transB: true }), P, 2e-6 * 6, 'float32 views');
});

test('raw gemm and gemm32 honour lda/ldb larger than the row count, transposes, alpha and beta', () => {
  const rng = createRng(18);
  for (const [m, n, k] of [[3, 2, 4], [45, 37, 70]]) {
    for (const [tA, tB] of TRANS) {
      const lda = (tA ? k : m) + 3, ldb = (tB ? n : k) + 2;
      const Astore = randn(lda, tA ? m : k, rng), Bstore = randn(ldb, tB ? k : n, rng);
      const A = Astore.hi(tA ? k : m, tA ? m : k) as Matrix, B = Bstore.hi(tB ? n : k, tB ? k : n) as Matrix;
      const c = randn(m, n, rng).data, c0 = Float64Array.from(c);
      gemm(c, m, n, k, Astore.data, lda, tA, Bstore.data, ldb, tB, 1.5, -1);
      const P = naive(A, B, tA, tB);
      assertClose(c, P.data.map((x, i) => 1.5 * x - c0[i]), relTol(k), `gemm ${m}×${n}×${k} transA=${tA} transB=${tB}`);
      const c32 = new Float32Array(m * n).fill(NaN);
      gemm32(c32, m, n, k, Float32Array.from(Astore.data), lda, tA, Float32Array.from(Bstore.data), ldb, tB, 1, 0);
      assertClose(c32, P, 1e-5, `gemm32 ${m}×${n}×${k}`);
    }
  }
  assert.equal(GEMM_BLOCKS.mr * GEMM_BLOCKS.nr, 16);
});

test('error messages name the function, the argument and the shapes', () => {
  const A = zeros(3, 4), B = zeros(5, 2);
  assert.throws(() => matmul(A, B), { message: /^matmul: A is 3×4 but B is 5×2: inner dimensions 4 and 5 differ$/ });
  assert.throws(() => matmul(zeros(4, 3), B, { transA: true }), { message: /^matmul: A is 4×3 \(transposed\) but B is 5×2: inner dimensions 4 and 5 differ$/ });
  assert.throws(() => matmul(A, zeros(2, 5), { transB: true }), { message: /^matmul: A is 3×4 but B is 2×5 \(transposed\): inner dimensions 4 and 5 differ$/ });
  assert.throws(() => matmul(A, toFloat32(zeros(4, 2))), { message: /^matmul: A is float64 \(Float64Array\) but B is float32 \(Float32Array\); convert one/ });
  assert.throws(() => matmul(toFloat32(A), zeros(4, 2)), { message: /^matmul: A is float32 \(Float32Array\) but B is float64/ });
  assert.throws(() => matmul(new Float64Array(4) as unknown as Matrix, B), { message: /^matmul: A must be a 2-D ndarray matrix/ });
  assert.throws(() => matmul(A, ndarray(new Float64Array(8), [2, 2, 2]) as unknown as Matrix), { message: /^matmul: B must be 2-D, got shape \[2, 2, 2\]/ });
  assert.throws(() => matmulInto(zeros(2, 2), A, zeros(4, 2)), { message: /^matmulInto: C is 2×2, expected 3×2$/ });
  assert.throws(() => matmulInto(zeros(3, 2), A, B), { message: /^matmulInto: A is 3×4 but B is 5×2: inner dimensions 4 and 5 differ$/ });
  assert.throws(() => matmulInto(toFloat32(zeros(3, 2)), A, zeros(4, 2)), { message: /^matmulInto: C is float32 \(Float32Array\) but A and B are float64/ });
  assert.throws(() => matmulInto(zeros(2, 3).transpose(1, 0) as Matrix, A, zeros(4, 2)), { message: /^matmulInto: C must have unit row stride \(column-major storage\), got strides \[2, 1\]$/ });
  assert.throws(() => matmulInto(zeros(3, 2), A, zeros(4, 2), { alpha: NaN }), { message: /^matmulInto: alpha must be a finite number, got NaN$/ });
  assert.throws(() => matmulInto(zeros(3, 2), A, zeros(4, 2), { beta: Infinity }), { message: /^matmulInto: beta must be a finite number/ });
  const S = zeros(4, 4);
  assert.throws(() => matmulInto(S, S, eye4()), { message: /^matmulInto: C overlaps A; write the product into a separate matrix$/ });
  assert.throws(() => matmulInto(S.hi(2, 4) as Matrix, eye4().hi(2, 4) as Matrix, S, {}), { message: /^matmulInto: C overlaps B/ });
  // Disjoint blocks of one buffer are fine.
  const T = randn(4, 4, createRng(1));
  matmulInto(T.lo(0, 2).hi(4, 2) as Matrix, T.hi(4, 2) as Matrix, eye2());
  assertClose(T.lo(0, 2).hi(4, 2) as Matrix, T.hi(4, 2) as Matrix, 0, 'disjoint halves');
});

function eye4(): Matrix {
  return fromRows([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]);
}
function eye2(): Matrix {
  return fromRows([[1, 0], [0, 1]]);
}
