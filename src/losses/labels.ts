/**
 * Class labels in the shapes users have: index labels (one class number per
 * example) ↔ one-hot matrices (nc × n, the layout of the losses), and the
 * check that a label matrix really holds class probabilities.
 */
import { checkMatrix64, checkPositiveInt, fail, shapeStr } from '../core/errors.js';
import { columnMajorData, zeros, type Matrix } from '../core/matrix.js';
import { argmaxColumns } from './classify.js';

/** Class indices, one per example: an Int32Array, a number[] or any array of integers. */
export type IndexLabels = ArrayLike<number>;

/** Whether `C` is a matrix (an ndarray with a shape) rather than index labels. */
function isMatrixLike(C: unknown): C is Matrix {
  return !!C && typeof C === 'object' && Array.isArray((C as Matrix).shape) && (C as Matrix).data !== undefined;
}

/** Whether `C` is an array of numbers (index labels). */
function isIndexLabels(C: unknown): C is IndexLabels {
  return Array.isArray(C) || (ArrayBuffer.isView(C) && !(C instanceof DataView));
}

/**
 * The one-hot matrix of index labels: column j is e_{labels[j]}.
 * @param labels class indices 0 … nClasses−1, one per example (Int32Array or number[])
 * @param nClasses the number of classes nc
 * @returns C, nc × n, C[labels[j], j] = 1
 * @throws `oneHot: labels[4] = 5 is not a class index in 0…4` (also for non-integers)
 * @example oneHot([2, 0, 1], 3) // 3×3, columns e_2, e_0, e_1
 */
export function oneHot(labels: IndexLabels, nClasses: number): Matrix {
  return labelsToOneHot('oneHot', 'labels', labels, checkPositiveInt('oneHot', 'nClasses', nClasses));
}

/**
 * The class of each example: the row of the largest entry of each column of
 * scores, probabilities or one-hot labels (the first on ties).
 * @param scores nc × n
 * @returns Int32Array of length n with values in 0 … nc−1
 * @throws if scores is not a float64 matrix with at least one row
 * @example classes(oneHot([2, 0, 1], 3)) // Int32Array [2, 0, 1]
 */
export function classes(scores: Matrix): Int32Array {
  checkMatrix64('classes', 'scores', scores);
  if (scores.shape[0] === 0) fail('classes', `scores is ${shapeStr(scores)}: no rows (classes) to choose from`);
  return argmaxColumns(scores);
}

/** {@link oneHot} with the caller's names in errors (nClasses already checked). */
export function labelsToOneHot(fn: string, name: string, labels: IndexLabels, nClasses: number): Matrix {
  if (!isIndexLabels(labels)) fail(fn, `${name} must be an array of class indices (Int32Array or number[])`);
  const n = labels.length;
  const C = zeros(nClasses, n);
  const c = C.data;
  for (let j = 0; j < n; j++) {
    const k = labels[j];
    if (!Number.isInteger(k) || k < 0 || k >= nClasses) fail(fn, `${name}[${j}] = ${k} is not a class index in 0…${nClasses - 1}`);
    c[k + j * nClasses] = 1;
  }
  return C;
}

/**
 * Check that the columns of C are probability vectors (entries in [0, 1],
 * summing to 1 up to 1e-6): one-hot labels or soft labels. A 1 × n row of
 * class indices, or unnormalised targets, make the cross-entropy unbounded
 * below (it drives the scores of a "class" with weight C_ij > 1 to +∞).
 * @throws with a hint to {@link oneHot}: `classificationObjective: C must hold class
 *   probabilities (one-hot columns) for the cross-entropy, but column 0 sums to 3 (C is 1×100) …`
 */
export function checkProbabilities(fn: string, name: string, C: Matrix): void {
  const [nc, n] = C.shape;
  const c = columnMajorData(C);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < nc; i++) {
      const v = c[i + j * nc];
      if (!(v >= 0 && v <= 1)) {
        fail(fn, `${name} must hold class probabilities (one-hot columns) for the cross-entropy, but ${name}[${i}, ${j}] = ${v} (${name} is ${shapeStr(C)}); for class indices use oneHot(labels, nClasses) or pass the labels as an Int32Array / number[]`);
      }
      s += v;
    }
    if (Math.abs(s - 1) > 1e-6) {
      fail(fn, `${name} must hold class probabilities (one-hot columns) for the cross-entropy, but column ${j} sums to ${s} (${name} is ${shapeStr(C)}); for class indices use oneHot(labels, nClasses) or pass the labels as an Int32Array / number[]`);
    }
  }
}

/**
 * Labels as given to a classification entry point: a matrix (nc × n, used as
 * is) or index labels (made one-hot with `nClasses`, default max label + 1).
 * @throws if index labels are not integers ≥ 0, or `C` is neither
 */
export function resolveLabels(fn: string, C: Matrix | IndexLabels, nClasses?: number): Matrix {
  if (isMatrixLike(C)) {
    if (nClasses !== undefined && C.shape[0] !== nClasses) fail(fn, `C is ${shapeStr(C)} but nClasses = ${nClasses}`);
    return checkMatrix64(fn, 'C', C);
  }
  if (!isIndexLabels(C)) return fail(fn, `C must be an nc × n label matrix or an array of class indices (Int32Array or number[]), got ${C === null ? 'null' : typeof C}`);
  let nc = nClasses;
  if (nc === undefined) {
    let max = -1;
    for (let j = 0; j < C.length; j++) if (C[j] > max) max = C[j];
    nc = Math.max(1, max + 1);
  } else {
    checkPositiveInt(fn, 'nClasses', nc);
  }
  if (!Number.isInteger(nc)) fail(fn, `C holds a label ${nc - 1} that is not an integer`);
  return labelsToOneHot(fn, 'C', C, nc);
}
