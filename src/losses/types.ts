/**
 * The result shape shared by the losses E(W [Y; 1ᵀ], C): value, gradients in
 * W and Y, and exact Hessian mat-vecs (the maps are linear in W and in Y).
 */
import type { Matrix } from '../core/matrix.js';

/** A loss evaluated at (W, Y, C); S = W [Y; 1ᵀ] (or W Y without bias column). */
export interface LossResult {
  /** E, averaged over the n examples. */
  value: number;
  /** Scores S, nc × n. */
  S: Matrix;
  /** Class probabilities softmax(S), nc × n (cross-entropy only). */
  probabilities?: Matrix;
  /** ∂E/∂S, nc × n. */
  gradS: Matrix;
  /** ∇_W E = ∂E/∂S [Y; 1]ᵀ, the shape of W (computed on first access). */
  readonly gradW: Matrix;
  /** ∇_Y E = W_Yᵀ ∂E/∂S, nf × n (computed on first access). */
  readonly gradY: Matrix;
  /** ∇²_S E [V], V nc × n (or its vec). */
  hessS(V: Matrix | Float64Array): Matrix;
  /** ∇²_W E [V] = (∇²_S E [V [Y;1]]) [Y;1]ᵀ, V the shape of W (or its vec). */
  hessW(V: Matrix | Float64Array): Matrix;
  /** ∇²_Y E [V] = W_Yᵀ ∇²_S E [W_Y V], V nf × n (or its vec). */
  hessY(V: Matrix | Float64Array): Matrix;
}

/** A loss function with the signature of {@link softmaxCrossEntropy} and {@link leastSquares}. */
export type LossFunction = (W: Matrix, Y: Matrix, C: Matrix) => LossResult;
