/**
 * The full training objective over x = [θ; vec(W)]:
 *   f(x) = E(W [F(θ, Y); 1ᵀ], C) + R_θ(θ) + R_W(vec W).
 */
import { fail } from '../core/errors.js';
import { columnMajorData, mat, type Matrix } from '../core/matrix.js';
import type { Rng } from '../core/rng.js';
import { affineGradW, affineGradY, affineJvpY, affineScores, type AffineShape } from '../losses/affine.js';
import type { IndexLabels } from '../losses/labels.js';
import type { Regularizer } from '../losses/tikhonov.js';
import type { Model, ParamBlock } from '../core/model.js';
import { prefixBlocks } from '../networks/params.js';
import { compileNetwork, networkPlanSupport, type NetworkPlan } from '../engine/plan.js';
import { compileConvNetwork } from '../engine/convPlan.js';
import { convClassificationPasses } from '../engine/convPasses.js';
import { convKernelSupport } from '../engine/convWorkspace.js';
import { classificationPasses, type ClassificationPasses } from '../engine/classificationPasses.js';
import { kernelDims, workspaceUnavailable } from '../engine/workspace.js';
import { getWasmThreads } from '../core/wasm/threads.js';
import type { Evaluation, EvaluateOptions, Objective } from './types.js';
import {
  addInto, batchData, checkBatch, checkData, checkPoint, newCounters, NO_INPUT, resolveLoss, resolveRegularization, scoreAccuracy,
  type LossOption, type ObjectiveCounters, type RegularizationOptions,
} from './common.js';
import { checkOptions } from '../core/options.js';
import { withSpec } from '../core/spec.js';

/** Options of {@link classificationObjective}. */
export interface ClassificationObjectiveOptions {
  /**
   * Number of classes nc when C is given as index labels (default: the largest
   * label + 1); with a label matrix it must equal its rows.
   */
  nClasses?: number;
  /** `'crossEntropy'` (default), `'leastSquares'`, or a loss function. */
  loss?: LossOption;
  /** R_θ and R_W (numbers λ mean (λ/2)‖·‖²); none by default. */
  regularization?: RegularizationOptions;
  /**
   * Gauss-Newton Hessian: `'blockDiagonal'` (default, as in the lecture: the
   * (θ, W) coupling is ignored) or `'full'` (the whole Jᵀ ∇²_S E J in (θ, W)).
   */
  coupling?: 'blockDiagonal' | 'full';
  /** Whether W has the bias column (default true): W is nc × (nOut + 1), else nc × nOut. */
  bias?: boolean;
  /**
   * How passes run: `'auto'` (default) uses a compiled plan (whole-network
   * WebAssembly passes, src/engine/) when the model compiles (dense layers,
   * ResNets and chains of them, σ ∈ tanh/ReLU/identity; or chains of 2-D
   * convolutions with zero boundary and average poolings), the loss is
   * cross-entropy and the WebAssembly kernels are selected; otherwise, and
   * with `'reference'`, the model's own forward/jvp/vjp. `'plan'` insists on
   * the plan (throws when the model does not compile).
   */
  engine?: 'auto' | 'plan' | 'reference';
  /**
   * Threads per plan pass (default: the WebAssembly thread count,
   * `getWasmThreads()`); results do not depend on it (fixed column blocks,
   * summed in block order).
   */
  threads?: number;
  /** Columns per block of a plan pass (dense plans: default 128, a multiple of 8; convolutional plans: images, default 8). */
  blockColumns?: number;
  /**
   * `'float64'` (default) or `'float32'`: with `'float32'` the plan's (dense or convolutional) states
   * and products are single precision (mixed precision: x, the gradient, the
   * mat-vecs and the optimizer stay float64; sums over blocks in double).
   * Needs the plan (throws otherwise).
   */
  precision?: 'float64' | 'float32';
}

/** The objective returned by {@link classificationObjective}. */
export interface ClassificationObjective extends Objective {
  readonly nParams: number;
  readonly nData: number;
  readonly model: Model;
  /** Length of θ (= model.nParams). */
  readonly nTheta: number;
  /** Number of classes nc (rows of C and W). */
  readonly nClasses: number;
  /** Shape [nc, nW] of W (nW = nOut + 1 with the bias column). */
  readonly wShape: readonly [number, number];
  /** Cost counters (cumulative). */
  readonly counters: ObjectiveCounters;
  /** Zero the counters. */
  resetCounters(): void;
  /** Views of θ and W inside x (no copies). */
  split(x: Float64Array): { theta: Float64Array; W: Matrix };
  /** Blocks of x: the model's (prefixed `model.`) then `W`. */
  paramBlocks(): ParamBlock[];
  /** A starting point [model.initialize(rng); 0]. */
  initialize(rng: Rng): Float64Array;
  /** `'plan'` when evaluations run as whole-network passes, else `'reference'` (at the current kernel backend). */
  readonly engine: 'plan' | 'reference';
  /** Threads per plan pass from now on (results do not change). */
  setThreads(threads: number): void;
  /** Release the plan's workspaces (WebAssembly memory); later evaluations allocate them again. */
  dispose(): void;
}

/**
 * The full objective of a classifier (or regressor) on top of a model F:
 *   f(x) = E(W [Z; 1ᵀ], C) + R_θ(θ) + R_W(vec W),  Z = F(θ, Y),  x = [θ; vec(W)],
 * W nc × (nOut + 1), its last column the bias (it multiplies the row of ones;
 * `bias: false` drops it). With ∂E/∂S from the loss:
 *   ∇_θ f = J_θᵀ (W_Zᵀ ∂E/∂S) + ∇R_θ,   ∇_W f = ∂E/∂S [Z; 1]ᵀ + ∇R_W,
 * and the Gauss-Newton Hessian H = Jᵀ ∇²_S E J with J [dθ; dW] = W_Z J_θ dθ + dW [Z; 1]:
 * `'blockDiagonal'` keeps blkdiag(J_θᵀ ∇²_Z E J_θ, ∇²_W E) (the W block is exact,
 * the dropped second-order term in θ can be indefinite), `'full'` the whole
 * product; both plus the regularisers' Hessians, symmetric positive semi-definite.
 * Each evaluation costs one forward pass, the gradient one model vjp, each
 * Hessian mat-vec one jvp and one vjp (see `counters`); the vjps ask the model
 * to skip its input gradient (`{ input: false }`: Y is data). `batch` (indices)
 * evaluates the loss on those columns only (averaged over the batch).
 * Result `info`: `accuracy` (argmax agreement) and `batchSize`. On the plan
 * path `evaluate(x, batch, { gradientOut, hessian: false })` writes the
 * gradient into `gradientOut` and keeps no Hessian (no copy of x): what the
 * stochastic optimizers ask per mini-batch step.
 * Execution (`engine`, docs/engine.md): a network of dense layers, ResNets
 * and chains of them — or of 2-D convolutions (zero boundary, stride 1) and
 * average poolings, e.g. examples/mnist-cnn.ts — with the cross-entropy loss runs each evaluation's
 * forward + loss + gradient, and each Gauss-Newton mat-vec, as one
 * WebAssembly call over all layers (a compiled plan with workspaces this
 * objective owns; `dispose()` frees them); other models use their own
 * forward/jvp/vjp. Both give the same numbers to rounding.
 * @param model F: nIn → nOut
 * @param Y data, nIn × n
 * @param C labels / targets, nc × n (one-hot or class probabilities for the cross-entropy),
 *   or class indices (Int32Array / number[] of length n, made one-hot; see `nClasses`)
 * @param options loss, regularization, coupling, bias, nClasses
 * @returns the objective; nParams = model.nParams + nc·(nOut + 1)
 * @throws on inconsistent shapes or unknown options: `classificationObjective: C is 3×9 but Y has 10 columns: …`
 * @example
 * const obj = classificationObjective(net, Y, C, { regularization: { theta: 1e-4, W: 1e-4 } });
 * const { value, gradient, hessian } = obj.evaluate(obj.initialize(createRng(0)));
 */
export function classificationObjective(model: Model, Y: Matrix, C: Matrix | IndexLabels, options: ClassificationObjectiveOptions = {}): ClassificationObjective {
  const fn = 'classificationObjective';
  checkOptions(fn, options, ['nClasses', 'loss', 'regularization', 'coupling', 'bias', 'engine', 'threads', 'blockColumns', 'precision']);
  const { f: loss, kind } = resolveLoss(fn, options.loss);
  const { n, nc, C: labels } = checkData(fn, model, Y, C, options.nClasses, kind);
  const coupling = options.coupling ?? 'blockDiagonal';
  if (coupling !== 'blockDiagonal' && coupling !== 'full') fail(fn, `coupling must be 'blockDiagonal' or 'full', got ${String(coupling)}`);
  const bias = options.bias ?? true;
  const nTheta = model.nParams;
  const nW = model.nOut + (bias ? 1 : 0);
  const nWTotal = nc * nW;
  const nParams = nTheta + nWTotal;
  const reg = resolveRegularization(fn, options.regularization, nTheta, nWTotal);
  const counters = newCounters();
  const engine = options.engine ?? 'auto';
  if (engine !== 'auto' && engine !== 'plan' && engine !== 'reference') fail(fn, `engine must be 'auto', 'plan' or 'reference', got ${String(engine)}`);
  let threads = options.threads ?? getWasmThreads();
  if (!Number.isInteger(threads) || threads < 1) fail(fn, `threads must be a positive integer, got ${String(options.threads)}`);
  // The plan is compiled once; its workspaces are made on first use.
  const planReason = kind !== 'crossEntropy' ? `loss ${kind} has no plan kernel` : networkPlanSupport(model, { objective: 'classification' });
  if (engine === 'plan' && planReason !== null) fail(fn, `engine 'plan': ${planReason}`);
  const precision = options.precision ?? 'float64';
  if (precision !== 'float64' && precision !== 'float32') fail(fn, `precision must be 'float64' or 'float32', got ${String(precision)}`);
  if (precision === 'float32' && (engine === 'reference' || planReason !== null)) fail(fn, `precision 'float32' needs the plan: ${engine === 'reference' ? "engine is 'reference'" : planReason}`);
  // Dense networks compile into a plan (./plan.ts), chains of convolutions and poolings into a convolutional plan.
  const convPlan = engine !== 'reference' && planReason === null && networkPlanSupport(model) !== null ? compileConvNetwork(model) : null;
  const convWhy = convPlan ? convKernelSupport(convPlan, precision) : null;
  if (convWhy !== null) fail(fn, `precision '${precision}': ${convWhy}`);
  const plan = engine !== 'reference' && planReason === null && !convPlan ? compileNetwork(model) : null;
  const dims = plan && precision === 'float32' ? kernelDims(plan, precision) : null;
  if (typeof dims === 'string') fail(fn, `precision 'float32': ${dims}`);
  let passes: ClassificationPasses | null = null;
  const usePlan = (): ClassificationPasses | null => {
    const why = plan || convPlan ? workspaceUnavailable() : null;
    if ((!plan && !convPlan) || why !== null) {
      if (engine === 'plan' || precision === 'float32') fail(fn, `${precision === 'float32' ? "precision 'float32'" : "engine 'plan'"} cannot run: ${why}`);
      return null;
    }
    if (convPlan) return (passes ??= convClassificationPasses(convPlan, Y, labels, { bias, coupling, threads, blockColumns: options.blockColumns, precision }));
    return (passes ??= classificationPasses(plan as NetworkPlan, Y, labels, { bias, coupling, threads, blockColumns: options.blockColumns, precision }));
  };

  const split = (x: Float64Array) => ({ theta: x.subarray(0, nTheta), W: mat(x.subarray(nTheta), nc, nW) });

  const evaluate = (x: Float64Array, batch?: ArrayLike<number> | null, opts: EvaluateOptions = {}): Evaluation => {
    checkPoint(`${fn}.evaluate`, x, nParams);
    const p = usePlan();
    if (p) {
      // The plan copies the batch's columns itself: only check the indices.
      const nb = checkBatch(`${fn}.evaluate`, batch, n);
      counters.evaluations++;
      // The Hessian closure keeps its own copy of x (the caller may change x later); without it x is only
      // read before evaluate returns.
      return evaluatePlan(p, opts.hessian === false ? x : x.slice(), batch ?? null, nb, opts);
    }
    const { Yb, Cb } = batchData(`${fn}.evaluate`, Y, labels, batch);
    const nb = Yb.shape[1];
    counters.evaluations++;
    const xc = Float64Array.from(x); // the closures below must not see later changes of x
    const { theta, W } = split(xc);
    const state = model.forward(theta, Yb);
    counters.forwardPasses++;
    const Z = state.output;
    const lr = loss(W, Z, Cb);
    counters.lossEvaluations++;
    const wv = xc.subarray(nTheta);
    let value = lr.value;
    if (reg.theta) value += reg.theta.value(theta);
    if (reg.W) value += reg.W.value(wv);
    const info: Record<string, number> = { batchSize: nb };
    if (kind === 'crossEntropy') info.accuracy = scoreAccuracy(lr.S.data, columnMajorData(Cb), nc, nb);
    if (opts.valueOnly) return { value, gradient: new Float64Array(0), info };

    const gradient = new Float64Array(nParams);
    if (nTheta > 0) {
      // ∇_θ = J_θᵀ ∇_Z E, with ∇_Z E = W_Zᵀ ∂E/∂S.
      gradient.set(model.vjp(theta, state, lr.gradY, NO_INPUT).dx, 0);
      counters.modelVjps++;
    }
    gradient.set(columnMajorData(lr.gradW), nTheta);
    if (reg.theta) addInto(gradient, reg.theta.gradient(theta), 0);
    if (reg.W) addInto(gradient, reg.W.gradient(wv), nTheta);

    const sh: AffineShape = { nc, nf: model.nOut, n: nb, bias };
    const w = columnMajorData(W), z = columnMajorData(Z);
    const hessian = (v: Float64Array): Float64Array => {
      checkPoint(`${fn}.hessian`, v, nParams, 'v');
      counters.hessianMatVecs++;
      const vTheta = v.subarray(0, nTheta), vW = v.subarray(nTheta);
      const out = new Float64Array(nParams);
      if (coupling === 'blockDiagonal') {
        if (nTheta > 0) {
          // J_θᵀ ∇²_Z E J_θ vθ (Gauss-Newton in θ; ∇²_Z E = W_Zᵀ ∇²_S E W_Z).
          const dZ = model.jvp(theta, state, vTheta, null);
          out.set(model.vjp(theta, state, lr.hessY(dZ), NO_INPUT).dx, 0);
          counters.modelJvps++;
          counters.modelVjps++;
        }
        out.set(columnMajorData(lr.hessW(vW)), nTheta);
      } else {
        // dS = W_Z (J_θ vθ) + vW [Z; 1], t = ∇²_S E dS, then both transposes of t.
        const dS = affineScores(vW, z, sh).data;
        if (nTheta > 0) {
          const dZ = model.jvp(theta, state, vTheta, null);
          counters.modelJvps++;
          addInto(dS, affineJvpY(w, columnMajorData(dZ), sh).data);
        }
        const t = columnMajorData(lr.hessS(dS));
        if (nTheta > 0) {
          out.set(model.vjp(theta, state, affineGradY(w, t, sh), NO_INPUT).dx, 0);
          counters.modelVjps++;
        }
        out.set(affineGradW(t, z, sh).data, nTheta);
      }
      if (reg.theta) addInto(out, reg.theta.hessian(vTheta), 0);
      if (reg.W) addInto(out, reg.W.hessian(vW), nTheta);
      return out;
    };
    return { value, gradient, hessian, info };
  };

  /**
   * out[o + i] += (∇²R v)_i = (∇R(v))_i for a quadratic R: λ v_i directly when R = (λ/2)‖x‖² (`isIdentity`,
   * the same products as adding R.gradient(v), without its new vector — this runs per mini-batch step and per
   * Hessian mat-vec), else through R.
   */
  const addRegularizer = (out: Float64Array, R: Regularizer | null, v: Float64Array, o: number): void => {
    if (!R) return;
    if (!R.isIdentity) {
      addInto(out, R.gradient(v), o);
      return;
    }
    const lambda = R.lambda;
    for (let i = 0; i < v.length; i++) out[o + i] += v[i] * lambda;
  };

  /**
   * R(v), and out[o + i] += (∇R(v))_i: for R = (λ/2)‖v‖² (`isIdentity`) in one sweep over v (the same sums and
   * products as R.value and R.gradient: this runs per mini-batch step), else through R.
   */
  const addRegularizerValue = (out: Float64Array, R: Regularizer | null, v: Float64Array, o: number): number => {
    if (!R) return 0;
    if (!R.isIdentity) {
      addInto(out, R.gradient(v), o);
      return R.value(v);
    }
    const lambda = R.lambda;
    let s = 0;
    for (let i = 0; i < v.length; i++) {
      const t = v[i];
      s += t * t;
      out[o + i] += t * lambda;
    }
    return 0.5 * lambda * s;
  };

  /** evaluate through the plan: the same formulas, loss and model parts in one pass each. */
  const evaluatePlan = (p: ClassificationPasses, xc: Float64Array, batch: ArrayLike<number> | null, nb: number, opts: EvaluateOptions): Evaluation => {
    // Views only (split would also build W's matrix object: this runs per mini-batch step).
    const theta = xc.subarray(0, nTheta);
    const wv = xc.subarray(nTheta);
    const out = opts.gradientOut;
    const into = out instanceof Float64Array && out.length === nParams && out !== xc ? out : null;
    const r = p.evaluate(xc, batch, !opts.valueOnly, into, opts.hessian !== false);
    counters.forwardPasses++;
    counters.lossEvaluations++;
    let value = r.value;
    const info: Record<string, number> = { batchSize: nb, accuracy: r.accuracy };
    if (opts.valueOnly || !r.gradient) {
      if (reg.theta) value += reg.theta.value(theta);
      if (reg.W) value += reg.W.value(wv);
      return { value, gradient: new Float64Array(0), info };
    }
    const gradient = r.gradient;
    if (nTheta > 0) counters.modelVjps++;
    // The regularisers' values and gradients in one sweep each (same order of the additions as above).
    const rTheta = addRegularizerValue(gradient, reg.theta, theta, 0);
    const rW = addRegularizerValue(gradient, reg.W, wv, nTheta);
    if (reg.theta) value += rTheta;
    if (reg.W) value += rW;
    if (opts.hessian === false) return { value, gradient, info };
    const hessian = (v: Float64Array): Float64Array => {
      checkPoint(`${fn}.hessian`, v, nParams, 'v');
      counters.hessianMatVecs++;
      counters.modelJvps++;
      counters.modelVjps++;
      const hv = r.hessian(v);
      addRegularizer(hv, reg.theta, v.subarray(0, nTheta), 0);
      addRegularizer(hv, reg.W, v.subarray(nTheta), nTheta);
      return hv;
    };
    return { value, gradient, hessian, info };
  };

  return withSpec({
    nParams,
    nData: n,
    model,
    nTheta,
    nClasses: nc,
    wShape: [nc, nW] as const,
    counters,
    resetCounters() {
      Object.assign(counters, newCounters());
    },
    split(x: Float64Array) {
      checkPoint(`${fn}.split`, x, nParams);
      return split(x);
    },
    paramBlocks(): ParamBlock[] {
      return [...prefixBlocks('model', 0, model.paramBlocks()), { name: 'W', offset: nTheta, length: nWTotal }];
    },
    initialize(rng: Rng): Float64Array {
      const x = new Float64Array(nParams);
      x.set(model.initialize(rng), 0);
      return x;
    },
    evaluate,
    get engine() {
      return (plan || convPlan) && workspaceUnavailable() === null ? 'plan' : 'reference';
    },
    setThreads(t: number) {
      if (!Number.isInteger(t) || t < 1) fail(`${fn}.setThreads`, `threads must be a positive integer, got ${String(t)}`);
      threads = t;
      passes?.setThreads(t);
    },
    dispose() {
      passes?.dispose();
      passes = null;
    },
  // The spec leaves out the data (null in their places): a saved objective is rebuilt on the caller's data.
  }, 'classificationObjective', [model, null, null, options]);
}
