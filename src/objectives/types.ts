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
