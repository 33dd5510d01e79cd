/**
 * numdl/internals — building blocks that the public entry `numdl` keeps out of
 * its surface: the argument checks and error helpers every function uses, the
 * raw matrix-product and WebAssembly kernels with their tuning constants, and
 * the resolvers behind option parsing. For tests, benchmarks and advanced use;
 * these names may change between minor versions.
 */
export { shapeStr, fail, checkSize, checkPositiveInt, checkVector, checkMatrix, checkMatrix64, checkNumber } from './core/errors.js';
export { GEMM_BLOCKS, gemm, gemm32 } from './core/matmul.js';
export { kernelBuild } from './core/wasm/module.js';
export { wasmGemm, wasmGemm32, wasmGemmStrided, preferWasmGemm, WASM_GEMM_PARALLEL_MIN } from './core/wasm/gemm.js';
export { wasmConv2d, wasmConv2dTranspose, wasmConv2dGradTheta, type WasmConvGeometry, type WasmConvOptions } from './core/wasm/conv2d.js';
export { wasmTanh, wasmRelu, wasmSin, WASM_ACTIVATION_MIN } from './core/wasm/activations.js';
export { SparseBuilder } from './operators/sparse.js';
export { CONV1D_DIRECT_MAX, CONV1D_DIRECT_MAX_BLUESTEIN } from './operators/conv1d.js';
export { CONV2D_DIRECT_MAX } from './operators/convCommon.js';
export { resolveActivation } from './layers/activations/index.js';
export { resolveTableau } from './networks/rungeKutta.js';
export { toRegularizer } from './losses/tikhonov.js';
export { createTablePrinter, tableColumns, type TablePrinter } from './optimizers/printer.js';
export { NetworkWorkspace, DEFAULT_BLOCK_COLUMNS, PASS } from './engine/workspace.js';
