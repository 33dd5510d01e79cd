/**
 * Turning scores into class probabilities, labels and accuracies.
 */
import { checkMatrix64, fail, shapeStr } from '../core/errors.js';
import { columnMajorData, zeros, type Matrix } from '../core/matrix.js';
import { affineScores, checkAffineArgs } from './affine.js';

/**
 * Column-wise softmax P_ij = exp(S_ij − m_j) / Σ_k exp(S_kj − m_j), m_j = max_k S_kj (stable).
 * @param S scores, nc × n
 * @returns P, nc × n, columns summing to 1
 * @example softmax(zeros(2, 1)).data // [0.5, 0.5]
 */
export function softmax(S: Matrix): Matrix {
  checkMatrix64('softmax', 'S', S);
  const [nc, n] = S.shape;
  const s = columnMajorData(S);
  const P = zeros(nc, n);
  const p = P.data;
  for (let j = 0; j < n; j++) {
    const o = j * nc;
    let m = -Infinity;
    for (let i = 0; i < nc; i++) if (s[o + i] > m) m = s[o + i];
    let z = 0;
    for (let i = 0; i < nc; i++) z += (p[o + i] = Math.exp(s[o + i] - m));
    for (let i = 0; i < nc; i++) p[o + i] /= z;
  }
  return P;
}

/**
 * The index of the largest entry of each column (first one on ties): class labels
 * from scores, probabilities or one-hot labels.
 * @param M nc × n
 * @returns Int32Array of length n with values in 0 … nc−1
 * @throws if M has no rows
 * @example argmaxColumns(fromRows([[0, 1], [1, 0]])) // [1, 0]
 */
export function argmaxColumns(M: Matrix): Int32Array {
  checkMatrix64('argmaxColumns', 'M', M);
  const [r, n] = M.shape;
  if (r === 0 && n > 0) fail('argmaxColumns', `M is ${shapeStr(M)}: no rows to take a maximum over`);
  const d = columnMajorData(M);
  const out = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    let best = 0;
    for (let i = 1; i < r; i++) if (d[i + j * r] > d[best + j * r]) best = i;
    out[j] = best;
  }
  return out;
}

/**
 * Predicted classes argmax_i (W [Y; 1ᵀ])_ij of the linear classifier.
 * @param W nc × nf or nc × (nf+1) (bias column)
 * @param Y nf × n
 * @returns Int32Array of length n
 * @throws on incompatible shapes
 * @example predictClasses(W, Y)[0] // class of the first example
 */
export function predictClasses(W: Matrix, Y: Matrix): Int32Array {
  checkMatrix64('predictClasses', 'Y', Y);
  checkMatrix64('predictClasses', 'W', W);
  const sh = checkAffineArgs('predictClasses', W, Y, zeros(W.shape[0], Y.shape[1]));
  return argmaxColumns(affineScores(columnMajorData(W), columnMajorData(Y), sh));
}

/**
 * Fraction of examples whose predicted class argmax (W [Y; 1ᵀ]) equals argmax
 * of C, or the class index C[j] when C is given as index labels.
 * @param W nc × nf or nc × (nf+1)
 * @param Y nf × n
 * @param C nc × n labels (one-hot or probabilities), or n class indices (Int32Array / number[])
 * @returns accuracy in [0, 1]
 * @throws on incompatible shapes
 * @example accuracy(W, Y, C) // 0.93
 */
export function accuracy(W: Matrix, Y: Matrix, C: Matrix | ArrayLike<number>): number {
  if (Array.isArray(C) || ArrayBuffer.isView(C)) {
    const labels = C as ArrayLike<number>;
    checkMatrix64('accuracy', 'Y', Y);
    if (labels.length !== Y.shape[1]) fail('accuracy', `C has ${labels.length} labels but Y has ${Y.shape[1]} columns (examples)`);
    return labelAccuracy(predictClasses(W, Y), labels);
  }
  checkAffineArgs('accuracy', W, Y, C);
  return labelAccuracy(predictClasses(W, Y), argmaxColumns(C as Matrix));
}

/**
 * Fraction of equal entries of two label arrays.
 * @throws if the lengths differ or are zero
 * @example labelAccuracy([0, 1, 1], [0, 1, 0]) // 2/3
 */
export function labelAccuracy(predicted: ArrayLike<number>, truth: ArrayLike<number>): number {
  if (predicted.length !== truth.length) fail('labelAccuracy', `predicted has length ${predicted.length} but truth has length ${truth.length}`);
  if (predicted.length === 0) fail('labelAccuracy', 'no labels');
  let ok = 0;
  for (let j = 0; j < predicted.length; j++) if (predicted[j] === truth[j]) ok++;
  return ok / predicted.length;
}
