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
  /**
   * Evaluations whose inner solve stopped short of its tolerance (iteration
   * cap or failed line search; `info.innerConverged === 0`): their reduced
   * gradient assumes ∇_W = 0 and is only approximate.
   */
  innerNotConverged: number;
  /** Hessian products whose Schur-complement CG solve did not converge (from `info.schurCgNotConverged`). */
  schurCgNotConverged: number;
}

const DEFAULT_INNER_KEYS = ['innerIterations', 'innerIter', 'inner'];

/**
 * Variable Projection: run the outer `method` on θ for the reduced objective
 * (x = θ; the objective eliminates W inside `evaluate`, so its gradient is the
 * reduced gradient and its `hessian` the reduced Gauss-Newton mat-vec). Every
 * evaluation's inner iteration count (`info.innerIterations` or `innerKey`) is
 * summed; history rows add `inner` (inner iterations spent since the previous
 * row, line searches included), `innerTotal`, `innerCapped` (inner solves
 * since the previous row that stopped short, `info.innerConverged === 0`) and
 * `schurCgFailed` (unconverged Schur-complement CG solves since the previous
 * row), besides the objective's own `info` fields. The result counts both
 * (`innerNotConverged`, `schurCgNotConverged`), its message names them, and a
 * run that would stop `converged` at a point whose inner solve stopped short
 * ends with status `innerNotConverged`. The objective's `resetState()` (the
 * inner warm start) is called once at the start, so runs are repeatable.
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
  let cappedTotal = 0, cappedAtLastRow = 0, schurTotal = 0, schurAtLastRow = 0;
  const readInner = (info: Record<string, number> | undefined): number => {
    if (!info) return 0;
    const key = k ?? DEFAULT_INNER_KEYS.find((name) => typeof info[name] === 'number');
    const v = key === undefined ? undefined : info[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : 0;
  };
  const counted: Objective = {
    nParams: objective.nParams,
    nData: objective.nData,
    // The outer method resets the objective's state (the inner warm start) when it starts.
    resetState: typeof objective.resetState === 'function' ? () => objective.resetState!() : undefined,
    evaluate(x: Float64Array, batch?: ArrayLike<number> | null, eo?: EvaluateOptions): Evaluation {
      const ev = objective.evaluate(x, batch, eo);
      if (ev === null || typeof ev !== 'object') return ev;
      innerTotal += readInner(ev.info);
      const cgi = ev.info?.innerCgIterations;
      if (typeof cgi === 'number' && Number.isFinite(cgi)) innerCgTotal += cgi;
      if (ev.info?.innerConverged === 0) cappedTotal++;
      const h = ev.hessian;
      if (typeof h !== 'function' || !ev.info) return ev;
      const info = ev.info;
      return {
        ...ev,
        hessian: (v: Float64Array) => {
          // The objective counts unconverged Schur-complement solves on this evaluation's info.
          const before = info.schurCgNotConverged ?? 0;
          const Hv = h(v);
          schurTotal += (info.schurCgNotConverged ?? 0) - before;
          return Hv;
        },
      };
    },
  };
  const user = rest.onIteration;
  const onIteration: IterationCallback = (row, x) => {
    const mine: Record<string, HistoryValue> = {
      inner: innerTotal - innerAtLastRow, innerTotal, innerCapped: cappedTotal - cappedAtLastRow, schurCgFailed: schurTotal - schurAtLastRow,
    };
    innerAtLastRow = innerTotal;
    cappedAtLastRow = cappedTotal;
    schurAtLastRow = schurTotal;
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
  let { status, message } = result;
  const notes: string[] = [];
  if (cappedTotal > 0) notes.push(`${cappedTotal} inner solve${cappedTotal > 1 ? 's' : ''} stopped short of the inner tolerance (iteration cap or line search; raise inner.maxIter or loosen inner.tol)`);
  if (schurTotal > 0) notes.push(`${schurTotal} Schur-complement CG solve${schurTotal > 1 ? 's' : ''} did not converge (raise inner.schurCgMaxIter)`);
  if (notes.length) message += `; ${notes.join('; ')}`;
  const last = result.history[result.history.length - 1];
  if (status === 'converged' && last?.innerConverged === 0) {
    // The stopping test saw a gradient that assumes ∇_W = 0, which the final inner solve did not reach.
    status = 'innerNotConverged';
    message = `${message}; the inner solve at the final point did not converge, so its reduced gradient is approximate`;
  }
  return {
    ...result, status, message, method, outerIterations: result.iterations, innerIterations: innerTotal, innerCgIterations: innerCgTotal,
    innerNotConverged: cappedTotal, schurCgNotConverged: schurTotal,
  };
}
