/**
 * Data sets: the Peaks classification problem, MNIST from IDX files, and a
 * train/validation split.
 */
export * from './peaks.js';
export * from './splitData.js';
export { parseIdx, isGzip, type IdxArray, type IdxHeader, type IdxType, type ParseIdxOptions } from './idx.js';
export * from './mnist.js';
