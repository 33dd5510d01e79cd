/**
 * Preconditioned conjugate gradients, matrix-free.
 *
 * Textbook PCG (Hestenes–Stiefel; Saad, "Iterative Methods for Sparse Linear
 * Systems", Alg. 9.1) on an operator known only through v ↦ A v, with the
 * safeguards an inner solver of Newton-CG needs: it stops at the first
 * direction of non-positive curvature and returns the last iterate, and it
 * never returns a non-finite vector.
 */
import { checkNumber, checkPositiveInt, checkVector, fail } from '../errors.js';
import { asOperator, type LinearOperator } from '../linearOperator.js';
import type { Matrix } from '../matrix.js';
import { checkOptions } from '../options.js';

/** Why an iterative solver stopped. */
export type SolverFlag = 'converged' | 'maxIter' | 'negativeCurvature' | 'breakdown' | 'nonFinite';

/** Result of {@link pcg} and {@link cgls}. */
export interface IterativeResult {
  /** The (approximate) solution. */
  x: Float64Array;
  /**
   * Why it stopped: `'converged'` (relres ≤ tol), `'maxIter'`, `'negativeCurvature'`
   * (pcg: pᵀAp ≤ 0), `'breakdown'` (a zero or negative inner product where a
   * positive one is required, e.g. a preconditioner that is not positive
   * definite), `'nonFinite'` (NaN/Inf appeared; x is the last finite iterate).
   */
  flag: SolverFlag;
  /** CG steps completed (updates of x); `residuals` has `iterations + 1` entries. */
  iterations: number;
  /** Final relative residual ‖b − A x‖/‖b‖ (for cgls: ‖Aᵀ(b − Ax) − shift·x‖/‖Aᵀb‖). */
  relres: number;
  /** Relative residual after each iteration, starting with iteration 0. */
  residuals: number[];
}

/** A symmetric operator given as an object, a dense matrix, or a mat-vec function. */
export type SymmetricOperator = LinearOperator | Matrix | ((v: Float64Array) => Float64Array);

/** Options of {@link pcg}. */
export interface PcgOptions {
  /** Relative residual tolerance (default 1e-6). */
  tol?: number;
  /** Iteration cap (default n). */
  maxIter?: number;
  /** Starting guess (default 0). Not modified. */
  x0?: Float64Array;
  /** Preconditioner z = M⁻¹ r (SPD); default identity. Must not keep or modify r. */
  preconditioner?: (r: Float64Array) => Float64Array;
}

function allFinite(x: Float64Array): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false;
  return true;
}

/**
 * γ of the drift bound Dₖ (see pcg): √ε. Below it the recursive
 * residual plus its possible drift is trusted without an extra product.
 */
const PCG_DRIFT = Math.sqrt(Number.EPSILON);

function dot(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

/**
 * Solve A x = b, A symmetric positive (semi-)definite, by preconditioned CG:
 *
 *   r₀ = b − A x₀, z₀ = M⁻¹r₀, p₀ = z₀;
 *   αₖ = rₖᵀzₖ / pₖᵀA pₖ,  xₖ₊₁ = xₖ + αₖ pₖ,  rₖ₊₁ = rₖ − αₖ A pₖ,
 *   βₖ = rₖ₊₁ᵀzₖ₊₁ / rₖᵀzₖ,  pₖ₊₁ = zₖ₊₁ + βₖ pₖ,
 *
 * stopping when ‖rₖ‖/‖b‖ ≤ tol. The recursive residual rₖ drifts from the
 * true one b − A xₖ only by rounding: per step the updates of x and r and the
 * product A pₖ each err by a small multiple of their size, so
 *   ‖rₖ − (b − A xₖ)‖ ≤ Dₖ = γ Σⱼ₌₁ᵏ (‖rⱼ‖ + ‖αⱼ₋₁ A pⱼ₋₁‖ + Â ‖xⱼ‖),
 * Â = maxⱼ ‖A pⱼ‖/‖pⱼ‖ (an estimate of ‖A‖), γ = √ε (room
 * for an operator accurate to about 1e-8 relative, far above double rounding;
 * cf. van der Vorst & Ye, "Residual replacement strategies for Krylov subspace
 * iterative methods", SISC 22, 2000). When ‖rₖ‖ + Dₖ ≤ tol·‖b‖ the true
 * residual is within tol too and 'converged' is reported at once; otherwise
 * (a tight tol, or a large Â‖x‖ against ‖b‖) the recursive residual is
 * confirmed by one extra product b − A x (if they disagree the iteration
 * restarts from the true residual). Only products with A are used.
 *
 * Safeguards: pₖᵀApₖ ≤ 0 stops with `'negativeCurvature'` and the last iterate
 * xₖ (x₀, or zero, when it happens in the first step — the caller falls back,
 * e.g. Newton-CG to steepest descent); NaN/Inf stops with `'nonFinite'` and the
 * last finite iterate; rₖᵀzₖ ≤ 0 (preconditioner not positive definite) stops
 * with `'breakdown'`; b = 0 returns x = 0 at once. Inputs are never modified.
 *
 * @param A n×n symmetric operator: a LinearOperator, a dense matrix, or a function v ↦ A v
 * @param b right-hand side, length n
 * @param opts `tol` (> 0, default 1e-6), `maxIter` (positive integer, default max(n, 1)),
 *   `x0` (length n, default 0), `preconditioner` r ↦ M⁻¹r (default identity)
 * @returns `{ x, flag, iterations, relres, residuals }` with `residuals[k] = ‖rₖ‖/‖b‖`
 * @throws if A is not square, b's length differs from A's size (`pcg: b has length 3, expected 4`),
 *   tol ≤ 0, maxIter is not a positive integer, or x0 / A(v) / M⁻¹r have the wrong length
 * @example
 * const A = fromRows([[4, 1], [1, 3]]);
 * pcg(A, new Float64Array([1, 2]), { tol: 1e-12 }).x // ≈ [0.0909, 0.6364]
 */
export function pcg(A: SymmetricOperator, b: Float64Array, opts: PcgOptions = {}): IterativeResult {
  const fn = 'pcg';
  checkOptions(fn, opts, ['tol', 'maxIter', 'x0', 'preconditioner'], 'opts');
  checkVector(fn, 'b', b);
  if (opts === null || typeof opts !== 'object') fail(fn, `opts must be an object, got ${String(opts)}`);
  let n: number;
  let applyA: (v: Float64Array) => Float64Array;
  if (typeof A === 'function') {
    n = b.length;
    applyA = A;
  } else {
    const op = asOperator(A as LinearOperator | Matrix);
    if (op.rows !== op.cols) fail(fn, `A is ${op.rows}×${op.cols}, expected a square operator`);
    n = op.rows;
    if (b.length !== n) fail(fn, `b has length ${b.length}, expected ${n} (A is ${n}×${n})`);
    applyA = (v) => op.apply(v);
  }
  const tol = opts.tol === undefined ? 1e-6 : checkNumber(fn, 'tol', opts.tol, { min: 0, exclusiveMin: true });
  const maxIter = opts.maxIter === undefined ? Math.max(n, 1) : checkPositiveInt(fn, 'maxIter', opts.maxIter);
  if (opts.x0 !== undefined) checkVector(fn, 'x0', opts.x0, n);
  const M = opts.preconditioner;
  if (M !== undefined && typeof M !== 'function') fail(fn, 'preconditioner must be a function r ↦ M⁻¹r');

  const matvec = (v: Float64Array): Float64Array => {
    const y = applyA(v);
    if (!(y instanceof Float64Array) || y.length !== n) {
      fail(fn, `A(v) returned ${y instanceof Float64Array ? `length ${y.length}` : String(y)}, expected a Float64Array of length ${n}`);
    }
    return y;
  };
  // Without a preconditioner z = r itself (it is read before r changes again); M gets a copy it may keep or modify.
  const precond = (r: Float64Array): Float64Array => {
    if (!M) return r;
    const z = M(Float64Array.from(r));
    if (!(z instanceof Float64Array) || z.length !== n) {
      fail(fn, `preconditioner returned ${z instanceof Float64Array ? `length ${z.length}` : String(z)}, expected a Float64Array of length ${n}`);
    }
    return z;
  };

  const nb = Math.sqrt(dot(b, b));
  if (!Number.isFinite(nb)) fail(fn, 'b has non-finite entries');
  if (nb === 0) {
    return { x: new Float64Array(n), flag: 'converged', iterations: 0, relres: 0, residuals: [0] };
  }

  let x = opts.x0 ? Float64Array.from(opts.x0) : new Float64Array(n);
  if (!allFinite(x)) fail(fn, 'x0 has non-finite entries');
  let xNew = new Float64Array(n);

  // True residual b − A x (used at the start and to confirm convergence).
  const trueResidual = (xv: Float64Array): Float64Array => {
    const r = Float64Array.from(b);
    const ax = matvec(Float64Array.from(xv));
    for (let i = 0; i < n; i++) r[i] -= ax[i];
    return r;
  };

  const residuals: number[] = [];
  const result = (flag: SolverFlag, iterations: number, relres: number): IterativeResult => ({ x, flag, iterations, relres, residuals });

  let r = opts.x0 ? trueResidual(x) : Float64Array.from(b);
  if (!allFinite(r)) {
    residuals.push(NaN);
    return result('nonFinite', 0, NaN);
  }
  let relres = Math.sqrt(dot(r, r)) / nb;
  residuals.push(relres);
  if (relres <= tol) return result('converged', 0, relres);

  let z = precond(r);
  let rz = dot(r, z);
  if (!Number.isFinite(rz)) return result('nonFinite', 0, relres);
  if (rz <= 0) return result('breakdown', 0, relres);
  const p = Float64Array.from(z);
  // The operator gets a copy of p (it may keep or modify its argument); one buffer for all steps.
  const pIn = new Float64Array(n);
  let pp = dot(p, p);
  // Drift bound of the recursive residual (see above): γ Σ (‖rⱼ‖ + ‖αⱼ₋₁ qⱼ₋₁‖ + Â ‖xⱼ‖), Â = max ‖q‖/‖p‖.
  let drift = 0, aNorm = 0;

  for (let k = 0; k < maxIter; k++) {
    pIn.set(p);
    const q = matvec(pIn);
    // pᵀq and ‖q‖² in one sweep; nan stays 0 unless some q_i is NaN or ±Infinity (q_i − q_i is NaN then).
    let pq = 0, qq = 0, nan = 0;
    for (let i = 0; i < n; i++) {
      const t = q[i];
      pq += p[i] * t;
      qq += t * t;
      nan += t - t;
    }
    if (!Number.isFinite(pq) || nan !== 0) return result('nonFinite', k, relres);
    // Zero or negative curvature: A is not positive definite along p. Stop with
    // the last iterate (Newton-CG uses it, or falls back when k = 0).
    if (pq <= 0) return result('negativeCurvature', k, relres);
    const alpha = rz / pq;
    if (!Number.isFinite(alpha)) return result('nonFinite', k, relres);
    // x and r updated in one sweep (with ‖x‖² and ‖r‖²); a non-finite x returns the old iterate (r is not returned).
    let xx = 0, rr = 0;
    nan = 0;
    for (let i = 0; i < n; i++) {
      const t = x[i] + alpha * p[i];
      xNew[i] = t;
      xx += t * t;
      nan += t - t;
      const s = r[i] - alpha * q[i];
      r[i] = s;
      rr += s * s;
    }
    if (nan !== 0) return result('nonFinite', k, relres);
    const tmp = x;
    x = xNew;
    xNew = tmp;
    if (!Number.isFinite(rr)) return result('nonFinite', k + 1, relres);
    relres = Math.sqrt(rr) / nb;
    aNorm = Math.max(aNorm, Math.sqrt(qq / pp));
    drift += PCG_DRIFT * (Math.sqrt(rr) + Math.abs(alpha) * Math.sqrt(qq) + aNorm * Math.sqrt(xx));
    let restart = false;
    if (relres <= tol && !(Math.sqrt(rr) + drift <= tol * nb)) {
      // The recursion may have drifted below the true residual by more than the margin: confirm it.
      const rt = trueResidual(x);
      const rrt = dot(rt, rt);
      if (!Number.isFinite(rrt)) {
        residuals.push(relres);
        return result('nonFinite', k + 1, relres);
      }
      r = rt;
      rr = rrt;
      relres = Math.sqrt(rr) / nb;
      residuals.push(relres);
      if (relres <= tol) return result('converged', k + 1, relres);
      restart = true; // continue from the true residual with a fresh direction
      drift = 0;
    } else {
      residuals.push(relres);
      if (relres <= tol) return result('converged', k + 1, relres);
    }
    z = precond(r);
    // Without a preconditioner z is r: rᵀz is rᵀr, the same sum in the same order.
    const rzNew = z === r ? rr : dot(r, z);
    if (!Number.isFinite(rzNew)) return result('nonFinite', k + 1, relres);
    if (rzNew <= 0) return result('breakdown', k + 1, relres);
    const beta = restart ? 0 : rzNew / rz;
    rz = rzNew;
    pp = 0;
    for (let i = 0; i < n; i++) {
      const t = z[i] + beta * p[i];
      p[i] = t;
      pp += t * t;
    }
  }
  return result('maxIter', maxIter, relres);
}
