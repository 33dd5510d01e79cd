/**
 * CGLS for least squares (STUB — being implemented).
 */
import { fail } from '../errors.js';
import type { LinearOperator } from '../linearOperator.js';
import type { Matrix } from '../matrix.js';
import type { IterativeResult } from './pcg.js';

/** Options of {@link cgls}. */
export interface CglsOptions {
  /** Tikhonov shift s ≥ 0: minimise ‖A x − b‖² + s‖x‖² (default 0). */
  shift?: number;
  /** Relative tolerance on the normal-equation residual (default 1e-6). */
  tol?: number;
  /** Iteration cap (default min(rows, cols)). */
  maxIter?: number;
  /** Starting guess (default 0). */
  x0?: Float64Array;
}

/** Minimise ‖A x − b‖² + shift‖x‖² by CG on the normal equations, without forming AᵀA. */
export function cgls(A: LinearOperator | Matrix, b: Float64Array, opts: CglsOptions = {}): IterativeResult {
  void A; void b; void opts;
  return fail('cgls', 'not implemented yet');
}
