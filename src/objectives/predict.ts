/**
 * Using a trained classifier: class probabilities and labels of new data.
 */
import { checkMatrix64, checkVector, fail, shapeStr } from '../core/errors.js';
import { columnMajorData, mat, type Matrix } from '../core/matrix.js';
import { affineScores } from '../losses/affine.js';
import { argmaxColumns, softmax } from '../losses/classify.js';
import type { Model } from '../core/model.js';
import { checkOptions } from '../core/options.js';
import { checkModel } from '../networks/modelChecks.js';

/** Options of {@link predict}. */
export interface PredictOptions {
  /**
   * The classifier W (nc × (nOut+1), or nc × nOut). When given, x is θ alone
   * (e.g. from a VarPro objective's `currentW()`); otherwise x = [θ; vec(W)]
   * as in {@link classificationObjective} and W's shape follows from its length.
   */
  W?: Matrix;
  /** Whether W has the bias column when W is taken from x (default true). */
  bias?: boolean;
}

/** What {@link predict} returns. */
export interface Prediction {
  /** Features Z = F(θ, Y), nOut × n. */
  features: Matrix;
  /** Scores S = W [Z; 1ᵀ], nc × n. */
  scores: Matrix;
  /** softmax(S) column-wise, nc × n. */
  probabilities: Matrix;
  /** argmax of each column of S, length n. */
  labels: Int32Array;
}

/**
 * Classify new data with a trained model: Z = F(θ, Y), S = W [Z; 1ᵀ],
 * probabilities softmax(S) and labels argmax S.
 * @param model the trained model F
 * @param x [θ; vec(W)] (as optimised by classificationObjective), or θ with `options.W`
 * @param Y data, nIn × n
 * @param options W (then x = θ), bias
 * @returns features, scores, probabilities, labels
 * @throws if x's length does not fit the model (`predict: x has length 30, which is model.nParams = 24 plus 6, not a positive multiple of nW = 5`) or Y's shape is wrong
 * @example predict(net, xOpt, Ytest).labels // Int32Array of classes
 */
export function predict(model: Model, x: Float64Array, Y: Matrix, options: PredictOptions = {}): Prediction {
  const fn = 'predict';
  checkOptions(fn, options, ['W', 'bias']);
  if (model !== null && typeof model === 'object' && typeof (model as unknown as { evaluate?: unknown }).evaluate === 'function' && (model as unknown as { model?: unknown }).model !== undefined) {
    fail(fn, 'model is an objective; pass its model (objective.model) instead');
  }
  checkModel(fn, 'model', model);
  checkVector(fn, 'x', x);
  checkMatrix64(fn, 'Y', Y);
  if (Y.shape[0] !== model.nIn) fail(fn, `Y is ${shapeStr(Y)}, expected ${model.nIn} rows (model.nIn)`);
  let theta: Float64Array, W: Matrix;
  if (options.W) {
    W = checkMatrix64(fn, 'W', options.W);
    if (x.length !== model.nParams) fail(fn, `x has length ${x.length}, expected model.nParams = ${model.nParams} when W is given`);
    if (W.shape[1] !== model.nOut && W.shape[1] !== model.nOut + 1) fail(fn, `W is ${shapeStr(W)}, expected ${model.nOut} or ${model.nOut + 1} columns`);
    theta = x;
  } else {
    const nW = model.nOut + (options.bias === false ? 0 : 1);
    const rest = x.length - model.nParams;
    if (rest <= 0 || rest % nW !== 0) fail(fn, `x has length ${x.length}, which is model.nParams = ${model.nParams} plus ${rest}, not a positive multiple of nW = ${nW}`);
    theta = x.subarray(0, model.nParams);
    W = mat(x.subarray(model.nParams), rest / nW, nW);
  }
  const features = model.forward(theta, Y).output;
  const [nc, nWc] = W.shape;
  const scores = affineScores(columnMajorData(W), columnMajorData(features), { nc, nf: model.nOut, n: Y.shape[1], bias: nWc === model.nOut + 1 });
  return { features, scores, probabilities: softmax(scores), labels: argmaxColumns(scores) };
}
