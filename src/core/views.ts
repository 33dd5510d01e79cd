/**
 * Element-wise work on arbitrary strided matrix views — transposes
 * (`M.transpose(1, 0)`), slices (`M.lo(i, j).hi(r, c)`), reversed or strided
 * steps (`M.step(2, -1)`) — done by `ndarray-ops`, whose loops follow any
 * strides (and walk the storage in its memory order). These are convenience
 * helpers, not kernels: numdl's hot paths work on contiguous column-major
 * storage directly.
 */
import ndarray from 'ndarray';
import ops from 'ndarray-ops';
import type { NdArray as OpsArray } from 'ndarray';
import { checkMatrix, checkNumber, fail, shapeStr } from './errors.js';
import type { AnyMatrix } from './matrix.js';

/** numdl's matrix type is structurally ndarray's; ndarray-ops is typed against the latter. */
function asOps(M: AnyMatrix): OpsArray {
  return M as unknown as OpsArray;
}

function checkSameShape(fn: string, A: AnyMatrix, nameA: string, B: AnyMatrix, nameB: string): void {
  if (A.shape[0] !== B.shape[0] || A.shape[1] !== B.shape[1]) fail(fn, `${nameA} is ${shapeStr(A)} but ${nameB} is ${shapeStr(B)}`);
}

/**
 * Copy the entries of a strided view into another (internal: shapes trusted).
 * Used by `columnMajorData` and `ensureColumnMajor` for non-contiguous views.
 */
export function copyStrided(dest: AnyMatrix, src: AnyMatrix): void {
  ops.assign(asOps(dest), asOps(src));
}

/**
 * `dest(i, j) = src(i, j)` for every entry, on any strided views (for example
 * writing a block of a larger matrix, or a transpose in place of a copy).
 * `dest` is modified; `src` is not. Overlapping views of one storage are
 * copied as if through a temporary.
 * @returns dest
 * @throws if the shapes differ
 * @example assign(A.lo(0, 1).hi(2, 2), B) // B (2×2) into columns 1–2 of A
 */
export function assign<T extends AnyMatrix>(dest: T, src: AnyMatrix): T {
  checkMatrix('assign', 'dest', dest);
  checkMatrix('assign', 'src', src);
  checkSameShape('assign', dest, 'dest', src, 'src');
  const from = dest.data.buffer === src.data.buffer ? copyOf(src) : src;
  ops.assign(asOps(dest), asOps(from));
  return dest;
}

/**
 * Set every entry of the view M to `value` (M is modified).
 * @returns M
 * @example fill(A.pick(null, 2), 0) // zero column 2 of A
 */
export function fill<T extends AnyMatrix>(M: T, value: number): T {
  checkMatrix('fill', 'M', M);
  checkNumber('fill', 'value', value);
  ops.assigns(asOps(M), value);
  return M;
}

/**
 * `Y ← Y + a·X` entry by entry on strided views (BLAS's axpy for matrices):
 * Y is modified, X is not; each entry gets the same two roundings as
 * `y + a*x`. X may overlap Y.
 * @returns Y
 * @throws if the shapes differ or `a` is not a finite number
 * @example addScaled(Y.transpose(1, 0), -0.5, X) // Yᵀ ← Yᵀ − X/2
 */
export function addScaled<T extends AnyMatrix>(Y: T, a: number, X: AnyMatrix): T {
  checkMatrix('addScaled', 'Y', Y);
  checkNumber('addScaled', 'a', a);
  checkMatrix('addScaled', 'X', X);
  checkSameShape('addScaled', Y, 'Y', X, 'X');
  // a·X first, into contiguous scratch (also makes overlapping X and Y safe).
  const aX = scratchLike(Y, X.shape[0], X.shape[1]);
  ops.muls(asOps(aX), asOps(X), a);
  ops.addeq(asOps(Y), asOps(aX));
  return Y;
}

/** A contiguous column-major copy of M as a view object of the same kind. */
function copyOf(M: AnyMatrix): AnyMatrix {
  const C = scratchLike(M, M.shape[0], M.shape[1]);
  ops.assign(asOps(C), asOps(M));
  return C;
}

/** A zero, contiguous column-major `rows × cols` matrix with M's element type. */
function scratchLike(M: AnyMatrix, rows: number, cols: number): AnyMatrix {
  const data = M.data instanceof Float32Array ? new Float32Array(rows * cols) : new Float64Array(rows * cols);
  return ndarray(data, [rows, cols], [1, rows], 0) as unknown as AnyMatrix;
}
