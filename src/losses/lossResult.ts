/**
 * Assemble a {@link LossResult} from a loss's value, ∂E/∂S and ∇²_S E mat-vec:
 * everything else follows from the linear map S = W [Y; 1ᵀ].
 */
import { columnMajorData, matrix, type Matrix } from '../core/matrix.js';
import { affineGradW, affineGradY, affineJvpY, affineScores, directionData, type AffineShape } from './affine.js';
import type { LossResult } from './types.js';

/**
 * @param fn name for error messages
 * @param w the data of W (column-major)
 * @param y the data of Y (column-major)
 * @param sh shapes
 * @param value E
 * @param S scores
 * @param gradS ∂E/∂S
 * @param hessSData kernel v ↦ ∇²_S E v on raw arrays (nc·n), returning a new array
 */
export function lossResult(
  fn: string, w: Float64Array, y: Float64Array, sh: AffineShape, value: number, S: Matrix, gradS: Matrix,
  hessSData: (v: Float64Array) => Float64Array,
): LossResult {
  const { nc, nf, n, bias } = sh;
  const nW = nf + (bias ? 1 : 0);
  let gW: Matrix | null = null, gY: Matrix | null = null;
  const g = gradS.data;
  return {
    value,
    S,
    gradS,
    get gradW() {
      return (gW ??= affineGradW(g, y, sh));
    },
    get gradY() {
      return (gY ??= affineGradY(w, g, sh));
    },
    hessS(V) {
      return matrix(nc, n, hessSData(directionData(`${fn}.hessS`, 'V', V, nc, n)));
    },
    hessW(V) {
      // dS = V [Y; 1] (S is linear in W), then back with [Y; 1]ᵀ.
      const v = directionData(`${fn}.hessW`, 'V', V, nc, nW);
      const dS = affineScores(v, y, sh).data;
      return affineGradW(hessSData(dS), y, sh);
    },
    hessY(V) {
      // dS = W_Y V (S is linear in Y), then back with W_Yᵀ.
      const v = directionData(`${fn}.hessY`, 'V', V, nf, n);
      const dS = columnMajorData(affineJvpY(w, v, sh));
      return affineGradY(w, hessSData(dS), sh);
    },
  };
}
