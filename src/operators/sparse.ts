/**
 * A small sparse matrix in coordinate (COO) form, used to expose the matrix Q
 * of a parametric model K(θ) = mat(Q θ) for inspection and tests. Never used on
 * a hot path: the operators apply K(θ), its transpose and the Jacobians without
 * forming Q.
 */
import { checkSize, checkVector, fail } from '../core/errors.js';
import { zeros, type Matrix } from '../core/matrix.js';

/**
 * A `rows × cols` sparse matrix in coordinate form: entry `k` is
 * `values[k]` at `(rowIdx[k], colIdx[k])` (0-based). Duplicate coordinates add.
 */
export interface SparseMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly rowIdx: Int32Array;
  readonly colIdx: Int32Array;
  readonly values: Float64Array;
}

/** Incremental builder of a {@link SparseMatrix} (internal helper, exported for the operators). */
export class SparseBuilder {
  private r: number[] = [];
  private c: number[] = [];
  private v: number[] = [];
  constructor(readonly rows: number, readonly cols: number) {
    checkSize('SparseBuilder', 'rows', rows);
    checkSize('SparseBuilder', 'cols', cols);
  }
  /** Append entry (i, j) = value (zeros are skipped). */
  push(i: number, j: number, value: number): void {
    if (value === 0) return;
    this.r.push(i);
    this.c.push(j);
    this.v.push(value);
  }
  /** The finished matrix. */
  build(): SparseMatrix {
    return {
      rows: this.rows,
      cols: this.cols,
      rowIdx: Int32Array.from(this.r),
      colIdx: Int32Array.from(this.c),
      values: Float64Array.from(this.v),
    };
  }
}

/** Assert that `S` is a {@link SparseMatrix} (sizes and three arrays of equal length). */
function checkSparse(fn: string, S: unknown): SparseMatrix {
  const m = S as SparseMatrix;
  if (m === null || typeof m !== 'object' || !Number.isInteger(m.rows) || !Number.isInteger(m.cols)
    || !(m.rowIdx instanceof Int32Array) || !(m.colIdx instanceof Int32Array) || !(m.values instanceof Float64Array)
    || m.rowIdx.length !== m.values.length || m.colIdx.length !== m.values.length) {
    fail(fn, 'S must be a SparseMatrix { rows, cols, rowIdx: Int32Array, colIdx: Int32Array, values: Float64Array } with arrays of equal length');
  }
  return m;
}

/**
 * The dense matrix of a sparse one (duplicates summed).
 * @param S a `rows × cols` sparse matrix
 * @returns a new column-major `rows × cols` matrix
 * @throws if an index is out of range
 * @example sparseToDense({ rows: 2, cols: 2, rowIdx: Int32Array.of(1), colIdx: Int32Array.of(0), values: Float64Array.of(5) }).get(1, 0) // 5
 */
export function sparseToDense(S: SparseMatrix): Matrix {
  checkSparse('sparseToDense', S);
  const M = zeros(S.rows, S.cols);
  const d = M.data;
  for (let k = 0; k < S.values.length; k++) {
    const i = S.rowIdx[k], j = S.colIdx[k];
    if (i < 0 || i >= S.rows || j < 0 || j >= S.cols) fail('sparseToDense', `entry ${k} at (${i}, ${j}) is outside ${S.rows}×${S.cols}`);
    d[i + j * S.rows] += S.values[k];
  }
  return M;
}

/**
 * y = S x for a sparse S.
 * @param S `rows × cols`
 * @param x length `cols`
 * @returns a new vector of length `rows`
 * @throws if x has the wrong length
 * @example sparseMatVec(sparseQ(diagonal(2)), Float64Array.of(1, 2)) // vec(diag([1, 2])) = [1, 0, 0, 2]
 */
export function sparseMatVec(S: SparseMatrix, x: Float64Array): Float64Array {
  checkSparse('sparseMatVec', S);
  checkVector('sparseMatVec', 'x', x);
  if (x.length !== S.cols) fail('sparseMatVec', `x has length ${x.length}, expected ${S.cols}`);
  const y = new Float64Array(S.rows);
  for (let k = 0; k < S.values.length; k++) y[S.rowIdx[k]] += S.values[k] * x[S.colIdx[k]];
  return y;
}

/**
 * y = Sᵀ x for a sparse S.
 * @param S `rows × cols`
 * @param x length `rows`
 * @returns a new vector of length `cols`
 * @throws if x has the wrong length
 * @example sparseMatVecTranspose(sparseQ(diagonal(2)), Float64Array.of(1, 0, 0, 2)) // [1, 2]
 */
export function sparseMatVecTranspose(S: SparseMatrix, x: Float64Array): Float64Array {
  checkSparse('sparseMatVecTranspose', S);
  checkVector('sparseMatVecTranspose', 'x', x);
  if (x.length !== S.rows) fail('sparseMatVecTranspose', `x has length ${x.length}, expected ${S.rows}`);
  const y = new Float64Array(S.cols);
  for (let k = 0; k < S.values.length; k++) y[S.colIdx[k]] += S.values[k] * x[S.rowIdx[k]];
  return y;
}
