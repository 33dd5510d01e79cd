/**
 * numdl's WebAssembly SIMD kernels (built from `assembly/` by
 * `node scripts/build-wasm.mjs`) and the switch between them and the pure
 * TypeScript kernels, and resident matrices (storage in WebAssembly memory,
 * used by the kernels without copying).
 */
export { wasmAvailable, wasmUnavailableReason, wasmMemoryBytes, releaseWasmMemory, kernelBuild, type KernelBuild } from './module.js';
export { kernelInfo, kernelInfoLine, type KernelInfo } from './info.js';
export { setKernelBackend, getKernelBackend, type KernelBackend } from './backend.js';
export { wasmGemm, wasmGemm32, wasmGemmStrided, preferWasmGemm } from './gemm.js';
export { wasmConv2d, wasmConv2dTranspose, wasmConv2dGradTheta, type WasmConvGeometry, type WasmConvOptions } from './conv2d.js';
export { wasmTanh, wasmRelu, wasmSin, WASM_ACTIVATION_MIN } from './activations.js';
export { setWasmThreads, getWasmThreads, shutdownWasmThreads, startWasmThreads, wasmThreadsReady, wasmThreadStatus, type WasmThreadStatus } from './threads.js';
export { WASM_GEMM_PARALLEL_MIN } from './gemm.js';
export {
  residentMatrix, toResident, releaseResident, isResident, residentMemoryStats,
  type ResidentDtype, type ResidentOptions, type ResidentMemoryStats,
} from './resident.js';
