/**
 * Input validation shared by every public entry point.
 *
 * Public functions validate once, at the entry, and throw a {@link NumdlError}
 * whose message names the function, the argument, what came in and what was
 * expected (`matmul: A is 3×4 but B is 5×2`). Inner kernels trust their callers.
 */
import type { Matrix, AnyMatrix } from './matrix.js';

/**
 * What kind of problem a {@link NumdlError} reports:
 * - `badArgument`: an argument has the wrong type or an invalid value;
 * - `badShape`: sizes or lengths do not fit together;
 * - `unknownOption`: an options object has a key the function does not know (a typo);
 * - `badOption`: an option has an invalid value;
 * - `badObjective`: a custom objective broke the {@link Objective} contract
 *   (wrong gradient or Hessian-product length, a value that is not a number);
 * - `badData`: a file or buffer is not what it claims (IDX header, gzip stream);
 * - `tooLarge`: the request needs more memory than can be allocated or than the input allows;
 * - `unavailable`: a resource (a package, a file, WebAssembly) is missing.
 */
export type NumdlErrorCode = 'badArgument' | 'badShape' | 'unknownOption' | 'badOption' | 'badObjective' | 'badData' | 'tooLarge' | 'unavailable';

/**
 * The error every numdl input check throws, so that callers can tell bad
 * input (a `NumdlError`) from a bug (any other exception). The message is
 * `fn: what was wrong`; `fn`, `code` and `values` repeat it for programs.
 * @example
 * try { matmul(A, B); } catch (e) { if (e instanceof NumdlError) console.log(e.fn, e.code, e.values); }
 */
export class NumdlError extends Error {
  /** The public function that rejected its input, e.g. `'matmul'`. */
  readonly fn: string;
  /** The kind of problem, see {@link NumdlErrorCode}. */
  readonly code: NumdlErrorCode;
  /** The offending values when the check knows them (`argument`, `got`, `expected`, …). */
  readonly values: Readonly<Record<string, unknown>>;

  constructor(fn: string, message: string, code: NumdlErrorCode = 'badArgument', values: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(`${fn}: ${message}`, options);
    this.name = 'NumdlError';
    this.fn = fn;
    this.code = code;
    this.values = Object.freeze({ ...values });
  }
}

/** True when `e` is a {@link NumdlError} (bad input rather than a bug). */
export function isNumdlError(e: unknown): e is NumdlError {
  return e instanceof NumdlError;
}

/** Shape of a 2-D array as `r×c`, for error messages. */
export function shapeStr(M: { shape: number[] }): string {
  if (M === null || typeof M !== 'object' || !Array.isArray(M.shape)) fail('shapeStr', `M must have a shape, got ${M === null ? 'null' : typeof M}`);
  return M.shape.join('×');
}

/**
 * Throw `NumdlError("fn: message")`.
 * @param code the kind of problem (default `badArgument`)
 * @param values the offending values, for programs (`{ argument: 'x', got: 3, expected: 4 }`)
 */
export function fail(fn: string, message: string, code: NumdlErrorCode = 'badArgument', values?: Record<string, unknown>): never {
  throw new NumdlError(fn, message, code, values);
}

/** Largest element count a typed array may have here (2³¹ − 1, the engines' common limit). */
const MAX_ELEMENTS = 2 ** 31 - 1;

/**
 * A new zeroed Float64Array of length `n`, or a {@link NumdlError} with code
 * `tooLarge` naming `fn` and `what` when it cannot be allocated (instead of a
 * bare `RangeError`).
 */
export function allocFloat64(fn: string, what: string, n: number): Float64Array {
  if (n > MAX_ELEMENTS) {
    fail(fn, `${what} needs ${n} doubles (${(n * 8 / 2 ** 30).toFixed(1)} GiB), more than a Float64Array can hold (${MAX_ELEMENTS} entries)`, 'tooLarge', { what, elements: n });
  }
  try {
    return new Float64Array(n);
  } catch (e) {
    return fail(fn, `cannot allocate ${what}, ${n} doubles (${(n * 8 / 2 ** 30).toFixed(1)} GiB): ${(e as Error).message}`, 'tooLarge', { what, elements: n });
  }
}

/** Assert that `n` is a non-negative integer (sizes, counts). */
export function checkSize(fn: string, name: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    fail(fn, `${name} must be a non-negative integer, got ${String(n)}`, 'badArgument', { argument: name, got: n });
  }
  return n;
}

/** Assert that `n` is a positive integer. */
export function checkPositiveInt(fn: string, name: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) {
    fail(fn, `${name} must be a positive integer, got ${String(n)}`, 'badArgument', { argument: name, got: n });
  }
  return n;
}

/** Assert that `x` is a Float64Array of the given length (or any length if `len` is undefined). */
export function checkVector(fn: string, name: string, x: unknown, len?: number): Float64Array {
  if (!(x instanceof Float64Array)) {
    const got = x instanceof Float32Array ? 'a Float32Array' : x === null ? 'null' : typeof x === 'object' ? (x as object).constructor?.name ?? 'an object' : typeof x;
    fail(fn, `${name} must be a Float64Array, got ${got}`, 'badArgument', { argument: name, got });
  }
  if (len !== undefined && x.length !== len) {
    fail(fn, `${name} has length ${x.length}, expected ${len}`, 'badShape', { argument: name, got: x.length, expected: len });
  }
  return x;
}

/** Assert that `M` is a 2-D ndarray (any float type); optionally with the given rows/cols. */
export function checkMatrix(fn: string, name: string, M: unknown, rows?: number, cols?: number): AnyMatrix {
  const m = M as AnyMatrix;
  if (m === null || typeof m !== 'object' || !Array.isArray(m.shape) || m.data === undefined) {
    fail(fn, `${name} must be a 2-D ndarray matrix, got ${m === null ? 'null' : typeof m}`, 'badArgument', { argument: name });
  }
  if (m.shape.length !== 2) fail(fn, `${name} must be 2-D, got shape [${m.shape.join(', ')}]`, 'badShape', { argument: name, got: [...m.shape] });
  if (!(m.data instanceof Float64Array) && !(m.data instanceof Float32Array)) {
    fail(fn, `${name} must be backed by a Float64Array or Float32Array`, 'badArgument', { argument: name });
  }
  checkStorage(fn, name, m);
  if (rows !== undefined && m.shape[0] !== rows) {
    fail(fn, `${name} is ${shapeStr(m)}, expected ${rows} rows`, 'badShape', { argument: name, got: [...m.shape], expected: [rows, cols ?? m.shape[1]] });
  }
  if (cols !== undefined && m.shape[1] !== cols) {
    fail(fn, `${name} is ${shapeStr(m)}, expected ${cols} columns`, 'badShape', { argument: name, got: [...m.shape], expected: [rows ?? m.shape[0], cols] });
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
    fail(fn, `${name} must be a Float64Array-backed matrix, got a Float32Array (this kernel needs double precision)`, 'badArgument', { argument: name });
  }
  return m as Matrix;
}

/** Assert that `x` is a finite number, optionally within bounds. */
export function checkNumber(fn: string, name: string, x: unknown, opts: { min?: number; max?: number; exclusiveMin?: boolean } = {}): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) fail(fn, `${name} must be a finite number, got ${String(x)}`, 'badArgument', { argument: name, got: x });
  if (opts.min !== undefined) {
    if (opts.exclusiveMin ? !(x > opts.min) : !(x >= opts.min)) {
      fail(fn, `${name} must be ${opts.exclusiveMin ? '>' : '>='} ${opts.min}, got ${x}`, 'badArgument', { argument: name, got: x });
    }
  }
  if (opts.max !== undefined && x > opts.max) fail(fn, `${name} must be <= ${opts.max}, got ${x}`, 'badArgument', { argument: name, got: x });
  return x;
}
