/**
 * Input validation shared by every public entry point.
 *
 * Public functions validate once, at the entry, and throw an `Error` whose
 * message names the function, the argument, what came in and what was
 * expected (`matmul: A is 3×4 but B is 5×2`). Inner kernels trust their callers.
 */
import type { Matrix, AnyMatrix } from './matrix.js';

/** Shape of a 2-D array as `r×c`, for error messages. */
export function shapeStr(M: { shape: number[] }): string {
  return M.shape.join('×');
}

/** Throw `Error("fn: message")`. */
export function fail(fn: string, message: string): never {
  throw new Error(`${fn}: ${message}`);
}

/** Assert that `n` is a non-negative integer (sizes, counts). */
export function checkSize(fn: string, name: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    fail(fn, `${name} must be a non-negative integer, got ${String(n)}`);
  }
  return n;
}

/** Assert that `n` is a positive integer. */
export function checkPositiveInt(fn: string, name: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) {
    fail(fn, `${name} must be a positive integer, got ${String(n)}`);
  }
  return n;
}

/** Assert that `x` is a Float64Array of the given length (or any length if `len` is undefined). */
export function checkVector(fn: string, name: string, x: unknown, len?: number): Float64Array {
  if (!(x instanceof Float64Array)) {
    const got = x instanceof Float32Array ? 'a Float32Array' : x === null ? 'null' : typeof x === 'object' ? (x as object).constructor?.name ?? 'an object' : typeof x;
    fail(fn, `${name} must be a Float64Array, got ${got}`);
  }
  if (len !== undefined && x.length !== len) {
    fail(fn, `${name} has length ${x.length}, expected ${len}`);
  }
  return x;
}

/** Assert that `M` is a 2-D ndarray (any float type); optionally with the given rows/cols. */
export function checkMatrix(fn: string, name: string, M: unknown, rows?: number, cols?: number): AnyMatrix {
  const m = M as AnyMatrix;
  if (m === null || typeof m !== 'object' || !Array.isArray(m.shape) || m.data === undefined) {
    fail(fn, `${name} must be a 2-D ndarray matrix, got ${m === null ? 'null' : typeof m}`);
  }
  if (m.shape.length !== 2) fail(fn, `${name} must be 2-D, got shape [${m.shape.join(', ')}]`);
  if (!(m.data instanceof Float64Array) && !(m.data instanceof Float32Array)) {
    fail(fn, `${name} must be backed by a Float64Array or Float32Array`);
  }
  checkStorage(fn, name, m);
  if (rows !== undefined && m.shape[0] !== rows) {
    fail(fn, `${name} is ${shapeStr(m)}, expected ${rows} rows`);
  }
  if (cols !== undefined && m.shape[1] !== cols) {
    fail(fn, `${name} is ${shapeStr(m)}, expected ${cols} columns`);
  }
  return m;
}

/**
 * Every entry of a non-empty view must lie inside its storage: a matrix given
 * back by `releaseResident` has none left (its view is emptied so that it
 * cannot read or write a block that another matrix may own now).
 */
function checkStorage(fn: string, name: string, m: AnyMatrix): void {
  const [r, c] = m.shape;
  if (r === 0 || c === 0) return;
  let lo = m.offset, hi = m.offset;
  const e0 = (r - 1) * m.stride[0], e1 = (c - 1) * m.stride[1];
  if (e0 < 0) lo += e0; else hi += e0;
  if (e1 < 0) lo += e1; else hi += e1;
  if (lo >= 0 && hi < m.data.length) return;
  if (m.data.length === 0) fail(fn, `${name} (${shapeStr(m)}) has no storage: it was given back by releaseResident and must not be used any more`);
  fail(fn, `${name} is ${shapeStr(m)} with offset ${m.offset} and strides [${m.stride.join(', ')}], which reach entries ${lo} … ${hi} of a storage of ${m.data.length}`);
}

/** Like {@link checkMatrix} but requires double precision storage. */
export function checkMatrix64(fn: string, name: string, M: unknown, rows?: number, cols?: number): Matrix {
  const m = checkMatrix(fn, name, M, rows, cols);
  if (!(m.data instanceof Float64Array)) {
    fail(fn, `${name} must be a Float64Array-backed matrix, got a Float32Array (this kernel needs double precision)`);
  }
  return m as Matrix;
}

/** Assert that `x` is a finite number, optionally within bounds. */
export function checkNumber(fn: string, name: string, x: unknown, opts: { min?: number; max?: number; exclusiveMin?: boolean } = {}): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) fail(fn, `${name} must be a finite number, got ${String(x)}`);
  if (opts.min !== undefined) {
    if (opts.exclusiveMin ? !(x > opts.min) : !(x >= opts.min)) {
      fail(fn, `${name} must be ${opts.exclusiveMin ? '>' : '>='} ${opts.min}, got ${x}`);
    }
  }
  if (opts.max !== undefined && x > opts.max) fail(fn, `${name} must be <= ${opts.max}, got ${x}`);
  return x;
}
