/**
 * General matrix product on column-major storage.
 * (Reference implementation; the blocked kernel replaces the inner loops.)
 */
import { checkMatrix64, fail, shapeStr } from './errors.js';
import { columnMajorData, zeros, type Matrix } from './matrix.js';

/** Options of {@link matmul}. */
export interface MatmulOptions {
  /** Use Aᵀ instead of A. */
  transA?: boolean;
  /** Use Bᵀ instead of B. */
  transB?: boolean;
}

/** Options of {@link matmulInto}: C ← alpha·op(A)·op(B) + beta·C. */
export interface MatmulIntoOptions extends MatmulOptions {
  alpha?: number;
  beta?: number;
}

/**
 * C = op(A)·op(B) with op(X) = X or Xᵀ.
 * @param A `m×k` (or `k×m` with transA)
 * @param B `k×n` (or `n×k` with transB)
 * @returns a new `m×n` matrix
 * @throws when the inner dimensions disagree: `matmul: A is 3×4 but B is 5×2`
 */
export function matmul(A: Matrix, B: Matrix, opts: MatmulOptions = {}): Matrix {
  checkMatrix64('matmul', 'A', A);
  checkMatrix64('matmul', 'B', B);
  const m = opts.transA ? A.shape[1] : A.shape[0];
  const k = opts.transA ? A.shape[0] : A.shape[1];
  const kb = opts.transB ? B.shape[1] : B.shape[0];
  const n = opts.transB ? B.shape[0] : B.shape[1];
  if (k !== kb) {
    fail('matmul', `A is ${shapeStr(A)}${opts.transA ? ' (transposed)' : ''} but B is ${shapeStr(B)}${opts.transB ? ' (transposed)' : ''}: inner dimensions ${k} and ${kb} differ`);
  }
  const C = zeros(m, n);
  gemm(C.data, m, n, k, columnMajorData(A), A.shape[0], !!opts.transA, columnMajorData(B), B.shape[0], !!opts.transB, 1, 0);
  return C;
}

/**
 * C ← alpha·op(A)·op(B) + beta·C, in place on C (which must be contiguous column-major).
 * @returns C
 */
export function matmulInto(C: Matrix, A: Matrix, B: Matrix, opts: MatmulIntoOptions = {}): Matrix {
  checkMatrix64('matmulInto', 'C', C);
  checkMatrix64('matmulInto', 'A', A);
  checkMatrix64('matmulInto', 'B', B);
  const m = opts.transA ? A.shape[1] : A.shape[0];
  const k = opts.transA ? A.shape[0] : A.shape[1];
  const kb = opts.transB ? B.shape[1] : B.shape[0];
  const n = opts.transB ? B.shape[0] : B.shape[1];
  if (k !== kb) fail('matmulInto', `A is ${shapeStr(A)}${opts.transA ? ' (transposed)' : ''} but B is ${shapeStr(B)}${opts.transB ? ' (transposed)' : ''}: inner dimensions ${k} and ${kb} differ`);
  if (C.shape[0] !== m || C.shape[1] !== n) fail('matmulInto', `C is ${shapeStr(C)}, expected ${m}×${n}`);
  if (C.stride[0] !== 1 || (n > 1 && C.stride[1] !== m)) fail('matmulInto', 'C must be contiguous column-major');
  gemm(C.data.subarray(C.offset, C.offset + m * n), m, n, k, columnMajorData(A), A.shape[0], !!opts.transA, columnMajorData(B), B.shape[0], !!opts.transB, opts.alpha ?? 1, opts.beta ?? 0);
  return C;
}

/**
 * Kernel: c[m×n] ← alpha·op(a)·op(b) + beta·c on raw column-major arrays.
 * `lda`, `ldb` are the row counts of the stored a and b. Trusts its caller.
 */
export function gemm(
  c: Float64Array, m: number, n: number, k: number,
  a: Float64Array, lda: number, transA: boolean,
  b: Float64Array, ldb: number, transB: boolean,
  alpha: number, beta: number,
): void {
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const aip = transA ? a[p + i * lda] : a[i + p * lda];
        const bpj = transB ? b[j + p * ldb] : b[p + j * ldb];
        s += aip * bpj;
      }
      c[i + j * m] = alpha * s + (beta === 0 ? 0 : beta * c[i + j * m]);
    }
  }
}
