/**
 * The time grid of a continuous-depth network: [0, T] cut into N steps of
 * size h = T/N (the states Y_j live at t_j = j·h), and the weights θ(t) that
 * the steps use — one θ for all t (shared), one per step, or piecewise
 * constant on a coarser grid of M intervals (Haber & Ruthotto 2017,
 * "Stable architectures for deep neural networks", §2: the network is the
 * forward Euler discretisation of dY/dt = σ(K(t)Y + b(t)), and refining the
 * state grid at fixed θ(t) converges to the ODE solution).
 */
import { checkNumber, checkPositiveInt, fail } from '../core/errors.js';
import { checkOptions } from '../core/options.js';

/**
 * How the weights depend on time:
 * - `'shared'`: one θ for every step (θ(t) constant);
 * - `'perStep'`: θ_j for step j (the usual ResNet; the parameter count grows with N);
 * - `{ intervals: M }`: θ(t) piecewise constant on M equal intervals of [0, T]
 *   (a coarser grid than the N steps; M must divide N so every step lies inside one interval).
 */
export type WeightSharing = 'shared' | 'perStep' | { intervals: number };

/** Options of {@link timeGrid}. */
export interface TimeGridOptions {
  /** Final time T (default 1). Give `T` or `h`, not both. */
  T?: number;
  /** Step size h (then T = N·h). */
  h?: number;
  /** Number of steps N. */
  steps: number;
  /** Time dependence of the weights (default `'perStep'`). */
  weights?: WeightSharing;
}

/** A time grid with its map from steps to weight blocks. */
export interface TimeGrid {
  /** Final time T = N·h. */
  readonly T: number;
  /** Number of steps N. */
  readonly steps: number;
  /** Step size h = T/N. */
  readonly h: number;
  /** Number of weight blocks M (1 shared, N per step, `intervals` piecewise). */
  readonly nBlocks: number;
  /** The sharing mode, normalised. */
  readonly sharing: 'shared' | 'perStep' | 'piecewise';
  /** blockOfStep[j] = the weight block used by step j: 0, j, or ⌊j·M/N⌋. */
  readonly blockOfStep: Int32Array;
  /** The state times t_j = j·h, j = 0 … N. */
  readonly times: Float64Array;
  /** Name of block k for parameter blocks: `shared`, `step<k>`, `interval<k>`. */
  blockName(k: number): string;
}

/**
 * The grid t_j = j·h, h = T/N, and the step → weight-block map:
 * shared θ(t) = θ_0; per step θ(t) = θ_j on [t_j, t_{j+1}); piecewise
 * θ(t) = θ_k on [kT/M, (k+1)T/M), so step j uses block ⌊j·M/N⌋.
 * @param options `{ T = 1 | h, steps: N, weights = 'perStep' }`
 * @returns the grid
 * @throws `timeGrid: steps = 10 is not a multiple of weights.intervals = 4 (every step must lie inside one weight interval)`,
 *   on non-positive T, h or N, on T and h both given
 * @example timeGrid({ T: 2, steps: 8, weights: { intervals: 2 } }).blockOfStep // [0,0,0,0,1,1,1,1], h = 0.25
 */
export function timeGrid(options: TimeGridOptions): TimeGrid {
  const fn = 'timeGrid';
  checkOptions(fn, options, ['T', 'h', 'steps', 'weights']);
  if (!options || typeof options !== 'object') fail(fn, 'options must be an object { T | h, steps, weights }');
  const N = checkPositiveInt(fn, 'steps', options.steps);
  if (options.T !== undefined && options.h !== undefined) fail(fn, 'give T or h, not both');
  let T: number, h: number;
  if (options.h !== undefined) {
    h = checkNumber(fn, 'h', options.h, { min: 0, exclusiveMin: true });
    T = N * h;
  } else {
    T = checkNumber(fn, 'T', options.T ?? 1, { min: 0, exclusiveMin: true });
    h = T / N;
  }
  const w = options.weights ?? 'perStep';
  const blockOfStep = new Int32Array(N);
  let nBlocks: number, sharing: TimeGrid['sharing'];
  if (w === 'shared') {
    nBlocks = 1;
    sharing = 'shared';
  } else if (w === 'perStep') {
    nBlocks = N;
    sharing = 'perStep';
    for (let j = 0; j < N; j++) blockOfStep[j] = j;
  } else if (w && typeof w === 'object' && 'intervals' in w) {
    const M = checkPositiveInt(fn, 'weights.intervals', w.intervals);
    if (N % M !== 0) fail(fn, `steps = ${N} is not a multiple of weights.intervals = ${M} (every step must lie inside one weight interval)`);
    nBlocks = M;
    sharing = 'piecewise';
    // Integer arithmetic: step j covers [jh, (j+1)h) ⊂ [kT/M, (k+1)T/M) with k = ⌊jM/N⌋.
    for (let j = 0; j < N; j++) blockOfStep[j] = Math.floor((j * M) / N);
  } else {
    return fail(fn, `weights must be 'shared', 'perStep' or { intervals: M }, got ${JSON.stringify(w)}`);
  }
  const times = new Float64Array(N + 1);
  for (let j = 0; j <= N; j++) times[j] = j * h;
  const prefix = sharing === 'shared' ? 'shared' : sharing === 'perStep' ? 'step' : 'interval';
  return {
    T,
    steps: N,
    h,
    nBlocks,
    sharing,
    blockOfStep,
    times,
    blockName: (k: number) => (sharing === 'shared' ? prefix : `${prefix}${k}`),
  };
}
