/**
 * Which kernels numdl runs: the WebAssembly SIMD kernels ('wasm', the default
 * where they load) or the pure TypeScript reference kernels ('js').
 *
 * The environment variable `NUMDL_KERNELS=js|wasm` sets the starting choice;
 * {@link setKernelBackend} changes it at run time. Asking for 'wasm' where the
 * kernels cannot load (no SIMD, binary not built) falls back to 'js' with a
 * one-time process warning for the environment variable, and throws for the
 * function.
 */
import { wasmAvailable, wasmUnavailableReason } from './module.js';
import { fail } from '../errors.js';

/** The two kernel families. */
export type KernelBackend = 'js' | 'wasm';

function initialBackend(): KernelBackend {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.NUMDL_KERNELS;
  const want = env === undefined || env === '' ? undefined : env.trim().toLowerCase();
  if (want !== undefined && want !== 'js' && want !== 'wasm') {
    warn(`NUMDL_KERNELS=${env} is not one of js, wasm; using ${wasmAvailable() ? 'wasm' : 'js'}`);
  }
  if (want === 'js') return 'js';
  if (wasmAvailable()) return 'wasm';
  warn(`${want === 'wasm' ? 'NUMDL_KERNELS=wasm but the' : 'the'} WebAssembly kernels are unavailable (${wasmUnavailableReason()}); using the TypeScript kernels`);
  return 'js';
}

function warn(message: string): void {
  const proc = (globalThis as { process?: { emitWarning?: (m: string, o: { code: string }) => void } }).process;
  if (typeof proc?.emitWarning === 'function') proc.emitWarning(message, { code: 'NUMDL_KERNELS' });
  else console.warn(`numdl: ${message}`);
}

// Process-wide by nature (one per process, no caller's results): see
// docs/kernels.md, the bullet on process-wide state.
let backend: KernelBackend = initialBackend();

/**
 * Choose the kernels numdl uses from now on.
 * @param b `'wasm'` (WebAssembly SIMD) or `'js'` (pure TypeScript)
 * @throws `setKernelBackend: backend must be 'js' or 'wasm', got 'gpu'`, or
 *   `setKernelBackend: the wasm backend is unavailable: <reason>`
 * @example setKernelBackend('js'); getKernelBackend() // 'js'
 */
export function setKernelBackend(b: KernelBackend): void {
  if (b !== 'js' && b !== 'wasm') fail('setKernelBackend', `backend must be 'js' or 'wasm', got ${JSON.stringify(b)}`, 'badArgument', { argument: 'backend', got: b });
  if (b === 'wasm' && !wasmAvailable()) fail('setKernelBackend', `the wasm backend is unavailable: ${wasmUnavailableReason()}`, 'unavailable');
  backend = b;
}

/**
 * The kernels in use: `'wasm'` by default where the WebAssembly kernels load,
 * else `'js'`; `NUMDL_KERNELS` and {@link setKernelBackend} override it.
 * @example getKernelBackend() // 'wasm'
 */
export function getKernelBackend(): KernelBackend {
  return backend;
}
