/**
 * Building block shared by every activation: an element-wise σ with its
 * derivative σ', evaluated in one pass over the typed array of a matrix.
 */
import { checkMatrix64, fail } from '../../core/errors.js';
import { columnMajorData, matrix, type Matrix } from '../../core/matrix.js';
import type { Activation } from '../types.js';

/**
 * One-pass kernel: for every k, value[k] = σ(x[k]) and (when `derivative` is
 * not null) derivative[k] = σ'(x[k]). `value` may alias `x` (each entry is read
 * before it is written), so callers can overwrite pre-activations in place.
 */
export type ActivationKernel = (x: Float64Array, value: Float64Array, derivative: Float64Array | null) => void;

/** An {@link Activation} that also exposes its typed-array kernel. */
export interface ElementwiseActivation extends Activation {
  /** The raw kernel (no validation, no allocation); see {@link ActivationKernel}. */
  evaluateInto: ActivationKernel;
}

/**
 * Wrap a kernel as an {@link Activation}: `evaluate(X)` validates X once and
 * returns new matrices σ(X), σ'(X) of X's shape (X is not modified).
 * @param name the activation's name (used in model names and error messages)
 * @param kernel the one-pass kernel
 * @returns the activation
 * @example elementwise('square', (x, v, d) => { for (let k = 0; k < x.length; k++) { const t = x[k]; v[k] = t * t; if (d) d[k] = 2 * t; } })
 */
export function elementwise(name: string, kernel: ActivationKernel): ElementwiseActivation {
  if (typeof name !== 'string' || name.length === 0) fail('elementwise', `name must be a non-empty string, got ${typeof name}`);
  if (typeof kernel !== 'function') fail('elementwise', `kernel must be a function (x, value, derivative) => void, got ${kernel === null ? 'null' : typeof kernel}`);
  return {
    name,
    evaluateInto: kernel,
    evaluate(X: Matrix): { value: Matrix; derivative: Matrix } {
      checkMatrix64(`${name}.evaluate`, 'X', X);
      const [r, c] = X.shape;
      const x = columnMajorData(X);
      const value = new Float64Array(r * c);
      const derivative = new Float64Array(r * c);
      kernel(x, value, derivative);
      return { value: matrix(r, c, value), derivative: matrix(r, c, derivative) };
    },
  };
}
