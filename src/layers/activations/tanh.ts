import { elementwise, type ElementwiseActivation } from './elementwise.js';
import { getKernelBackend } from '../../core/wasm/backend.js';
import { wasmTanh } from '../../core/wasm/activations.js';
import { withSpec } from '../../core/spec.js';

/**
 * σ(x) = tanh(x), σ'(x) = 1 − tanh(x)² (the derivative reuses the value, one
 * `Math.tanh` per entry).
 * @example tanh.evaluate(fromRows([[0]])).derivative.get(0, 0) // 1
 */
export const tanh: ElementwiseActivation = withSpec(elementwise('tanh', (x, value, derivative) => {
  const n = x.length;
  // The kernel family decides the arithmetic, not the length: a short array
  // (a last mini-batch) gets the same numbers per entry as a long one.
  if (getKernelBackend() === 'wasm') {
    wasmTanh(x, value, derivative);
    return;
  }
  if (derivative) {
    for (let k = 0; k < n; k++) {
      const t = Math.tanh(x[k]);
      value[k] = t;
      derivative[k] = 1 - t * t;
    }
  } else {
    for (let k = 0; k < n; k++) value[k] = Math.tanh(x[k]);
  }
}), 'tanh', []);
