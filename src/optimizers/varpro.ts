/**
 * The Variable Projection driver: minimise the reduced objective
 * Φ(θ) = f(θ, W(θ)), where the objective itself solves the inner problem for
 * W(θ) at every evaluation (e.g. `varproObjective`), with an outer
 * deterministic method — and count both the outer iterations and the inner
 * iterations the objective reports in `Evaluation.info`.
 */
import type { Evaluation, EvaluateOptions, Objective } from '../objectives/types.js';
import { checkObjective, oneOf } from './options.js';
import { gaussNewtonAs, type GaussNewtonOptions } from './gaussNewton.js';
import { lbfgsAs, type LbfgsOptions } from './lbfgs.js';
import { NEWTON_OPTION_KEYS, runNewton } from './newtonCG.js';
import { nonlinearCGAs, type NonlinearCGOptions } from './nonlinearCG.js';
import { steepestDescentAs } from './steepestDescent.js';
import type { HistoryRow, HistoryValue, IterationCallback, OptimizerResult } from './types.js';
import { fail } from '../core/errors.js';

/** The outer methods {@link varpro} can run. */
export type VarproMethod = 'gaussNewton' | 'newtonCG' | 'steepestDescent' | 'lbfgs' | 'nonlinearCG';

/**
 * Options of {@link varpro}: `method`, `innerKey`, and the options of the
 * chosen outer method ({@link GaussNewtonOptions} for `gaussNewton` and
 * `newtonCG` (no damping there), {@link LbfgsOptions} for `lbfgs`, {@link NonlinearCGOptions} for `nonlinearCG`,
 * the descent options for `steepestDescent`).
 */
export interface VarproOptions extends GaussNewtonOptions, Omit<LbfgsOptions, keyof GaussNewtonOptions>, Omit<NonlinearCGOptions, keyof GaussNewtonOptions | keyof LbfgsOptions> {
  /** Outer method on θ (default `'gaussNewton'`, which uses the objective's `hessian` mat-vec). */
  method?: VarproMethod;
  /**
   * Name of the `Evaluation.info` field holding the inner iterations of one
   * evaluation (default: the first present of `innerIterations`, `innerIter`,
   * `inner`). Absent fields count as 0.
   */
  innerKey?: string;
}

/** Result of {@link varpro}. */
export interface VarproResult extends OptimizerResult {
  /** The outer method used. */
  method: VarproMethod;
  /** Outer iterations (= `iterations`). */
  outerIterations: number;
  /** Inner iterations summed over every evaluation (line-search trials included). */
  innerIterations: number;
  /** Inner CG iterations summed over every evaluation (from `info.innerCgIterations`, 0 if absent). */
  innerCgIterations: number;
}

const DEFAULT_INNER_KEYS = ['innerIterations', 'innerIter', 'inner'];

/**
 * Variable Projection: run the outer `method` on θ for the reduced objective
 * (x = θ; the objective eliminates W inside `evaluate`, so its gradient is the
 * reduced gradient and its `hessian` the reduced Gauss-Newton mat-vec). Every
 * evaluation's inner iteration count (`info.innerIterations` or `innerKey`) is
 * summed; history rows add `inner` (inner iterations spent since the previous
 * row, line searches included) and `innerTotal`, besides the objective's own
 * `info` fields.
 * @param objective the reduced objective Φ(θ), e.g. `varproObjective(model, Y, C, opts)`
 * @param theta0 starting θ, length `objective.nParams` (not modified)
 * @param opts `method`, `innerKey`, and the outer method's options
 * @returns the outer method's result plus `method`, `outerIterations`, `innerIterations`, `innerCgIterations`
 * @throws `varpro: method must be one of 'gaussNewton', …, got 'bfgs'`; the outer method's option errors (named `varpro`)
 * @example
 * const r = varpro(varproObjective(model, Y, C, {}), theta0, { method: 'gaussNewton', maxIter: 20 });
 * console.log(r.outerIterations, r.innerIterations);
 */
export function varpro(objective: Objective, theta0: Float64Array, opts: VarproOptions = {}): VarproResult {
  const fn = 'varpro';
  if (opts === null || typeof opts !== 'object') fail(fn, `options must be an object, got ${opts === null ? 'null' : typeof opts}`);
  checkObjective(fn, objective);
  const { method: m, innerKey: k, ...rest } = opts;
  const method = oneOf(fn, 'method', m, 'gaussNewton', ['gaussNewton', 'newtonCG', 'steepestDescent', 'lbfgs', 'nonlinearCG'] as const);
  if (k !== undefined && typeof k !== 'string') fail(fn, `innerKey must be a string, got ${typeof k}`);

  let innerTotal = 0, innerCgTotal = 0, innerAtLastRow = 0;
  const readInner = (info: Record<string, number> | undefined): number => {
    if (!info) return 0;
    const key = k ?? DEFAULT_INNER_KEYS.find((name) => typeof info[name] === 'number');
    const v = key === undefined ? undefined : info[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : 0;
  };
  const counted: Objective = {
    nParams: objective.nParams,
    nData: objective.nData,
    evaluate(x: Float64Array, batch?: ArrayLike<number> | null, eo?: EvaluateOptions): Evaluation {
      const ev = objective.evaluate(x, batch, eo);
      innerTotal += readInner(ev.info);
      const cgi = ev.info?.innerCgIterations;
      if (typeof cgi === 'number' && Number.isFinite(cgi)) innerCgTotal += cgi;
      return ev;
    },
  };
  const user = rest.onIteration;
  const onIteration: IterationCallback = (row, x) => {
    const mine: Record<string, HistoryValue> = { inner: innerTotal - innerAtLastRow, innerTotal };
    innerAtLastRow = innerTotal;
    // The recorder hands us its own row object: fill in the inner counts before
    // the caller sees it, so they stay even when the caller returns false.
    Object.assign(row as HistoryRow, mine);
    return user ? user(row, x) : undefined;
  };
  const outerOpts = { ...rest, onIteration };
  let result: OptimizerResult;
  switch (method) {
    case 'gaussNewton':
      result = gaussNewtonAs(fn, counted, theta0, outerOpts as GaussNewtonOptions);
      break;
    case 'newtonCG':
      result = runNewton(fn, counted, theta0, outerOpts as GaussNewtonOptions, NEWTON_OPTION_KEYS);
      break;
    case 'steepestDescent':
      result = steepestDescentAs(fn, counted, theta0, outerOpts as GaussNewtonOptions);
      break;
    case 'nonlinearCG':
      result = nonlinearCGAs(fn, counted, theta0, outerOpts as NonlinearCGOptions);
      break;
    default:
      result = lbfgsAs(fn, counted, theta0, outerOpts as LbfgsOptions);
  }
  return { ...result, method, outerIterations: result.iterations, innerIterations: innerTotal, innerCgIterations: innerCgTotal };
}
