/**
 * The antisymmetric model: K(θ)ᵀ = −K(θ), so every eigenvalue of K(θ) has
 * zero real part (a stable, non-dissipative layer for residual networks).
 */
import { checkDim, linearParametric } from './base.js';
import { SparseBuilder } from './sparse.js';
import type { ParametricOperator } from './types.js';
import { withSpec } from '../core/spec.js';

/**
 * Antisymmetric K(θ), n × n, p = n(n−1)/2: `K_ij = θ_t`, `K_ji = −θ_t` for i < j,
 * with t running over the strict upper triangle **row by row**
 * (t = 0 ↔ (0,1), t = 1 ↔ (0,2), …, then row 1, …).
 * For n = 3 (1-based θ as in the lecture): `[[0, θ1, θ2], [−θ1, 0, θ3], [−θ2, −θ3, 0]]`.
 * Its transpose is −K(θ); `vjp(Z, Y)_t = Σ_cols (Z_i Y_j − Z_j Y_i)`.
 * @param n size of K (n ≥ 1; n = 1 gives p = 0)
 * @returns the parametric operator
 * @throws if n is not a positive integer
 * @example antisymmetric(3).toDense(Float64Array.of(1, 2, 3)) // [[0, 1, 2], [-1, 0, 3], [-2, -3, 0]]
 */
export function antisymmetric(n: number): ParametricOperator {
  const fn = 'antisymmetric';
  checkDim(fn, 'n', n);
  const nTheta = (n * (n - 1)) / 2;
  const apply = (sign: number) => (theta: Float64Array, Y: Float64Array, m: number, out: Float64Array) => {
    for (let c = 0; c < m; c++) {
      const o = c * n;
      let t = 0;
      for (let i = 0; i < n; i++) {
        const yi = Y[o + i];
        let zi = 0;
        for (let j = i + 1; j < n; j++, t++) {
          const w = sign * theta[t];
          zi += w * Y[o + j];
          out[o + j] -= w * yi;
        }
        out[o + i] += zi;
      }
    }
  };
  return withSpec(linearParametric({
    fn,
    name: `antisymmetric(${n})`,
    nIn: n,
    nOut: n,
    nTheta,
    apply: apply(1),
    applyTranspose: apply(-1),
    vjp: (Z, Y, m, out) => {
      for (let c = 0; c < m; c++) {
        const o = c * n;
        let t = 0;
        for (let i = 0; i < n; i++) {
          const zi = Z[o + i], yi = Y[o + i];
          for (let j = i + 1; j < n; j++, t++) out[t] += zi * Y[o + j] - Z[o + j] * yi;
        }
      }
    },
    toDense: (theta, out) => {
      let t = 0;
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++, t++) {
          out[i + j * n] = theta[t];
          out[j + i * n] = -theta[t];
        }
      }
    },
    Q: () => {
      const b = new SparseBuilder(n * n, nTheta);
      let t = 0;
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++, t++) {
          b.push(i + j * n, t, 1);
          b.push(j + i * n, t, -1);
        }
      }
      return b.build();
    },
  }), 'antisymmetric', [n]);
}
