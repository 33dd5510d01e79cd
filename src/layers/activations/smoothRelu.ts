import { checkNumber } from '../../core/errors.js';
import { withSpec } from '../../core/spec.js';
import { elementwise, type ElementwiseActivation } from './elementwise.js';

/**
 * A C¹ ReLU: ReLU with its kink replaced by a parabola on [−ε, ε],
 *
 *   σ(x) = 0                 for x ≤ −ε,
 *   σ(x) = (x + ε)² / (4ε)   for |x| < ε,
 *   σ(x) = x                 for x ≥ ε,
 *
 * σ'(x) = 0, (x + ε)/(2ε), 1 on the same pieces. Value and slope match at ±ε
 * (σ(ε) = ε, σ'(ε) = 1, σ(−ε) = σ'(−ε) = 0), so σ is C¹ with a Lipschitz
 * derivative (σ'' = 1/(2ε) inside, 0 outside, a jump at ±ε): Taylor tests see
 * second order. Note σ(0) = ε/4 ≠ 0, and σ ≥ ReLU with max gap ε/4 at 0.
 * @param epsilon half-width ε > 0 of the smoothed region (default 0.1)
 * @returns the activation, named `smoothRelu(ε)`
 * @throws if ε is not a positive finite number
 * @example smoothReluWith(0.5).evaluate(fromRows([[0]])).value.get(0, 0) // 0.125
 */
export function smoothReluWith(epsilon = 0.1): ElementwiseActivation {
  checkNumber('smoothReluWith', 'epsilon', epsilon, { min: 0, exclusiveMin: true });
  const eps = epsilon;
  const inv4e = 1 / (4 * eps);
  const inv2e = 1 / (2 * eps);
  return withSpec(elementwise(`smoothRelu(${eps})`, (x, value, derivative) => {
    const n = x.length;
    for (let k = 0; k < n; k++) {
      const t = x[k];
      let v: number, d: number;
      if (t >= eps) {
        v = t;
        d = 1;
      } else if (t <= -eps) {
        v = 0;
        d = 0;
      } else {
        const s = t + eps;
        v = s * s * inv4e;
        d = s * inv2e;
      }
      value[k] = v;
      if (derivative) derivative[k] = d;
    }
  }), 'smoothReluWith', [epsilon]);
}

/**
 * The C¹ smooth ReLU with ε = 0.1 (see {@link smoothReluWith}): quadratic
 * (x + ε)²/(4ε) on |x| < ε, 0 left of it, x right of it.
 * @example smoothRelu.evaluate(fromRows([[1]])).derivative.get(0, 0) // 1
 */
export const smoothRelu: ElementwiseActivation = smoothReluWith(0.1);
