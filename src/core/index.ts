/**
 * Core linear algebra: column-major matrices and vectors, seeded random
 * numbers, matrix products, matrix-free linear operators, FFTs, iterative and
 * dense solvers, derivative checks and the kernels' controls. Argument checks
 * and the raw kernels are in `numdl/internals`.
 */
export { NumdlError, isNumdlError, type NumdlErrorCode } from './errors.js';
export * from './matrix.js';
export { assign, fill, addScaled } from './views.js';
export * from './vector.js';
export * from './rng.js';
export { matmul, matmulInto, type MatmulOptions, type MatmulIntoOptions } from './matmul.js';
export { sparseColumnsAffine, sparseColumnsAffineChunks, type SparseColumnsOptions, type SparseColumnsChunkOptions } from './sparseColumns.js';
export * from './linearOperator.js';
export * from './fft.js';
export * from './checks.js';
export * from './solvers/pcg.js';
export * from './solvers/cgls.js';
export * from './solvers/svd.js';
export * from './solvers/eigvals.js';
export * from './wasm/index.js';
