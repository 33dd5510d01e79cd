/**
 * The parametric operator contract: K(θ) = mat(Q θ), linear in θ.
 * Because K is linear in θ, J_θ(K(θ)Y) dθ = K(dθ) Y, and its transpose is Qᵀ
 * applied to the matching outer products (docs/conventions.md §2).
 */
import type { Matrix } from '../core/matrix.js';
import type { SparseMatrix } from './sparse.js';
import type { ConstructorSpec } from '../core/spec.js';

/** K(θ): R^{nIn} → R^{nOut}, applied to the columns of Y (nIn × n). */
export interface ParametricOperator {
  /** A short name with the sizes, e.g. `conv2d(28×28, 3×3, 1→8, periodic)`. */
  readonly name: string;
  readonly nIn: number;
  readonly nOut: number;
  readonly nTheta: number;
  /** K(θ) Y, Y is nIn × n; returns nOut × n. */
  apply(theta: Float64Array, Y: Matrix): Matrix;
  /** K(θ)ᵀ Z, Z is nOut × n; returns nIn × n. */
  applyTranspose(theta: Float64Array, Z: Matrix): Matrix;
  /** J_θ(K(θ)Y) dθ = K(dθ) Y (independent of θ). */
  jvp(dTheta: Float64Array, Y: Matrix): Matrix;
  /** J_θ(K(θ)Y)ᵀ Z, summed over the n examples; length nTheta. */
  vjp(Z: Matrix, Y: Matrix): Float64Array;
  /** The dense nOut × nIn matrix K(θ) (tests and inspection only). */
  toDense(theta: Float64Array): Matrix;

  /**
   * Whether K is linear in θ (K(θ) = mat(Q θ)). Absent means true. When false
   * (e.g. {@link separableConv2d}, whose stencil is an outer product), the
   * Jacobian depends on θ: `jvp`/`vjp` throw and `jvpAt`/`vjpAt` must be used.
   */
  readonly linear?: boolean;
  /** J_θ(K(θ)Y) dθ at θ; for linear operators the same as `jvp(dTheta, Y)`. */
  jvpAt?(theta: Float64Array, dTheta: Float64Array, Y: Matrix): Matrix;
  /** J_θ(K(θ)Y)ᵀ Z at θ, summed over examples; for linear operators the same as `vjp(Z, Y)`. */
  vjpAt?(theta: Float64Array, Z: Matrix, Y: Matrix): Float64Array;
  /**
   * True when θ is K itself, θ = vec(K) column-major (Q = I, {@link dense}):
   * kernels may then read θ as the nOut × nIn matrix (the fused dense-layer
   * path of singleLayer does). Absent means false.
   */
  readonly denseMatrix?: boolean;
  /** Q of K(θ) = mat(Q θ) as a sparse (nOut·nIn) × nTheta matrix (linear operators only; inspection and tests). */
  Q?(): SparseMatrix;
  /** The constructor call that built it (numdl's constructors set it; used by `modelToJSON`). */
  readonly spec?: ConstructorSpec;
}
