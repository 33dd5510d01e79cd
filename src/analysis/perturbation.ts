/**
 * Growth of perturbations through a network (Haber & Ruthotto 2017, "Stable
 * architectures for deep neural networks", §2): a stable forward propagation
 * keeps ‖δY_N‖/‖δY_0‖ = ‖J_Y δY_0‖/‖δY_0‖ bounded (no exploding outputs), and
 * the same Jacobian transposed carries gradients backwards, so
 * ‖J_Yᵀ W‖/‖W‖ measures exploding or vanishing gradients. Computed matrix-free
 * with the model's jvp and vjp.
 */
import { checkMatrix64, checkPositiveInt, checkVector, fail, shapeStr } from '../core/errors.js';
import { columnMajorData, matrix, type Matrix } from '../core/matrix.js';
import { createRng } from '../core/rng.js';
import { norm2 } from '../core/vector.js';
import type { Model, ModelState } from '../core/model.js';
import { checkOptions } from '../core/options.js';

/** Options of {@link perturbationGrowth}. */
export interface PerturbationGrowthOptions {
  /** Random directions per measurement (default 4). */
  samples?: number;
  /** Seed of the directions (default 0). */
  seed?: number | string;
  /** Power iterations on J_YᵀJ_Y for the worst case (default 30; 0 skips it). */
  powerIterations?: number;
}

/** Ratios of one measurement. */
export interface GrowthStats {
  /** One ratio per random direction. */
  ratios: Float64Array;
  /** Geometric mean of the ratios. */
  mean: number;
  max: number;
}

/** Result of {@link perturbationGrowth}. */
export interface PerturbationGrowth {
  /** ‖J_Y δ‖/‖δ‖ for random Gaussian δ (input perturbations, forward). */
  forward: GrowthStats;
  /** ‖J_Yᵀ w‖/‖w‖ for random Gaussian w (gradients, backward). */
  backward: GrowthStats;
  /** ‖J_Y‖₂, the largest growth of any input perturbation (power iteration; NaN if skipped). */
  worstCase: number;
  /**
   * For models with `jvpTrajectory` (the time-stepping networks): the mean over
   * the directions of ‖δY_j‖/‖δY_0‖ at every step j = 0 … N (δY_0 after the opening).
   */
  byStep: Float64Array | null;
  /**
   * Norms of the parameter gradient J_xᵀ w per top-level block (e.g. `step3`,
   * `interval1`, `opening`), root-mean-square over the directions — how the
   * backward signal reaches each depth.
   */
  gradientByBlock: { name: string; norm: number }[];
}

interface WithTrajectory {
  jvpTrajectory(x: Float64Array, state: ModelState, dx: Float64Array | null, dY: Matrix | null): Matrix[];
}

function stats(r: Float64Array): GrowthStats {
  let lg = 0, max = 0;
  for (const v of r) {
    lg += Math.log(v);
    max = Math.max(max, v);
  }
  return { ratios: r, mean: Math.exp(lg / r.length), max };
}

/**
 * Forward and backward growth of perturbations through a model at (x, Y):
 * random δ (nIn × n) and w (nOut × n) with ratios ‖J_Y δ‖/‖δ‖ and
 * ‖J_Yᵀ w‖/‖w‖, the worst case ‖J_Y‖₂ (power iteration on J_YᵀJ_Y, from a
 * random start), the growth after every step for time-stepping networks, and
 * the parameter-gradient norm per block. δ perturbs the model's input (before
 * an opening layer); to measure the residual steps alone use a network
 * without opening, or `byStep`, which starts after the opening.
 * @param model F
 * @param x parameters
 * @param Y examples, nIn × n
 * @param options `{ samples = 4, seed = 0, powerIterations = 30 }`
 * @returns forward, backward, worstCase, byStep, gradientByBlock
 * @throws on wrong sizes
 * @example perturbationGrowth(net, x, Y).forward.mean // ≈ 1 for an antisymmetric network, ≫ 1 for an unstable one
 */
export function perturbationGrowth(model: Model, x: Float64Array, Y: Matrix, options: PerturbationGrowthOptions = {}): PerturbationGrowth {
  const fn = 'perturbationGrowth';
  checkOptions(fn, options, ['samples', 'seed', 'powerIterations']);
  checkVector(fn, 'x', x, model.nParams);
  const M = checkMatrix64(fn, 'Y', Y);
  if (M.shape[0] !== model.nIn) fail(fn, `Y is ${shapeStr(M)}, expected ${model.nIn} rows (nIn)`);
  const samples = checkPositiveInt(fn, 'samples', options.samples ?? 4);
  const iters = options.powerIterations ?? 30;
  if (!Number.isInteger(iters) || iters < 0) fail(fn, `powerIterations must be a non-negative integer, got ${String(iters)}`);
  const rng = createRng(options.seed ?? 0);
  const n = M.shape[1], nIn = model.nIn, nOut = model.nOut;
  const state = model.forward(x, Y);
  const traj = typeof (model as unknown as WithTrajectory).jvpTrajectory === 'function' ? (model as unknown as WithTrajectory) : null;

  const fwd = new Float64Array(samples), bwd = new Float64Array(samples);
  let byStep: Float64Array | null = null;
  const blocks = model.paramBlocks();
  const groups = new Map<string, { offset: number; length: number }[]>();
  for (const b of blocks) {
    const top = b.name.split('.')[0];
    if (!groups.has(top)) groups.set(top, []);
    (groups.get(top) as { offset: number; length: number }[]).push(b);
  }
  const gradSq = new Map<string, number>();
  for (let s = 0; s < samples; s++) {
    const d = matrix(nIn, n, rng.normalArray(nIn * n));
    fwd[s] = norm2(columnMajorData(model.jvp(x, state, null, d))) / norm2(d.data);
    if (traj) {
      // The whole linearised trajectory (for two-state networks the stacked [dY_j; dZ_j]).
      const path = traj.jvpTrajectory(x, state, null, d);
      const n0 = norm2(columnMajorData(path[0]));
      byStep ??= new Float64Array(path.length);
      for (let j = 0; j < path.length; j++) byStep[j] += norm2(columnMajorData(path[j])) / n0 / samples;
    }
    const w = matrix(nOut, n, rng.normalArray(nOut * n));
    const r = model.vjp(x, state, w);
    bwd[s] = norm2(columnMajorData(r.dY)) / norm2(w.data);
    for (const [name, parts] of groups) {
      let sq = 0;
      for (const p of parts) for (let k = p.offset; k < p.offset + p.length; k++) sq += r.dx[k] * r.dx[k];
      gradSq.set(name, (gradSq.get(name) ?? 0) + sq / samples);
    }
  }
  // Power iteration on J_YᵀJ_Y: σ_max(J_Y)² is its largest eigenvalue.
  let worstCase = NaN;
  if (iters > 0) {
    let v = rng.normalArray(nIn * n);
    let nv = norm2(v);
    for (let k = 0; k < nIn * n; k++) v[k] /= nv;
    let sigma = 0;
    for (let it = 0; it < iters; it++) {
      const Jv = model.jvp(x, state, null, matrix(nIn, n, v));
      sigma = norm2(columnMajorData(Jv));
      if (sigma === 0) break;
      const JtJv = Float64Array.from(columnMajorData(model.vjp(x, state, Jv).dY));
      nv = norm2(JtJv);
      if (nv === 0) break;
      for (let k = 0; k < JtJv.length; k++) JtJv[k] /= nv;
      v = JtJv;
    }
    worstCase = sigma;
  }
  return {
    forward: stats(fwd),
    backward: stats(bwd),
    worstCase,
    byStep,
    gradientByBlock: [...gradSq].map(([name, sq]) => ({ name, norm: Math.sqrt(sq) })),
  };
}
