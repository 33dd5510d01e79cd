/**
 * The model contract: Y ↦ F(x, Y) with Jacobian products in the parameters x
 * and the input Y (DESIGN.md §4, STYLE.md "One shape for everything differentiable").
 */
import type { Matrix } from '../core/matrix.js';
import type { Rng } from '../core/rng.js';

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
  /** A scaled random parameter vector. */
  initialize(rng: Rng): Float64Array;
  /** The named pieces of x, in order; their lengths add up to nParams. */
  paramBlocks(): ParamBlock[];
  /**
   * Bytes a forward state keeps per example (column of Y), output included,
   * input excluded (it is referenced, not copied). Optional; numdl's models set it.
   */
  readonly stateBytesPerExample?: number;
}
