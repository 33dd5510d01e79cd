/**
 * The general linear parametric model of the lecture, K(θ) = mat(Q θ), for a
 * Q the user supplies (dense, or sparse triplets), and the special case of a
 * given sparsity pattern.
 *
 * Q is (rows·cols) × p; row `i + j*rows` of Q holds the θ-coefficients of
 * K(θ)_{ij} (column-major vec, MATLAB's `K(:)`). Because K is linear in θ,
 *   J_θ(K(θ)Y) v  = mat(Q v) Y,
 *   J_θ(K(θ)Y)ᵀ Z = Qᵀ vec(Z Yᵀ),
 * the products the lecture derives for every model of this form. Q is never
 * applied to a full vec(Z Yᵀ): only the entries of K that Q can make nonzero
 * (its "support") are formed, so the cost of a product is
 * O(nnz(Q) + |support|·n) — or one dense GEMM when the support covers most of K.
 */
import { checkMatrix64, checkPositiveInt, fail } from '../core/errors.js';
import { gemm } from '../core/matmul.js';
import { columnMajorData, type Matrix } from '../core/matrix.js';
import { linearParametric as fromKernels } from './base.js';
import type { SparseMatrix } from './sparse.js';
import type { ParametricOperator } from './types.js';
import { checkOptions } from '../core/options.js';
import { withSpec } from '../core/spec.js';

/**
 * Q in coordinate (triplet) form: entry `k` is `values[k]` at
 * `(rowIdx[k], colIdx[k])`, 0-based; duplicate coordinates add. A
 * {@link SparseMatrix} (e.g. from `sparseQ(op)`) is one.
 */
export interface SparseTriplets {
  readonly rows: number;
  readonly cols: number;
  readonly rowIdx: ArrayLike<number>;
  readonly colIdx: ArrayLike<number>;
  readonly values: ArrayLike<number>;
}

/** Options of {@link linearParametric}. */
export interface LinearParametricOptions {
  /** Display name (default `linearParametric(rows×cols, p=…, nnz=…)`). */
  name?: string;
}

/**
 * Fraction of K's entries above which the products form K (or Z Yᵀ) densely
 * and use one GEMM instead of looping over the support entry by entry.
 */
const DENSE_SUPPORT = 0.25;

/** Q as validated, compressed triplets: each entry points at a support slot of K. */
interface CompressedQ {
  /** Column (θ index) of each entry. */
  col: Int32Array;
  /** Support slot (index into `pos`) of each entry. */
  slot: Int32Array;
  values: Float64Array;
  /** vec index `i + j*rows` of each support slot, ascending. */
  pos: Int32Array;
}

function isMatrixLike(Q: unknown): Q is Matrix {
  return Q !== null && typeof Q === 'object' && Array.isArray((Q as Matrix).shape) && 'stride' in (Q as object);
}

/** Validate Q (dense or triplets) against (rows·cols) × ? and compress it. */
function compressQ(fn: string, Q: Matrix | SparseTriplets, nK: number, rows: number, cols: number): { p: number; q: CompressedQ; triplets: SparseMatrix } {
  let p: number;
  const r: number[] = [], c: number[] = [], v: number[] = [];
  if (isMatrixLike(Q)) {
    const M = checkMatrix64(fn, 'Q', Q);
    if (M.shape[0] !== nK) fail(fn, `Q is ${M.shape[0]}×${M.shape[1]}, expected rows·cols = ${rows}·${cols} = ${nK} rows`);
    p = M.shape[1];
    const d = columnMajorData(M);
    for (let t = 0; t < p; t++) {
      for (let i = 0; i < nK; i++) {
        const x = d[i + t * nK];
        if (x === 0) continue;
        if (!Number.isFinite(x)) fail(fn, `Q(${i}, ${t}) is ${x}, expected a finite number`);
        r.push(i); c.push(t); v.push(x);
      }
    }
  } else {
    if (Q === null || typeof Q !== 'object') fail(fn, `Q must be a dense matrix or sparse triplets { rows, cols, rowIdx, colIdx, values }, got ${Q === null ? 'null' : typeof Q}`);
    const S = Q as SparseTriplets;
    if (S.rows !== nK) fail(fn, `Q has ${String(S.rows)} rows, expected rows·cols = ${rows}·${cols} = ${nK}`);
    if (typeof S.cols !== 'number' || !Number.isInteger(S.cols) || S.cols < 0) fail(fn, `Q.cols must be a non-negative integer, got ${String(S.cols)}`);
    p = S.cols;
    const len = S.values?.length;
    if (typeof len !== 'number' || S.rowIdx?.length !== len || S.colIdx?.length !== len) {
      fail(fn, `Q.rowIdx, Q.colIdx and Q.values must have one length, got ${S.rowIdx?.length}, ${S.colIdx?.length} and ${len}`);
    }
    for (let k = 0; k < len; k++) {
      const i = S.rowIdx[k], t = S.colIdx[k], x = S.values[k];
      if (!Number.isInteger(i) || i < 0 || i >= nK || !Number.isInteger(t) || t < 0 || t >= p) fail(fn, `Q entry ${k} at (${i}, ${t}) is outside ${nK}×${p}`);
      if (!Number.isFinite(x)) fail(fn, `Q entry ${k} at (${i}, ${t}) is ${x}, expected a finite number`);
      if (x === 0) continue;
      r.push(i); c.push(t); v.push(x);
    }
  }
  // The support: distinct vec(K) positions that Q can make nonzero, ascending.
  const slotOf = new Map<number, number>();
  const sorted = Array.from(new Set(r)).sort((a, b) => a - b);
  sorted.forEach((pos, s) => slotOf.set(pos, s));
  const q: CompressedQ = {
    col: Int32Array.from(c),
    slot: Int32Array.from(r, (i) => slotOf.get(i)!),
    values: Float64Array.from(v),
    pos: Int32Array.from(sorted),
  };
  const triplets: SparseMatrix = { rows: nK, cols: p, rowIdx: Int32Array.from(r), colIdx: Int32Array.from(c), values: Float64Array.from(v) };
  return { p, q, triplets };
}

/**
 * The general linear parametric model K(θ) = mat(Q θ) ∈ R^{rows × cols} for
 * a user's Q — the lecture's "build your own parametric model": every model
 * of this form gets `apply`, `applyTranspose`, `jvp` (= K(dθ)Y), `vjp`
 * (= Qᵀ vec(Z Yᵀ)) and `toDense` from Q alone.
 *
 * Any numdl operator that is linear in θ can be rebuilt from its Q:
 * `linearParametric(sparseQ(op), [op.nOut, op.nIn])` is the same map as `op`
 * (useful to prototype a new structure, then write a fast kernel for it).
 * @param Q (rows·cols) × p, dense (a column-major matrix) or sparse triplets
 *   `{ rows, cols, rowIdx, colIdx, values }` (duplicates add); row `i + j*rows`
 *   holds the coefficients of K_{ij}. Copied: later changes to Q do not affect the operator.
 * @param shape `[rows, cols]` of K, i.e. `[nOut, nIn]`
 * @param options display name
 * @returns the parametric operator, nTheta = p; `Q()` returns Q's nonzeros
 * @throws if the shape is not two positive integers, Q has the wrong number of
 *   rows, an index is out of range or a value is not finite
 * @example
 * // The lecture's 3×3 M-matrix from its 9×6 Q, as triplets:
 * const op = linearParametric(sparseQ(mMatrix(3)), [3, 3]);
 * op.toDense(Float64Array.of(1, 2, 3, 4, 5, 6)) // [[3, -1, -2], [-3, 7, -4], [-5, -6, 11]]
 */
export function linearParametric(Q: Matrix | SparseTriplets, shape: readonly [number, number], options: LinearParametricOptions = {}): ParametricOperator {
  const fn = 'linearParametric';
  checkOptions(fn, options, ['name']);
  if (!Array.isArray(shape) || shape.length !== 2) fail(fn, `shape must be [rows, cols], got ${Array.isArray(shape) ? `an array of length ${shape.length}` : String(shape)}`);
  const rows = checkPositiveInt(fn, 'shape[0] (rows)', shape[0]);
  const cols = checkPositiveInt(fn, 'shape[1] (cols)', shape[1]);
  if (options === null || typeof options !== 'object') fail(fn, `options must be an object, got ${options === null ? 'null' : typeof options}`);
  if (options.name !== undefined && typeof options.name !== 'string') fail(fn, `options.name must be a string, got ${typeof options.name}`);
  const nK = rows * cols;
  const { p, q, triplets } = compressQ(fn, Q, nK, rows, cols);
  return withSpec(supportOperator(fn, options.name ?? `linearParametric(${rows}×${cols}, p=${p}, nnz=${q.values.length})`, rows, cols, p, q, triplets), 'linearParametric', [Q, shape, options]);
}

/**
 * The operator over a compressed Q (shared by {@link linearParametric} and
 * {@link sparsityPattern}).
 */
function supportOperator(fn: string, name: string, rows: number, cols: number, p: number, q: CompressedQ, triplets: SparseMatrix): ParametricOperator {
  const { col, slot, values, pos } = q;
  const nnz = values.length, ns = pos.length;
  // Row and column of K of each support slot.
  const si = Int32Array.from(pos, (v) => v % rows);
  const sj = Int32Array.from(pos, (v) => Math.floor(v / rows));
  const useDense = ns > DENSE_SUPPORT * rows * cols;
  /** Values of K(θ) on its support: (Q θ) restricted to the support slots. */
  const supportValues = (theta: Float64Array): Float64Array => {
    const kv = new Float64Array(ns);
    for (let e = 0; e < nnz; e++) kv[slot[e]] += values[e] * theta[col[e]];
    return kv;
  };
  const denseK = (theta: Float64Array, out: Float64Array) => {
    const kv = supportValues(theta);
    for (let s = 0; s < ns; s++) out[pos[s]] = kv[s];
  };
  // K(θ)Y (transposed: Kᵀ Z), column by column over the support.
  const product = (theta: Float64Array, X: Float64Array, n: number, out: Float64Array, transposed: boolean) => {
    if (useDense) {
      const K = new Float64Array(rows * cols);
      denseK(theta, K);
      if (transposed) gemm(out, cols, n, rows, K, rows, true, X, rows, false, 1, 0);
      else gemm(out, rows, n, cols, K, rows, false, X, cols, false, 1, 0);
      return;
    }
    const kv = supportValues(theta);
    const [src, dst, ldIn, ldOut] = transposed ? [si, sj, rows, cols] : [sj, si, cols, rows];
    for (let c = 0; c < n; c++) {
      const oi = c * ldIn, oo = c * ldOut;
      for (let s = 0; s < ns; s++) out[oo + dst[s]] += kv[s] * X[oi + src[s]];
    }
  };
  return fromKernels({
    fn,
    name,
    nIn: cols,
    nOut: rows,
    nTheta: p,
    apply: (theta, Y, n, out) => product(theta, Y, n, out, false),
    applyTranspose: (theta, Z, n, out) => product(theta, Z, n, out, true),
    vjp: (Z, Y, n, out) => {
      // g = vec(Z Yᵀ) on the support, then Qᵀ g.
      let g: Float64Array;
      if (useDense) {
        const G = new Float64Array(rows * cols);
        gemm(G, rows, cols, n, Z, rows, false, Y, cols, true, 1, 0);
        g = Float64Array.from(pos, (v) => G[v]);
      } else {
        g = new Float64Array(ns);
        for (let c = 0; c < n; c++) {
          const oz = c * rows, oy = c * cols;
          for (let s = 0; s < ns; s++) g[s] += Z[oz + si[s]] * Y[oy + sj[s]];
        }
      }
      for (let e = 0; e < nnz; e++) out[col[e]] += values[e] * g[slot[e]];
    },
    toDense: denseK,
    Q: () => ({ rows: triplets.rows, cols: triplets.cols, rowIdx: triplets.rowIdx.slice(), colIdx: triplets.colIdx.slice(), values: triplets.values.slice() }),
  });
}

/**
 * K with a given nonzero pattern: K_{ij} = θ_k at the k-th nonzero of `mask`
 * in column-major order (down the first column, then the second, …), zero
 * elsewhere — the lecture's "other sparsity patterns". Q has one 1 per column.
 * @param mask rows × cols; an entry is in the pattern when it is nonzero (a
 *   numdl matrix, or an array of rows of numbers/booleans). Copied.
 * @returns the parametric operator, nOut = rows, nIn = cols, nTheta = number of nonzeros of the mask
 * @throws if the mask is not a non-empty rectangular matrix, or has a non-finite entry
 * @example
 * // a tridiagonal 3×3 pattern: θ = [K00, K10, K01, K11, K21, K12, K22]
 * sparsityPattern([[1, 1, 0], [1, 1, 1], [0, 1, 1]]).nTheta // 7
 */
export function sparsityPattern(mask: Matrix | readonly (readonly (number | boolean)[])[]): ParametricOperator {
  const fn = 'sparsityPattern';
  let rows: number, cols: number;
  let at: (i: number, j: number) => number | boolean;
  if (Array.isArray(mask)) {
    rows = mask.length;
    if (rows === 0) fail(fn, 'mask must have at least one row, got an empty array');
    if (!Array.isArray(mask[0])) fail(fn, `mask must be a matrix or an array of rows, got an array of ${typeof mask[0]}`);
    cols = mask[0].length;
    if (cols === 0) fail(fn, 'mask must have at least one column, got an empty first row');
    mask.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== cols) fail(fn, `mask row ${i} has ${Array.isArray(row) ? row.length : 'no'} entries, expected ${cols} (the first row's)`);
    });
    at = (i, j) => mask[i][j];
  } else {
    const M = checkMatrix64(fn, 'mask', mask);
    [rows, cols] = M.shape;
    if (rows === 0 || cols === 0) fail(fn, `mask must not be empty, got ${rows}×${cols}`);
    const d = columnMajorData(M);
    at = (i, j) => d[i + j * rows];
  }
  const pos: number[] = [];
  for (let j = 0; j < cols; j++) {
    for (let i = 0; i < rows; i++) {
      const v = at(i, j);
      if (typeof v === 'boolean') {
        if (v) pos.push(i + j * rows);
        continue;
      }
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(fn, `mask(${i}, ${j}) is ${String(v)}, expected a finite number or a boolean`);
      if (v !== 0) pos.push(i + j * rows);
    }
  }
  const p = pos.length;
  const ids = Int32Array.from({ length: p }, (_, t) => t);
  const q: CompressedQ = { col: ids, slot: ids.slice(), values: new Float64Array(p).fill(1), pos: Int32Array.from(pos) };
  const triplets: SparseMatrix = { rows: rows * cols, cols: p, rowIdx: Int32Array.from(pos), colIdx: ids.slice(), values: new Float64Array(p).fill(1) };
  return withSpec(supportOperator(fn, `sparsityPattern(${rows}×${cols}, nnz=${p})`, rows, cols, p, q, triplets), 'sparsityPattern', [mask]);
}
