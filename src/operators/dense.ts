/**
 * The dense model K(θ) = mat(θ, nOut, nIn): every entry is a parameter.
 */
import { gemm } from '../core/matmul.js';
import { checkDim, linearParametric } from './base.js';
import { SparseBuilder } from './sparse.js';
import type { ParametricOperator } from './types.js';
import { withSpec } from '../core/spec.js';

/**
 * Dense K(θ) = mat(θ), θ = vec(K) column-major (MATLAB's `K(:)`), p = nOut·nIn, Q = I.
 * @param nOut rows of K
 * @param nIn columns of K
 * @returns the parametric operator; `apply(θ, Y)` is K Y for Y `nIn × n`,
 *   `vjp(Z, Y)` is vec(Z Yᵀ)
 * @throws if a size is not a positive integer
 * @example dense(2, 3).toDense(Float64Array.of(1, 2, 3, 4, 5, 6)) // [[1, 3, 5], [2, 4, 6]]
 */
export function dense(nOut: number, nIn: number): ParametricOperator {
  const fn = 'dense';
  checkDim(fn, 'nOut', nOut);
  checkDim(fn, 'nIn', nIn);
  const nTheta = nOut * nIn;
  return withSpec(linearParametric({
    fn,
    name: `dense(${nOut}×${nIn})`,
    nIn,
    nOut,
    nTheta,
    apply: (theta, Y, n, out) => gemm(out, nOut, n, nIn, theta, nOut, false, Y, nIn, false, 1, 0),
    applyTranspose: (theta, Z, n, out) => gemm(out, nIn, n, nOut, theta, nOut, true, Z, nOut, false, 1, 0),
    // J_θᵀ Z = vec(Z Yᵀ): the gradient of ⟨Z, K Y⟩ with respect to K.
    vjp: (Z, Y, n, out) => gemm(out, nOut, nIn, n, Z, nOut, false, Y, nIn, true, 1, 0),
    toDense: (theta, out) => out.set(theta),
    Q: () => {
      const b = new SparseBuilder(nTheta, nTheta);
      for (let t = 0; t < nTheta; t++) b.push(t, t, 1);
      return b.build();
    },
  }, { denseMatrix: true }), 'dense', [nOut, nIn]);
}
