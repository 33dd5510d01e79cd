/**
 * numdl's WebAssembly SIMD kernels (built from `assembly/` by
 * `node scripts/build-wasm.mjs`) and the switch between them and the pure
 * TypeScript kernels, and resident matrices (storage in WebAssembly memory,
 * used by the kernels without copying). The raw kernels (`wasmGemm`,
 * `wasmConv2d`, …) are in `numdl/internals`.
 */
export { wasmAvailable, wasmUnavailableReason, wasmMemoryBytes, releaseWasmMemory, type KernelBuild } from './module.js';
export { kernelInfo, kernelInfoLine, type KernelInfo } from './info.js';
export { setKernelBackend, getKernelBackend, type KernelBackend } from './backend.js';
export { setWasmThreads, getWasmThreads, shutdownWasmThreads, startWasmThreads, wasmThreadsReady, wasmThreadStatus, type WasmThreadStatus } from './threads.js';
export {
  residentMatrix, toResident, releaseResident, isResident, residentMemoryStats,
  type ResidentDtype, type ResidentOptions, type ResidentMemoryStats,
} from './resident.js';
