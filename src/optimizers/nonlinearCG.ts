/**
 * Nonlinear conjugate gradients (the lecture's "apply gradient descent/NLCG/
 * BFGS" for the reduced VarPro problem): p_k = −∇f_k + β_k p_{k−1} with a
 * strong Wolfe line search and restarts (Nocedal & Wright, Numerical
 * Optimization, §5.2; Hager & Zhang, "A survey of nonlinear conjugate gradient
 * methods", Pacific J. Optim. 2 (2006)). With g = ∇f, y = g_k − g_{k−1}:
 *   FR  (Fletcher–Reeves)     β = g_kᵀg_k / g_{k−1}ᵀg_{k−1}
 *   PR+ (Polak–Ribière, ≥ 0)  β = max(0, g_kᵀy / g_{k−1}ᵀg_{k−1})
 *   HS  (Hestenes–Stiefel)    β = g_kᵀy / p_{k−1}ᵀy
 *   DY  (Dai–Yuan)            β = g_kᵀg_k / p_{k−1}ᵀy
 * On a strictly convex quadratic with exact line searches all four are linear
 * CG and end in at most n steps.
 */
import { dot, norm2 } from '../core/vector.js';
import type { Objective } from '../objectives/types.js';
import { DESCENT_OPTION_KEYS, descentSettings, runDescent, type DescentOptions } from './descent.js';
import { checkCommon, checkKnownOptions, checkProblem, inInterval, oneOf, positive, positiveInt } from './options.js';
import type { OptimizerResult } from './types.js';

/** The β formulas {@link nonlinearCG} offers. */
export type NonlinearCGVariant = 'PR+' | 'FR' | 'HS' | 'DY';

/** Options of {@link nonlinearCG}. */
export interface NonlinearCGOptions extends DescentOptions {
  /** The β formula (default `'PR+'`). */
  variant?: NonlinearCGVariant;
  /**
   * Curvature constant c₂ ∈ (c₁, 1) of the strong Wolfe conditions (default
   * 0.1: CG needs a fairly exact line search; FR is guaranteed descent
   * directions only for c₂ < ½).
   */
  c2?: number;
  /** Restart with −∇f every this many iterations (default: nParams, the quadratic termination length; `Infinity` for never). */
  restartEvery?: number;
  /**
   * Powell's restart test: restart with −∇f when |g_kᵀg_{k−1}| ≥ ν‖g_k‖², i.e.
   * successive gradients are far from orthogonal (default ν = 0.2; `Infinity` turns it off).
   */
  restartOrthogonality?: number;
}

/** Names of {@link NonlinearCGOptions}. */
export const NONLINEAR_CG_OPTION_KEYS = [...DESCENT_OPTION_KEYS, 'variant', 'c2', 'restartEvery', 'restartOrthogonality'] as const;

/**
 * Nonlinear conjugate gradients with a strong Wolfe line search:
 * x_{k+1} = x_k + α_k p_k, p_k = −∇f_k + β_k p_{k−1} (β by `variant`, see the
 * module comment), p_0 = −∇f_0. The direction restarts as −∇f (β = 0) every
 * `restartEvery` iterations, when Powell's orthogonality test fails, and when
 * p_k is not a descent direction (∇f_kᵀp_k ≥ −1e-12‖∇f_k‖‖p_k‖, possible
 * when the line search ends with sufficient decrease only).
 * First trial step: min(initialStep, 1/‖∇f_0‖) at the start and after a
 * restart, else α_{k−1}·∇f_{k−1}ᵀp_{k−1} / ∇f_kᵀp_k (N&W eq. 3.60: the same
 * first-order change as the last step), capped by `maxStep`.
 * History rows add `beta` (0 on a restart), `restarts` (so far) and `restart`
 * (why this iteration restarted: `''`, `'periodic'`, `'powell'`, `'descent'`).
 * @param objective f with value and gradient (no Hessian needed)
 * @param x0 starting point, length `objective.nParams` (not modified)
 * @param opts `variant`, `c2`, restarts and the {@link DescentOptions} (default maxIter 1000, maxLsIter 30, maxStep 1e10)
 * @returns `{ x, value, gradNorm, status, message, iterations, evals, matvecs, time, history }`
 * @throws on invalid options (`nonlinearCG: variant must be one of 'PR+', 'FR', 'HS', 'DY', got 'PR'`)
 * @example
 * const r = nonlinearCG(rosenbrock, Float64Array.of(-1.2, 1), { variant: 'PR+' });
 * r.status // 'converged', r.x ≈ [1, 1]
 */
export function nonlinearCG(objective: Objective, x0: Float64Array, opts: NonlinearCGOptions = {}): OptimizerResult {
  return nonlinearCGAs('nonlinearCG', objective, x0, opts);
}

/** {@link nonlinearCG} reporting errors under the name `fn` (for drivers such as varpro). */
export function nonlinearCGAs(fn: string, objective: Objective, x0: Float64Array, opts: NonlinearCGOptions): OptimizerResult {
  checkKnownOptions(fn, opts, NONLINEAR_CG_OPTION_KEYS);
  checkProblem(fn, objective, x0);
  checkCommon(fn, opts);
  const variant = oneOf(fn, 'variant', opts.variant, 'PR+', ['PR+', 'FR', 'HS', 'DY'] as const);
  const n = x0.length;
  const restartEvery = positiveInt(fn, 'restartEvery', opts.restartEvery, Math.max(1, n), true);
  const nu = positive(fn, 'restartOrthogonality', opts.restartOrthogonality, 0.2, true);
  const s = descentSettings(fn, opts, { maxIter: 1000, maxLsIter: 30, maxStep: 1e10, columns: ['iter', 'value', 'gradNorm', 'step', 'lsIter', 'beta', 'restart'] });
  s.lineSearch = 'wolfe';
  s.c2 = inInterval(fn, 'c2', opts.c2, 0.1, s.c1, 1, true);

  // The previous iterate's gradient and direction, the accepted step along it,
  // and the iterations since the last restart.
  let gPrev: Float64Array | null = null;
  let pPrev: Float64Array | null = null;
  let alphaPrev = 0;
  let sinceRestart = 0;
  let restarts = 0;
  let beta = 0;
  let reason = '';

  const { evaluation: _ev, ...result } = runDescent(objective, x0, s, opts, {
    direction(_x, ev, k, gnorm) {
      const g = ev.gradient;
      const gg = gnorm * gnorm;
      const p = new Float64Array(n);
      reason = '';
      beta = 0;
      if (gPrev && pPrev) {
        if (sinceRestart >= restartEvery) reason = 'periodic';
        else if (Math.abs(dot(g, gPrev)) >= nu * gg) reason = 'powell';
        else {
          const ggPrev = dot(gPrev, gPrev);
          let gy = 0, py = 0;
          for (let i = 0; i < n; i++) {
            const y = g[i] - gPrev[i];
            gy += g[i] * y;
            py += pPrev[i] * y;
          }
          switch (variant) {
            case 'FR': beta = gg / ggPrev; break;
            case 'PR+': beta = Math.max(0, gy / ggPrev); break;
            case 'HS': beta = gy / py; break;
            case 'DY': beta = gg / py; break;
          }
          if (!Number.isFinite(beta)) { beta = 0; reason = 'descent'; }
        }
      }
      for (let i = 0; i < n; i++) p[i] = -g[i] + (beta !== 0 && pPrev ? beta * pPrev[i] : 0);
      const slope = dot(g, p);
      if (beta !== 0 && !(slope < -1e-12 * gnorm * norm2(p))) {
        // Not a descent direction (the previous line search stopped short of
        // the curvature condition): restart along −∇f.
        beta = 0;
        reason = 'descent';
        for (let i = 0; i < n; i++) p[i] = -g[i];
      }
      const fresh = beta === 0;
      if (fresh) {
        if (gPrev) restarts++;
        sinceRestart = 0;
      }
      sinceRestart++;
      let initialStep: number | undefined;
      if (k === 1) initialStep = Math.min(s.initialStep, 1 / gnorm);
      else if (gPrev && pPrev) {
        // α_{k−1} ∇f_{k−1}ᵀp_{k−1} / ∇f_kᵀp_k: the first-order change of the last step.
        const a = (alphaPrev * dot(gPrev, pPrev)) / dot(g, p);
        initialStep = Number.isFinite(a) && a > 0 ? a : Math.min(1, 1 / gnorm);
      }
      gPrev = g;
      pPrev = p;
      return { p, initialStep, fields: { beta, restarts, restart: reason } };
    },
    accepted(xOld, _evOld, xNew) {
      // α = ‖x_new − x_old‖ / ‖p‖ along the direction just used.
      let sp = 0, pp = 0;
      for (let i = 0; i < n; i++) {
        sp += (xNew[i] - xOld[i]) * pPrev![i];
        pp += pPrev![i] * pPrev![i];
      }
      alphaPrev = sp / pp;
    },
  });
  return result;
}
