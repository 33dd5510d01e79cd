/**
 * Pieces shared by the classification and VarPro objectives: loss and
 * regulariser options, mini-batch selection, cost counters.
 */
import { checkMatrix64, checkVector, fail, shapeStr } from '../core/errors.js';
import { selectColumns, type Matrix } from '../core/matrix.js';
import { leastSquares } from '../losses/leastSquares.js';
import { softmaxCrossEntropy } from '../losses/softmaxCrossEntropy.js';
import { toRegularizer, type Regularizer, type RegularizerLike } from '../losses/tikhonov.js';
import type { LossFunction } from '../losses/types.js';
import { checkProbabilities, resolveLabels, type IndexLabels } from '../losses/labels.js';
import type { Model, VjpOptions } from '../core/model.js';
import { checkOptions } from '../core/options.js';

/**
 * `model.vjp` option of the objectives: only J_θᵀ w is used (the model's input
 * is the data), so the model may skip its input gradient.
 */
export const NO_INPUT: Readonly<VjpOptions> = Object.freeze({ input: false });

/** A loss by name or as a function (W, Y, C) ↦ LossResult. */
export type LossOption = 'crossEntropy' | 'leastSquares' | LossFunction;

/** Separable Tikhonov-type regularisation R(θ) + R(W); a number λ means (λ/2)‖·‖². */
export interface RegularizationOptions {
  /** Penalty on the model parameters θ. */
  theta?: RegularizerLike;
  /** Penalty on vec(W) (bias column included). */
  W?: RegularizerLike;
}

/** Cost counters of an objective (cumulative; see `resetCounters`). */
export interface ObjectiveCounters {
  /** Calls of evaluate. */
  evaluations: number;
  /** Forward passes of the model (one per evaluation). */
  forwardPasses: number;
  /** Model Jacobian products J v. */
  modelJvps: number;
  /** Model transpose products Jᵀ w (gradients and Hessian mat-vecs). */
  modelVjps: number;
  /** (Gauss-Newton) Hessian mat-vecs H v returned to the caller. */
  hessianMatVecs: number;
  /** Loss evaluations (VarPro's inner solver adds its own). */
  lossEvaluations: number;
  /** Newton iterations of VarPro's inner solver (0 for the full objective). */
  innerIterations: number;
  /** CG iterations inside VarPro's inner solver and Schur-complement products. */
  innerCgIterations: number;
}

/** Fresh zero counters. */
export function newCounters(): ObjectiveCounters {
  return { evaluations: 0, forwardPasses: 0, modelJvps: 0, modelVjps: 0, hessianMatVecs: 0, lossEvaluations: 0, innerIterations: 0, innerCgIterations: 0 };
}

/** What kind of loss an objective has: the two built-in ones or a user's function. */
export type LossKind = 'crossEntropy' | 'leastSquares' | 'custom';

/** Resolve the loss option (default cross-entropy); `kind` tells whether a closed form applies. */
export function resolveLoss(fn: string, loss: LossOption | undefined): { f: LossFunction; kind: LossKind } {
  if (loss === undefined || loss === 'crossEntropy' || loss === softmaxCrossEntropy) return { f: softmaxCrossEntropy, kind: 'crossEntropy' };
  if (loss === 'leastSquares' || loss === leastSquares) return { f: leastSquares, kind: 'leastSquares' };
  if (typeof loss === 'function') return { f: loss, kind: 'custom' };
  return fail(fn, `loss must be 'crossEntropy', 'leastSquares' or a loss function, got ${String(loss)}`);
}

/** Resolve the regularisation option and check the sizes of fixed-size regularisers. */
export function resolveRegularization(fn: string, r: RegularizationOptions | undefined, nTheta: number, nW: number): { theta: Regularizer | null; W: Regularizer | null } {
  if (r !== undefined && (r === null || typeof r !== 'object')) fail(fn, 'regularization must be an object { theta?, W? }');
  if (r !== undefined) checkOptions(fn, r, ['theta', 'W'], 'regularization');
  const theta = toRegularizer(fn, 'regularization.theta', r?.theta);
  const W = toRegularizer(fn, 'regularization.W', r?.W);
  if (theta && theta.n !== undefined && theta.n !== nTheta) fail(fn, `regularization.theta acts on vectors of length ${theta.n}, expected nTheta = ${nTheta}`);
  if (W && W.n !== undefined && W.n !== nW) fail(fn, `regularization.W acts on vectors of length ${W.n}, expected nc·nW = ${nW}`);
  return { theta, W };
}

/**
 * Check model, Y (nIn × n) and the labels at an objective's entry: C as an
 * nc × n matrix, or index labels made one-hot (nc = `nClasses`, default the
 * largest label + 1). For the cross-entropy C must hold class probabilities.
 */
export function checkData(fn: string, model: Model, Y: Matrix, labels: Matrix | IndexLabels, nClasses: number | undefined, loss: LossKind): { n: number; nc: number; C: Matrix } {
  if (!model || typeof model.forward !== 'function' || typeof model.vjp !== 'function' || !Number.isInteger(model.nParams)) fail(fn, 'model must be a Model (nParams, nIn, nOut, forward, jvp, vjp)');
  checkMatrix64(fn, 'Y', Y);
  const C = resolveLabels(fn, labels, nClasses);
  if (Y.shape[0] !== model.nIn) fail(fn, `Y is ${shapeStr(Y)}, expected ${model.nIn} rows (model.nIn)`);
  if (C.shape[1] !== Y.shape[1]) fail(fn, `C is ${shapeStr(C)} but Y has ${Y.shape[1]} columns: expected ${Y.shape[1]} columns`);
  if (Y.shape[1] === 0) fail(fn, 'Y has no columns (no examples)');
  if (C.shape[0] === 0) fail(fn, 'C has no rows (no classes)');
  if (loss === 'crossEntropy') checkProbabilities(fn, 'C', C);
  return { n: Y.shape[1], nc: C.shape[0], C };
}

/** The data of a batch (all data when batch is null/undefined). */
export function batchData(fn: string, Y: Matrix, C: Matrix, batch: ArrayLike<number> | null | undefined): { Yb: Matrix; Cb: Matrix } {
  if (batch === undefined || batch === null) return { Yb: Y, Cb: C };
  checkBatch(fn, batch, Y.shape[1]);
  return { Yb: selectColumns(Y, batch), Cb: selectColumns(C, batch) };
}

/** Check a batch of example indices into n examples (null/undefined: all); returns its size. */
export function checkBatch(fn: string, batch: ArrayLike<number> | null | undefined, n: number): number {
  if (batch === undefined || batch === null) return n;
  if (typeof batch !== 'object' || typeof batch.length !== 'number') fail(fn, 'batch must be an array of example indices');
  if (batch.length === 0) fail(fn, 'batch is empty');
  for (let k = 0; k < batch.length; k++) {
    const j = batch[k];
    if (!Number.isInteger(j) || j < 0 || j >= n) fail(fn, `batch[${k}] = ${j} is not an example index in 0…${n - 1}`);
  }
  return batch.length;
}

/** Check an evaluation point. */
export function checkPoint(fn: string, x: unknown, nParams: number, name = 'x'): Float64Array {
  return checkVector(fn, name, x, nParams);
}

/** out ← out + r (lengths trusted). */
export function addInto(out: Float64Array, r: ArrayLike<number>, offset = 0): void {
  for (let i = 0; i < r.length; i++) out[offset + i] += r[i];
}

/** Fraction of columns where argmax S equals argmax C (for `info.accuracy`). */
export function scoreAccuracy(S: Float64Array, C: Float64Array, nc: number, n: number): number {
  let ok = 0;
  for (let j = 0; j < n; j++) {
    const o = j * nc;
    let bs = 0, bc = 0;
    for (let i = 1; i < nc; i++) {
      if (S[o + i] > S[o + bs]) bs = i;
      if (C[o + i] > C[o + bc]) bc = i;
    }
    if (bs === bc) ok++;
  }
  return ok / n;
}
