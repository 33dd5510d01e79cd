import { elementwise, type ElementwiseActivation } from './elementwise.js';
import { getKernelBackend } from '../../core/wasm/backend.js';
import { wasmRelu } from '../../core/wasm/activations.js';
import { withSpec } from '../../core/spec.js';

/**
 * σ(x) = max(x, 0), σ'(x) = 1 for x > 0 and 0 for x ≤ 0 (the subgradient 0 is
 * taken at the kink). Piecewise linear: a Taylor test away from 0 is exact.
 * @example relu.evaluate(fromRows([[-1, 2]])).value // [[0, 2]]
 */
export const relu: ElementwiseActivation = withSpec(elementwise('relu', (x, value, derivative) => {
  const n = x.length;
  // The kernel family decides the arithmetic, not the length: a short array
  // (a last mini-batch) gets the same numbers per entry as a long one.
  if (getKernelBackend() === 'wasm') {
    wasmRelu(x, value, derivative);
    return;
  }
  for (let k = 0; k < n; k++) {
    const t = x[k];
    const pos = t > 0;
    value[k] = pos ? t : 0;
    if (derivative) derivative[k] = pos ? 1 : 0;
  }
}), 'relu', []);
