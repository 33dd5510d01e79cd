/**
 * Preconditioned conjugate gradients (STUB — being implemented).
 */
import { fail } from '../errors.js';
import type { LinearOperator } from '../linearOperator.js';

/** Why an iterative solver stopped. */
export type SolverFlag = 'converged' | 'maxIter' | 'negativeCurvature' | 'breakdown' | 'nonFinite';

/** Result of {@link pcg} and {@link cgls}. */
export interface IterativeResult {
  /** The (approximate) solution. */
  x: Float64Array;
  /** Why it stopped. */
  flag: SolverFlag;
  /** Iterations (= operator products) done. */
  iterations: number;
  /** Final relative residual ‖b − A x‖/‖b‖ (for cgls: ‖Aᵀ(b − Ax) − shift·x‖/‖Aᵀb‖). */
  relres: number;
  /** Relative residual after each iteration, starting with iteration 0. */
  residuals: number[];
}

/** A symmetric operator given as an object or as a mat-vec function. */
export type SymmetricOperator = LinearOperator | ((v: Float64Array) => Float64Array);

/** Options of {@link pcg}. */
export interface PcgOptions {
  /** Relative residual tolerance (default 1e-6). */
  tol?: number;
  /** Iteration cap (default n). */
  maxIter?: number;
  /** Starting guess (default 0). Not modified. */
  x0?: Float64Array;
  /** Preconditioner z = M⁻¹ r (SPD); default identity. */
  preconditioner?: (r: Float64Array) => Float64Array;
}

/**
 * Solve A x = b for symmetric positive (semi-)definite A by preconditioned CG.
 * Stops with flag 'negativeCurvature' if pᵀAp ≤ 0 (returns the last iterate;
 * Newton-CG relies on this).
 */
export function pcg(A: SymmetricOperator, b: Float64Array, opts: PcgOptions = {}): IterativeResult {
  void A; void b; void opts;
  return fail('pcg', 'not implemented yet');
}
