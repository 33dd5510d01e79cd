/**
 * Steepest descent with Armijo backtracking: x_{k+1} = x_k − α_k ∇f(x_k).
 */
import type { Objective } from '../objectives/types.js';
import { DESCENT_OPTION_KEYS, descentSettings, runDescent, type DescentOptions } from './descent.js';
import { checkCommon, checkKnownOptions, checkProblem } from './options.js';
import type { OptimizerResult } from './types.js';

/** Options of {@link steepestDescent}: the {@link DescentOptions} (defaults maxIter 1000, maxLsIter 50, maxStep 1e10). */
export type SteepestDescentOptions = DescentOptions;

/**
 * Steepest descent, x_{k+1} = x_k − α_k ∇f(x_k), α_k by Armijo backtracking.
 * The first trial step of each iteration is `stepGrowth` times the last
 * accepted one (capped by `maxStep`), so the step adapts to the scale of f;
 * the values decrease monotonically.
 * @param objective f with value and gradient (no Hessian needed)
 * @param x0 starting point, length `objective.nParams` (not modified)
 * @param opts stopping tests, line-search settings, callback, printing
 * @returns `{ x, value, gradNorm, status, message, iterations, evals, matvecs, time, history }`
 * @throws on invalid options, e.g. `steepestDescent: initialStep must be a positive finite number, got -1`
 * @example
 * const r = steepestDescent(rosenbrock, new Float64Array([4, 2]), { maxIter: 5000 });
 * r.status // 'converged' | 'maxIter' | ...
 */
export function steepestDescent(objective: Objective, x0: Float64Array, opts: SteepestDescentOptions = {}): OptimizerResult {
  return steepestDescentAs('steepestDescent', objective, x0, opts);
}

/** {@link steepestDescent} reporting errors under the name `fn` (for drivers such as varpro). */
export function steepestDescentAs(fn: string, objective: Objective, x0: Float64Array, opts: SteepestDescentOptions): OptimizerResult {
  checkKnownOptions(fn, opts, DESCENT_OPTION_KEYS);
  checkProblem(fn, objective, x0);
  checkCommon(fn, opts);
  const s = descentSettings(fn, opts, { maxIter: 1000, maxLsIter: 50, maxStep: 1e10, columns: ['iter', 'value', 'gradNorm', 'step', 'lsIter'] });
  const { evaluation: _ev, ...result } = runDescent(objective, x0, s, opts, {
    direction(_x, ev) {
      const g = ev.gradient;
      const p = new Float64Array(g.length);
      for (let i = 0; i < g.length; i++) p[i] = -g[i];
      return { p };
    },
  });
  return result;
}
