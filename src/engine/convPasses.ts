/**
 * The model-and-loss part of classificationObjective for a convolutional plan
 * (./convPlan.ts): E(W [F(θ, Y); 1ᵀ], C) (softmax cross-entropy) and its
 * gradient in (θ, W), and its Gauss-Newton mat-vecs, one kernel call
 * (assembly/convNetwork.ts) per upload of at most `MAX_COLUMNS` columns. The
 * objective adds the regularisers.
 *
 * The workspace holds one block of states per thread, so an evaluation over many columns
 * (the whole data set) uploads them in pieces of `MAX_COLUMNS` and adds the
 * pieces' sums in order: the same columns always give the same numbers. A
 * Hessian mat-vec recomputes the forward pass of each block (one pass more,
 * no states kept between calls), so it needs no bookkeeping of which
 * evaluation the states belong to.
 */
import { columnMajorData, type Matrix } from '../core/matrix.js';
import type { ConvNetworkPlan } from './convPlan.js';
import type { Precision } from './workspace.js';
import { ConvWorkspace, CONV_PASS } from './convWorkspace.js';
import type { ClassificationPasses, PassEvaluation } from './classificationPasses.js';

/** Columns uploaded at once (the data region: nIn × this many doubles). */
const MAX_COLUMNS = 2048;

/** Options of {@link convClassificationPasses}. */
export interface ConvPassOptions {
  bias: boolean;
  coupling: 'blockDiagonal' | 'full';
  /** Images per block (default 8). */
  blockColumns?: number;
  /** Threads per pass (groups of blocks shared with the worker pool; the results do not depend on it). */
  threads: number;
  /** Element type of the kernel's states and products (default float64; x, gradients and mat-vecs stay Float64Array). */
  precision?: Precision;
}

/**
 * The passes of a classification objective over the compiled convolutional `plan`.
 * @param plan the compiled model
 * @param Y data nIn × n, C labels nc × n
 */
export function convClassificationPasses(plan: ConvNetworkPlan, Y: Matrix, C: Matrix, opts: ConvPassOptions): ClassificationPasses {
  const y = columnMajorData(Y), c = columnMajorData(C);
  const n = Y.shape[1], nc = C.shape[0];
  const nTheta = plan.nParams;
  const nParams = nTheta + nc * (plan.nOut + (opts.bias ? 1 : 0));
  let ws: ConvWorkspace | null = null;
  const gnMode = CONV_PASS.forward | CONV_PASS.loss | CONV_PASS.gaussNewton | (opts.coupling === 'full' ? CONV_PASS.full : 0);

  let threads = opts.threads;

  const workspace = (columns: number): ConvWorkspace => {
    const cap = Math.min(columns, MAX_COLUMNS);
    if (!ws || ws.columns < cap || ws.slots < threads) {
      ws?.dispose();
      ws = new ConvWorkspace(plan, { columns: cap, classes: nc, bias: opts.bias, blockColumns: opts.blockColumns, threads, precision: opts.precision });
    }
    return ws;
  };

  return {
    evaluate(x: Float64Array, batch: ArrayLike<number> | null, withGradient: boolean): PassEvaluation {
      const nb = batch ? batch.length : n;
      const w = workspace(nb);
      const gradient = withGradient ? new Float64Array(nParams) : null;
      const acc = { value: 0, hits: 0 };
      w.setParams(x.subarray(0, nTheta), x.subarray(nTheta));
      const mode = CONV_PASS.forward | CONV_PASS.loss | (withGradient ? CONV_PASS.gradient : 0);
      for (let from = 0; from < nb; from += w.columns) {
        const count = Math.min(w.columns, nb - from);
        if (w.setData(y, c, batch, from, count, 1 / nb)) w.setParams(x.subarray(0, nTheta), x.subarray(nTheta));
        w.run(mode, threads);
        w.accumulate(acc, gradient);
      }
      // Jᵀ ∇²_S E J v: per upload and block the forward again (the workspace keeps one block of states), the
      // linearised forward, the loss's Hessian and the backward sweep, in one kernel call per upload.
      const hessian = (v: Float64Array): Float64Array => {
        const hw = workspace(nb);
        const out = new Float64Array(nParams);
        const sink = { value: 0, hits: 0 };
        const write = () => {
          hw.setParams(x.subarray(0, nTheta), x.subarray(nTheta));
          hw.setDirection(v.subarray(0, nTheta), v.subarray(nTheta));
        };
        write();
        for (let from = 0; from < nb; from += hw.columns) {
          const count = Math.min(hw.columns, nb - from);
          if (hw.setData(y, c, batch, from, count, 1 / nb)) write();
          hw.run(gnMode, threads);
          hw.accumulate(sink, out);
        }
        return out;
      };
      return { value: acc.value / nb, accuracy: acc.hits / nb, gradient, hessian };
    },
    setThreads(t: number) {
      threads = t;
    },
    dispose() {
      ws?.dispose();
      ws = null;
    },
  };
}
