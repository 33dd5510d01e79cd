import { elementwise, type ElementwiseActivation } from './elementwise.js';
import { getKernelBackend } from '../../core/wasm/backend.js';
import { wasmSin } from '../../core/wasm/activations.js';
import { withSpec } from '../../core/spec.js';

/**
 * σ(x) = sin(x), σ'(x) = cos(x).
 * @example sin.evaluate(fromRows([[0]])).derivative.get(0, 0) // 1
 */
export const sin: ElementwiseActivation = withSpec(elementwise('sin', (x, value, derivative) => {
  const n = x.length;
  // The kernel family decides the arithmetic, not the length: a short array
  // (a last mini-batch) gets the same numbers per entry as a long one.
  if (getKernelBackend() === 'wasm') {
    wasmSin(x, value, derivative);
    return;
  }
  for (let k = 0; k < n; k++) {
    const t = x[k];
    if (derivative) derivative[k] = Math.cos(t);
    value[k] = Math.sin(t);
  }
}), 'sin', []);
