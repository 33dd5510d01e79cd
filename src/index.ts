/**
 * numdl — numerical methods for nonlinear models (neural networks as nonlinear
 * least-squares and classification problems), matrix-free.
 * Conventions: column-major matrices, features × examples (see README).
 */
export * from './core/index.js';
export * from './operators/index.js';
export * from './layers/index.js';
export * from './networks/index.js';
export * from './losses/index.js';
export * from './objectives/index.js';
export * from './optimizers/index.js';
export * from './data/index.js';
export * from './analysis/index.js';
export * from './io/index.js';
export * from './engine/index.js';
