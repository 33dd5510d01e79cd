/**
 * The default inner solver of the VarPro objective: Newton-CG with an Armijo
 * backtracking line search, on top of core `pcg`. (Objectives must not import
 * the optimizers; `newtonCG` from there can be passed as `inner.solve`.)
 */
import { checkVector, fail } from '../core/errors.js';
import { pcg } from '../core/solvers/pcg.js';
import type { Objective } from './types.js';
import { checkOptions, nonNegative, positiveInt } from '../core/options.js';

/** Settings of {@link innerNewtonCG}. */
export interface InnerNewtonOptions {
  /** Stop when ‖∇f‖₂ ≤ tol (absolute; default 1e-8). */
  tol?: number;
  /** Newton iteration cap (default 20). */
  maxIter?: number;
  /** CG iteration cap per Newton step (default 50). */
  cgMaxIter?: number;
}

/** What an inner solve reports. */
export interface InnerReport {
  /** The minimiser found. */
  x: Float64Array;
  /** Newton iterations done. */
  iterations: number;
  /** CG iterations in total. */
  cgIterations: number;
  /** ‖∇f(x)‖₂ at the returned x. */
  gradNorm: number;
  /** 'converged' (‖∇f‖ ≤ tol), 'maxIter' or 'lineSearchFailed'. */
  flag: 'converged' | 'maxIter' | 'lineSearchFailed';
  /** f(x). */
  value: number;
}

function norm(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/** Machine epsilon of float64. */
const EPS = 2.220446049250313e-16;

/**
 * Minimise a convex objective (with Hessian mat-vecs) from x0 by inexact Newton:
 * solve ∇²f p = −∇f by CG to the relative residual η = min(0.1, √‖∇f‖)
 * (forcing term for superlinear convergence), fall back to p = −∇f when CG
 * meets non-positive curvature at once or p is not a descent direction, then
 * backtrack t = 1, ½, ¼, … until f(x + t p) ≤ f(x) + 10⁻⁴ t ∇fᵀp (Armijo);
 * once −∇fᵀp is below the round-off of f, accept the full step if it reduces
 * ‖∇f‖ (and report convergence to round-off if it does not).
 * @param objective f with evaluate → value, gradient, hessian
 * @param x0 start (warm start), not modified
 * @param options tol, maxIter, cgMaxIter
 * @returns the report (x, iterations, cgIterations, gradNorm, flag, value)
 * @throws if the objective's evaluation has no `hessian`
 * @example innerNewtonCG(obj, new Float64Array(obj.nParams), { tol: 1e-10 }).gradNorm // ≤ 1e-10
 */
export function innerNewtonCG(objective: Objective, x0: Float64Array, options: InnerNewtonOptions = {}): InnerReport {
  const fn = 'innerNewtonCG';
  checkOptions(fn, options, ['tol', 'maxIter', 'cgMaxIter']);
  const o = objective as Partial<Objective> | null;
  if (o === null || typeof o !== 'object' || typeof o.evaluate !== 'function') fail(fn, 'objective must have an evaluate(x, batch?, opts?) method');
  checkVector(fn, 'x0', x0, objective.nParams);
  const tol = nonNegative(fn, 'tol', options.tol, 1e-8);
  const maxIter = positiveInt(fn, 'maxIter', options.maxIter, 20);
  const cgMaxIter = positiveInt(fn, 'cgMaxIter', options.cgMaxIter, 50);
  let x = Float64Array.from(x0);
  let ev = objective.evaluate(x);
  let gnorm = norm(ev.gradient);
  let iterations = 0, cgIterations = 0;
  const xt = new Float64Array(x.length);
  while (gnorm > tol && iterations < maxIter) {
    const g = ev.gradient;
    const hess = ev.hessian;
    if (typeof hess !== 'function') fail('innerNewtonCG', 'the objective must return a Hessian mat-vec');
    const rhs = new Float64Array(g.length);
    for (let i = 0; i < g.length; i++) rhs[i] = -g[i];
    const cg = pcg(hess, rhs, { tol: Math.min(0.1, Math.sqrt(gnorm)), maxIter: cgMaxIter });
    cgIterations += cg.iterations;
    let p = cg.x;
    let slope = 0;
    for (let i = 0; i < g.length; i++) slope += g[i] * p[i];
    if (!(slope < 0)) {
      p = rhs;
      slope = -gnorm * gnorm;
    }
    // Near the solution the predicted decrease −∇fᵀp falls below the round-off
    // of f, and Armijo can no longer tell a good step from a bad one: then
    // take the full Newton step when it reduces ‖∇f‖ (the merit function that
    // stays measurable), and stop as converged to round-off when it does not.
    if (-slope <= 100 * EPS * Math.max(1, Math.abs(ev.value))) {
      for (let i = 0; i < x.length; i++) xt[i] = x[i] + p[i];
      const evFull = objective.evaluate(xt);
      const gFull = norm(evFull.gradient);
      iterations++;
      if (!(gFull < gnorm)) {
        return { x, iterations, cgIterations, gradNorm: gnorm, flag: 'converged', value: ev.value };
      }
      x = Float64Array.from(xt);
      ev = evFull;
      gnorm = gFull;
      continue;
    }
    // Armijo backtracking.
    let t = 1, accepted = false;
    let evT = ev;
    for (let k = 0; k < 40; k++) {
      for (let i = 0; i < x.length; i++) xt[i] = x[i] + t * p[i];
      const val = objective.evaluate(xt, null, { valueOnly: true }).value;
      if (val <= ev.value + 1e-4 * t * slope) {
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    iterations++;
    if (!accepted) {
      return { x, iterations, cgIterations, gradNorm: gnorm, flag: 'lineSearchFailed', value: ev.value };
    }
    x = Float64Array.from(xt);
    evT = objective.evaluate(x);
    ev = evT;
    gnorm = norm(ev.gradient);
  }
  return { x, iterations, cgIterations, gradNorm: gnorm, flag: gnorm <= tol ? 'converged' : 'maxIter', value: ev.value };
}
