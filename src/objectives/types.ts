/**
 * The objective contract that optimizers see: a value, a gradient and
 * optionally a (Gauss-Newton) Hessian mat-vec, on all data or on a batch.
 */

/** One evaluation of an objective at x. */
export interface Evaluation {
  value: number;
  gradient: Float64Array;
  /** (Gauss-Newton) Hessian mat-vec v ↦ H v at this x, if the objective offers one. */
  hessian?: (v: Float64Array) => Float64Array;
  /** Extra numbers for histories (e.g. accuracy, inner iterations). */
  info?: Record<string, number>;
}

/** Options of {@link Objective.evaluate}. */
export interface EvaluateOptions {
  /** Skip the gradient (value only, e.g. inside a line search); gradient is then empty. */
  valueOnly?: boolean;
  /**
   * An array of length nParams the objective may write the gradient into and
   * return as `gradient` (saves a new vector per call, e.g. per mini-batch
   * step). A hint: objectives that do not take it return a new array, so the
   * caller reads `Evaluation.gradient`, never this array directly; its old
   * contents are overwritten, and a later call with the same array
   * overwrites the gradient it returned.
   */
  gradientOut?: Float64Array;
  /**
   * `false`: the caller will not use the Hessian mat-vec (e.g. a stochastic
   * method), so the objective may skip what keeping it costs (a copy of x)
   * and return no `hessian`. Default true.
   */
  hessian?: boolean;
}

/** A differentiable function of a flat parameter vector. */
export interface Objective {
  readonly nParams: number;
  /** Number of examples the data have (for mini-batching); absent for objectives without data. */
  readonly nData?: number;
  /**
   * Evaluate at x (not modified). `batch` selects example indices (mini-batch or
   * sample); absent means all data.
   */
  evaluate(x: Float64Array, batch?: ArrayLike<number> | null, opts?: EvaluateOptions): Evaluation;
  /**
   * Forget any state carried from one evaluation to the next (e.g. VarPro's
   * warm start of the inner solve). Every optimizer calls it once when a run
   * starts, so that two runs from the same inputs give the same result; within
   * a run the state is kept.
   */
  resetState?(): void;
}
