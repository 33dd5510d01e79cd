/**
 * The diagonal scaling model K(θ) = diag(θ) (the lecture's simplest parametric model).
 */
import { checkDim, linearParametric } from './base.js';
import { SparseBuilder } from './sparse.js';
import type { ParametricOperator } from './types.js';
import { withSpec } from '../core/spec.js';

/**
 * Diagonal K(θ) = diag(θ), n × n, p = n: `(K Y)_{ij} = θ_i Y_{ij}`.
 * Preserves the size and structure of the data.
 * @param n size of K
 * @returns the parametric operator; `vjp(Z, Y)_i = Σ_j Z_{ij} Y_{ij}`
 * @throws if n is not a positive integer
 * @example diagonal(2).toDense(Float64Array.of(3, 4)) // [[3, 0], [0, 4]]
 */
export function diagonal(n: number): ParametricOperator {
  const fn = 'diagonal';
  checkDim(fn, 'n', n);
  const scaleRows = (theta: Float64Array, Y: Float64Array, m: number, out: Float64Array) => {
    for (let j = 0; j < m; j++) {
      const o = j * n;
      for (let i = 0; i < n; i++) out[o + i] = theta[i] * Y[o + i];
    }
  };
  return withSpec(linearParametric({
    fn,
    name: `diagonal(${n})`,
    nIn: n,
    nOut: n,
    nTheta: n,
    apply: scaleRows,
    applyTranspose: scaleRows,
    vjp: (Z, Y, m, out) => {
      for (let j = 0; j < m; j++) {
        const o = j * n;
        for (let i = 0; i < n; i++) out[i] += Z[o + i] * Y[o + i];
      }
    },
    toDense: (theta, out) => {
      for (let i = 0; i < n; i++) out[i + i * n] = theta[i];
    },
    Q: () => {
      const b = new SparseBuilder(n * n, n);
      for (let i = 0; i < n; i++) b.push(i + i * n, i, 1);
      return b.build();
    },
  }), 'diagonal', [n]);
}
