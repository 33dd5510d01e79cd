/**
 * The model contract: Y ↦ F(x, Y) with Jacobian products in the parameters x
 * and the input Y (docs/conventions.md §2: every model, layer and network has
 * this one shape). It sits in core, below the layers, networks and objectives
 * that implement or consume it (src/networks/types.ts re-exports it under its
 * public names).
 */
import type { Matrix } from './matrix.js';
import type { Rng } from './rng.js';
import type { ConstructorSpec } from './spec.js';

/** What `forward` keeps: at least the output; models add what their derivatives need. */
export interface ModelState {
  output: Matrix;
}

/** A named slice of a model's parameter vector. */
export interface ParamBlock {
  name: string;
  offset: number;
  length: number;
}

/** Options of {@link Model.vjp}. */
export interface VjpOptions {
  /**
   * Compute the input part J_Yᵀ dZ (default true). With `false` the model may
   * skip it and return `dY: null` — for the first model of an objective, whose
   * input is the data and whose input gradient would be discarded. Models that
   * ignore the option still return dY; callers must accept either.
   */
  input?: boolean;
}

/** A differentiable model Y (nIn × n) ↦ Z (nOut × n) with parameters x (nParams). */
export interface Model<S extends ModelState = ModelState> {
  readonly name: string;
  readonly nParams: number;
  readonly nIn: number;
  readonly nOut: number;
  /** Evaluate and keep what the derivatives need. */
  forward(x: Float64Array, Y: Matrix): S;
  /** J_x dx + J_Y dY at the state of a forward pass; a null direction is skipped. */
  jvp(x: Float64Array, state: S, dx: Float64Array | null, dY: Matrix | null): Matrix;
  /** (J_xᵀ dZ, J_Yᵀ dZ). */
  vjp(x: Float64Array, state: S, dZ: Matrix): { dx: Float64Array; dY: Matrix };
  /**
   * (J_xᵀ dZ, J_Yᵀ dZ), where `{ input: false }` allows skipping J_Yᵀ dZ
   * (then `dY` may be null). The optional 4th argument keeps models written
   * for the 3-argument form valid: they ignore it and return dY anyway.
   */
  vjp(x: Float64Array, state: S, dZ: Matrix, opts?: VjpOptions): { dx: Float64Array; dY: Matrix | null };
  /**
   * Optional fused residual product dY + h·(J_x dx + J_Y dY) for a model with
   * nIn = nOut, in a new matrix (dY null: h·J_x dx): one forward-Euler step of the
   * linearised recursion, the same numbers as `jvp` followed by the update but one
   * pass over the data less. ResNets use it when their steps offer it.
   * `out` (optional, nOut × n, contiguous column-major, not sharing storage with
   * dY or the state) receives the result, which is then returned: ResNets pass
   * buffers they reuse from step to step instead of allocating one per step.
   */
  residualJvp?(x: Float64Array, state: S, dx: Float64Array | null, dY: Matrix | null, h: number, out?: Matrix): Matrix;
  /**
   * Optional fused residual forward for a model with nIn = nOut: the state of
   * `forward(x, Y)` whose `output` is the ResNet step Y + h·F(Y) instead of F(Y)
   * (what a ResNet keeps), in one pass. ResNets use it when their steps offer it.
   */
  residualForward?(x: Float64Array, Y: Matrix, h: number): S;
  /**
   * Optional fused residual transpose for a model with nIn = nOut: returns
   * dx = J_xᵀ dZ (not scaled by h) and dY = dZ + h·J_Yᵀ dZ in a new matrix —
   * one backward step of the ResNet's adjoint recursion, the numbers of `vjp`
   * followed by the update up to rounding. ResNets use it when their steps offer it.
   * `out` (optional, nIn × n, contiguous column-major, not sharing storage with
   * dZ or the state) receives dY, as in {@link Model.residualJvp}.
   */
  residualVjp?(x: Float64Array, state: S, dZ: Matrix, h: number, out?: Matrix): { dx: Float64Array; dY: Matrix };
  /** A scaled random parameter vector. */
  initialize(rng: Rng): Float64Array;
  /** The named pieces of x, in order; their lengths add up to nParams. */
  paramBlocks(): ParamBlock[];
  /**
   * Bytes a forward state keeps per example (column of Y), output included,
   * input excluded (it is referenced, not copied). Optional; numdl's models set it.
   */
  readonly stateBytesPerExample?: number;
  /** The constructor call that built it (numdl's constructors set it; used by `modelToJSON`). */
  readonly spec?: ConstructorSpec;
}
