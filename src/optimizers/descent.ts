/**
 * The deterministic line-search driver shared by steepest descent, Newton-CG,
 * Gauss-Newton and L-BFGS: x_{k+1} = x_k + α_k p_k with a method-specific
 * direction p_k, an Armijo or strong Wolfe line search, the stopping tests and
 * the history. Internal; the public entries validate their options and call
 * {@link runDescent}.
 */
import { fail } from '../core/errors.js';
import { dot, norm2 } from '../core/vector.js';
import type { Evaluation, Objective } from '../objectives/types.js';
import { COMMON_OPTION_KEYS, bool, inInterval, nonNegative, positive, positiveInt } from './options.js';
import { Recorder, countingObjective, isFiniteEvaluation, stopOnException } from './history.js';
import { armijoLineSearch, wolfeLineSearch, type LineSearchResult } from './lineSearch.js';
import { formatScientific } from './printer.js';
import { DIVERGENCE_FACTOR, NO_PROGRESS_ITERATIONS, type CommonOptions, type HistoryValue, type OptimizerResult, type OptimizerStatus } from './types.js';

/** Stopping tests and line-search settings of the deterministic methods. */
export interface DescentOptions extends CommonOptions {
  /** Iteration cap (default 100 for Newton-CG and Gauss-Newton, 1000 for steepest descent, 500 for L-BFGS). */
  maxIter?: number;
  /** Stop when ‖∇f‖ ≤ gradTol (default 1e-8). */
  gradTol?: number;
  /** Stop when ‖∇f‖ ≤ relGradTol·‖∇f(x₀)‖ (default 1e-10). */
  relGradTol?: number;
  /** Stop when f_{k−1} − f_k ≤ relDecreaseTol·|f_{k−1}| (default 0: off). */
  relDecreaseTol?: number;
  /** Sufficient-decrease constant c₁ of the line search (default 1e-4). */
  c1?: number;
  /** Line-search trial evaluations per iteration (default 30; steepest descent 50; L-BFGS 25). */
  maxLsIter?: number;
  /** First trial step of the first iteration (default 1). */
  initialStep?: number;
  /** Largest trial step α (default 1 for Newton-CG and Gauss-Newton, 1e10 for steepest descent and L-BFGS). */
  maxStep?: number;
  /** Next first trial = min(maxStep, stepGrowth · last accepted α) (default 2). */
  stepGrowth?: number;
  /** Largest step length ‖α p‖ (default Infinity); longer first trials are shortened. */
  maxStepNorm?: number;
  /** Armijo backtracking by quadratic interpolation (default true) instead of halving. */
  interpolate?: boolean;
}

/** Names of {@link DescentOptions}. */
export const DESCENT_OPTION_KEYS = [...COMMON_OPTION_KEYS, 'maxIter', 'gradTol', 'relGradTol', 'relDecreaseTol', 'c1', 'maxLsIter', 'initialStep', 'maxStep', 'stepGrowth', 'maxStepNorm', 'interpolate'] as const;

/** Validated {@link DescentOptions} (plus the line-search kind). */
export interface DescentSettings {
  fn: string;
  maxIter: number;
  gradTol: number;
  relGradTol: number;
  relDecreaseTol: number;
  c1: number;
  c2: number;
  maxLsIter: number;
  initialStep: number;
  maxStep: number;
  stepGrowth: number;
  maxStepNorm: number;
  interpolate: boolean;
  lineSearch: 'armijo' | 'wolfe';
  columns: readonly string[];
}

/** A finite number ≥ 1. */
function atLeastOne(fn: string, name: string, v: unknown, def: number): number {
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 1) fail(fn, `${name} must be a finite number >= 1, got ${String(v)}`);
  return v;
}

/** Validate {@link DescentOptions} with method-specific defaults. */
export function descentSettings(
  fn: string,
  opts: DescentOptions,
  defaults: { maxIter: number; maxLsIter: number; maxStep: number; columns: readonly string[] },
): DescentSettings {
  const c1 = inInterval(fn, 'c1', opts.c1, 1e-4, 0, 1, true);
  return {
    fn,
    maxIter: positiveInt(fn, 'maxIter', opts.maxIter, defaults.maxIter, true),
    gradTol: nonNegative(fn, 'gradTol', opts.gradTol, 1e-8),
    relGradTol: nonNegative(fn, 'relGradTol', opts.relGradTol, 1e-10),
    relDecreaseTol: nonNegative(fn, 'relDecreaseTol', opts.relDecreaseTol, 0),
    c1,
    c2: 0.9,
    maxLsIter: positiveInt(fn, 'maxLsIter', opts.maxLsIter, defaults.maxLsIter),
    initialStep: positive(fn, 'initialStep', opts.initialStep, 1),
    maxStep: positive(fn, 'maxStep', opts.maxStep, defaults.maxStep, true),
    stepGrowth: atLeastOne(fn, 'stepGrowth', opts.stepGrowth, 2),
    maxStepNorm: positive(fn, 'maxStepNorm', opts.maxStepNorm, Infinity, true),
    interpolate: bool(fn, 'interpolate', opts.interpolate, true),
    lineSearch: 'armijo',
    columns: defaults.columns,
  };
}

/** What a method proposes at x_k. */
export interface Direction {
  /** The search direction (must be a descent direction for the line search to start). */
  p: Float64Array;
  /** CG iterations spent on it. */
  cgIter?: number;
  /** First trial step to use instead of the grow/shrink rule. */
  initialStep?: number;
  /** Method fields for the history row (e.g. `cgFlag`). */
  fields?: Record<string, HistoryValue>;
}

/** The method-specific part of a descent iteration. */
export interface DescentMethod {
  /** Direction at x (evaluation `ev`, gradient norm `gnorm`); `iter` is the iteration being made (1, 2, …). */
  direction(x: Float64Array, ev: Evaluation, iter: number, gnorm: number, gnorm0: number): Direction;
  /** Called after an accepted step (L-BFGS updates its memory here). */
  accepted?(xOld: Float64Array, evOld: Evaluation, xNew: Float64Array, evNew: Evaluation): Record<string, HistoryValue> | void;
  /**
   * Newton-type directions (natural step length 1): when the line search fails
   * because the predicted decrease is below f's round-off, take the full step
   * if it reduces ‖∇f‖ instead of stopping.
   */
  fullStepAtRoundoff?: boolean;
}

/** x + p and its evaluation, if finite and with a smaller gradient norm than `gnorm`; else null. */
function tryFullStep(obj: Objective, x: Float64Array, p: Float64Array, gnorm: number): { x: Float64Array; evaluation: Evaluation } | null {
  const xFull = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) xFull[i] = x[i] + p[i];
  const evaluation = obj.evaluate(xFull);
  if (!isFiniteEvaluation(evaluation) || !(norm2(evaluation.gradient) < gnorm)) return null;
  return { x: xFull, evaluation };
}

/**
 * Relative size below which a predicted decrease of f cannot be resolved in
 * double precision (f itself carries round-off of order 1e-16·|f| per
 * operation, more after sums over many terms).
 */
export const ROUNDOFF_DECREASE = 1e-10;

/** True if a predicted decrease `d` is too small to be seen in f. */
export function atRoundoff(d: number, f: number): boolean {
  return d <= ROUNDOFF_DECREASE * Math.abs(f);
}

/** Stopping message for a converged run, or null. */
export function convergenceTest(s: { gradTol: number; relGradTol: number; relDecreaseTol: number }, gnorm: number, gnorm0: number, fPrev: number, f: number): string | null {
  if (gnorm <= s.gradTol) return `gradient norm ${formatScientific(gnorm)} <= gradTol ${s.gradTol}`;
  if (gnorm <= s.relGradTol * gnorm0) return `gradient norm ${formatScientific(gnorm)} <= relGradTol ${s.relGradTol} x initial ${formatScientific(gnorm0)}`;
  if (s.relDecreaseTol > 0 && Number.isFinite(fPrev) && fPrev - f <= s.relDecreaseTol * Math.abs(fPrev)) {
    return `relative decrease ${formatScientific((fPrev - f) / Math.abs(fPrev))} <= relDecreaseTol ${s.relDecreaseTol}`;
  }
  return null;
}

/** Result of {@link runDescent}: the common result plus the last evaluation. */
export interface DescentResult extends OptimizerResult {
  /** The evaluation at the returned x (its `info` included). */
  evaluation: Evaluation;
}

/**
 * Run x_{k+1} = x_k + α_k p_k until a stopping test, the iteration cap, a
 * line-search failure, a non-finite evaluation, divergence, stagnation
 * ({@link ProgressMonitor}), an exception (status `error`, see
 * {@link stopOnException}) or the callback ends it. A
 * line search that fails although the decrease predicted for a step of
 * natural length (α = max(α₀, 1)) is below {@link ROUNDOFF_DECREASE}·|f| is
 * reported as `converged` (f cannot be decreased further in floating point).
 */
export function runDescent(objective: Objective, x0: Float64Array, s: DescentSettings, common: CommonOptions, method: DescentMethod): DescentResult {
  const obj = countingObjective(objective, s.fn);
  const rec = new Recorder(common, s.columns);
  let x: Float64Array = Float64Array.from(x0);
  // The last good iterate and its evaluation (null until x0 has been evaluated).
  let ev: Evaluation | null = null;
  let gnorm = NaN;
  let done = 0;
  const finish = (status: OptimizerStatus, message: string, iterations: number): DescentResult => ({
    x,
    value: ev ? ev.value : NaN,
    gradNorm: gnorm,
    status,
    message,
    iterations,
    evals: obj.evals,
    matvecs: obj.matvecs,
    time: rec.elapsed(),
    history: rec.rows,
    evaluation: ev ?? { value: NaN, gradient: new Float64Array(0) },
  });
  return stopOnException(s.fn, () => {
    ev = obj.evaluate(x);
    gnorm = norm2(ev.gradient);
    const gnorm0 = gnorm;
    const f0 = ev.value;
    const row0 = { iter: 0, value: ev.value, gradNorm: gnorm, step: 0, stepNorm: 0, lsIter: 0, cgIter: 0, matvecs: obj.matvecs, evals: obj.evals };
    if (!isFiniteEvaluation(ev)) {
      rec.record(row0, x, ev.info);
      return finish('nonFinite', `${s.fn}: the objective is not finite at x0 (value ${ev.value})`, 0);
    }
    if (!rec.record(row0, x, ev.info)) return finish('stoppedByCallback', 'onIteration returned false', 0);
    const c0 = convergenceTest(s, gnorm, gnorm0, NaN, ev.value);
    if (c0) return finish('converged', c0, 0);

    const progress = new ProgressMonitor(f0);
    let nextStep = s.initialStep;
    for (let k = 1; k <= s.maxIter; k++) {
      const cur: Evaluation = ev;
      const dir = method.direction(x, cur, k, gnorm, gnorm0);
      const pnorm = norm2(dir.p);
      let alpha0 = Math.min(dir.initialStep ?? nextStep, s.maxStep);
      if (alpha0 * pnorm > s.maxStepNorm) alpha0 = s.maxStepNorm / pnorm;
      let ls: LineSearchResult = s.lineSearch === 'wolfe'
        ? wolfeLineSearch(obj, x, dir.p, cur, { initialStep: alpha0, c1: s.c1, c2: s.c2, maxIter: s.maxLsIter, maxStep: s.maxStep })
        : armijoLineSearch(obj, x, dir.p, cur, { initialStep: alpha0, c1: s.c1, maxIter: s.maxLsIter, interpolate: s.interpolate });
      if (ls.status === 'nonFinite') return finish('nonFinite', `every line-search trial at iteration ${k} gave a non-finite value${s.lineSearch === 'wolfe' ? ' or gradient' : ''}; returning the last finite iterate`, done);
      if (ls.status === 'failed' || !ls.evaluation) {
        // Predicted decrease of a step of natural length (α ≥ 1): a tiny α₀ left
        // over from earlier backtracking must not make a real failure look like round-off.
        const predicted = -Math.max(alpha0, 1) * dot(cur.gradient, dir.p);
        const roundoff = predicted >= 0 && atRoundoff(predicted, cur.value);
        // f can no longer rank the trial points, but ‖∇f‖ still can: take the
        // natural step (α = 1, e.g. the Newton step) when it reduces the gradient norm.
        const full = roundoff && method.fullStepAtRoundoff ? tryFullStep(obj, x, dir.p, gnorm) : null;
        if (full) {
          ls = { status: 'ok', alpha: 1, x: full.x, evaluation: full.evaluation, iterations: ls.iterations + 1 };
        } else if (roundoff) {
          return finish('converged', `no further decrease possible in floating point at iteration ${k}: the predicted decrease ${formatScientific(predicted)} is at the round-off level of f = ${formatScientific(cur.value)}`, done);
        }
        else return finish('lineSearchFailed', `no step along the direction of iteration ${k} satisfied the ${s.lineSearch === 'wolfe' ? 'Wolfe' : 'Armijo'} conditions in ${ls.iterations} trials`, done);
      }
      const evNew = ls.evaluation!;
      if (!isFiniteEvaluation(evNew)) return finish('nonFinite', `the gradient at the accepted point of iteration ${k} is not finite; returning the last finite iterate`, done);
      const xOld = x, evOld = cur;
      const fPrev = cur.value, gPrev = gnorm;
      x = ls.x;
      ev = evNew;
      gnorm = norm2(evNew.gradient);
      nextStep = Math.min(s.maxStep, s.stepGrowth * ls.alpha);
      const extra = method.accepted?.(xOld, evOld, x, evNew) ?? {};
      const row = {
        iter: k,
        value: evNew.value,
        gradNorm: gnorm,
        step: ls.alpha,
        stepNorm: ls.alpha * pnorm,
        lsIter: ls.iterations,
        cgIter: dir.cgIter ?? 0,
        matvecs: obj.matvecs,
        evals: obj.evals,
        ...dir.fields,
        ...extra,
      };
      done = k;
      if (!rec.record(row, x, evNew.info)) return finish('stoppedByCallback', 'onIteration returned false', k);
      const c = convergenceTest(s, gnorm, gnorm0, fPrev, evNew.value);
      if (c) return finish('converged', c, k);
      const stuck = progress.check(fPrev, evNew.value, gPrev, gnorm);
      if (stuck) return finish(stuck.status, `${stuck.message} at iteration ${k}`, k);
    }
    return finish('maxIter', `reached maxIter = ${s.maxIter}`, s.maxIter);
  }, (_e, message) => finish('error', message, done));
}

/**
 * The divergence and stagnation tests of the deterministic methods (see
 * `OptimizerStatus`): f below −{@link DIVERGENCE_FACTOR}·max(1, |f₀|) means
 * the objective looks unbounded below; {@link NO_PROGRESS_ITERATIONS}
 * accepted steps in a row that lower neither f nor ‖∇f‖ mean the method is
 * moving without progress (e.g. a gradient that does not belong to f: the
 * Armijo test accepts steps whose required decrease is below f's round-off).
 */
export class ProgressMonitor {
  private readonly floor: number;
  private stalled = 0;

  constructor(f0: number) {
    this.floor = -DIVERGENCE_FACTOR * Math.max(1, Math.abs(f0));
  }

  /** After an accepted step from (fPrev, gPrev) to (f, g): a stopping status, or null. */
  check(fPrev: number, f: number, gPrev: number, g: number): { status: OptimizerStatus; message: string } | null {
    if (f <= this.floor) {
      return { status: 'diverged', message: `f = ${formatScientific(f)} is below −${DIVERGENCE_FACTOR.toExponential(0)}·max(1, |f(x0)|): the objective looks unbounded below` };
    }
    this.stalled = f < fPrev || g < gPrev ? 0 : this.stalled + 1;
    if (this.stalled >= NO_PROGRESS_ITERATIONS) {
      return { status: 'noProgress', message: `${NO_PROGRESS_ITERATIONS} accepted steps in a row decreased neither f (${formatScientific(f)}) nor the gradient norm (${formatScientific(g)}); is the gradient consistent with f?` };
    }
    return null;
  }
}
