/**
 * The M-matrix model: off-diagonal entries −θ, diagonal entries the row sums of
 * θ, so every row sums to zero and K(θ) is an M-matrix for θ ≥ 0 — a discrete
 * diffusion (differential) operator on a graph.
 */
import { checkDim, linearParametric } from './base.js';
import { SparseBuilder } from './sparse.js';
import type { ParametricOperator } from './types.js';
import { withSpec } from '../core/spec.js';

/**
 * M-matrix K(θ), n × n, p = n(n−1): the off-diagonal positions are taken **row
 * by row** (row i, columns j ≠ i increasing; t = i(n−1) + (j < i ? j : j−1)),
 * `K_ij = −θ_t` and `K_ii = Σ_{j≠i} θ_t`, so `(K y)_i = Σ_{j≠i} θ_t (y_i − y_j)`.
 * For n = 3 (1-based θ as in the lecture):
 * `[[θ1+θ2, −θ1, −θ2], [−θ3, θ3+θ4, −θ4], [−θ5, −θ6, θ5+θ6]]`;
 * `sparseQ(mMatrix(3))` is the lecture's 9 × 6 matrix Q.
 * @param n size of K
 * @returns the parametric operator; `vjp(Z, Y)_t = Σ_cols Z_i (Y_i − Y_j)`
 * @throws if n is not a positive integer
 * @example mMatrix(2).toDense(Float64Array.of(1, 2)) // [[1, -1], [-2, 2]]
 */
export function mMatrix(n: number): ParametricOperator {
  const fn = 'mMatrix';
  checkDim(fn, 'n', n);
  const nTheta = n * (n - 1);
  return withSpec(linearParametric({
    fn,
    name: `mMatrix(${n})`,
    nIn: n,
    nOut: n,
    nTheta,
    apply: (theta, Y, m, out) => {
      for (let c = 0; c < m; c++) {
        const o = c * n;
        let t = 0;
        for (let i = 0; i < n; i++) {
          const yi = Y[o + i];
          let zi = 0;
          for (let j = 0; j < n; j++) {
            if (j === i) continue;
            zi += theta[t++] * (yi - Y[o + j]);
          }
          out[o + i] = zi;
        }
      }
    },
    applyTranspose: (theta, Z, m, out) => {
      // (Kᵀ z)_j = K_jj z_j − Σ_{i≠j} θ_{ij} z_i: scatter row i of K times z_i.
      for (let c = 0; c < m; c++) {
        const o = c * n;
        let t = 0;
        for (let i = 0; i < n; i++) {
          const zi = Z[o + i];
          let diag = 0;
          for (let j = 0; j < n; j++) {
            if (j === i) continue;
            const w = theta[t++];
            diag += w;
            out[o + j] -= w * zi;
          }
          out[o + i] += diag * zi;
        }
      }
    },
    vjp: (Z, Y, m, out) => {
      for (let c = 0; c < m; c++) {
        const o = c * n;
        let t = 0;
        for (let i = 0; i < n; i++) {
          const zi = Z[o + i], yi = Y[o + i];
          for (let j = 0; j < n; j++) {
            if (j === i) continue;
            out[t++] += zi * (yi - Y[o + j]);
          }
        }
      }
    },
    toDense: (theta, out) => {
      let t = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          if (j === i) continue;
          out[i + j * n] = -theta[t];
          out[i + i * n] += theta[t];
          t++;
        }
      }
    },
    Q: () => {
      const b = new SparseBuilder(n * n, nTheta);
      let t = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          if (j === i) continue;
          b.push(i + i * n, t, 1);
          b.push(i + j * n, t, -1);
          t++;
        }
      }
      return b.build();
    },
  }), 'mMatrix', [n]);
}
