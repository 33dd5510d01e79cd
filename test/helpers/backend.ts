/**
 * Run test code on one kernel family (`'js'` TypeScript reference or `'wasm'`
 * WebAssembly SIMD) and restore the previous selection afterwards, also when
 * the code throws.
 */
import { getKernelBackend, setKernelBackend, type KernelBackend } from '../../src/core/wasm/backend.js';

/**
 * `f()` with the kernel backend `b` selected.
 * @example const r = withBackend('js', () => matmul(A, B));
 */
export function withBackend<T>(b: KernelBackend, f: () => T): T {
  const old = getKernelBackend();
  setKernelBackend(b);
  try {
    return f();
  } finally {
    setKernelBackend(old);
  }
}
