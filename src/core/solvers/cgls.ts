/**
 * CGLS: conjugate gradients on the (shifted) normal equations, applied through
 * A and Aᵀ only (Björck, "Numerical Methods for Least Squares Problems",
 * §7.4). AᵀA is never formed, which keeps the condition number at κ(A), not
 * κ(A)², in the recurrences for r = b − A x.
 */
import { checkNumber, checkPositiveInt, checkVector, fail } from '../errors.js';
import { asOperator, type LinearOperator } from '../linearOperator.js';
import type { Matrix } from '../matrix.js';
import type { IterativeResult, SolverFlag } from './pcg.js';
import { checkOptions } from '../options.js';

/** Options of {@link cgls}. */
export interface CglsOptions {
  /** Tikhonov shift s ≥ 0: minimise ‖A x − b‖² + s‖x‖² (default 0). */
  shift?: number;
  /** Relative tolerance on the normal-equation residual (default 1e-6). */
  tol?: number;
  /** Iteration cap (default max(min(rows, cols), 1), plus one when shift > 0 or x0 is given). */
  maxIter?: number;
  /** Starting guess (default 0). Not modified. */
  x0?: Float64Array;
}

function dot(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

function allFinite(x: Float64Array): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false;
  return true;
}

/**
 * Minimise ‖A x − b‖² + shift·‖x‖², i.e. solve (AᵀA + shift·I) x = Aᵀb, by CG
 * on the normal equations written with A and Aᵀ separately:
 *
 *   r₀ = b − A x₀, s₀ = Aᵀr₀ − shift·x₀, p₀ = s₀, γ₀ = ‖s₀‖²;
 *   qₖ = A pₖ, αₖ = γₖ / (‖qₖ‖² + shift‖pₖ‖²),
 *   xₖ₊₁ = xₖ + αₖpₖ, rₖ₊₁ = rₖ − αₖqₖ, sₖ₊₁ = Aᵀrₖ₊₁ − shift·xₖ₊₁,
 *   γₖ₊₁ = ‖sₖ₊₁‖², pₖ₊₁ = sₖ₊₁ + (γₖ₊₁/γₖ) pₖ,
 *
 * stopping when relres = ‖sₖ‖/‖Aᵀb‖ ≤ tol. From x₀ = 0 with shift = 0 it
 * converges to the minimum-norm least-squares solution (under-determined
 * systems included). Each iteration costs one product with A and one with Aᵀ.
 * Flags as {@link pcg}: `'breakdown'` if ‖qₖ‖² + shift‖pₖ‖² = 0 while sₖ ≠ 0,
 * `'nonFinite'` with the last finite iterate. Aᵀb = 0 returns x = 0 at once.
 *
 * @param A m×n LinearOperator or dense matrix
 * @param b length m
 * @param opts `shift` (≥ 0, default 0), `tol` (> 0, default 1e-6), `maxIter`
 *   (positive integer), `x0` (length n, default 0)
 * @returns `{ x, flag, iterations, relres, residuals }`, `residuals[k] = ‖sₖ‖/‖Aᵀb‖`
 * @throws on a length mismatch (`cgls: b has length 5, expected 4 (A is 4×3)`),
 *   shift < 0, tol ≤ 0, a non-integer maxIter, or an x0 of the wrong length
 * @example
 * const A = fromRows([[1, 0], [0, 1], [1, 1]]);
 * cgls(A, new Float64Array([1, 2, 3]), { tol: 1e-12 }).x // ≈ [1, 2]
 */
export function cgls(A: LinearOperator | Matrix, b: Float64Array, opts: CglsOptions = {}): IterativeResult {
  const fn = 'cgls';
  checkOptions(fn, opts, ['shift', 'tol', 'maxIter', 'x0'], 'opts');
  if (opts === null || typeof opts !== 'object') fail(fn, `opts must be an object, got ${String(opts)}`);
  const op = asOperator(A);
  const m = op.rows, n = op.cols;
  checkVector(fn, 'b', b);
  if (b.length !== m) fail(fn, `b has length ${b.length}, expected ${m} (A is ${m}×${n})`);
  const shift = opts.shift === undefined ? 0 : checkNumber(fn, 'shift', opts.shift, { min: 0 });
  const tol = opts.tol === undefined ? 1e-6 : checkNumber(fn, 'tol', opts.tol, { min: 0, exclusiveMin: true });
  if (opts.x0 !== undefined) checkVector(fn, 'x0', opts.x0, n);
  const maxIter = opts.maxIter === undefined
    ? Math.max(Math.min(m, n), 1) + (shift > 0 || opts.x0 !== undefined ? 1 : 0)
    : checkPositiveInt(fn, 'maxIter', opts.maxIter);
  if (!allFinite(b)) fail(fn, 'b has non-finite entries');

  const applyA = (v: Float64Array) => op.apply(Float64Array.from(v));
  const applyAT = (v: Float64Array) => op.applyTranspose(Float64Array.from(v));

  const atb = applyAT(b);
  const nAtb = Math.sqrt(dot(atb, atb));
  const residuals: number[] = [];
  let x = opts.x0 ? Float64Array.from(opts.x0) : new Float64Array(n);
  const result = (flag: SolverFlag, iterations: number, relres: number): IterativeResult => ({ x, flag, iterations, relres, residuals });
  if (!Number.isFinite(nAtb)) {
    residuals.push(NaN);
    return result('nonFinite', 0, NaN);
  }
  if (nAtb === 0) {
    // Aᵀb = 0: x = 0 solves the normal equations (the minimum-norm solution).
    x = new Float64Array(n);
    residuals.push(0);
    return result('converged', 0, 0);
  }
  if (!allFinite(x)) fail(fn, 'x0 has non-finite entries');

  let r: Float64Array;
  let s: Float64Array;
  if (opts.x0) {
    const ax = applyA(x);
    r = Float64Array.from(b);
    for (let i = 0; i < m; i++) r[i] -= ax[i];
    s = applyAT(r);
    for (let j = 0; j < n; j++) s[j] -= shift * x[j];
  } else {
    r = Float64Array.from(b);
    s = Float64Array.from(atb);
  }
  let gamma = dot(s, s);
  let relres = Math.sqrt(gamma) / nAtb;
  if (!Number.isFinite(relres)) {
    residuals.push(NaN);
    return result('nonFinite', 0, NaN);
  }
  residuals.push(relres);
  if (relres <= tol) return result('converged', 0, relres);

  const p = Float64Array.from(s);
  let xNew = new Float64Array(n);
  for (let k = 0; k < maxIter; k++) {
    const q = applyA(p);
    const delta = dot(q, q) + shift * dot(p, p);
    if (!Number.isFinite(delta)) return result('nonFinite', k, relres);
    if (delta <= 0) return result('breakdown', k, relres);
    const alpha = gamma / delta;
    for (let j = 0; j < n; j++) xNew[j] = x[j] + alpha * p[j];
    if (!Number.isFinite(alpha) || !allFinite(xNew)) return result('nonFinite', k, relres);
    const t = x;
    x = xNew;
    xNew = t;
    for (let i = 0; i < m; i++) r[i] -= alpha * q[i];
    s = applyAT(r);
    for (let j = 0; j < n; j++) s[j] -= shift * x[j];
    const gammaNew = dot(s, s);
    if (!Number.isFinite(gammaNew)) return result('nonFinite', k + 1, relres);
    relres = Math.sqrt(gammaNew) / nAtb;
    residuals.push(relres);
    if (relres <= tol) return result('converged', k + 1, relres);
    const beta = gammaNew / gamma;
    gamma = gammaNew;
    for (let j = 0; j < n; j++) p[j] = s[j] + beta * p[j];
  }
  return result('maxIter', maxIter, relres);
}
