/**
 * The model-and-loss part of classificationObjective run as whole-network
 * passes of a plan: E(W [F(θ, Y); 1ᵀ], C) (softmax cross-entropy), its
 * gradient in (θ, W), and its Gauss-Newton mat-vecs, each one kernel call
 * (assembly/network.ts). The objective adds the regularisers.
 *
 * Two workspaces: one for the whole data set (uploaded once) and one for
 * mini-batches (its capacity grows to the largest batch seen; a short last
 * batch runs the same kernel on fewer columns). A Hessian mat-vec needs the
 * states of its own evaluation: each workspace remembers which evaluation its
 * states belong to, and a mat-vec of an older evaluation recomputes them first
 * (same numbers, one forward pass more).
 */
import { columnMajorData, type Matrix } from '../core/matrix.js';
import type { NetworkPlan } from './plan.js';
import { NetworkWorkspace, PASS, type Precision } from './workspace.js';

/** Options of {@link classificationPasses}. */
export interface ClassificationPassOptions {
  bias: boolean;
  coupling: 'blockDiagonal' | 'full';
  /** Threads per pass (blocks shared with the worker pool). */
  threads: number;
  /** Columns per block (default 128). */
  blockColumns?: number;
  /** Element type of the passes (default 'float64'). */
  precision?: Precision;
}

/** What one evaluation of the passes gives (regularisers not included). */
export interface PassEvaluation {
  /** The loss E. */
  value: number;
  /** Fraction of columns with argmax S = argmax C. */
  accuracy: number;
  /** ∇E in [θ; vec W] (when asked for). */
  gradient: Float64Array | null;
  /** v ↦ Jᵀ ∇²_S E J v in [θ; vec W] (the chosen coupling). */
  hessian: (v: Float64Array) => Float64Array;
}

/** The passes of one objective (see the file comment). */
export interface ClassificationPasses {
  /**
   * Evaluate at x = [θ; vec W] (the caller's copy: it must not change later
   * if the Hessian mat-vec is used) on all columns (batch null) or the listed
   * ones; the gradient is written into `gradientOut` when given (length
   * nParams), else into a new array. With `withHessian` false the returned
   * `hessian` must not be called.
   */
  evaluate(x: Float64Array, batch: ArrayLike<number> | null, withGradient: boolean, gradientOut?: Float64Array | null, withHessian?: boolean): PassEvaluation;
  /** Threads per pass from now on. */
  setThreads(t: number): void;
  /** Release both workspaces. */
  dispose(): void;
}

/** The `hessian` of an evaluation made without one (`withHessian` false). */
function noHessian(): Float64Array {
  throw new Error('classificationPasses: this evaluation was made without its Hessian mat-vec (withHessian false)');
}

/**
 * The passes of a classification objective over the compiled `plan`.
 * @param plan the compiled model
 * @param Y data nIn × n, C labels nc × n
 */
export function classificationPasses(plan: NetworkPlan, Y: Matrix, C: Matrix, opts: ClassificationPassOptions): ClassificationPasses {
  const y = columnMajorData(Y), c = columnMajorData(C);
  const n = Y.shape[1], nc = C.shape[0];
  const nTheta = plan.nParams;
  const nW = plan.nOut + (opts.bias ? 1 : 0);
  const nParams = nTheta + nc * nW;
  let threads = opts.threads;
  let full: NetworkWorkspace | null = null;
  // Which workspace block holds the uploaded data set (a new workspace or block needs it again).
  let uploaded: { ws: NetworkWorkspace; generation: number } | null = null;
  let batchWs: NetworkWorkspace | null = null;
  // Which evaluation's states each workspace holds.
  const owner = new WeakMap<NetworkWorkspace, { token: object; generation: number }>();
  const owns = (w: NetworkWorkspace, token: object) => {
    const o = owner.get(w);
    return o !== undefined && o.token === token && o.generation === w.generation;
  };
  const gnMode = PASS.gaussNewton | (opts.coupling === 'full' ? PASS.full : 0);

  const workspaceFor = (batch: ArrayLike<number> | null): NetworkWorkspace => {
    if (batch === null) {
      full ??= new NetworkWorkspace(plan, { columns: n, classes: nc, bias: opts.bias, blockColumns: opts.blockColumns, precision: opts.precision });
      full.ensureLive();
      if (uploaded?.ws !== full || uploaded.generation !== full.generation) {
        full.setData(y, c);
        uploaded = { ws: full, generation: full.generation };
      }
      return full;
    }
    if (!batchWs || batchWs.columns < batch.length) {
      batchWs?.dispose();
      batchWs = new NetworkWorkspace(plan, { columns: batch.length, classes: nc, bias: opts.bias, blockColumns: opts.blockColumns, precision: opts.precision });
    }
    batchWs.ensureLive();
    batchWs.setData(y, c, batch);
    return batchWs;
  };

  const forward = (ws: NetworkWorkspace, x: Float64Array, mode: number): void => {
    ws.setParams(x.subarray(0, nTheta), x.subarray(nTheta));
    ws.run(mode, threads);
  };

  return {
    evaluate(x, batch, withGradient, gradientOut = null, withHessian = true) {
      const token = {};
      const ws = workspaceFor(batch);
      // reduce sets every entry of the gradient: a caller's array needs no clearing.
      const gradient = withGradient ? gradientOut ?? new Float64Array(nParams) : null;
      forward(ws, x, PASS.forward | PASS.loss | (withGradient ? PASS.gradient : 0));
      const { value, hits } = ws.reduce(gradient, gradient, 0, nTheta);
      owner.set(ws, { token, generation: ws.generation });
      const nb = ws.nColumns;
      if (!withHessian) return { value: value / nb, accuracy: hits / nb, gradient, hessian: noHessian };
      const hessian = (v: Float64Array): Float64Array => {
        let w = batch === null ? workspaceFor(null) : batchWs;
        if (!w || w.ensureLive() || !owns(w, token)) {
          // Another evaluation ran since (or the workspace was disposed): restore this one's data and states.
          w = workspaceFor(batch);
          forward(w, x, PASS.forward | PASS.loss);
          owner.set(w, { token, generation: w.generation });
        }
        w.setDirection(v.subarray(0, nTheta), v.subarray(nTheta));
        w.run(gnMode, threads);
        const out = new Float64Array(nParams);
        w.reduce(out, out, 0, nTheta);
        return out;
      };
      return { value: value / nb, accuracy: hits / nb, gradient, hessian };
    },
    setThreads(t: number) {
      threads = t;
    },
    dispose() {
      full?.dispose();
      batchWs?.dispose();
      full = null;
      batchWs = null;
    },
  };
}
