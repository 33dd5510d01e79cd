/**
 * Tikhonov regulariser R(x) = (λ/2)‖L x‖².
 */
import { checkNumber, checkVector, fail } from '../core/errors.js';
import { withSpec } from '../core/spec.js';
import { asOperator, type LinearOperator, type OperatorLike } from '../core/linearOperator.js';
import { checkOptions } from '../core/options.js';

/** A quadratic (or any twice differentiable) penalty on a parameter vector. */
export interface Regularizer {
  readonly name: string;
  /** The weight λ. */
  readonly lambda: number;
  /** Required length of x, or undefined when any length is accepted (L = I). */
  readonly n?: number;
  /** True when R(x) = (λ/2)‖x‖² (L = I), which closed-form solvers exploit. */
  readonly isIdentity?: boolean;
  /** R(x). */
  value(x: Float64Array): number;
  /** ∇R(x), a new vector. */
  gradient(x: Float64Array): Float64Array;
  /** ∇²R v, a new vector. */
  hessian(v: Float64Array): Float64Array;
}

/** Options of {@link tikhonov}. */
export interface TikhonovOptions {
  /** λ ≥ 0 (default 1). */
  lambda?: number;
  /** L as a LinearOperator or dense matrix (cols = length of x); default the identity of any size. */
  L?: OperatorLike;
}

/**
 * R(x) = (λ/2)‖L x‖², ∇R(x) = λ LᵀL x, ∇²R v = λ LᵀL v.
 * @param options λ (default 1) and L (default I, any length)
 * @returns the regulariser; its methods throw on vectors of the wrong length
 * @throws if λ is negative or not finite, or L is not an operator
 * @example tikhonov({ lambda: 2 }).value(new Float64Array([1, 1])) // 2
 */
export function tikhonov(options: TikhonovOptions = {}): Regularizer {
  const fn = 'tikhonov';
  checkOptions(fn, options, ['lambda', 'L']);
  const lambda = checkNumber(fn, 'lambda', options.lambda ?? 1, { min: 0 });
  const L: LinearOperator | null = options.L === undefined ? null : asOperator(options.L);
  const n = L ? L.cols : undefined;
  const check = (what: string, x: unknown) => checkVector(`${fn}.${what}`, what === 'hessian' ? 'v' : 'x', x, n);
  return withSpec({
    name: L ? `tikhonov(λ=${lambda}, L ${L.rows}×${L.cols})` : `tikhonov(λ=${lambda})`,
    lambda,
    n,
    isIdentity: L === null,
    value(x) {
      check('value', x);
      const r = L ? L.apply(x) : x;
      let s = 0;
      for (let i = 0; i < r.length; i++) s += r[i] * r[i];
      return 0.5 * lambda * s;
    },
    gradient(x) {
      check('gradient', x);
      return lamLtL(x);
    },
    hessian(v) {
      check('hessian', v);
      return lamLtL(v);
    },
  }, 'tikhonov', [options]);
  function lamLtL(v: Float64Array): Float64Array {
    // Float64Array.from walks its argument as an iterable: a typed array's slice/constructor copy is much faster
    // (this runs per evaluation and per Hessian mat-vec, also for small mini-batches).
    const src = L ? L.applyTranspose(L.apply(v)) : v;
    const out = new Float64Array(src.length);
    for (let i = 0; i < out.length; i++) out[i] = src[i] * lambda;
    return out;
  }
}

/** A regulariser given as λ (plain (λ/2)‖x‖²), as a {@link Regularizer}, or absent. */
export type RegularizerLike = number | Regularizer | null | undefined;

/**
 * Normalise a {@link RegularizerLike}: a number λ becomes `tikhonov({ lambda: λ })`, 0/null/undefined becomes null.
 * @throws `fn: regularization.theta must be a number λ or a Regularizer`
 */
export function toRegularizer(fn: string, name: string, r: RegularizerLike): Regularizer | null {
  if (r === undefined || r === null || r === 0) return null;
  if (typeof r === 'number') return tikhonov({ lambda: checkNumber(fn, name, r, { min: 0 }) });
  if (typeof r !== 'object' || typeof r.value !== 'function' || typeof r.gradient !== 'function' || typeof r.hessian !== 'function') {
    fail(fn, `${name} must be a number λ or a Regularizer (value, gradient, hessian)`);
  }
  return r;
}
