/**
 * Second-order-in-time (hyperbolic) networks, Ruthotto & Haber 2018, "Deep
 * neural networks motivated by partial differential equations", §3.3:
 *   d²Y/dt² = F(θ(t), Y),  Y(0) = Y_0,  dY/dt(0) = 0,
 * with F(θ, Y) = −K(θ)ᵀσ(K(θ)Y + b) for the hyperbolic CNN, discretised by
 * the leapfrog (central difference) scheme
 *   Y_{j+1} = 2Y_j − Y_{j−1} + h² F(θ_j, Y_j),  i.e.  Y_{j+1} = 2Y_j − Y_{j−1} − h² K_jᵀσ(K_jY_j + b_j).
 * Time-reversible and non-dissipative: for σ = identity the scheme conserves
 * a discrete energy and is stable while h²‖Kᵀ K‖₂ ≤ 4.
 */
import { fail } from '../core/errors.js';
import { matrix, zeros, type Matrix } from '../core/matrix.js';
import type { Rng } from '../core/rng.js';
import { checkForwardArgs, checkJvpArgs, checkState, checkVjpArgs } from '../layers/checks.js';
import type { SingleLayerOptions } from '../layers/singleLayer.js';
import type { ParametricOperator } from '../operators/types.js';
import { checkModel } from './modelChecks.js';
import { symmetricLayer } from './stableLayers.js';
import { timeGrid, type TimeGrid, type WeightSharing } from './timeGrid.js';
import { addScaled, blockLayout, blockModels, dataOf, layoutBlocks, layoutInitialize, openingForward, openingJvp, openingVjp, sumBytes } from './timeStepping.js';
import type { Model, ModelState, ParamBlock } from './types.js';
import { checkOptions } from '../core/options.js';
import { recordFactory, withSpec } from '../core/spec.js';

/** Options of {@link hyperbolicNetwork}. */
export interface HyperbolicNetworkOptions extends SingleLayerOptions {
  /** Final time T (default 1); or give `h`. */
  T?: number;
  /** Step size h instead of T. */
  h?: number;
  /** Number of steps N (required). */
  steps: number;
  /** Time dependence of θ(t) (default `'perStep'`). */
  weights?: WeightSharing;
  /** Applied first, without identity term. */
  opening?: Model;
  /**
   * The first step, from dY/dt(0) = 0:
   * `'centered'` (default): Y_{−1} = Y_1, so Y_1 = Y_0 + (h²/2) F(θ_0, Y_0) — second order;
   * `'copy'`: Y_{−1} = Y_0, so Y_1 = Y_0 + h² F(θ_0, Y_0) — first order overall.
   */
  start?: 'centered' | 'copy';
}

/** What {@link hyperbolicNetwork}'s forward keeps. */
export interface HyperbolicState extends ModelState {
  output: Matrix;
  openingState: ModelState | null;
  /** Y_0 … Y_N. */
  trajectory: Matrix[];
  /** steps[j]: F's state at Y_j. */
  steps: ModelState[];
}

/** The hyperbolic network as a {@link Model}. */
export interface HyperbolicModel extends Model<HyperbolicState> {
  readonly grid: TimeGrid;
  readonly layers: readonly Model[];
  readonly opening: Model | null;
  readonly width: number;
  /** The linearised trajectory dY_0 … dY_N. */
  jvpTrajectory(x: Float64Array, state: HyperbolicState, dx: Float64Array | null, dY: Matrix | null): Matrix[];
}

function isOperator(o: unknown): o is ParametricOperator {
  return !!o && typeof o === 'object' && typeof (o as ParametricOperator).apply === 'function' && typeof (o as ParametricOperator).applyTranspose === 'function';
}

/**
 * Leapfrog for d²Y/dt² = F(θ(t), Y) with zero initial velocity:
 *   Y_1 = Y_0 + c_0 F(θ_{k(0)}, Y_0)   (c_0 = h²/2 'centered', h² 'copy'),
 *   Y_{j+1} = 2Y_j − Y_{j−1} + h² F(θ_{k(j)}, Y_j),  j = 1 … N−1,
 * h = T/N. Given an operator K, F = {@link symmetricLayer}(K) = −Kᵀσ(KY + b):
 * the hyperbolic CNN. Parameters x = [x_G; x_0; …; x_{M−1}].
 * Accuracy at fixed θ(t) (tested): second order with shared weights and the
 * centered start, first order with `start: 'copy'`; where θ(t) jumps (piecewise
 * or per-step weights) the central difference at the jump uses the new weights
 * only, which costs one order (O(h) globally).
 *
 * Derivatives (discretise-then-differentiate):
 * jvp  dY_{j+1} = 2dY_j − dY_{j−1} + h² J_F[dθ, dY_j] (dY_1 = dY_0 + c_0 J_F[dθ, dY_0]);
 * vjp  backwards with adjoints W_j: from W_{j+1}, (g, Ȳ) = J_Fᵀ(h² W_{j+1}),
 *      W_j += 2W_{j+1} + Ȳ, W_{j−1} −= W_{j+1}; at j = 0, W_0 += W_1 + J_{F,Y}ᵀ(c_0 W_1).
 *
 * @param layer F (m → m), a factory `k => F_k`, or an operator K (then F = −Kᵀσ(KY + b) with the single-layer options)
 * @param options `{ T = 1 | h, steps, weights = 'perStep', opening, start = 'centered', activation, bias }`
 * @returns the network, nIn = opening ? opening.nIn : m, nOut = m
 * @throws if F changes the width, the opening does not fit, or an option is invalid
 * @example
 * const net = hyperbolicNetwork(conv2d([8, 8], [3, 3, 2, 2], { boundary: 'periodic' }), { T: 1, steps: 8, bias: 'vector' });
 * net.nIn // 128
 */
export function hyperbolicNetwork(layer: Model | ParametricOperator | ((k: number) => Model | ParametricOperator), options: HyperbolicNetworkOptions): HyperbolicModel {
  const fn = 'hyperbolicNetwork';
  checkOptions(fn, options, ['T', 'h', 'steps', 'weights', 'opening', 'start', 'activation', 'bias', 'initGain']);
  if (!options || typeof options !== 'object') fail(fn, 'options must be an object { T | h, steps, weights, … }');
  const grid = timeGrid({ T: options.T, h: options.h, steps: options.steps, weights: options.weights });
  const layerOpts: SingleLayerOptions = { activation: options.activation, bias: options.bias, initGain: options.initGain };
  const toModel = (o: unknown, label: string): Model => (isOperator(o) ? symmetricLayer(o, layerOpts) : checkModel(fn, label, o));
  // The spec records what a factory returned (k => value[k] when loaded).
  const factory = recordFactory(layer);
  const layers = blockModels(fn, 'layer', factory.arg, grid.nBlocks, toModel);
  const width = layers[0].nIn;
  layers.forEach((m, k) => {
    if (m.nIn !== width || m.nOut !== width) fail(fn, `layer ${k} maps ${m.nIn} → ${m.nOut}, but a time step must keep the width ${width}`);
  });
  const start = options.start ?? 'centered';
  if (start !== 'centered' && start !== 'copy') fail(fn, `start must be 'centered' or 'copy', got ${String(start)}`);
  const opening = options.opening === undefined ? null : checkModel(fn, 'opening', options.opening);
  if (opening && opening.nOut !== width) fail(fn, `opening has nOut = ${opening.nOut}, expected the width ${width} of the layers`);
  const layout = blockLayout(opening ? opening.nParams : 0, layers.map((m) => m.nParams));
  const { nParams } = layout;
  const N = grid.steps, h = grid.h, h2 = h * h;
  const c0 = start === 'centered' ? h2 / 2 : h2;
  const nIn = opening ? opening.nIn : width, nOut = width;
  const lb = layers[0].stateBytesPerExample;
  const bytes = typeof lb === 'number' ? sumBytes([opening], 8 * width * (N + 1) + N * lb) : undefined;

  /** Y_{j+1} from Y_j, Y_{j−1} (null at j = 0) and F_j = F(θ, Y_j) (null: zero). */
  const combine = (j: number, Yj: Float64Array | null, Yjm1: Float64Array | null, Fj: Float64Array | null, len: number): Float64Array | null => {
    if (!Yj && !Yjm1 && !Fj) return null;
    const out = new Float64Array(len);
    if (j === 0) {
      if (Yj) out.set(Yj);
      if (Fj) addScaled(out, c0, Fj);
      return out;
    }
    if (Yj) addScaled(out, 2, Yj);
    if (Yjm1) addScaled(out, -1, Yjm1);
    if (Fj) addScaled(out, h2, Fj);
    return out;
  };

  const jvpSteps = (x: Float64Array, state: HyperbolicState, dx: Float64Array | null, dY: Matrix | null, keep: boolean) => {
    const n = state.output.shape[1];
    const d0 = openingJvp(opening, layout, x, state.openingState, dx, dY);
    let prev: Float64Array | null = null;
    let cur: Float64Array | null = d0 ? dataOf(d0) : null;
    const all: (Float64Array | null)[] = keep ? [cur] : [];
    for (let j = 0; j < N; j++) {
      const k = grid.blockOfStep[j];
      const dp0 = dx ? layout.piece(dx, k) : null;
      const dp = dp0 && dp0.length > 0 ? dp0 : null;
      const t = cur || dp ? dataOf(layers[k].jvp(layout.piece(x, k), state.steps[j], dp, cur ? matrix(width, n, cur) : null)) : null;
      const next = combine(j, cur, prev, t, width * n);
      prev = cur;
      cur = next;
      if (keep) all.push(cur);
    }
    return { last: cur, all };
  };

  return withSpec({
    name: `hyperbolicNetwork(leapfrog, N=${N}, T=${grid.T}, weights=${grid.sharing}, start=${start}, F=${layers[0].name})`,
    grid,
    layers,
    opening,
    width,
    nParams,
    nIn,
    nOut,
    stateBytesPerExample: bytes,

    forward(x: Float64Array, Y: Matrix): HyperbolicState {
      checkForwardArgs(`${fn}.forward`, x, Y, nParams, nIn);
      const n = Y.shape[1];
      const { Y0, state: openingState } = openingForward(opening, layout, x, Y);
      let cur = matrix(width, n, Float64Array.from(dataOf(Y0)));
      let prev: Matrix | null = null;
      const trajectory = [cur], steps: ModelState[] = [];
      for (let j = 0; j < N; j++) {
        const k = grid.blockOfStep[j];
        const s = layers[k].forward(layout.piece(x, k), cur);
        steps.push(s);
        const next = matrix(width, n, combine(j, cur.data, prev ? prev.data : null, dataOf(s.output), width * n) as Float64Array);
        prev = cur;
        cur = next;
        trajectory.push(cur);
      }
      return { output: cur, openingState, trajectory, steps };
    },

    jvp(x: Float64Array, state: HyperbolicState, dx: Float64Array | null, dY: Matrix | null): Matrix {
      const n = checkState(`${fn}.jvp`, state, nOut);
      checkJvpArgs(`${fn}.jvp`, x, dx, dY, nParams, nIn, n);
      const { last } = jvpSteps(x, state, dx, dY, false);
      return last ? matrix(nOut, n, last) : zeros(nOut, n);
    },

    jvpTrajectory(x: Float64Array, state: HyperbolicState, dx: Float64Array | null, dY: Matrix | null): Matrix[] {
      const n = checkState(`${fn}.jvpTrajectory`, state, nOut);
      checkJvpArgs(`${fn}.jvpTrajectory`, x, dx, dY, nParams, nIn, n);
      return jvpSteps(x, state, dx, dY, true).all.map((d) => (d ? matrix(width, n, Float64Array.from(d)) : zeros(width, n)));
    },

    vjp(x: Float64Array, state: HyperbolicState, dZ: Matrix): { dx: Float64Array; dY: Matrix } {
      const n = checkState(`${fn}.vjp`, state, nOut);
      checkVjpArgs(`${fn}.vjp`, x, dZ, nParams, nOut, n);
      const len = width * n;
      const dx = new Float64Array(nParams);
      // acc[j] collects ∂/∂Y_j; only W_{j+1} (final) and W_j, W_{j−1} (partial) are alive.
      let Wnext = Float64Array.from(dataOf(dZ)); // W_{j+1}, complete
      let Wcur = new Float64Array(len); // partial W_j
      let Wprev = new Float64Array(len); // partial W_{j−1}
      for (let j = N - 1; j >= 0; j--) {
        const k = grid.blockOfStep[j];
        const coef = j === 0 ? c0 : h2;
        const seed = new Float64Array(len);
        addScaled(seed, coef, Wnext);
        const r = layers[k].vjp(layout.piece(x, k), state.steps[j], matrix(width, n, seed));
        const off = layout.offsets[k];
        for (let q = 0; q < r.dx.length; q++) dx[off + q] += r.dx[q];
        addScaled(Wcur, 1, dataOf(r.dY));
        if (j === 0) {
          addScaled(Wcur, 1, Wnext);
        } else {
          addScaled(Wcur, 2, Wnext);
          addScaled(Wprev, -1, Wnext);
        }
        Wnext = Wcur;
        Wcur = Wprev;
        Wprev = new Float64Array(len);
      }
      const dY = openingVjp(opening, layout, x, state.openingState, matrix(width, n, Wnext), dx);
      return { dx, dY };
    },

    initialize(rng: Rng): Float64Array {
      return layoutInitialize(layout, opening, (k, r) => layers[k].initialize(r), rng);
    },

    paramBlocks(): ParamBlock[] {
      return layoutBlocks(layout, grid, opening, (k) => layers[k].paramBlocks());
    },
  }, 'hyperbolicNetwork', [factory.recorded(), options]);
}
