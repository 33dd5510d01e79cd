/**
 * Data sets: the Peaks classification problem and a train/validation split.
 * (MNIST from IDX files reads the disk: it is in `numdl/node`.)
 */
export * from './peaks.js';
export * from './splitData.js';
