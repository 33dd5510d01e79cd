import type { Matrix } from '../core/matrix.js';
import type { ConstructorSpec } from '../core/spec.js';

/** An element-wise activation σ with its derivative σ'. */
export interface Activation {
  readonly name: string;
  /** σ(X) and σ'(X) in one pass (new matrices; X untouched). */
  evaluate(X: Matrix): { value: Matrix; derivative: Matrix };
  /**
   * Optional raw one-pass kernel on typed arrays (no validation, no allocation):
   * value[k] = σ(x[k]) and, unless `derivative` is null, derivative[k] = σ'(x[k]).
   * `value` may alias `x`. All built-in activations provide it.
   */
  evaluateInto?(x: Float64Array, value: Float64Array, derivative: Float64Array | null): void;
  /** The constructor call that built it (numdl's constructors set it; used by `modelToJSON`). */
  readonly spec?: ConstructorSpec;
}
