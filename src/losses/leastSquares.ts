/**
 * Least squares E = ½‖W [Y; 1ᵀ] − C‖²_F / n.
 */
import { columnMajorData, zeros, type Matrix } from '../core/matrix.js';
import { affineScores, checkAffineArgs } from './affine.js';
import { lossResult } from './lossResult.js';
import type { LossResult } from './types.js';

/**
 * Least-squares loss of the linear model S = W [Y; 1ᵀ]:
 *   E = (1/(2n)) ‖S − C‖²_F,  ∂E/∂S = (S − C)/n,  ∇²_S E [V] = V/n;
 * gradW, gradY and the Hessian mat-vecs in W and Y follow through the linear
 * maps (exact: ∇²_W E [V] = V [Y;1][Y;1]ᵀ / n).
 * @param W nc × nf, or nc × (nf+1) with a bias column
 * @param Y nf × n
 * @param C targets, nc × n
 * @returns the same shape of result as {@link softmaxCrossEntropy}
 * @throws on incompatible shapes: `leastSquares: W is 1×7 but Y has 4 rows: …`
 * @example leastSquares(fromRows([[2]]), fromRows([[1, 2]]), fromRows([[2, 4]])).value // 0
 */
export function leastSquares(W: Matrix, Y: Matrix, C: Matrix): LossResult {
  const fn = 'leastSquares';
  const sh = checkAffineArgs(fn, W, Y, C);
  const { nc, n } = sh;
  const w = columnMajorData(W), y = columnMajorData(Y), c = columnMajorData(C);
  const S = affineScores(w, y, sh);
  const s = S.data;
  const invN = 1 / n;
  const gradS = zeros(nc, n);
  const g = gradS.data;
  let value = 0;
  for (let k = 0; k < s.length; k++) {
    const r = s[k] - c[k];
    value += r * r;
    g[k] = r * invN;
  }
  value *= 0.5 * invN;
  const hessS = (v: Float64Array): Float64Array => {
    const out = new Float64Array(v.length);
    for (let k = 0; k < v.length; k++) out[k] = v[k] * invN;
    return out;
  };
  return lossResult(fn, w, y, sh, value, S, gradS, hessS);
}
