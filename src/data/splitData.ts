/**
 * Train/validation split of a data set stored as columns (features × examples).
 */
import { checkMatrix, checkNumber, fail, shapeStr } from '../core/errors.js';
import { selectColumns, type Matrix } from '../core/matrix.js';
import { createRng, type Rng } from '../core/rng.js';

/** Result of {@link splitData}. */
export interface DataSplit {
  /** Training data, `nf × nTrain`. */
  Ytrain: Matrix;
  /** Training labels, `nc × nTrain`. */
  Ctrain: Matrix;
  /** Validation data, `nf × (n − nTrain)`. */
  Yval: Matrix;
  /** Validation labels, `nc × (n − nTrain)`. */
  Cval: Matrix;
  /** Columns of the input that went to training, in their new order. */
  trainIndex: Int32Array;
  /** Columns of the input that went to validation, in their new order. */
  valIndex: Int32Array;
}

/**
 * Split the columns of `(Y, C)` into a training part of `round(fraction·n)`
 * columns and a validation part of the rest, after a random permutation drawn
 * from `rng` (a generator, or a seed for a fresh one). Without `rng` the columns
 * are split in their given order (the first ones train).
 * @param Y data, `nf × n`
 * @param C labels, `nc × n`
 * @param fraction share of the columns used for training, in [0, 1]
 * @param rng generator or seed for the permutation; omit to keep the order
 * @returns `{ Ytrain, Ctrain, Yval, Cval, trainIndex, valIndex }` (new matrices)
 * @throws if `Y` and `C` have different numbers of columns or `fraction` is outside [0, 1]
 * @example const s = splitData(Y, C, 0.8, createRng(1)); // 8000 columns → 6400 train, 1600 validation
 */
export function splitData(Y: Matrix, C: Matrix, fraction: number, rng?: Rng | number | string): DataSplit {
  const fn = 'splitData';
  checkMatrix(fn, 'Y', Y);
  checkMatrix(fn, 'C', C);
  if (Y.shape[1] !== C.shape[1]) fail(fn, `Y is ${shapeStr(Y)} but C is ${shapeStr(C)}: they must have the same number of columns`);
  checkNumber(fn, 'fraction', fraction, { min: 0, max: 1 });
  const n = Y.shape[1];
  const nTrain = Math.round(fraction * n);
  let perm: Int32Array;
  if (rng === undefined) {
    perm = new Int32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
  } else {
    const g = typeof rng === 'number' || typeof rng === 'string' ? createRng(rng) : rng;
    if (g === null || typeof g !== 'object' || typeof g.randperm !== 'function') fail(fn, 'rng must be a generator from createRng(seed) or a seed');
    perm = g.randperm(n);
  }
  const trainIndex = perm.slice(0, nTrain);
  const valIndex = perm.slice(nTrain);
  return {
    Ytrain: selectColumns(Y, trainIndex),
    Ctrain: selectColumns(C, trainIndex),
    Yval: selectColumns(Y, valIndex),
    Cval: selectColumns(C, valIndex),
    trainIndex,
    valIndex,
  };
}
