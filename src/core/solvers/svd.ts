/**
 * Dense singular value decomposition (STUB — being implemented).
 */
import { fail } from '../errors.js';
import type { Matrix } from '../matrix.js';

/** Thin SVD A = U diag(S) Vᵀ, singular values in descending order. */
export interface SvdResult {
  /** rows × k, orthonormal columns, k = min(rows, cols). */
  U: Matrix;
  /** k singular values, descending, non-negative. */
  S: Float64Array;
  /** cols × k, orthonormal columns. */
  V: Matrix;
}

/** Thin SVD of a dense matrix (fine up to a few hundred rows/columns). */
export function svd(A: Matrix, opts: { vectors?: boolean } = {}): SvdResult {
  void A; void opts;
  return fail('svd', 'not implemented yet');
}
