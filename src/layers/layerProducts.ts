/**
 * What a single layer's products compute, independent of how (src/layers/
 * genericProducts.ts over any operator, src/layers/fusedDenseProducts.ts in
 * one WebAssembly call for dense operators). Each product has one residual
 * form that covers both the plain layer (h = 1, residual false) and a ResNet
 * step Y + h·σ(K Y + b):
 *
 *   forward: Z = σ(K Y + B b)  or  Y + h·σ(K Y + B b);  A = σ'(K Y + B b)
 *   jvp:     D + h·(A ∘ (K(dθ) Y + B db + K dY)),   D = dY (residual) or 0
 *   vjp:     dx = [J_θᵀ G; Bᵀ G] with G = A ∘ W,    dY = R + h·K(θ)ᵀ G,  R = W (residual) or 0
 *
 * (J_θ dθ = A ∘ (K(dθ) Y), J_θᵀ W = op.vjp(A ∘ W, Y), J_Y dY = A ∘ (K dY),
 * J_Yᵀ W = K(θ)ᵀ (A ∘ W); the parameter gradient of a residual step is not
 * scaled by h: the network does that.)
 */
import type { Matrix } from '../core/matrix.js';
import type { ModelState } from '../core/model.js';
import type { ParametricOperator } from '../operators/types.js';
import type { BiasLayout } from './bias.js';
import type { Activation } from './types.js';

/** What {@link singleLayer}'s forward keeps: the input (referenced) and A = σ'(K Y + b). */
export interface SingleLayerState extends ModelState {
  /** Z = σ(K Y + b), nOut × n. */
  output: Matrix;
  /** Y, nIn × n — the caller's matrix, referenced, not copied: do not modify it before the derivatives are taken. */
  input: Matrix;
  /** A = σ'(K Y + b), nOut × n. */
  derivative: Matrix;
}

/** The fixed description of a layer that its products work from. */
export interface LayerSpec {
  readonly op: ParametricOperator;
  readonly activation: Activation;
  readonly bias: BiasLayout;
  readonly nIn: number;
  readonly nOut: number;
  readonly nTheta: number;
  readonly nParams: number;
}

/** One implementation of a layer's products (arguments already validated). */
export interface LayerProducts {
  /** The state of σ(K Y + B b), its output Y + h·σ(…) when `residual` (nIn = nOut). */
  forward(x: Float64Array, Y: Matrix, h: number, residual: boolean): SingleLayerState;
  /** D + h·(A ∘ (K(dθ) Y + B db + K dY)) with D = dY when `residual`; at least one of dx, dY is given; into `out` when given. */
  jvp(x: Float64Array, state: SingleLayerState, dx: Float64Array | null, dY: Matrix | null, h: number, residual: boolean, out?: Matrix): Matrix;
  /** dx = J_xᵀ W and, when `wantInput`, dY = R + h·K(θ)ᵀ(A ∘ W) with R = W when `residual` (into `out` when given). */
  vjp(x: Float64Array, state: SingleLayerState, W: Matrix, wantInput: boolean, h: number, residual: boolean, out?: Matrix): { dx: Float64Array; dY: Matrix | null };
}
