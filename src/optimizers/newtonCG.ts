/**
 * Inexact Newton: the Newton system ∇²f(x) p = −∇f(x) is solved only
 * approximately by (preconditioned) CG on the objective's Hessian mat-vec,
 * then an Armijo line search picks the step.
 */
import { fail } from '../core/errors.js';
import { pcg, type IterativeResult } from '../core/solvers/pcg.js';
import { dot, norm2 } from '../core/vector.js';
import type { Evaluation, Objective } from '../objectives/types.js';
import { DESCENT_OPTION_KEYS, descentSettings, runDescent, type DescentOptions, type Direction } from './descent.js';
import { checkCommon, checkKnownOptions, checkProblem, optionalFunction, positive, positiveInt } from './options.js';
import type { OptimizerResult } from './types.js';

/** Options of {@link newtonCG} (and of {@link gaussNewton}). */
export interface NewtonCGOptions extends DescentOptions {
  /**
   * Relative residual tolerance of CG, or `'adaptive'` for the forcing term
   * η_k = min(0.5, √(‖∇f_k‖/‖∇f_0‖)) (superlinear local convergence).
   * Default 1e-2.
   */
  cgTol?: number | 'adaptive';
  /** CG iteration cap per Newton step (default 20). */
  cgMaxIter?: number;
  /** Preconditioner z = M⁻¹ r for CG (SPD); default none. */
  preconditioner?: (r: Float64Array) => Float64Array;
}

/** Names of {@link NewtonCGOptions}. */
export const NEWTON_OPTION_KEYS = [...DESCENT_OPTION_KEYS, 'cgTol', 'cgMaxIter', 'preconditioner'] as const;

/** Validated CG settings. */
export interface CgSettings {
  cgTol: number | 'adaptive';
  cgMaxIter: number;
  preconditioner?: (r: Float64Array) => Float64Array;
}

/** Validate the CG options. */
export function cgSettings(fn: string, opts: NewtonCGOptions): CgSettings {
  const cgTol = opts.cgTol === 'adaptive' ? 'adaptive' : opts.cgTol === undefined ? 1e-2 : positive(fn, "cgTol (a number or 'adaptive')", opts.cgTol, 1e-2);
  return {
    cgTol,
    cgMaxIter: positiveInt(fn, 'cgMaxIter', opts.cgMaxIter, 20),
    preconditioner: optionalFunction(fn, 'preconditioner', opts.preconditioner),
  };
}

/** The CG tolerance at a point with gradient norm `gnorm`. */
export function cgTolerance(cg: CgSettings, gnorm: number, gnorm0: number): number {
  return cg.cgTol === 'adaptive' ? Math.min(0.5, Math.sqrt(gnorm / gnorm0)) : cg.cgTol;
}

/** The Hessian mat-vec of an evaluation, or a clear error. */
export function requireHessian(fn: string, ev: Evaluation): (v: Float64Array) => Float64Array {
  if (typeof ev.hessian !== 'function') {
    fail(fn, 'the objective returned no hessian mat-vec (Evaluation.hessian); use lbfgs or steepestDescent, or an objective with a (Gauss-Newton) Hessian', 'badObjective', { first: true });
  }
  return ev.hessian;
}

/**
 * The inexact Newton direction with its descent safeguard: p from CG on
 * H p = −g; the negative gradient instead when CG breaks down or goes
 * non-finite, meets negative curvature before its first step, or returns a
 * direction that is not a descent direction (gᵀp ≥ 0).
 * @param shift optional μ: solve (H + μI) p = −g (Levenberg–Marquardt)
 */
export function newtonDirection(fn: string, ev: Evaluation, cg: CgSettings, gnorm: number, gnorm0: number, shift = 0): Direction & { cg: IterativeResult } {
  const H = requireHessian(fn, ev);
  const g = ev.gradient;
  const n = g.length;
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) b[i] = -g[i];
  const A = shift > 0
    ? (v: Float64Array) => {
        // A fresh vector: the objective's H(v) result may be a buffer it reuses.
        const Hv = H(v);
        const y = new Float64Array(n);
        for (let i = 0; i < n; i++) y[i] = Hv[i] + shift * v[i];
        return y;
      }
    : H;
  const r = pcg(A, b, { tol: cgTolerance(cg, gnorm, gnorm0), maxIter: cg.cgMaxIter, preconditioner: cg.preconditioner });
  let p = r.x;
  const slope = dot(g, p);
  const cgFailed = r.flag === 'breakdown' || r.flag === 'nonFinite' || (r.flag === 'negativeCurvature' && r.iterations === 0);
  const fallback = cgFailed || !(slope < 0) || !Number.isFinite(norm2(p));
  if (fallback) p = b;
  return {
    p,
    cg: r,
    cgIter: r.iterations,
    fields: { cgFlag: r.flag, cgRelres: r.relres, fallback },
  };
}

/**
 * Newton-CG (inexact Newton) with Armijo line search:
 * solve ∇²f(x_k) p = −∇f(x_k) by CG to relative residual `cgTol` in at most
 * `cgMaxIter` iterations (the Hessian only as the mat-vec `evaluation.hessian`,
 * exact or Gauss-Newton), fall back to −∇f when CG fails (breaks down, meets
 * negative curvature at once, or returns no descent direction), then
 * backtrack from the initial step
 * min(maxStep, stepGrowth·α_{k−1}) (default maxStep 1, the Newton step).
 * Stops on ‖∇f‖ ≤ gradTol, ‖∇f‖ ≤ relGradTol‖∇f₀‖, the relative decrease
 * test, maxIter, a failed line search, a non-finite value, or the callback.
 * History rows add `cgFlag`, `cgRelres` and `fallback` (true when the
 * negative gradient was used).
 * @param objective f with value, gradient and `hessian` mat-vec
 * @param x0 starting point, length `objective.nParams` (not modified)
 * @param opts see {@link NewtonCGOptions}
 * @returns `{ x, value, gradNorm, status, message, iterations, evals, matvecs, time, history }`
 * @throws on invalid options (`newtonCG: cgMaxIter must be a positive integer, got 0`), or if the objective has no Hessian mat-vec
 * @example
 * const r = newtonCG(rosenbrock, new Float64Array([4, 2]));
 * r.x // ≈ [1, 1], r.status === 'converged'
 */
export function newtonCG(objective: Objective, x0: Float64Array, opts: NewtonCGOptions = {}): OptimizerResult {
  return runNewton('newtonCG', objective, x0, opts, NEWTON_OPTION_KEYS);
}

/** Shared entry of {@link newtonCG} and the undamped {@link gaussNewton}. */
export function runNewton(fn: string, objective: Objective, x0: Float64Array, opts: NewtonCGOptions, known: readonly string[]): OptimizerResult {
  checkKnownOptions(fn, opts, known);
  checkProblem(fn, objective, x0);
  checkCommon(fn, opts);
  const s = descentSettings(fn, opts, { maxIter: 100, maxLsIter: 30, maxStep: 1, columns: ['iter', 'value', 'gradNorm', 'step', 'lsIter', 'cgIter', 'cgRelres'] });
  const cg = cgSettings(fn, opts);
  const { evaluation: _ev, ...result } = runDescent(objective, x0, s, opts, {
    fullStepAtRoundoff: true,
    direction(_x, ev, _k, gnorm, gnorm0) {
      const { cg: _r, ...d } = newtonDirection(fn, ev, cg, gnorm, gnorm0);
      return d;
    },
  });
  return result;
}
