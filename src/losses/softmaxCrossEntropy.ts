/**
 * Softmax cross-entropy E = (1/n)(−Σ C ∘ S + Σ_j log Σ_i exp S_ij), S = W [Y; 1ᵀ].
 */
import { columnMajorData, zeros, type Matrix } from '../core/matrix.js';
import { affineScores, checkAffineArgs } from './affine.js';
import { checkProbabilities } from './labels.js';
import { lossResult } from './lossResult.js';
import type { LossResult } from './types.js';

/**
 * Softmax cross-entropy of the linear classifier S = W [Y; 1ᵀ] (docs/conventions.md §2):
 *   E = (1/n) (−Σ_ij C_ij S_ij + Σ_j log Σ_i exp S_ij),
 * stabilised per column by log Σ exp S_ij = m_j + log Σ exp(S_ij − m_j), m_j = max_i S_ij
 * (no overflow for any finite S), and with the scores entering the value only
 * as S_ij − m_j, so that a common offset of the logits (even 1e17) cancels exactly. With P = softmax(S) column-wise:
 *   ∂E/∂S = (P − C)/n,  ∇²_S E [V] = (1/n)(P ∘ V − P diag(1ᵀ(P ∘ V)))  (per column (diag p − p pᵀ) v / n),
 * symmetric positive semi-definite; gradW, gradY and the Hessian mat-vecs in W and Y
 * compose these with the linear maps V ↦ V[Y;1] and V ↦ W_Y V (exact Hessians).
 * The columns of C must be probability vectors (one-hot or soft labels; checked, since
 * anything else makes E unbounded below — e.g. a 1 × n row of class indices).
 * @param W nc × nf, or nc × (nf+1) when the last column is the bias (multiplies the row of ones)
 * @param Y features, nf × n
 * @param C labels, nc × n (one-hot or class probabilities)
 * @returns value, S, probabilities P, gradS, gradW (nc × nW), gradY (nf × n), hessS/hessW/hessY mat-vecs
 * @throws on incompatible shapes: `softmaxCrossEntropy: C is 2×5, expected 3×5 (rows of W × columns of Y)`;
 *   if a column of C is not a probability vector (with a hint to `oneHot`)
 * @example
 * softmaxCrossEntropy(zeros(3, 2), Y, C).value // log 3 for any one-hot C (uniform prediction)
 */
export function softmaxCrossEntropy(W: Matrix, Y: Matrix, C: Matrix): LossResult {
  const fn = 'softmaxCrossEntropy';
  const sh = checkAffineArgs(fn, W, Y, C);
  const { nc, n } = sh;
  checkProbabilities(fn, 'C', C);
  const w = columnMajorData(W), y = columnMajorData(Y), c = columnMajorData(C);
  const S = affineScores(w, y, sh);
  const s = S.data;
  const P = zeros(nc, n);
  const p = P.data;
  let value = 0;
  for (let j = 0; j < n; j++) {
    const o = j * nc;
    let m = -Infinity;
    for (let i = 0; i < nc; i++) if (s[o + i] > m) m = s[o + i];
    let z = 0;
    for (let i = 0; i < nc; i++) {
      const e = Math.exp(s[o + i] - m);
      p[o + i] = e;
      z += e;
    }
    const inv = 1 / z;
    // −Σ c_i s_i + m + log z written with the shifted scores s_i − m:
    // log z − Σ c_i (s_i − m) + m (1 − Σ c_i). Adding m and then subtracting
    // Σ c s ≈ m would cancel catastrophically for large scores (offset 1e15:
    // 1.125 instead of log 3); the last term is exactly 0 for one-hot columns.
    let cs = 0, csum = 0;
    for (let i = 0; i < nc; i++) {
      p[o + i] *= inv;
      cs += c[o + i] * (s[o + i] - m);
      csum += c[o + i];
    }
    value += Math.log(z) - cs + (csum === 1 ? 0 : m * (1 - csum));
  }
  const invN = 1 / n;
  value *= invN;
  const gradS = zeros(nc, n);
  const g = gradS.data;
  for (let k = 0; k < g.length; k++) g[k] = (p[k] - c[k]) * invN;
  // Per column: (diag(p) − p pᵀ) v / n.
  const hessS = (v: Float64Array): Float64Array => {
    const out = new Float64Array(nc * n);
    for (let j = 0; j < n; j++) {
      const o = j * nc;
      let pv = 0;
      for (let i = 0; i < nc; i++) pv += p[o + i] * v[o + i];
      for (let i = 0; i < nc; i++) out[o + i] = p[o + i] * (v[o + i] - pv) * invN;
    }
    return out;
  };
  const r = lossResult(fn, w, y, sh, value, S, gradS, hessS);
  r.probabilities = P;
  return r;
}
