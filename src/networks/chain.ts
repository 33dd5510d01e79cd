/**
 * A chain (composition) of models: the plain deep network
 * Y_{j+1} = F_j(x_j, Y_j), e.g. Y_{j+1} = σ(K_j Y_j + b_j).
 */
import { fail } from '../core/errors.js';
import { zeros, type Matrix } from '../core/matrix.js';
import type { Rng } from '../core/rng.js';
import { checkForwardArgs, checkJvpArgs, checkState, checkVjpArgs } from '../layers/checks.js';
import { checkModel } from './modelChecks.js';
import { prefixBlocks } from './params.js';
import type { Model, ModelState, ParamBlock, VjpOptions } from './types.js';
import { withSpec } from '../core/spec.js';

/** What a chain's forward keeps: each model's state, in order. */
export interface ChainState extends ModelState {
  /** states[j] is the state of models[j]; states[j+1]'s input is states[j].output. */
  states: ModelState[];
}

/** A chain as a {@link Model}. */
export interface ChainModel extends Model<ChainState> {
  readonly models: readonly Model[];
  /** offsets[j]: where models[j]'s parameters start in x. */
  readonly offsets: readonly number[];
}

/**
 * F(x, Y) = F_{L−1}(x_{L−1}, … F_1(x_1, F_0(x_0, Y))): models applied in order,
 * x = [x_0; x_1; …] their parameter vectors concatenated. Chain rule:
 * jvp runs forward, dY_{j+1} = J_{x_j} dx_j + J_{Y_j} dY_j; vjp runs backward,
 * (dx_j, W_j) = F_jᵀ-products of W_{j+1} starting from W_L = dZ.
 * `vjp(x, state, dZ, { input: false })` passes the option to the first model
 * only (its input gradient is the chain's; the others are needed).
 * Memory: the sum of the models' states (each intermediate Y_j is the previous
 * model's output, stored once).
 * `initialize(rng)` concatenates the models' own initializations, in order.
 * Parameter blocks are named `layer<j>.<child block>`.
 * @param models at least one model; models[j].nOut must equal models[j+1].nIn
 * @returns the chained model, nIn = models[0].nIn, nOut = models[L−1].nOut
 * @throws `chain: model 1 has nIn = 5 but model 0 has nOut = 4`
 * @example const mlp = chain([singleLayer(dense(8, 2)), singleLayer(dense(8, 8))]); mlp.nOut // 8
 */
export function chain(models: Model[]): ChainModel {
  const fn = 'chain';
  if (!Array.isArray(models) || models.length === 0) fail(fn, 'models must be a non-empty array');
  models.forEach((m, j) => checkModel(fn, `models[${j}]`, m));
  for (let j = 0; j + 1 < models.length; j++) {
    if (models[j + 1].nIn !== models[j].nOut) fail(fn, `model ${j + 1} has nIn = ${models[j + 1].nIn} but model ${j} has nOut = ${models[j].nOut}`);
  }
  const ms = models.slice();
  const L = ms.length;
  const offsets: number[] = [];
  let nParams = 0;
  for (const m of ms) {
    offsets.push(nParams);
    nParams += m.nParams;
  }
  const nIn = ms[0].nIn, nOut = ms[L - 1].nOut;
  const piece = (x: Float64Array, j: number) => x.subarray(offsets[j], offsets[j] + ms[j].nParams);
  const bytes = ms.every((m) => typeof m.stateBytesPerExample === 'number') ? ms.reduce((s, m) => s + (m.stateBytesPerExample as number), 0) : undefined;

  function vjp(x: Float64Array, state: ChainState, dZ: Matrix): { dx: Float64Array; dY: Matrix };
  function vjp(x: Float64Array, state: ChainState, dZ: Matrix, opts?: VjpOptions): { dx: Float64Array; dY: Matrix | null };
  function vjp(x: Float64Array, state: ChainState, dZ: Matrix, opts?: VjpOptions): { dx: Float64Array; dY: Matrix | null } {
    const n = checkState(`${fn}.vjp`, state, nOut);
    checkVjpArgs(`${fn}.vjp`, x, dZ, nParams, nOut, n);
    const dx = new Float64Array(nParams);
    let w = dZ;
    // Backward sweep: W_j = J_{Y_j}ᵀ W_{j+1}, dx_j = J_{x_j}ᵀ W_{j+1}.
    for (let j = L - 1; j > 0; j--) {
      const r = ms[j].vjp(piece(x, j), state.states[j], w);
      dx.set(r.dx, offsets[j]);
      w = r.dY;
    }
    // The first model's input gradient is the chain's: skipped when not wanted.
    const r = opts?.input === false ? ms[0].vjp(piece(x, 0), state.states[0], w, opts) : ms[0].vjp(piece(x, 0), state.states[0], w);
    dx.set(r.dx, offsets[0]);
    return { dx, dY: r.dY };
  }

  return withSpec({
    name: `chain[${ms.map((m) => m.name).join(', ')}]`,
    models: ms,
    offsets,
    nParams,
    nIn,
    nOut,
    stateBytesPerExample: bytes,

    forward(x: Float64Array, Y: Matrix): ChainState {
      checkForwardArgs(`${fn}.forward`, x, Y, nParams, nIn);
      const states: ModelState[] = [];
      let cur = Y;
      for (let j = 0; j < L; j++) {
        const s = ms[j].forward(piece(x, j), cur);
        states.push(s);
        cur = s.output;
      }
      return { output: cur, states };
    },

    jvp(x: Float64Array, state: ChainState, dx: Float64Array | null, dY: Matrix | null): Matrix {
      const n = checkState(`${fn}.jvp`, state, nOut);
      checkJvpArgs(`${fn}.jvp`, x, dx, dY, nParams, nIn, n);
      // Linearised forward sweep; a null direction stays null until a layer's dx starts it.
      let d: Matrix | null = dY;
      for (let j = 0; j < L; j++) {
        const dxj = dx ? piece(dx, j) : null;
        if (d || (dxj && dxj.length > 0)) d = ms[j].jvp(piece(x, j), state.states[j], dxj, d);
      }
      return d && d !== dY ? d : zeros(nOut, n);
    },

    vjp,

    initialize(rng: Rng): Float64Array {
      const x = new Float64Array(nParams);
      for (let j = 0; j < L; j++) x.set(ms[j].initialize(rng), offsets[j]);
      return x;
    },

    paramBlocks(): ParamBlock[] {
      return ms.flatMap((m, j) => prefixBlocks(`layer${j}`, offsets[j], m.paramBlocks()));
    },
  }, 'chain', [ms]);
}
