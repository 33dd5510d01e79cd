/**
 * Eigenvalues of a small dense nonsymmetric matrix (STUB — being implemented).
 */
import { fail } from '../errors.js';
import type { Matrix } from '../matrix.js';
import type { ComplexArray } from '../fft.js';

/**
 * All eigenvalues of a square matrix by Hessenberg reduction and shifted QR.
 * Complex eigenvalues come in conjugate pairs (re ± i·im).
 */
export function eigvals(A: Matrix): ComplexArray {
  void A;
  return fail('eigvals', 'not implemented yet');
}
