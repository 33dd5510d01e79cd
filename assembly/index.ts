// numdl's WebAssembly kernels (AssemblyScript; built by scripts/build-wasm.mjs).
// Every kernel works on caller-laid-out linear memory: no allocation here.
export { gemmWorkspace, dgemm, sgemm } from './gemm';
export {
  conv2dWorkspace, dconv2d, sconv2d,
  conv2dGradWorkspace, dconv2dGradTheta, sconv2dGradTheta,
} from './conv';
export { tanhPass, reluPass, sinPass } from './activations';
export { dlayerAffine, dlayerForward, dlayerJvp, dlayerVjp, dlayerVjp8 } from './dense';
export { netChunks, netChunks32, netReduce, netReduce32, netParams, netParams32, netDirection, netDirection32, netGather } from './network';
export { convNetChunks, convNetChunks32 } from './convNetwork';
export { lcSegments, lcSegments32 } from './linearClassifier';
export { sparseColumns, sparseColumns32 } from './sparseColumns';

/** First free byte after the module's static data (the caller's layout starts here). */
export function heapBase(): usize { return __heap_base; }
