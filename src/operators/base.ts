/**
 * Shared plumbing of the operator factories: validation at the public entry,
 * column-major data access, and output allocation. Each factory supplies
 * trusting kernels on raw column-major arrays; this wrapper checks the sizes
 * once and hands the kernels contiguous data.
 */
import { checkMatrix64, checkVector, fail } from '../core/errors.js';
import { columnMajorData, zeros, type Matrix } from '../core/matrix.js';
import type { SparseMatrix } from './sparse.js';
import type { ParametricOperator } from './types.js';

/** Trusting kernels of one operator, on raw column-major arrays (internal). */
export interface OperatorKernels {
  /** Factory name used in error messages (`conv2d`). */
  fn: string;
  /** Display name with sizes. */
  name: string;
  nIn: number;
  nOut: number;
  nTheta: number;
  /** Description of nIn for error messages, e.g. `28×28×1`. */
  inDesc?: string;
  /** Description of nOut for error messages. */
  outDesc?: string;
  /** out (nOut × n) ← K(θ) Y. `out` is zero-filled on entry. */
  apply(theta: Float64Array, Y: Float64Array, n: number, out: Float64Array): void;
  /** out (nIn × n) ← K(θ)ᵀ Z. `out` is zero-filled on entry. */
  applyTranspose(theta: Float64Array, Z: Float64Array, n: number, out: Float64Array): void;
  /** out (nTheta) ← J_θ(K(θ)Y)ᵀ Z summed over examples. `out` is zero-filled on entry. */
  vjp(Z: Float64Array, Y: Float64Array, n: number, out: Float64Array): void;
  /** out (nOut × nIn, zero-filled) ← K(θ). */
  toDense(theta: Float64Array, out: Float64Array): void;
  /** Q as a sparse matrix. */
  Q(): SparseMatrix;
}

/** Check θ and return it. */
export function checkTheta(fn: string, theta: unknown, nTheta: number, label = 'theta'): Float64Array {
  return checkVector(fn, label, theta, nTheta);
}

/** Check a data matrix with `rows` rows and return its column-major data and column count. */
export function checkData(fn: string, label: string, M: unknown, rows: number, desc?: string): { data: Float64Array; n: number } {
  const m = checkMatrix64(fn, label, M);
  if (m.shape[0] !== rows) fail(fn, `${label} has ${m.shape[0]} rows, expected ${rows}${desc ? ` (${desc})` : ''}`);
  return { data: columnMajorData(m), n: m.shape[1] };
}

/**
 * Build a validated, linear-in-θ {@link ParametricOperator} from trusting kernels
 * (internal: every factory uses it; the public `linearParametric(Q, shape)` of
 * linearParametric.ts, which builds an operator from a user's Q, imports it under another name).
 */
export function linearParametric(k: OperatorKernels, extra: Record<string, unknown> = {}): ParametricOperator {
  const { fn, nIn, nOut, nTheta } = k;
  const apply = (theta: Float64Array, Y: Matrix): Matrix => {
    checkTheta(fn, theta, nTheta);
    const { data, n } = checkData(fn, 'Y', Y, nIn, k.inDesc);
    const out = zeros(nOut, n);
    k.apply(theta, data, n, out.data);
    return out;
  };
  const jvp = (dTheta: Float64Array, Y: Matrix): Matrix => {
    checkTheta(fn, dTheta, nTheta, 'dTheta');
    const { data, n } = checkData(fn, 'Y', Y, nIn, k.inDesc);
    const out = zeros(nOut, n);
    k.apply(dTheta, data, n, out.data);
    return out;
  };
  const vjp = (Z: Matrix, Y: Matrix): Float64Array => {
    const z = checkData(fn, 'Z', Z, nOut, k.outDesc);
    const y = checkData(fn, 'Y', Y, nIn, k.inDesc);
    if (z.n !== y.n) fail(fn, `Z has ${z.n} columns but Y has ${y.n}`);
    const out = new Float64Array(nTheta);
    k.vjp(z.data, y.data, y.n, out);
    return out;
  };
  const op: ParametricOperator = {
    name: k.name,
    nIn,
    nOut,
    nTheta,
    linear: true,
    apply,
    applyTranspose(theta, Z) {
      checkTheta(fn, theta, nTheta);
      const { data, n } = checkData(fn, 'Z', Z, nOut, k.outDesc);
      const out = zeros(nIn, n);
      k.applyTranspose(theta, data, n, out.data);
      return out;
    },
    jvp,
    vjp,
    jvpAt(theta, dTheta, Y) {
      checkTheta(fn, theta, nTheta);
      return jvp(dTheta, Y);
    },
    vjpAt(theta, Z, Y) {
      checkTheta(fn, theta, nTheta);
      return vjp(Z, Y);
    },
    toDense(theta) {
      checkTheta(fn, theta, nTheta);
      const out = zeros(nOut, nIn);
      k.toDense(theta, out.data);
      return out;
    },
    Q: () => k.Q(),
  };
  return Object.assign(op, extra);
}

/**
 * Q of a parametric model K(θ) = mat(Q θ) as a sparse (nOut·nIn) × nTheta
 * matrix; row `i + j*nOut` of Q holds the θ-coefficients of K(θ)_{ij}.
 * @param op a linear parametric operator (one with a `Q` member)
 * @returns the sparse Q
 * @throws if the operator is not linear in θ or does not expose Q
 * @example sparseToDense(sparseQ(mMatrix(3))) // the lecture's 9 × 6 matrix Q
 */
export function sparseQ(op: ParametricOperator): SparseMatrix {
  if (!op || typeof op.Q !== 'function' || op.linear === false) fail('sparseQ', `${op?.name ?? 'operator'} does not expose Q (it is not linear in θ)`);
  return op.Q();
}

/** Check a positive integer size argument. */
export function checkDim(fn: string, label: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) fail(fn, `${label} must be a positive integer, got ${String(n)}`);
  return n;
}
