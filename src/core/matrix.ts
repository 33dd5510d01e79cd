/**
 * Column-major matrices on `ndarray`.
 *
 * Convention (docs/conventions.md §1): a matrix is an ndarray of shape `[rows, cols]`
 * whose entry (i, j) sits at `offset + i*stride[0] + j*stride[1]`; every matrix
 * built here is contiguous column-major, `stride = [1, rows]`, so entry (i, j)
 * is `data[i + j*rows]` and `vec(M)` is the data itself (MATLAB's `M(:)`).
 * ndarray's own default is row-major, so build matrices only through these
 * constructors, never with a bare `ndarray(data, shape)`.
 */
import ndarray from 'ndarray';
import { allocFloat64, checkMatrix, checkSize, checkVector, fail, shapeStr } from './errors.js';
import type { Rng } from './rng.js';
import { copyStrided } from './views.js';

/**
 * A strided view on a typed array, as the `ndarray` package makes them: entry
 * `(i, j, …)` at `data[offset + i*stride[0] + j*stride[1] + …]`. numdl declares
 * this type itself (rather than exposing `@types/ndarray`) so that its
 * declarations compile for strict consumers — `skipLibCheck` off, CommonJS
 * with or without `esModuleInterop` — without any extra type package; every
 * `ndarray(...)` object of a `Float64Array`/`Float32Array` has this shape.
 */
export interface NdArray<D extends Float64Array | Float32Array> {
  /** The storage (shared by views). */
  data: D;
  /** Sizes per dimension, `[rows, cols]` for a matrix. */
  shape: number[];
  /** Step in `data` per unit step of each index; `[1, rows]` for a contiguous column-major matrix. */
  stride: number[];
  /** Position of entry `(0, 0, …)` in `data`. */
  offset: number;
  /** `'float64'` or `'float32'`. */
  dtype: string;
  /** Number of entries, the product of `shape`. */
  size: number;
  /** Dimensions ordered by increasing |stride|. */
  order: number[];
  /** Number of dimensions, 2 for a matrix. */
  dimension: number;
  /** Entry at the given indices. */
  get(...indices: number[]): number;
  /** Set the entry at the leading indices to the last argument; returns it. */
  set(...indicesThenValue: number[]): number;
  /** Position in `data` of the entry at the given indices. */
  index(...indices: number[]): number;
  /** View starting at the given indices (shares `data`). */
  lo(...indices: number[]): NdArray<D>;
  /** View of the leading sizes given (shares `data`). */
  hi(...sizes: number[]): NdArray<D>;
  /** View taking every k-th entry per dimension, reversed for negative k (shares `data`). */
  step(...steps: number[]): NdArray<D>;
  /** View with the dimensions permuted (shares `data`). */
  transpose(...axes: number[]): NdArray<D>;
  /** View fixing the dimensions given as numbers, keeping those given as `null` (shares `data`). */
  pick(...indices: Array<number | null>): NdArray<D>;
  /** The transposed view. */
  T: NdArray<D>;
}

/** A double-precision, column-major matrix `[rows, cols]`. */
export type Matrix = NdArray<Float64Array>;
/** A single-precision, column-major matrix `[rows, cols]`. */
export type Matrix32 = NdArray<Float32Array>;
/** Either precision. */
export type AnyMatrix = Matrix | Matrix32;

/**
 * Wrap (or allocate) column-major storage as a `rows × cols` matrix.
 * @param rows number of rows
 * @param cols number of columns
 * @param data optional storage of length `rows*cols`, column-major; used as is (not copied)
 * @throws if sizes are not non-negative integers or `data` has the wrong length
 * @example matrix(2, 2, new Float64Array([1, 2, 3, 4])).get(0, 1) // 3
 */
export function matrix(rows: number, cols: number, data?: Float64Array): Matrix;
export function matrix(rows: number, cols: number, data: Float32Array): Matrix32;
export function matrix(rows: number, cols: number, data?: Float64Array | Float32Array): AnyMatrix {
  checkSize('matrix', 'rows', rows);
  checkSize('matrix', 'cols', cols);
  if (data === undefined) data = allocFloat64('matrix', `a ${rows}×${cols} matrix`, rows * cols);
  if (!(data instanceof Float64Array) && !(data instanceof Float32Array)) {
    fail('matrix', 'data must be a Float64Array or Float32Array');
  }
  if (data.length !== rows * cols) {
    fail('matrix', `data has length ${data.length}, expected rows*cols = ${rows}*${cols} = ${rows * cols}`);
  }
  return ndarray(data, [rows, cols], [1, rows], 0) as AnyMatrix;
}

/** `rows × cols` matrix of zeros (double precision). */
export function zeros(rows: number, cols: number): Matrix {
  checkSize('zeros', 'rows', rows);
  checkSize('zeros', 'cols', cols);
  return matrix(rows, cols, allocFloat64('zeros', `a ${rows}×${cols} matrix`, rows * cols));
}

/** `rows × cols` matrix of zeros in single precision. */
export function zeros32(rows: number, cols: number): Matrix32 {
  checkSize('zeros32', 'rows', rows);
  checkSize('zeros32', 'cols', cols);
  return matrix(rows, cols, new Float32Array(rows * cols));
}

/** `n × n` identity matrix. */
export function eye(n: number): Matrix {
  checkSize('eye', 'n', n);
  const M = zeros(n, n);
  for (let i = 0; i < n; i++) M.data[i + i * n] = 1;
  return M;
}

/**
 * `rows × cols` matrix with independent standard normal entries drawn from `rng`
 * in column-major order (so the same seed gives the same matrix bit for bit).
 */
export function randn(rows: number, cols: number, rng: Rng): Matrix {
  checkSize('randn', 'rows', rows);
  checkSize('randn', 'cols', cols);
  if (!rng || typeof rng.normal !== 'function') fail('randn', 'rng must be a generator from createRng(seed)');
  const M = zeros(rows, cols);
  const d = M.data;
  for (let k = 0; k < d.length; k++) d[k] = rng.normal();
  return M;
}

/** `rows × cols` matrix with independent entries uniform on `[lo, hi)`. */
export function randu(rows: number, cols: number, rng: Rng, lo = 0, hi = 1): Matrix {
  if (!(typeof lo === 'number' && typeof hi === 'number' && lo < hi && Number.isFinite(hi - lo))) fail('randu', `the interval [lo, hi) must be finite with lo < hi, got [${lo}, ${hi})`);
  checkSize('randu', 'rows', rows);
  checkSize('randu', 'cols', cols);
  const M = zeros(rows, cols);
  const d = M.data;
  for (let k = 0; k < d.length; k++) d[k] = lo + (hi - lo) * rng.uniform();
  return M;
}

/** True when M is stored contiguously column-major from its offset (`stride = [1, rows]`). */
export function isColumnMajor(M: { shape: number[]; stride: number[] }): boolean {
  if (M === null || typeof M !== 'object' || !Array.isArray(M.shape) || !Array.isArray(M.stride)) fail('isColumnMajor', 'M must be a 2-D ndarray matrix (shape and stride)');
  const [r, c] = M.shape;
  return (M.stride[0] === 1 || r <= 1) && (M.stride[1] === r || c <= 1);
}

/**
 * The column-major data of M as a typed array of length rows*cols: a view
 * (subarray, no copy) when M is already contiguous column-major, otherwise a
 * fresh copy gathered through the strides (for transposed or sliced views).
 */
export function columnMajorData(M: Matrix): Float64Array;
export function columnMajorData(M: Matrix32): Float32Array;
export function columnMajorData(M: AnyMatrix): Float64Array | Float32Array;
export function columnMajorData(M: AnyMatrix): Float64Array | Float32Array {
  checkMatrix('columnMajorData', 'M', M);
  const [r, c] = M.shape;
  if (isColumnMajor(M)) return M.data.subarray(M.offset, M.offset + r * c);
  const out = M.data instanceof Float32Array ? new Float32Array(r * c) : new Float64Array(r * c);
  copyStrided(ndarray(out, [r, c], [1, r], 0) as unknown as AnyMatrix, M);
  return out;
}

/**
 * Contiguous column-major copy of M (always a new buffer).
 * @example clone(A).data !== A.data
 */
export function clone(M: Matrix): Matrix;
export function clone(M: Matrix32): Matrix32;
export function clone(M: AnyMatrix): AnyMatrix {
  checkMatrix('clone', 'M', M);
  const src = columnMajorData(M);
  const [r, c] = M.shape;
  return src instanceof Float32Array ? matrix(r, c, Float32Array.from(src)) : matrix(r, c, Float64Array.from(src));
}

/**
 * A contiguous column-major version of M (offset 0, storage of exactly
 * rows·cols entries): M itself when it already is one, else a copy gathered
 * through M's strides (transposes, slices, steps).
 * @example ensureColumnMajor(A.transpose(1, 0)) // Aᵀ as a new contiguous matrix
 */
export function ensureColumnMajor(M: Matrix): Matrix;
export function ensureColumnMajor(M: Matrix32): Matrix32;
export function ensureColumnMajor(M: AnyMatrix): AnyMatrix {
  checkMatrix('ensureColumnMajor', 'M', M);
  const [r, c] = M.shape;
  if (isColumnMajor(M) && M.offset === 0 && M.data.length === r * c) return M;
  const out = M.data instanceof Float32Array ? matrix(r, c, new Float32Array(r * c)) : matrix(r, c);
  copyStrided(out, M);
  return out;
}

/**
 * vec(M): the columns of M stacked into one vector (MATLAB `M(:)`).
 * Always returns a new array, so the caller may modify it freely.
 * @example vec(matrix(2, 2, new Float64Array([1, 2, 3, 4]))) // [1, 2, 3, 4]
 */
export function vec(M: Matrix): Float64Array {
  checkMatrix('vec', 'M', M);
  return Float64Array.from(columnMajorData(M));
}

/**
 * mat(v, rows, cols): the inverse of vec — a `rows × cols` matrix whose columns
 * are consecutive pieces of v. Shares v's storage (no copy).
 * @throws if `v.length !== rows*cols`
 */
export function mat(v: Float64Array, rows: number, cols: number): Matrix {
  checkVector('mat', 'v', v);
  checkSize('mat', 'rows', rows);
  checkSize('mat', 'cols', cols);
  if (v.length !== rows * cols) fail('mat', `v has length ${v.length}, expected rows*cols = ${rows}*${cols} = ${rows * cols}`);
  return matrix(rows, cols, v);
}

/** Transpose as a new contiguous column-major matrix. */
export function transpose(M: Matrix): Matrix {
  checkMatrix('transpose', 'M', M);
  const [r, c] = M.shape;
  const src = columnMajorData(M);
  const out = zeros(c, r);
  const o = out.data;
  for (let j = 0; j < c; j++) for (let i = 0; i < r; i++) o[j + i * c] = src[i + j * r];
  return out;
}

/** Check a nested array of numbers (all inner arrays of one length) and return that length. */
function checkNested(fn: string, name: string, what: string, a: unknown): number {
  if (!Array.isArray(a)) fail(fn, `${name} must be an array of ${what}s (number[][]), got ${a === null ? 'null' : typeof a}`);
  if (a.length === 0) return 0;
  const len = Array.isArray(a[0]) || ArrayBuffer.isView(a[0]) ? (a[0] as ArrayLike<number>).length : -1;
  for (let i = 0; i < a.length; i++) {
    const r = a[i] as ArrayLike<number>;
    if (!Array.isArray(r) && !ArrayBuffer.isView(r)) fail(fn, `${name}[${i}] must be an array of numbers (one ${what}), got ${r === null ? 'null' : typeof r}`);
    if (r.length !== len) fail(fn, `${what} ${i} has ${r.length} entries, expected ${len} (like ${what} 0)`);
    for (let j = 0; j < len; j++) if (typeof r[j] !== 'number') fail(fn, `${name}[${i}][${j}] must be a number, got ${typeof r[j]}`);
  }
  return len;
}

/**
 * Build a column-major matrix from a row-major nested array: `rows[i][j]` is entry (i, j).
 * For data given as a list of examples (one feature vector each) use
 * {@link fromColumns}: numdl's data are features × examples.
 * @param rows r arrays of c numbers each
 * @returns the r × c matrix
 * @throws `fromRows: row 2 has 3 entries, expected 2 (like row 0)`, or on entries that are not numbers
 * @example fromRows([[1, 2], [3, 4]]).get(0, 1) // 2
 */
export function fromRows(rows: number[][]): Matrix {
  const c = checkNested('fromRows', 'rows', 'row', rows);
  const r = rows.length;
  const M = zeros(r, c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) M.data[i + j * r] = rows[i][j];
  return M;
}

/**
 * The matrix as a row-major nested array: `out[i][j]` is entry (i, j) (for printing, tests and JSON).
 * @param M any matrix (float64 or float32, any strides)
 * @returns r arrays of c numbers
 * @example toRows(fromRows([[1, 2]])) // [[1, 2]]
 */
export function toRows(M: AnyMatrix): number[][] {
  checkMatrix('toRows', 'M', M);
  const [r, c] = M.shape;
  const out: number[][] = [];
  for (let i = 0; i < r; i++) {
    const row: number[] = [];
    for (let j = 0; j < c; j++) row.push(M.get(i, j));
    out.push(row);
  }
  return out;
}

/**
 * A matrix whose columns are the given arrays: a list of n examples, each a
 * feature vector of length nf, becomes the nf × n data matrix numdl's models take.
 * @param columns n arrays of nf numbers each (e.g. points `[[x0, y0], [x1, y1], …]`)
 * @returns the nf × n matrix, column j = columns[j]
 * @throws `fromColumns: column 2 has 3 entries, expected 2 (like column 0)`, or on entries that are not numbers
 * @example fromColumns([[0, 1], [2, 3], [4, 5]]).shape // [2, 3]: 3 points in the plane
 */
export function fromColumns(columns: number[][]): Matrix {
  const r = checkNested('fromColumns', 'columns', 'column', columns);
  const c = columns.length;
  const M = zeros(r, c);
  for (let j = 0; j < c; j++) {
    const col = columns[j];
    for (let i = 0; i < r; i++) M.data[i + j * r] = col[i];
  }
  return M;
}

/**
 * The columns of a matrix as arrays (the inverse of {@link fromColumns}):
 * an nf × n data matrix becomes n examples of nf features.
 * @param M any matrix (float64 or float32, any strides)
 * @returns c arrays of r numbers
 * @example toColumns(fromColumns([[0, 1], [2, 3]])) // [[0, 1], [2, 3]]
 */
export function toColumns(M: AnyMatrix): number[][] {
  checkMatrix('toColumns', 'M', M);
  const [r, c] = M.shape;
  const out: number[][] = [];
  for (let j = 0; j < c; j++) {
    const col: number[] = [];
    for (let i = 0; i < r; i++) col.push(M.get(i, j));
    out.push(col);
  }
  return out;
}

/** Convert to single precision (new buffer). */
export function toFloat32(M: Matrix): Matrix32 {
  checkMatrix('toFloat32', 'M', M);
  return matrix(M.shape[0], M.shape[1], Float32Array.from(columnMajorData(M)));
}

/** Convert to double precision (new buffer). */
export function toFloat64(M: AnyMatrix): Matrix {
  checkMatrix('toFloat64', 'M', M);
  return matrix(M.shape[0], M.shape[1], Float64Array.from(columnMajorData(M)));
}

/** Columns `idx` of M gathered into a new matrix (mini-batches). */
export function selectColumns(M: Matrix, idx: ArrayLike<number>): Matrix {
  checkMatrix('selectColumns', 'M', M);
  const [r, c] = M.shape;
  const src = columnMajorData(M);
  const out = zeros(r, idx.length);
  for (let k = 0; k < idx.length; k++) {
    const j = idx[k];
    if (!Number.isInteger(j) || j < 0 || j >= c) fail('selectColumns', `index ${j} at position ${k} is out of range for ${shapeStr(M)}`);
    out.data.set(src.subarray(j * r, (j + 1) * r), k * r);
  }
  return out;
}

/** Frobenius norm ‖M‖_F. */
export function normFro(M: AnyMatrix): number {
  checkMatrix('normFro', 'M', M);
  const d = columnMajorData(M);
  let s = 0;
  for (let k = 0; k < d.length; k++) s += d[k] * d[k];
  return Math.sqrt(s);
}
