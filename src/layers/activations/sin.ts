import { elementwise, type ElementwiseActivation } from './elementwise.js';

/**
 * σ(x) = sin(x), σ'(x) = cos(x).
 * @example sin.evaluate(fromRows([[0]])).derivative.get(0, 0) // 1
 */
export const sin: ElementwiseActivation = elementwise('sin', (x, value, derivative) => {
  const n = x.length;
  for (let k = 0; k < n; k++) {
    const t = x[k];
    if (derivative) derivative[k] = Math.cos(t);
    value[k] = Math.sin(t);
  }
});
