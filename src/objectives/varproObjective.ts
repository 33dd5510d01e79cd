/**
 * The Variable Projection (reduced) objective over θ alone:
 *   Φ(θ) = min_W E(W [F(θ, Y); 1ᵀ], C) + R_W(W) + R_θ(θ).
 */
import { checkNumber, checkPositiveInt, fail } from '../core/errors.js';
import { columnMajorData, mat, matrix, type Matrix } from '../core/matrix.js';
import { gemm } from '../core/matmul.js';
import type { Rng } from '../core/rng.js';
import { pcg } from '../core/solvers/pcg.js';
import { affineGradW, affineGradY, affineJvpY, affineScores, type AffineShape } from '../losses/affine.js';
import type { LossResult } from '../losses/types.js';
import type { IndexLabels } from '../losses/labels.js';
import type { Model, ParamBlock } from '../core/model.js';
import { choleskyInPlace, choleskySolveInPlace } from './cholesky.js';
import {
  addInto, batchData, checkData, checkPoint, newCounters, resolveLoss, resolveRegularization, scoreAccuracy,
  type LossOption, type ObjectiveCounters, type RegularizationOptions,
} from './common.js';
import { innerNewtonCG } from './innerNewton.js';
import { modelRunner, type EngineChoice } from '../engine/modelRunner.js';
import { getWasmThreads } from '../core/wasm/threads.js';
import type { Evaluation, EvaluateOptions, Objective } from './types.js';
import { checkOptions } from '../core/options.js';
import { withSpec } from '../core/spec.js';

/** A replacement inner solver, e.g. `(obj, w0) => newtonCG(obj, w0, { maxIter: 10 })`. */
export type InnerSolver = (objective: Objective, x0: Float64Array) => { x: Float64Array; iterations?: number };

/** Options of the inner problem W(θ) = argmin_W E(W [Z; 1ᵀ], C) + R_W(W). */
export interface VarProInnerOptions {
  /** Use this solver instead of the built-in Newton-CG (also for least squares, replacing the closed form). */
  solve?: InnerSolver;
  /** Built-in Newton-CG: stop when ‖∇_W‖₂ ≤ tol (default 1e-8). */
  tol?: number;
  /**
   * Tie the inner tolerance to the outer gradient (default off): the inner
   * Newton-CG stops at ‖∇_W‖₂ ≤ min(tol, relTol·‖∇Φ‖), with ‖∇Φ‖ the reduced
   * gradient norm of the previous evaluation in the run. The reduced gradient
   * is exact only where ∇_W = 0 and wrong by O(‖∇_W‖) elsewhere, so a fixed
   * loose `tol` lets the outer method stop at a point that is not a minimiser;
   * with `relTol` the inner solves tighten as the outer gradient falls.
   */
  relTol?: number;
  /** Built-in Newton-CG: iteration cap (default 20). */
  maxIter?: number;
  /** Built-in Newton-CG: CG cap per step (default 50). */
  cgMaxIter?: number;
  /**
   * Warm start each solve from the last W (default true). The warm start
   * lives within one optimizer run: every optimizer calls `resetState()` when
   * it starts, so two runs from the same θ₀ give identical results.
   */
  warmStart?: boolean;
  /** CG iteration cap of each Schur-complement solve with `hessian: 'schur'` (default max(4·nW·nc, 10)). */
  schurCgMaxIter?: number;
}

/** Options of {@link varproObjective}. */
export interface VarProObjectiveOptions {
  /**
   * Number of classes nc when C is given as index labels (default: the largest
   * label + 1); with a label matrix it must equal its rows.
   */
  nClasses?: number;
  /** `'crossEntropy'` (default), `'leastSquares'` (closed-form W) or a loss function. */
  loss?: LossOption;
  /** Separable R_θ(θ) + R_W(W); numbers λ mean (λ/2)‖·‖². */
  regularization?: RegularizationOptions;
  /** The inner solve. */
  inner?: VarProInnerOptions;
  /** W has the bias column (default true): nc × (nOut + 1). */
  bias?: boolean;
  /**
   * Gauss-Newton mat-vec in θ: `'block'` (default) the θ block J_θᵀ ∇²_Z E J_θ at W(θ);
   * `'schur'` the Gauss-Newton Hessian of the reduced function,
   * H_θθ − H_θW H_WW⁻¹ H_Wθ (each product solves one CG system in W).
   */
  hessian?: 'block' | 'schur';
  /**
   * How the model's passes run: `'auto'` (default) through a compiled plan
   * (whole-network WebAssembly passes, src/engine/) when the model compiles
   * and the WebAssembly kernels are selected, else and with `'reference'` the
   * model's own forward/jvp/vjp; `'plan'` insists (throws when the model does
   * not compile).
   */
  engine?: EngineChoice;
  /** Threads per plan pass (default `getWasmThreads()`); results do not depend on it. */
  threads?: number;
  /** `'float64'` (default) or `'float32'` states and products of the plan (needs the plan). */
  precision?: 'float64' | 'float32';
}

/** How the last inner problem was solved. */
export interface VarProInnerReport {
  method: 'newtonCG' | 'closedForm' | 'custom';
  /** Newton iterations (1 for the closed form). */
  iterations: number;
  /** CG iterations (0 for a Cholesky solve). */
  cgIterations: number;
  /** ‖∇_W (E + R_W)‖₂ at W(θ): 0 for an exact solve; the reduced gradient's error is of this order. */
  gradNorm: number;
  flag: string;
}

/** The objective returned by {@link varproObjective}. */
export interface VarProObjective extends Objective {
  readonly nParams: number;
  readonly nData: number;
  readonly model: Model;
  readonly nClasses: number;
  /** Shape [nc, nW] of W. */
  readonly wShape: readonly [number, number];
  readonly counters: ObjectiveCounters;
  resetCounters(): void;
  /** W(θ) of the last evaluation (a copy), or null before the first. */
  currentW(): Matrix | null;
  /** The report of the last inner solve, or null. */
  lastInner(): VarProInnerReport | null;
  /** Forget the warm start (the next solve starts from W = 0). */
  resetWarmStart(): void;
  /** Same as {@link resetWarmStart}; called by every optimizer at the start of a run. */
  resetState(): void;
  /** Solve for W(θ) on all data (or a batch) without the gradient; updates the warm start. */
  solveW(theta: Float64Array, batch?: ArrayLike<number> | null): { W: Matrix; report: VarProInnerReport };
  /** The model's parameter blocks. */
  paramBlocks(): ParamBlock[];
  /** model.initialize(rng). */
  initialize(rng: Rng): Float64Array;
  /** `'plan'` when the model's passes run as whole-network passes, else `'reference'`. */
  readonly engine: 'plan' | 'reference';
  /** Release the plan's workspace (WebAssembly memory); later evaluations allocate it again. */
  dispose(): void;
}

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/**
 * Variable Projection (docs/conventions.md §2): x = θ only. Each evaluation runs the
 * model, then solves the convex problem
 *   W(θ) = argmin_W E(W [Z; 1ᵀ], C) + R_W(W),  Z = F(θ, Y),
 * accurately — Newton-CG with Armijo line search, warm-started from the last W,
 * for cross-entropy; for least squares the closed-form regularised normal
 * equations W (Z_a Z_aᵀ/n + λI) = C Z_aᵀ/n (Z_a = [Z; 1ᵀ], Cholesky; CG for a
 * general L) — and returns
 *   Φ(θ) = E(W(θ) [Z; 1ᵀ], C) + R_W(W(θ)) + R_θ(θ),
 *   ∇Φ(θ) = J_θᵀ (W_Zᵀ ∂E/∂S) + ∇R_θ   (the partial gradient at W(θ): exact
 *   because ∇_W = 0 there, so only as accurate as the inner solve — see `lastInner().gradNorm`),
 * and a Gauss-Newton mat-vec in θ (`hessian` option). The regulariser must be
 * separable, as here. `info`: innerIterations, innerGradNorm, batchSize, accuracy (cross-entropy).
 * @param model F: nIn → nOut
 * @param Y data, nIn × n
 * @param C labels / targets, nc × n (one-hot or class probabilities for the cross-entropy),
 *   or class indices (Int32Array / number[] of length n, made one-hot; see `nClasses`)
 * @param options loss, regularization, inner, bias, hessian, nClasses
 * @returns the reduced objective; nParams = model.nParams
 * @throws on inconsistent shapes or invalid options
 * @example
 * const phi = varproObjective(net, Y, C, { regularization: { W: 1e-3 }, inner: { tol: 1e-10 } });
 * const { value, gradient } = phi.evaluate(theta); phi.currentW() // nc × (nOut+1)
 */
export function varproObjective(model: Model, Y: Matrix, C: Matrix | IndexLabels, options: VarProObjectiveOptions = {}): VarProObjective {
  const fn = 'varproObjective';
  checkOptions(fn, options, ['nClasses', 'loss', 'regularization', 'inner', 'bias', 'hessian', 'engine', 'threads', 'precision']);
  if (options.inner !== undefined) checkOptions(fn, options.inner, ['solve', 'tol', 'relTol', 'maxIter', 'cgMaxIter', 'warmStart', 'schurCgMaxIter'], 'inner');
  const { f: loss, kind } = resolveLoss(fn, options.loss);
  const { n, nc, C: labels } = checkData(fn, model, Y, C, options.nClasses, kind);
  const bias = options.bias ?? true;
  const nTheta = model.nParams;
  const nf = model.nOut;
  const nW = nf + (bias ? 1 : 0);
  const nWTotal = nc * nW;
  const reg = resolveRegularization(fn, options.regularization, nTheta, nWTotal);
  const inner = options.inner ?? {};
  if (typeof inner !== 'object' || inner === null) fail(fn, 'inner must be an object { solve?, tol?, maxIter?, cgMaxIter?, warmStart? }');
  if (inner.solve !== undefined && typeof inner.solve !== 'function') fail(fn, 'inner.solve must be a function (objective, x0) => { x }');
  const innerTol = checkNumber(fn, 'inner.tol', inner.tol ?? 1e-8, { min: 0 });
  const innerRelTol = inner.relTol === undefined ? 0 : checkNumber(fn, 'inner.relTol', inner.relTol, { min: 0, exclusiveMin: true });
  const innerMaxIter = checkPositiveInt(fn, 'inner.maxIter', inner.maxIter ?? 20);
  const cgMaxIter = checkPositiveInt(fn, 'inner.cgMaxIter', inner.cgMaxIter ?? 50);
  const warmStart = inner.warmStart ?? true;
  const schurCgMaxIter = inner.schurCgMaxIter === undefined ? Math.max(4 * nWTotal, 10) : checkPositiveInt(fn, 'inner.schurCgMaxIter', inner.schurCgMaxIter);
  const hessianKind = options.hessian ?? 'block';
  if (hessianKind !== 'block' && hessianKind !== 'schur') fail(fn, `hessian must be 'block' or 'schur', got ${String(hessianKind)}`);
  const counters = newCounters();
  const threads = options.threads ?? getWasmThreads();
  if (!Number.isInteger(threads) || threads < 1) fail(fn, `threads must be a positive integer, got ${String(options.threads)}`);
  const runner = modelRunner(fn, model, { engine: options.engine, threads, precision: options.precision });
  let lastW: Float64Array | null = null;
  let lastReport: VarProInnerReport | null = null;
  // ‖∇Φ‖ of the previous evaluation in this run (for inner.relTol); reset with the warm start.
  let lastOuterGradNorm = Infinity;
  /** The inner tolerance for the next solve: tol, or min(tol, relTol·‖∇Φ_prev‖). */
  const currentInnerTol = () => (innerRelTol > 0 ? Math.min(innerTol, innerRelTol * lastOuterGradNorm) : innerTol);

  /** The inner objective w ↦ E(mat(w) [Z; 1ᵀ], C) + R_W(w) as an {@link Objective}. */
  const innerObjective = (Z: Matrix, Cb: Matrix): Objective => ({
    nParams: nWTotal,
    evaluate(w: Float64Array, _batch?: ArrayLike<number> | null, opts: EvaluateOptions = {}): Evaluation {
      const wc = Float64Array.from(w);
      const lr = loss(mat(wc, nc, nW), Z, Cb);
      counters.lossEvaluations++;
      let value = lr.value;
      if (reg.W) value += reg.W.value(wc);
      if (opts.valueOnly) return { value, gradient: new Float64Array(0) };
      const gradient = Float64Array.from(columnMajorData(lr.gradW));
      if (reg.W) addInto(gradient, reg.W.gradient(wc));
      const hessian = (v: Float64Array) => {
        const out = Float64Array.from(columnMajorData(lr.hessW(v)));
        if (reg.W) addInto(out, reg.W.hessian(v));
        return out;
      };
      return { value, gradient, hessian };
    },
  });

  /** Least squares: W (Z_a Z_aᵀ/n + λI) = C Z_aᵀ/n by Cholesky; null if not applicable or singular. */
  const closedForm = (Z: Matrix, Cb: Matrix): Float64Array | null => {
    if (reg.W && !reg.W.isIdentity) return null;
    const lambda = reg.W ? reg.W.lambda : 0;
    const nb = Z.shape[1];
    const z = columnMajorData(Z);
    const sh: AffineShape = { nc, nf, n: nb, bias };
    // G = Z_a Z_aᵀ / n + λ I  (nW × nW), B = C Z_aᵀ / n  (nc × nW).
    const G = new Float64Array(nW * nW);
    gemm(G, nf, nf, nb, z, nf, false, z, nf, true, 1, 0);
    if (nW !== nf) {
      // Gram entries with the row of ones; G was filled with leading dimension nf, re-lay it out with nW.
      const Gf = G.slice(0, nf * nf);
      G.fill(0);
      for (let j = 0; j < nf; j++) for (let i = 0; i < nf; i++) G[i + j * nW] = Gf[i + j * nf];
      for (let i = 0; i < nf; i++) {
        let s = 0;
        for (let j = 0; j < nb; j++) s += z[i + j * nf];
        G[i + nf * nW] = s;
        G[nf + i * nW] = s;
      }
      G[nf + nf * nW] = nb;
    }
    for (let k = 0; k < G.length; k++) G[k] /= nb;
    for (let i = 0; i < nW; i++) G[i + i * nW] += lambda;
    const B = affineGradW(columnMajorData(Cb), z, sh).data;
    for (let k = 0; k < B.length; k++) B[k] /= nb;
    if (!choleskyInPlace(G, nW)) return null;
    // Row i of W solves G wᵢ = bᵢ (G symmetric); rows are strided by nc in column-major storage.
    for (let i = 0; i < nc; i++) choleskySolveInPlace(G, nW, B, i, nc);
    return B;
  };

  /** W(θ) for the features Z; updates the warm start and the report. */
  const solveInner = (Z: Matrix, Cb: Matrix): { w: Float64Array; report: Omit<VarProInnerReport, 'gradNorm'> } => {
    const obj = innerObjective(Z, Cb);
    const w0 = warmStart && lastW ? lastW : new Float64Array(nWTotal);
    let w: Float64Array;
    let report: Omit<VarProInnerReport, 'gradNorm'>;
    if (inner.solve) {
      const r = inner.solve(obj, Float64Array.from(w0));
      if (!r || !(r.x instanceof Float64Array) || r.x.length !== nWTotal) fail(fn, `inner.solve must return { x } with x a Float64Array of length ${nWTotal}`);
      w = Float64Array.from(r.x);
      report = { method: 'custom', iterations: r.iterations ?? 0, cgIterations: 0, flag: 'custom' };
    } else {
      const cf = kind === 'leastSquares' ? closedForm(Z, Cb) : null;
      if (cf) {
        w = cf;
        report = { method: 'closedForm', iterations: 1, cgIterations: 0, flag: 'converged' };
      } else if (kind === 'leastSquares') {
        // Quadratic: one exact Newton step w = w0 − H⁻¹ ∇f(w0) by CG.
        const ev = obj.evaluate(w0);
        const rhs = Float64Array.from(ev.gradient, (g) => -g);
        const cg = pcg(ev.hessian as (v: Float64Array) => Float64Array, rhs, { tol: 1e-13, maxIter: Math.max(4 * nWTotal, 10) });
        w = Float64Array.from(w0);
        addInto(w, cg.x);
        report = { method: 'closedForm', iterations: 1, cgIterations: cg.iterations, flag: cg.flag };
      } else {
        const r = innerNewtonCG(obj, w0, { tol: currentInnerTol(), maxIter: innerMaxIter, cgMaxIter });
        w = r.x;
        report = { method: 'newtonCG', iterations: r.iterations, cgIterations: r.cgIterations, flag: r.flag };
      }
    }
    counters.innerIterations += report.iterations;
    counters.innerCgIterations += report.cgIterations;
    lastW = Float64Array.from(w);
    return { w, report };
  };

  /** Loss at W(θ), the value Φ and the inner gradient norm. */
  const finish = (theta: Float64Array, w: Float64Array, Z: Matrix, Cb: Matrix, report: Omit<VarProInnerReport, 'gradNorm'>) => {
    const Wm = mat(w, nc, nW);
    const lr: LossResult = loss(Wm, Z, Cb);
    counters.lossEvaluations++;
    let value = lr.value;
    const gW = Float64Array.from(columnMajorData(lr.gradW));
    if (reg.W) {
      value += reg.W.value(w);
      addInto(gW, reg.W.gradient(w));
    }
    if (reg.theta) value += reg.theta.value(theta);
    lastReport = { ...report, gradNorm: norm(gW) };
    return { lr, value, Wm };
  };

  const evaluate = (x: Float64Array, batch?: ArrayLike<number> | null, opts: EvaluateOptions = {}): Evaluation => {
    checkPoint(`${fn}.evaluate`, x, nTheta);
    const { Yb, Cb } = batchData(`${fn}.evaluate`, Y, labels, batch);
    const nb = Yb.shape[1];
    counters.evaluations++;
    const theta = Float64Array.from(x);
    const { output: Z, state } = runner.forward(theta, Yb);
    counters.forwardPasses++;
    const { w, report } = solveInner(Z, Cb);
    const { lr, value, Wm } = finish(theta, w, Z, Cb, report);
    const rep = lastReport as VarProInnerReport;
    // innerConverged: 0 when the inner solve stopped short (iteration cap, failed
    // line search), so that ∇_W ≠ 0 and the gradient below is only approximate;
    // schurCgNotConverged grows with every Schur-complement product at this point
    // whose CG solve stopped unconverged (drivers such as varpro report both).
    const info: Record<string, number> = {
      batchSize: nb, innerIterations: rep.iterations, innerGradNorm: rep.gradNorm,
      innerConverged: rep.flag === 'converged' || rep.flag === 'custom' ? 1 : 0,
      innerTol: currentInnerTol(),
    };
    if (kind === 'crossEntropy') info.accuracy = scoreAccuracy(lr.S.data, columnMajorData(Cb), nc, nb);
    if (opts.valueOnly) return { value, gradient: new Float64Array(0), info };

    // ∇Φ = J_θᵀ ∇_Z E at W(θ) (+ ∇R_θ): the partial gradient, valid since ∇_W = 0 at W(θ).
    const gradient = new Float64Array(nTheta);
    if (nTheta > 0) {
      gradient.set(runner.vjp(state, lr.gradY));
      counters.modelVjps++;
    }
    if (reg.theta) addInto(gradient, reg.theta.gradient(theta));
    lastOuterGradNorm = norm(gradient);

    const sh: AffineShape = { nc, nf, n: nb, bias };
    const wd = columnMajorData(Wm), z = columnMajorData(Z);
    const hWW = (u: Float64Array): Float64Array => {
      const out = Float64Array.from(columnMajorData(lr.hessW(u)));
      if (reg.W) addInto(out, reg.W.hessian(u));
      return out;
    };
    const hessian = (v: Float64Array): Float64Array => {
      checkPoint(`${fn}.hessian`, v, nTheta, 'v');
      counters.hessianMatVecs++;
      const out = new Float64Array(nTheta);
      if (nTheta > 0) {
        const dZ = runner.jvp(state, v);
        counters.modelJvps++;
        let back: Matrix;
        if (hessianKind === 'block') {
          // J_θᵀ ∇²_Z E J_θ v.
          back = lr.hessY(dZ);
        } else {
          // Schur complement: with dS = W_Z J_θ v and t = ∇²_S E dS,
          // H_Wθ v = t [Z;1]ᵀ, u = H_WW⁻¹ H_Wθ v, and
          // (H_θθ − H_θW H_WW⁻¹ H_Wθ) v = J_θᵀ W_Zᵀ ∇²_S E (dS − u [Z;1]).
          const dS = affineJvpY(wd, columnMajorData(dZ), sh).data;
          const t = columnMajorData(lr.hessS(dS));
          const b = affineGradW(t, z, sh).data;
          const cg = pcg(hWW, b, { tol: 1e-12, maxIter: schurCgMaxIter });
          counters.innerCgIterations += cg.iterations;
          if (cg.flag !== 'converged') info.schurCgNotConverged = (info.schurCgNotConverged ?? 0) + 1;
          const uS = affineScores(cg.x, z, sh).data;
          for (let k = 0; k < dS.length; k++) dS[k] -= uS[k];
          back = affineGradY(wd, columnMajorData(lr.hessS(dS)), sh);
        }
        out.set(runner.vjp(state, back));
        counters.modelVjps++;
      }
      if (reg.theta) addInto(out, reg.theta.hessian(v));
      return out;
    };
    return { value, gradient, hessian, info };
  };

  return withSpec({
    nParams: nTheta,
    nData: n,
    model,
    nClasses: nc,
    wShape: [nc, nW] as const,
    counters,
    resetCounters() {
      Object.assign(counters, newCounters());
    },
    currentW() {
      return lastW ? matrix(nc, nW, Float64Array.from(lastW)) : null;
    },
    lastInner() {
      return lastReport ? { ...lastReport } : null;
    },
    resetWarmStart() {
      lastW = null;
    },
    resetState() {
      lastW = null;
      lastOuterGradNorm = Infinity;
    },
    solveW(theta: Float64Array, batch?: ArrayLike<number> | null) {
      checkPoint(`${fn}.solveW`, theta, nTheta, 'theta');
      const { Yb, Cb } = batchData(`${fn}.solveW`, Y, labels, batch);
      const th = Float64Array.from(theta);
      const { output: Z } = runner.forward(th, Yb);
      counters.forwardPasses++;
      const { w, report } = solveInner(Z, Cb);
      finish(th, w, Z, Cb, report);
      return { W: matrix(nc, nW, Float64Array.from(w)), report: { ...(lastReport as VarProInnerReport) } };
    },
    paramBlocks() {
      return model.paramBlocks();
    },
    initialize(rng: Rng) {
      return model.initialize(rng);
    },
    evaluate,
    get engine() {
      return runner.engine;
    },
    dispose() {
      runner.dispose();
    },
  // The spec leaves out the data (null in their places): a saved objective is rebuilt on the caller's data.
  }, 'varproObjective', [model, null, null, options]);
}
