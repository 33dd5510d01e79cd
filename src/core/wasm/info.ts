/**
 * One call that says which kernels numdl runs with: what benchmarks print in
 * their headers and what a user checks before trusting a timing.
 */
import { getKernelBackend, type KernelBackend } from './backend.js';
import { kernelBuild, wasmAvailable, wasmUnavailableReason } from './module.js';
import { getWasmThreads } from './threads.js';

/** The kernels in effect (see {@link kernelInfo}). */
export interface KernelInfo {
  /** 'wasm' (WebAssembly SIMD) or 'js' (pure TypeScript), as {@link getKernelBackend}. */
  backend: KernelBackend;
  /** Whether the WebAssembly kernels loaded at all. */
  wasmAvailable: boolean;
  /** Why they did not ('' when they did). */
  wasmUnavailableReason: string;
  /** The FMA (relaxed-SIMD) build is loaded. */
  fma: boolean;
  /** Why FMA is off ('' when on): `NUMDL_FMA=0`, or the runtime lacks relaxed SIMD. */
  fmaReason: string;
  /** The kernels' memory is shared, so worker threads are possible. */
  sharedMemory: boolean;
  /** Threads the WebAssembly kernels may use (1 = the calling thread only). */
  threads: number;
  /** Precision of the library's default computations. */
  precision: 'float64';
}

/**
 * The kernel backend, FMA, shared memory and thread count in effect.
 * @returns a fresh plain object (safe to print or serialise)
 * @example kernelInfo() // { backend: 'wasm', fma: true, threads: 2, sharedMemory: true, … }
 */
export function kernelInfo(): KernelInfo {
  const b = kernelBuild();
  return {
    backend: getKernelBackend(),
    wasmAvailable: wasmAvailable(),
    wasmUnavailableReason: wasmUnavailableReason(),
    fma: b.fma,
    fmaReason: b.fmaReason,
    sharedMemory: b.sharedMemory,
    threads: b.sharedMemory ? getWasmThreads() : 1,
    precision: 'float64',
  };
}

/**
 * {@link kernelInfo} as one line, e.g. for a benchmark header.
 * @example kernelInfoLine() // 'kernels: wasm (FMA, shared memory, 2 threads), float64'
 */
export function kernelInfoLine(): string {
  const k = kernelInfo();
  if (k.backend === 'js') {
    return `kernels: js (TypeScript${k.wasmAvailable ? '; wasm available' : `; wasm unavailable: ${k.wasmUnavailableReason}`}), ${k.precision}`;
  }
  const fma = k.fma ? 'FMA' : `no FMA: ${k.fmaReason}`;
  return `kernels: wasm (${fma}, ${k.sharedMemory ? 'shared memory' : 'local memory'}, ${k.threads} thread${k.threads === 1 ? '' : 's'}), ${k.precision}`;
}
