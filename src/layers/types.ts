import type { Matrix } from '../core/matrix.js';

/** An element-wise activation σ with its derivative σ'. */
export interface Activation {
  readonly name: string;
  /** σ(X) and σ'(X) in one pass (new matrices; X untouched). */
  evaluate(X: Matrix): { value: Matrix; derivative: Matrix };
}
