/**
 * The Hamiltonian (Verlet) network of Haber & Ruthotto 2017, "Stable
 * architectures for deep neural networks", §3.2: two states Y, Z with
 *   dY/dt = σ(K(t) Z + b(t)),   dZ/dt = −σ(K(t)ᵀ Y + b(t)),
 * a Hamiltonian-like system whose linearisation has purely imaginary
 * eigenvalues (for σ = identity it conserves ‖Y‖² + ‖Z‖²-type energies),
 * discretised by the symplectic Euler / Störmer–Verlet scheme
 *   Y_{j+1} = Y_j + h f(θ_j, Z_j),   Z_{j+1} = Z_j − h g(θ_j, Y_{j+1}),
 * with f = σ(K_j Z + b_j), g = σ(K_jᵀ Y + b_j) (the same θ_j in both).
 */
import { fail } from '../core/errors.js';
import { matrix, zeros, type Matrix } from '../core/matrix.js';
import type { Rng } from '../core/rng.js';
import { checkForwardArgs, checkJvpArgs, checkState, checkVjpArgs } from '../layers/checks.js';
import { singleLayer, type SingleLayerOptions } from '../layers/singleLayer.js';
import type { ParametricOperator } from '../operators/types.js';
import { checkModel } from './modelChecks.js';
import { transposedOperator } from './stableOperators.js';
import { timeGrid, type TimeGrid, type WeightSharing } from './timeGrid.js';
import { addScaled, blockLayout, blockModels, dataOf, layoutBlocks, layoutInitialize, openingForward, openingJvp, openingVjp, sumBytes } from './timeStepping.js';
import type { Model, ModelState, ParamBlock } from './types.js';
import { checkOptions } from '../core/options.js';
import { recordFactory, withSpec } from '../core/spec.js';

/** The two right-hand sides of one weight block, reading the same parameter vector. */
export interface HamiltonianPair {
  /** f(θ, Z): mZ → mY, the velocity of Y. */
  f: Model;
  /** g(θ, Y): mY → mZ, minus the velocity of Z. */
  g: Model;
}

/** Options of {@link hamiltonianNetwork}. */
export interface HamiltonianNetworkOptions extends SingleLayerOptions {
  /** Final time T (default 1); or give `h`. */
  T?: number;
  /** Step size h instead of T. */
  h?: number;
  /** Number of steps N (required). */
  steps: number;
  /** Time dependence of θ(t) (default `'perStep'`). */
  weights?: WeightSharing;
  /** Applied first, without identity term; its output is the network's initial state. */
  opening?: Model;
  /** `'Y'` (default): the input is Y_0 and Z_0 = 0; `'YZ'`: the input is [Y_0; Z_0] stacked (rows). */
  input?: 'Y' | 'YZ';
  /** `'Y'` (default): the output is Y_N; `'YZ'`: [Y_N; Z_N] stacked. */
  output?: 'Y' | 'YZ';
}

/** What {@link hamiltonianNetwork}'s forward keeps. */
export interface HamiltonianState extends ModelState {
  output: Matrix;
  openingState: ModelState | null;
  /** Y_0 … Y_N (mY × n). */
  Y: Matrix[];
  /** Z_0 … Z_N (mZ × n). */
  Z: Matrix[];
  /** fStates[j]: f at Z_j; gStates[j]: g at Y_{j+1}. */
  fStates: ModelState[];
  gStates: ModelState[];
}

/** The Hamiltonian network as a {@link Model}. */
export interface HamiltonianModel extends Model<HamiltonianState> {
  readonly grid: TimeGrid;
  readonly pairs: readonly HamiltonianPair[];
  readonly opening: Model | null;
  /** Widths of Y and Z. */
  readonly widthY: number;
  readonly widthZ: number;
  /** The linearised trajectory [dY_j; dZ_j], j = 0 … N (stacked, (mY + mZ) × n). */
  jvpTrajectory(x: Float64Array, state: HamiltonianState, dx: Float64Array | null, dY: Matrix | null): Matrix[];
}

function isOperator(o: unknown): o is ParametricOperator {
  return !!o && typeof o === 'object' && typeof (o as ParametricOperator).apply === 'function' && typeof (o as ParametricOperator).applyTranspose === 'function';
}

/** [A; B] stacked by rows, column by column. */
function stack(A: Float64Array, B: Float64Array | null, ma: number, mb: number, n: number): Float64Array {
  const out = new Float64Array((ma + mb) * n);
  for (let c = 0; c < n; c++) {
    out.set(A.subarray(c * ma, (c + 1) * ma), c * (ma + mb));
    if (B) out.set(B.subarray(c * mb, (c + 1) * mb), c * (ma + mb) + ma);
  }
  return out;
}

/** Split [A; B] (rows) into fresh A (ma × n) and B (mb × n). */
function unstack(S: Float64Array, ma: number, mb: number, n: number): [Float64Array, Float64Array] {
  const A = new Float64Array(ma * n), B = new Float64Array(mb * n);
  for (let c = 0; c < n; c++) {
    A.set(S.subarray(c * (ma + mb), c * (ma + mb) + ma), c * ma);
    B.set(S.subarray(c * (ma + mb) + ma, (c + 1) * (ma + mb)), c * mb);
  }
  return [A, B];
}

/**
 * The Verlet network: from (Y_0, Z_0),
 *   Y_{j+1} = Y_j + h f(θ_{k(j)}, Z_j),   Z_{j+1} = Z_j − h g(θ_{k(j)}, Y_{j+1}),   j = 0 … N−1,
 * h = T/N, k(j) the weight block of step j ({@link timeGrid}). Given a
 * parametric operator K (mY × mZ), f = σ(K Z + b) and g = σ(Kᵀ Y + b) share
 * x_k = [θ; b] (Haber & Ruthotto 2017, eq. for the Verlet network); given pairs
 * {f, g}, both read the same block vector and their gradients add.
 * Parameters x = [x_G; x_0; …; x_{M−1}]. The scheme is explicit and
 * symplectic (for σ = identity, b = 0 it keeps ‖[Y; Z]‖ bounded over long
 * times where forward Euler of the same system grows; tested), and first-order
 * accurate at fixed θ(t) (measured in the tests).
 *
 * Derivatives (discretise-then-differentiate):
 * jvp  dY_{j+1} = dY_j + h J_f[dθ, dZ_j],  dZ_{j+1} = dZ_j − h J_g[dθ, dY_{j+1}];
 * vjp  from (W_Y, W_Z) at step j+1: (g_g, Ȳ) = J_gᵀ(−h W_Z), W_Y += Ȳ;
 *      (g_f, Z̄) = J_fᵀ(h W_Y), W_Z += Z̄; θ̄_{k(j)} += g_g + g_f.
 *
 * @param spec K (an operator, or a factory `k => K`), or pairs `{ f, g }` (or a factory `k => { f, g }`)
 * @param options grid (`T | h`, `steps`, `weights`), `opening`, `input`, `output`, and for an operator the single-layer options (activation, bias — 'scalar' or 'none' unless K is square)
 * @returns the network; nIn = opening ? opening.nIn : mY (or mY + mZ with input 'YZ'); nOut = mY (or mY + mZ)
 * @throws if f and g have different parameter counts or sizes that do not fit, or the opening's width is wrong
 * @example
 * const net = hamiltonianNetwork(dense(4, 4), { T: 2, steps: 10, activation: 'tanh', bias: 'scalar', opening: singleLayer(dense(4, 2)) });
 * net.nOut // 4
 */
export function hamiltonianNetwork(spec: ParametricOperator | HamiltonianPair | ((k: number) => ParametricOperator | HamiltonianPair), options: HamiltonianNetworkOptions): HamiltonianModel {
  const fn = 'hamiltonianNetwork';
  checkOptions(fn, options, ['T', 'h', 'steps', 'weights', 'opening', 'input', 'output', 'activation', 'bias', 'initGain']);
  if (!options || typeof options !== 'object') fail(fn, 'options must be an object { T | h, steps, weights, … }');
  const grid = timeGrid({ T: options.T, h: options.h, steps: options.steps, weights: options.weights });
  const layerOpts: SingleLayerOptions = { activation: options.activation, bias: options.bias, initGain: options.initGain };
  const toPair = (o: unknown, label: string): HamiltonianPair => {
    if (isOperator(o)) return { f: singleLayer(o, layerOpts), g: singleLayer(transposedOperator(o), layerOpts) };
    const p = o as HamiltonianPair;
    if (!p || typeof p !== 'object') fail(fn, `${label} must be a parametric operator or a pair { f, g } of models`);
    const f = checkModel(fn, `${label}.f`, p.f), g = checkModel(fn, `${label}.g`, p.g);
    return { f, g };
  };
  // The spec records what a factory returned (k => value[k] when loaded).
  const factory = recordFactory(spec);
  const pairs = blockModels(fn, 'block', factory.arg, grid.nBlocks, toPair);
  const mY = pairs[0].f.nOut, mZ = pairs[0].f.nIn;
  pairs.forEach(({ f, g }, k) => {
    if (f.nParams !== g.nParams) fail(fn, `block ${k}: f has ${f.nParams} parameters but g has ${g.nParams}; they share one vector (use bias 'scalar' or 'none' for a non-square K)`);
    if (f.nOut !== mY || f.nIn !== mZ) fail(fn, `block ${k}: f maps ${f.nIn} → ${f.nOut}, expected ${mZ} → ${mY}`);
    if (g.nIn !== mY || g.nOut !== mZ) fail(fn, `block ${k}: g maps ${g.nIn} → ${g.nOut}, expected ${mY} → ${mZ}`);
  });
  const inputMode = options.input ?? 'Y', outputMode = options.output ?? 'Y';
  if (inputMode !== 'Y' && inputMode !== 'YZ') fail(fn, `input must be 'Y' or 'YZ', got ${String(inputMode)}`);
  if (outputMode !== 'Y' && outputMode !== 'YZ') fail(fn, `output must be 'Y' or 'YZ', got ${String(outputMode)}`);
  const width0 = inputMode === 'Y' ? mY : mY + mZ;
  const opening = options.opening === undefined ? null : checkModel(fn, 'opening', options.opening);
  if (opening && opening.nOut !== width0) fail(fn, `opening has nOut = ${opening.nOut}, expected ${width0} (${inputMode === 'Y' ? 'the width of Y' : 'mY + mZ'})`);
  const layout = blockLayout(opening ? opening.nParams : 0, pairs.map((p) => p.f.nParams));
  const { nParams } = layout;
  const N = grid.steps, h = grid.h;
  const nIn = opening ? opening.nIn : width0;
  const nOut = outputMode === 'Y' ? mY : mY + mZ;
  const fb = pairs[0].f.stateBytesPerExample, gb = pairs[0].g.stateBytesPerExample;
  const bytes = typeof fb === 'number' && typeof gb === 'number' ? sumBytes([opening], 8 * (mY + mZ) * (N + 1) + N * (fb + gb)) : undefined;

  /** Initial (Y_0, Z_0) data from the network's initial state matrix. */
  const splitInput = (S: Float64Array, n: number): [Float64Array, Float64Array | null] => (inputMode === 'Y' ? [S, null] : unstack(S, mY, mZ, n));

  const jvpSteps = (x: Float64Array, state: HamiltonianState, dx: Float64Array | null, dY: Matrix | null, keep: boolean) => {
    const n = state.output.shape[1];
    const d0 = openingJvp(opening, layout, x, state.openingState, dx, dY);
    let [dYj, dZj]: [Float64Array | null, Float64Array | null] = d0 ? splitInput(dataOf(d0), n) : [null, null];
    const all: Matrix[] = [];
    const record = () => all.push(matrix(mY + mZ, n, stack(dYj ?? new Float64Array(mY * n), dZj, mY, mZ, n)));
    if (keep) record();
    for (let j = 0; j < N; j++) {
      const k = grid.blockOfStep[j];
      const { f, g } = pairs[k];
      const p = layout.piece(x, k);
      const dp0 = dx ? layout.piece(dx, k) : null;
      const dp = dp0 && dp0.length > 0 ? dp0 : null;
      if (dZj || dp) {
        const t = dataOf(f.jvp(p, state.fStates[j], dp, dZj ? matrix(mZ, n, dZj) : null));
        const next = dYj ? Float64Array.from(dYj) : new Float64Array(mY * n);
        addScaled(next, h, t);
        dYj = next;
      }
      if (dYj || dp) {
        const t = dataOf(g.jvp(p, state.gStates[j], dp, dYj ? matrix(mY, n, dYj) : null));
        const next = dZj ? Float64Array.from(dZj) : new Float64Array(mZ * n);
        addScaled(next, -h, t);
        dZj = next;
      }
      if (keep) record();
    }
    return { dYN: dYj, dZN: dZj, all };
  };

  return withSpec({
    name: `hamiltonianNetwork(verlet, N=${N}, T=${grid.T}, weights=${grid.sharing}, f=${pairs[0].f.name})`,
    grid,
    pairs,
    opening,
    widthY: mY,
    widthZ: mZ,
    nParams,
    nIn,
    nOut,
    stateBytesPerExample: bytes,

    forward(x: Float64Array, Yin: Matrix): HamiltonianState {
      checkForwardArgs(`${fn}.forward`, x, Yin, nParams, nIn);
      const n = Yin.shape[1];
      const { Y0, state: openingState } = openingForward(opening, layout, x, Yin);
      const [y0, z0] = splitInput(dataOf(Y0), n);
      let Yj = matrix(mY, n, Float64Array.from(y0));
      let Zj = z0 ? matrix(mZ, n, z0) : zeros(mZ, n);
      const Ys = [Yj], Zs = [Zj], fStates: ModelState[] = [], gStates: ModelState[] = [];
      for (let j = 0; j < N; j++) {
        const k = grid.blockOfStep[j];
        const { f, g } = pairs[k];
        const p = layout.piece(x, k);
        const fs = f.forward(p, Zj);
        const y = Float64Array.from(Yj.data);
        addScaled(y, h, dataOf(fs.output));
        Yj = matrix(mY, n, y);
        const gs = g.forward(p, Yj);
        const z = Float64Array.from(Zj.data);
        addScaled(z, -h, dataOf(gs.output));
        Zj = matrix(mZ, n, z);
        fStates.push(fs);
        gStates.push(gs);
        Ys.push(Yj);
        Zs.push(Zj);
      }
      const output = outputMode === 'Y' ? Yj : matrix(mY + mZ, n, stack(Yj.data, Zj.data, mY, mZ, n));
      return { output, openingState, Y: Ys, Z: Zs, fStates, gStates };
    },

    jvp(x: Float64Array, state: HamiltonianState, dx: Float64Array | null, dY: Matrix | null): Matrix {
      const n = checkState(`${fn}.jvp`, state, nOut);
      checkJvpArgs(`${fn}.jvp`, x, dx, dY, nParams, nIn, n);
      const { dYN, dZN } = jvpSteps(x, state, dx, dY, false);
      if (outputMode === 'Y') return dYN ? matrix(mY, n, dYN === (dY && dataOf(dY)) ? Float64Array.from(dYN) : dYN) : zeros(mY, n);
      return matrix(mY + mZ, n, stack(dYN ?? new Float64Array(mY * n), dZN, mY, mZ, n));
    },

    jvpTrajectory(x: Float64Array, state: HamiltonianState, dx: Float64Array | null, dY: Matrix | null): Matrix[] {
      const n = checkState(`${fn}.jvpTrajectory`, state, nOut);
      checkJvpArgs(`${fn}.jvpTrajectory`, x, dx, dY, nParams, nIn, n);
      return jvpSteps(x, state, dx, dY, true).all;
    },

    vjp(x: Float64Array, state: HamiltonianState, dZ: Matrix): { dx: Float64Array; dY: Matrix } {
      const n = checkState(`${fn}.vjp`, state, nOut);
      checkVjpArgs(`${fn}.vjp`, x, dZ, nParams, nOut, n);
      const dx = new Float64Array(nParams);
      let WY: Float64Array, WZ: Float64Array;
      if (outputMode === 'Y') {
        WY = Float64Array.from(dataOf(dZ));
        WZ = new Float64Array(mZ * n);
      } else {
        [WY, WZ] = unstack(dataOf(dZ), mY, mZ, n);
      }
      const scaled = (a: number, v: Float64Array, rows: number) => {
        const out = new Float64Array(v.length);
        addScaled(out, a, v);
        return matrix(rows, n, out);
      };
      for (let j = N - 1; j >= 0; j--) {
        const k = grid.blockOfStep[j];
        const { f, g } = pairs[k];
        const p = layout.piece(x, k), off = layout.offsets[k];
        // Z_{j+1} = Z_j − h g(θ, Y_{j+1})
        const rg = g.vjp(p, state.gStates[j], scaled(-h, WZ, mZ));
        addScaled(WY, 1, dataOf(rg.dY));
        // Y_{j+1} = Y_j + h f(θ, Z_j)
        const rf = f.vjp(p, state.fStates[j], scaled(h, WY, mY));
        addScaled(WZ, 1, dataOf(rf.dY));
        for (let q = 0; q < rg.dx.length; q++) dx[off + q] += rg.dx[q] + rf.dx[q];
      }
      const W0 = inputMode === 'Y' ? matrix(mY, n, WY) : matrix(mY + mZ, n, stack(WY, WZ, mY, mZ, n));
      const dY = openingVjp(opening, layout, x, state.openingState, W0, dx);
      return { dx, dY };
    },

    initialize(rng: Rng): Float64Array {
      return layoutInitialize(layout, opening, (k, r) => pairs[k].f.initialize(r), rng);
    },

    paramBlocks(): ParamBlock[] {
      return layoutBlocks(layout, grid, opening, (k) => pairs[k].f.paramBlocks());
    },
  }, 'hamiltonianNetwork', [factory.recorded(), options]);
}
