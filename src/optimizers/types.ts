/**
 * Types shared by every optimizer: statuses, history rows, callbacks, the
 * options every method accepts and the result every method returns.
 *
 * An optimizer sees only an {@link Objective} (value, gradient, optional
 * (Gauss-Newton) Hessian mat-vec, optional `info`), never a network.
 */

/**
 * Why an optimizer stopped.
 * - `converged`: a stopping test passed (gradient norm, relative gradient norm
 *   or relative decrease), or the line search failed only because the decrease
 *   left is at the round-off level of f; `message` says which.
 * - `maxIter` / `maxEpochs`: the iteration (deterministic methods) or epoch
 *   (stochastic methods) budget ran out.
 * - `lineSearchFailed`: no acceptable step was found along a descent direction
 *   (for Levenberg–Marquardt: no damping gave an acceptable step).
 * - `nonFinite`: the objective returned NaN or ±Infinity (value or gradient);
 *   the result holds the last iterate with a finite evaluation.
 * - `stoppedByCallback`: `onIteration` or `onEpoch` returned `false`.
 * - `error`: the objective, a Hessian product, a callback or the printer threw
 *   during the run. The exception does not propagate: the result's `error`
 *   holds it and `x`, `value`, `gradNorm` and `history` describe the last good
 *   iterate (the last history row), so a long run is never lost to one bad
 *   evaluation. (Invalid options, and an objective that breaks the
 *   {@link Objective} contract on its first evaluation or first Hessian product,
 *   still throw a `NumdlError` before the run starts: nothing is lost then.)
 *   If the very first evaluation throws, `x` is x₀, `value` NaN and the history empty.
 * - `diverged`: f fell below −{@link DIVERGENCE_FACTOR}·max(1, |f(x₀)|): the
 *   objective looks unbounded below (deterministic methods).
 * - `noProgress`: {@link NO_PROGRESS_ITERATIONS} consecutive accepted steps
 *   decreased neither f nor ‖∇f‖ (e.g. a gradient inconsistent with f, where
 *   the line search accepts steps whose decrease is below f's round-off).
 * - `innerNotConverged`: (`varpro`) a stopping test passed, but the inner solve
 *   at the final point hit its iteration cap, so the reduced gradient there is
 *   only approximate.
 *
 * The whole policy (what throws, what becomes a status) is written out in the
 * repository's docs/reliability.md.
 */
export type OptimizerStatus =
  | 'converged' | 'maxIter' | 'maxEpochs' | 'lineSearchFailed' | 'nonFinite' | 'stoppedByCallback'
  | 'error' | 'diverged' | 'noProgress' | 'innerNotConverged';

/** f ≤ −DIVERGENCE_FACTOR·max(1, |f(x₀)|) ends a deterministic run with status `diverged`. */
export const DIVERGENCE_FACTOR = 1e30;

/** Consecutive accepted steps without decrease of f or ‖∇f‖ that end a run with status `noProgress`. */
export const NO_PROGRESS_ITERATIONS = 10;

/** A value a history row may hold. */
export type HistoryValue = number | string | boolean;

/**
 * One row of an optimizer's history (one iteration, or one epoch for the
 * stochastic methods). Row 0 describes the starting point.
 *
 * Per-iteration columns: `step`, `stepNorm`, `lsIter`, `cgIter`. Cumulative
 * columns (work done since the start): `evals`, `matvecs`, `time`. Fields of
 * the accepted evaluation's `info` and whatever the caller's callback returns
 * are merged in by name.
 */
export interface HistoryRow {
  /** Iteration number (epoch number for stochastic methods); 0 = start. */
  iter: number;
  /** Objective value f(x) (for stochastic methods: on the monitor set). */
  value: number;
  /** ‖∇f(x)‖₂ (for stochastic methods: on the monitor set, NaN if not monitored). */
  gradNorm: number;
  /** Accepted step length α (learning rate for stochastic methods); 0 in row 0. */
  step: number;
  /** ‖x_k − x_{k−1}‖₂; 0 in row 0. */
  stepNorm: number;
  /** Line-search trials in this iteration (LM: damping trials). */
  lsIter: number;
  /** CG iterations in this iteration. */
  cgIter: number;
  /** Hessian mat-vecs since the start (cumulative). */
  matvecs: number;
  /** Objective evaluations since the start (cumulative; mini-batch evaluations included). */
  evals: number;
  /** Seconds since the start (cumulative; the only non-deterministic column). */
  time: number;
  /** Caller fields, `info` fields, method-specific fields. */
  [field: string]: HistoryValue;
}

/**
 * Called after each iteration (row 0 included) with the row and the current
 * iterate (do not modify it; copy it to keep it). Return an object to merge
 * extra fields into the row (e.g. `{ accuracy: 0.93 }`), `false` to stop
 * (status `stoppedByCallback`), both at once as `{ accuracy: 0.93, stop: true }`
 * (the fields are recorded, then the run stops), or nothing.
 */
export type IterationCallback = (row: Readonly<HistoryRow>, x: Float64Array) => Record<string, HistoryValue> | false | void | undefined;

/** Options every optimizer accepts. */
export interface CommonOptions {
  /**
   * Per-iteration callback (see {@link IterationCallback}). For the stochastic
   * methods it is called after every mini-batch step with a light row (batch
   * value and gradient norm) and only its `false` is used; use `onEpoch` there.
   */
  onIteration?: IterationCallback;
  /**
   * Print the history as a table while running (header once, then one row per
   * iteration, one per epoch for the stochastic methods) to `console.log`.
   * Default `false`: the library is silent unless asked (`verbose: true` or a
   * `print` option).
   */
  verbose?: boolean;
  /** Force silence even when `verbose` or `print` is set (e.g. in tests). Default `false`. */
  quiet?: boolean;
  /**
   * Print the table (like `verbose`): `true` to `console.log`, or a function
   * receiving each line (a logger, an array, a file stream).
   */
  print?: boolean | ((line: string) => void);
}

/** What every optimizer returns. */
export interface OptimizerResult {
  /** Final iterate (the last one with a finite evaluation). */
  x: Float64Array;
  /** f(x) at the final iterate (monitor value for stochastic methods). */
  value: number;
  /** ‖∇f(x)‖₂ at the final iterate (NaN if not available). */
  gradNorm: number;
  /** Why it stopped. */
  status: OptimizerStatus;
  /** Human-readable reason, e.g. `gradient norm 3.1e-09 <= gradTol 1e-08`. */
  message: string;
  /** Iterations (epochs for stochastic methods) completed. */
  iterations: number;
  /** Objective evaluations in total. */
  evals: number;
  /** Hessian mat-vecs in total. */
  matvecs: number;
  /** Wall time in seconds. */
  time: number;
  /** One row per iteration (epoch), row 0 the start. */
  history: HistoryRow[];
  /** With status `error`: the exception that stopped the run (as thrown). */
  error?: unknown;
}
