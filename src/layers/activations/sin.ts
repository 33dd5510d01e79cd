import { elementwise, type ElementwiseActivation } from './elementwise.js';
import { getKernelBackend } from '../../core/wasm/backend.js';
import { wasmSin, WASM_ACTIVATION_MIN } from '../../core/wasm/activations.js';
import { withSpec } from '../../core/spec.js';

/**
 * σ(x) = sin(x), σ'(x) = cos(x).
 * @example sin.evaluate(fromRows([[0]])).derivative.get(0, 0) // 1
 */
export const sin: ElementwiseActivation = withSpec(elementwise('sin', (x, value, derivative) => {
  const n = x.length;
  // The WebAssembly SIMD pass wins once the copies in and out are amortised.
  if (n >= WASM_ACTIVATION_MIN.sin && getKernelBackend() === 'wasm') {
    wasmSin(x, value, derivative);
    return;
  }
  for (let k = 0; k < n; k++) {
    const t = x[k];
    if (derivative) derivative[k] = Math.cos(t);
    value[k] = Math.sin(t);
  }
}), 'sin', []);
