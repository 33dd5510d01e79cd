/**
 * Limited-memory BFGS: the inverse Hessian is represented by the last m pairs
 * s_i = x_{i+1} − x_i, y_i = ∇f_{i+1} − ∇f_i and applied by the two-loop
 * recursion (Nocedal & Wright, Numerical Optimization, Alg. 7.4).
 */
import { dot, norm2 } from '../core/vector.js';
import type { Objective } from '../objectives/types.js';
import { DESCENT_OPTION_KEYS, descentSettings, runDescent, type DescentOptions } from './descent.js';
import { checkCommon, checkKnownOptions, checkProblem, inInterval, oneOf, positiveInt } from './options.js';
import type { OptimizerResult } from './types.js';

/** Options of {@link lbfgs}. */
export interface LbfgsOptions extends DescentOptions {
  /** Number of stored pairs m (default 10). */
  memory?: number;
  /** `'wolfe'` (strong Wolfe, bracketing and zoom; default) or `'armijo'` (backtracking). */
  lineSearch?: 'wolfe' | 'armijo';
  /** Curvature constant c₂ ∈ (c₁, 1) of the Wolfe conditions (default 0.9). */
  c2?: number;
}

/** Names of {@link LbfgsOptions}. */
export const LBFGS_OPTION_KEYS = [...DESCENT_OPTION_KEYS, 'memory', 'lineSearch', 'c2'] as const;

/**
 * L-BFGS with a strong Wolfe (default) or Armijo line search:
 * p_k = −H_k ∇f(x_k) by the two-loop recursion over the last `memory` pairs,
 * H⁰ = (sᵀy / yᵀy) I from the newest pair. Without stored pairs the
 * direction is −∇f with first trial α₀ = min(initialStep, 1/‖∇f‖) (a step of
 * length at most `initialStep`); with pairs, α = 1 is tried first.
 * A pair with sᵀy ≤ 1e-10‖s‖‖y‖ (possible under Armijo) is skipped; if the
 * direction is not a descent direction the memory is cleared and −∇f used.
 * History rows add `memory` (pairs in use) and `skipped` (pairs skipped so far).
 * @param objective f with value and gradient (no Hessian needed)
 * @param x0 starting point, length `objective.nParams` (not modified)
 * @param opts see {@link LbfgsOptions} and {@link DescentOptions} (default maxIter 500, maxLsIter 25, maxStep 1e10)
 * @returns `{ x, value, gradNorm, status, message, iterations, evals, matvecs, time, history }`
 * @throws on invalid options (`lbfgs: memory must be a positive integer, got 0`)
 * @example
 * const r = lbfgs(rosenbrock, new Float64Array([4, 2]), { memory: 5 });
 */
export function lbfgs(objective: Objective, x0: Float64Array, opts: LbfgsOptions = {}): OptimizerResult {
  return lbfgsAs('lbfgs', objective, x0, opts);
}

/** {@link lbfgs} reporting errors under the name `fn` (for drivers such as varpro). */
export function lbfgsAs(fn: string, objective: Objective, x0: Float64Array, opts: LbfgsOptions): OptimizerResult {
  checkKnownOptions(fn, opts, LBFGS_OPTION_KEYS);
  checkProblem(fn, objective, x0);
  checkCommon(fn, opts);
  const m = positiveInt(fn, 'memory', opts.memory, 10);
  const s = descentSettings(fn, opts, { maxIter: 500, maxLsIter: 25, maxStep: 1e10, columns: ['iter', 'value', 'gradNorm', 'step', 'lsIter', 'memory'] });
  s.lineSearch = oneOf(fn, 'lineSearch', opts.lineSearch, 'wolfe', ['wolfe', 'armijo'] as const);
  s.c2 = inInterval(fn, 'c2', opts.c2, 0.9, s.c1, 1, true);

  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  let skipped = 0;
  const n = x0.length;

  const { evaluation: _ev, ...result } = runDescent(objective, x0, s, opts, {
    direction(_x, ev, k, gnorm) {
      const g = ev.gradient;
      const q = Float64Array.from(g);
      const a = new Array<number>(S.length);
      for (let i = S.length - 1; i >= 0; i--) {
        a[i] = rho[i] * dot(S[i], q);
        for (let j = 0; j < n; j++) q[j] -= a[i] * Y[i][j];
      }
      const last = S.length - 1;
      const gamma = last >= 0 ? dot(S[last], Y[last]) / dot(Y[last], Y[last]) : 1;
      for (let j = 0; j < n; j++) q[j] *= gamma;
      for (let i = 0; i < S.length; i++) {
        const b = rho[i] * dot(Y[i], q);
        for (let j = 0; j < n; j++) q[j] += (a[i] - b) * S[i][j];
      }
      for (let j = 0; j < n; j++) q[j] = -q[j];
      let initialStep = 1;
      if (!(dot(g, q) < 0) || !Number.isFinite(norm2(q))) {
        // Not a descent direction (round-off or a bad pair): restart from −∇f.
        S.length = 0; Y.length = 0; rho.length = 0;
        for (let j = 0; j < n; j++) q[j] = -g[j];
      }
      if (S.length === 0) {
        // No curvature information yet: a step of length at most 1 along −∇f.
        initialStep = k === 1 ? Math.min(s.initialStep, 1 / gnorm) : Math.min(1, 1 / gnorm);
      }
      return { p: q, initialStep };
    },
    accepted(xOld, evOld, xNew, evNew) {
      const sv = new Float64Array(n), yv = new Float64Array(n);
      for (let j = 0; j < n; j++) {
        sv[j] = xNew[j] - xOld[j];
        yv[j] = evNew.gradient[j] - evOld.gradient[j];
      }
      const sy = dot(sv, yv);
      if (sy > 1e-10 * norm2(sv) * norm2(yv)) {
        if (S.length === m) { S.shift(); Y.shift(); rho.shift(); }
        S.push(sv); Y.push(yv); rho.push(1 / sy);
      } else {
        skipped++;
      }
      return { memory: S.length, skipped };
    },
  });
  return result;
}
