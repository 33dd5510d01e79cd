/**
 * Continuous-depth residual networks: the ODE dY/dt = F(θ(t), Y(t)), t ∈ [0, T],
 * discretised on N steps h = T/N by an explicit Runge–Kutta method, with
 * θ(t) shared, per step, or piecewise constant on a coarser grid (Haber &
 * Ruthotto 2017, "Stable architectures for deep neural networks", §2; E, 2017,
 * "A proposal on machine learning via dynamical systems"). With forward Euler
 * and per-step weights it is exactly the lecture's ResNet.
 */
import { fail } from '../core/errors.js';
import { zeros, type Matrix } from '../core/matrix.js';
import type { Rng } from '../core/rng.js';
import { checkForwardArgs, checkJvpArgs, checkState, checkVjpArgs } from '../layers/checks.js';
import { checkModel } from './modelChecks.js';
import { resolveTableau, type ButcherTableau, type RungeKuttaName } from './rungeKutta.js';
import { timeGrid, type TimeGrid, type WeightSharing } from './timeGrid.js';
import {
  addScaled, blockLayout, blockModels, copyMatrix, dataOf, layoutBlocks, layoutInitialize, modelCheck, openingForward, openingJvp, openingVjp, sumBytes, wrap,
} from './timeStepping.js';
import type { Model, ModelState, ParamBlock } from './types.js';
import { checkOptions } from '../core/options.js';
import { recordFactory, withSpec } from '../core/spec.js';

/** Options of {@link continuousResnet}. */
export interface ContinuousResNetOptions {
  /** Final time T (default 1); or give `h` (then T = N·h). */
  T?: number;
  /** Step size h instead of T. */
  h?: number;
  /** Number of steps N (required). */
  steps: number;
  /** Time dependence of θ(t) (default `'perStep'`); see {@link WeightSharing}. */
  weights?: WeightSharing;
  /** `'forwardEuler'` (default), `'heun'`, `'rk4'` or any explicit {@link ButcherTableau}. */
  integrator?: RungeKuttaName | ButcherTableau;
  /** A model applied first, without identity term (e.g. to change the width); its parameters come first. */
  opening?: Model;
}

/** What {@link continuousResnet}'s forward keeps. */
export interface ContinuousResNetState extends ModelState {
  /** Y_N, width × n. */
  output: Matrix;
  /** The opening's state, or null. */
  openingState: ModelState | null;
  /** trajectory[j] = Y_j, j = 0 … N (Y_0 the opening's output or the input itself; Y_N = output). */
  trajectory: Matrix[];
  /** stages[j][i]: the state of F at stage i of step j (its input S_i is referenced there). */
  stages: ModelState[][];
}

/** A continuous-depth ResNet as a {@link Model}. */
export interface ContinuousResNetModel extends Model<ContinuousResNetState> {
  readonly grid: TimeGrid;
  readonly integrator: ButcherTableau;
  /** The model F of each weight block (the same object when one model was given). */
  readonly layers: readonly Model[];
  readonly opening: Model | null;
  /** Width m of the states Y_j. */
  readonly width: number;
  /**
   * The linearised trajectory dY_0 … dY_N for the directions (dx, dY) at a
   * forward state — the same recursion as `jvp`, keeping every step
   * (for perturbation growth through depth).
   */
  jvpTrajectory(x: Float64Array, state: ContinuousResNetState, dx: Float64Array | null, dY: Matrix | null): Matrix[];
}

/**
 * Y ↦ Y_N, the explicit Runge–Kutta solution of dY/dt = F(θ(t), Y), Y(0) = Y_0:
 *   S_i = Y_j + h Σ_{l<i} a_il K_l,  K_i = F(θ_{k(j)}, S_i),  Y_{j+1} = Y_j + h Σ_i b_i K_i,
 * with h = T/N, k(j) the weight block of step j (see {@link timeGrid}), and
 * Y_0 = G(x_G, Y) with an opening G (else Y_0 = Y). Parameters
 * x = [x_G; θ_0; …; θ_{M−1}] (blocks `opening.*`, then `shared.*`, `step<j>.*` or `interval<k>.*`).
 *
 * Forward Euler with per-step weights equals {@link resnet} with h = T/N.
 * At fixed θ(t) the output converges to the ODE solution Y(T) as N → ∞ with
 * the method's order (1 for forward Euler, 4 for RK4; tested).
 *
 * Derivatives are exact for the discrete map (discretise-then-differentiate):
 * - jvp: dS_i = dY_j + h Σ_{l<i} a_il dK_l,  dK_i = J_θF dθ_{k(j)} + J_Y F dS_i,
 *   dY_{j+1} = dY_j + h Σ b_i dK_i;
 * - vjp, backwards over the stored stage states from W_N = dZ:
 *   K̄_i = h b_i W_{j+1}; for i = s … 1: (g_i, S̄_i) = F_iᵀ K̄_i, K̄_l += h a_il S̄_i (l < i);
 *   W_j = W_{j+1} + Σ_i S̄_i, and θ̄_{k(j)} += Σ_i g_i (shared weights sum over steps).
 *
 * Memory: per step, the s stage states of F (for a single layer σ'(·) and the
 * value, 16·m bytes per example each) and s − 1 stage inputs, plus the trajectory.
 *
 * @param layer F (m → m), one model for every weight block, or a factory `k => F_k`
 * @param options `{ T = 1 | h, steps, weights = 'perStep', integrator = 'forwardEuler', opening }`
 * @returns the network, nIn = opening ? opening.nIn : m, nOut = m
 * @throws `continuousResnet: layer 0 maps 3 → 4, but a time step must keep the width`; bad grid or integrator options
 * @example
 * const net = continuousResnet(singleLayer(dense(4, 4), { bias: 'vector' }), { T: 1, steps: 16, weights: 'shared', integrator: 'rk4' });
 * net.nParams // 20: one θ for all 16 steps
 */
export function continuousResnet(layer: Model | ((k: number) => Model), options: ContinuousResNetOptions): ContinuousResNetModel {
  const fn = 'continuousResnet';
  checkOptions(fn, options, ['T', 'h', 'steps', 'weights', 'integrator', 'opening']);
  if (!options || typeof options !== 'object') fail(fn, 'options must be an object { T | h, steps, weights, integrator, opening }');
  const grid = timeGrid({ T: options.T, h: options.h, steps: options.steps, weights: options.weights });
  const tab = resolveTableau(fn, options.integrator);
  // The spec records the models a factory returned (k => layers[k] when loaded).
  const factory = recordFactory(layer);
  const layers = blockModels(fn, 'layer', factory.arg, grid.nBlocks, modelCheck(fn));
  const width = layers[0].nIn;
  layers.forEach((m, k) => {
    if (m.nIn !== width || m.nOut !== width) fail(fn, `layer ${k} maps ${m.nIn} → ${m.nOut}, but a time step must keep the width ${width} (use an opening to change it)`);
  });
  const opening = options.opening === undefined ? null : checkModel(fn, 'opening', options.opening);
  if (opening && opening.nOut !== width) fail(fn, `opening has nOut = ${opening.nOut}, expected the width ${width} of the layers`);
  const layout = blockLayout(opening ? opening.nParams : 0, layers.map((m) => m.nParams));
  const { nParams } = layout;
  const N = grid.steps, h = grid.h, s = tab.b.length;
  const nIn = opening ? opening.nIn : width, nOut = width;
  const a = tab.a, b = tab.b;
  const layerAt = (j: number) => layers[grid.blockOfStep[j]];
  // Per example: Y_0 … Y_N (8·m each), and per step s states of F plus s − 1 stage inputs.
  const layerBytes = layers[0].stateBytesPerExample;
  const bytes = typeof layerBytes === 'number' ? sumBytes([opening], 8 * width * (N + 1) + N * (s * layerBytes + 8 * width * (s - 1))) : undefined;

  /** The forward or linearised stage recursion for one step; `apply(i, S)` evaluates stage i. */
  const rkStep = (Y: Float64Array | null, apply: (i: number, S: Float64Array | null) => Float64Array | null): Float64Array | null => {
    const K: (Float64Array | null)[] = [];
    let out: Float64Array | null = Y ? Float64Array.from(Y) : null;
    for (let i = 0; i < s; i++) {
      // S_i = Y + h Σ a_il K_l (Y itself when the row is zero).
      let S: Float64Array | null = Y;
      let copied = false;
      for (let l = 0; l < i; l++) {
        const K_l = K[l];
        if (a[i][l] === 0 || !K_l) continue;
        if (!copied) {
          S = S ? Float64Array.from(S) : new Float64Array(K_l.length);
          copied = true;
        }
        addScaled(S as Float64Array, h * a[i][l], K_l);
      }
      const Ki = apply(i, S);
      K.push(Ki);
      if (Ki && b[i] !== 0) {
        if (!out) out = new Float64Array(Ki.length);
        addScaled(out, h * b[i], Ki);
      }
    }
    return out;
  };

  const jvpSteps = (x: Float64Array, state: ContinuousResNetState, dx: Float64Array | null, dY: Matrix | null, keep: boolean): { last: Float64Array | null; all: (Float64Array | null)[] } => {
    const n = state.output.shape[1];
    const d0 = openingJvp(opening, layout, x, state.openingState, dx, dY);
    let d: Float64Array | null = d0 ? dataOf(d0) : null;
    const all: (Float64Array | null)[] = keep ? [d] : [];
    for (let j = 0; j < N; j++) {
      const k = grid.blockOfStep[j];
      const p = layout.piece(x, k);
      const dp0 = dx ? layout.piece(dx, k) : null;
      const dp = dp0 && dp0.length > 0 ? dp0 : null;
      if (d || dp) {
        const F = layers[k], st = state.stages[j];
        d = rkStep(d, (i, dS) => {
          if (!dS && !dp) return null;
          return dataOf(F.jvp(p, st[i], dp, dS ? wrap(dS, width, n) : null));
        });
      }
      if (keep) all.push(d);
    }
    return { last: d, all };
  };

  return withSpec({
    name: `continuousResnet(${tab.name}, N=${N}, T=${grid.T}, weights=${grid.sharing}${grid.sharing === 'piecewise' ? `[${grid.nBlocks}]` : ''}${opening ? `, opening=${opening.name}` : ''}, F=${layers[0].name})`,
    grid,
    integrator: tab,
    layers,
    opening,
    width,
    nParams,
    nIn,
    nOut,
    stateBytesPerExample: bytes,

    forward(x: Float64Array, Y: Matrix): ContinuousResNetState {
      checkForwardArgs(`${fn}.forward`, x, Y, nParams, nIn);
      const n = Y.shape[1];
      const { Y0, state: openingState } = openingForward(opening, layout, x, Y);
      // The trajectory owns its matrices (a copy of the input; fresh arrays after).
      let cur = copyMatrix(dataOf(Y0), width, n);
      const trajectory: Matrix[] = [cur];
      const stages: ModelState[][] = [];
      for (let j = 0; j < N; j++) {
        const F = layerAt(j), p = layout.piece(x, grid.blockOfStep[j]);
        const st: ModelState[] = [];
        const next = rkStep(cur.data, (_i, S) => {
          const r = F.forward(p, wrap(S as Float64Array, width, n));
          st.push(r);
          return dataOf(r.output);
        }) as Float64Array;
        stages.push(st);
        cur = wrap(next, width, n);
        trajectory.push(cur);
      }
      return { output: cur, openingState, trajectory, stages };
    },

    jvp(x: Float64Array, state: ContinuousResNetState, dx: Float64Array | null, dY: Matrix | null): Matrix {
      const n = checkState(`${fn}.jvp`, state, nOut);
      checkJvpArgs(`${fn}.jvp`, x, dx, dY, nParams, nIn, n);
      const { last } = jvpSteps(x, state, dx, dY, false);
      if (!last) return zeros(nOut, n);
      // Never hand back the caller's dY storage.
      return dY && !opening && last === dataOf(dY) ? copyMatrix(last, nOut, n) : wrap(last, nOut, n);
    },

    jvpTrajectory(x: Float64Array, state: ContinuousResNetState, dx: Float64Array | null, dY: Matrix | null): Matrix[] {
      const n = checkState(`${fn}.jvpTrajectory`, state, nOut);
      checkJvpArgs(`${fn}.jvpTrajectory`, x, dx, dY, nParams, nIn, n);
      return jvpSteps(x, state, dx, dY, true).all.map((d) => (d ? copyMatrix(d, width, n) : zeros(width, n)));
    },

    vjp(x: Float64Array, state: ContinuousResNetState, dZ: Matrix): { dx: Float64Array; dY: Matrix } {
      const n = checkState(`${fn}.vjp`, state, nOut);
      checkVjpArgs(`${fn}.vjp`, x, dZ, nParams, nOut, n);
      const dx = new Float64Array(nParams);
      let W = Float64Array.from(dataOf(dZ));
      for (let j = N - 1; j >= 0; j--) {
        const k = grid.blockOfStep[j];
        const F = layers[k], st = state.stages[j], p = layout.piece(x, k), off = layout.offsets[k];
        // K̄_i = h b_i W, then the stages backwards.
        const Kbar: Float64Array[] = b.map((bi) => {
          const v = new Float64Array(W.length);
          if (bi !== 0) addScaled(v, h * bi, W);
          return v;
        });
        const Wprev = Float64Array.from(W);
        for (let i = s - 1; i >= 0; i--) {
          const r = F.vjp(p, st[i], wrap(Kbar[i], width, n));
          const g = r.dx;
          for (let q = 0; q < g.length; q++) dx[off + q] += g[q];
          const Sbar = dataOf(r.dY);
          addScaled(Wprev, 1, Sbar);
          for (let l = 0; l < i; l++) if (a[i][l] !== 0) addScaled(Kbar[l], h * a[i][l], Sbar);
        }
        W = Wprev;
      }
      const dY = openingVjp(opening, layout, x, state.openingState, wrap(W, width, n), dx);
      return { dx, dY };
    },

    initialize(rng: Rng): Float64Array {
      return layoutInitialize(layout, opening, (k, r) => layers[k].initialize(r), rng);
    },

    paramBlocks(): ParamBlock[] {
      return layoutBlocks(layout, grid, opening, (k) => layers[k].paramBlocks());
    },
  }, 'continuousResnet', [factory.recorded(), options]);
}
