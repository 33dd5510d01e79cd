/**
 * Residual network: forward Euler for dY/dt = F(x(t), Y), i.e.
 * Y_{j+1} = Y_j + h F_j(x_j, Y_j), e.g. F_j = σ(K_j Y_j + b_j).
 */
import { checkNumber, checkPositiveInt, fail } from '../core/errors.js';

/** Largest scratch buffer (entries) a ResNet keeps between calls: 2^20 doubles = 8 MiB. */
const SCRATCH_MAX = 1 << 20;
// Gives a collected network's resident scratch back to the arena.
const scratchRegistry = new FinalizationRegistry<Matrix>((M) => {
  releaseResident(M);
});
import { clone, columnMajorData, ensureColumnMajor, matrix, zeros, type Matrix } from '../core/matrix.js';
import type { Rng } from '../core/rng.js';
import { checkForwardArgs, checkJvpArgs, checkState, checkVjpArgs } from '../layers/checks.js';
import { checkModel } from './modelChecks.js';
import { isResident, releaseResident, residentAvailable, residentMatrix } from '../core/wasm/resident.js';
import { prefixBlocks } from './params.js';
import type { Model, ModelState, ParamBlock, VjpOptions } from './types.js';
import { checkOptions } from '../core/options.js';
import { withSpec } from '../core/spec.js';

/** Options of {@link resnet}. */
export interface ResNetOptions {
  /** Number of steps N. Required with a layer factory; with an array it must equal its length (or be omitted). */
  steps?: number;
  /** Step size h (default 1, the lecture's Y_{j+1} = Y_j + σ(K_j Y_j + b_j)); give `h` or `T`, not both. */
  h?: number;
  /** Final time T: h = T / N (the continuous-depth view). */
  T?: number;
  /**
   * An opening model applied first *without* identity term, Y_0 = G(x_G, Y)
   * — use it to change the width (e.g. a single layer nf → m). Its parameters come first in x.
   */
  opening?: Model;
  /**
   * Factor s of the opening's output, Y_0 = s·G(x_G, Y) (default 1). `'h'` is
   * the lecture's network (its ResNetForward.m: Y_1 = h·σ(K_1 Y_0 + b_1),
   * a first layer with P = 0). Needs an opening.
   */
  openingScale?: number | 'h';
}

/** What a ResNet's forward keeps. */
export interface ResNetState extends ModelState {
  /** Y_N, width × n. */
  output: Matrix;
  /** The opening's state (if there is an opening). */
  openingState: ModelState | null;
  /**
   * steps[j] is the state of step model F_j at input Y_j. To save memory, the
   * buffer of F_j's output is overwritten in place with Y_{j+1} = Y_j + h F_j,
   * so steps[j].output holds Y_{j+1} (steps[N−1].output is the network output).
   */
  steps: ModelState[];
}

/** A residual network as a {@link Model}. */
export interface ResNetModel extends Model<ResNetState> {
  readonly opening: Model | null;
  readonly layers: readonly Model[];
  readonly steps: number;
  readonly h: number;
  /** The factor s of the opening's output, Y_0 = s·G(Y) (1 unless `openingScale` was given). */
  readonly openingScale: number;
  /** The width m of Y_j (nIn = nOut = m of every step). */
  readonly width: number;
}

/**
 * Y ↦ Y_N with Y_0 = s·G(Y) (s = `openingScale`, default 1; Y_0 = Y without opening) and
 * Y_{j+1} = Y_j + h F_j(x_j, Y_j), j = 0 … N−1, each step with its own
 * parameters; x = [x_G; x_0; …; x_{N−1}] (blocks `opening.*`, `step<j>.*`).
 *
 * Derivatives (as the lecture's ResNet code does them):
 * - jvp, the forward-in-time linearised recursion
 *   dY_{j+1} = dY_j + h (J_{x_j} F_j dx_j + J_{Y_j} F_j dY_j);
 * - vjp, the backward (adjoint) recursion over the stored states, from W_N = dZ:
 *   dx_j = h J_{x_j}F_jᵀ W_{j+1},  W_j = W_{j+1} + h J_{Y_j}F_jᵀ W_{j+1},
 *   then the opening's transpose products on W_0.
 *
 * Steps that offer `residualJvp` (single layers) form dY_j + h J_j [dx_j; dY_j]
 * in one pass (the same numbers); `vjp(x, state, dZ, { input: false })` skips
 * the input gradient (the opening's, or the last Euler update without opening)
 * and returns `dY: null`.
 *
 * Memory: forward keeps per step what the backward sweep needs — Y_j and F_j's
 * own state; for single-layer steps that is A_j = σ'(K_j Y_j + b_j) and Y_{j+1}
 * (F_j's output buffer reused), i.e. 16·m·N bytes per example plus the
 * opening's state. Step models must not read `state.output` in their
 * derivative products (none of numdl's models do), since it is overwritten.
 *
 * `initialize(rng)`: the opening's then each step's own initialization, in order.
 * A ResNet whose steps have zero weights and σ(0) = 0 (tanh, relu, sin) is the identity map.
 *
 * @param layers the N step models F_j (each m → m), or a factory `j => F_j` (then `steps` is required)
 * @param options steps, h or T, opening
 * @returns the network, nIn = opening ? opening.nIn : m, nOut = m
 * @throws if a step changes the width, the opening's nOut is not m, steps/h/T are invalid
 * @example
 * const net = resnet((j) => singleLayer(dense(4, 4), { bias: 'vector' }), { steps: 8, T: 1, opening: singleLayer(dense(4, 2)) });
 * net.nIn // 2, net.nOut // 4
 */
export function resnet(layers: Model[] | ((j: number) => Model), options: ResNetOptions = {}): ResNetModel {
  const fn = 'resnet';
  checkOptions(fn, options, ['steps', 'h', 'T', 'opening', 'openingScale']);
  let steps: Model[];
  if (Array.isArray(layers)) {
    if (layers.length === 0) fail(fn, 'layers must be a non-empty array or a factory');
    if (options.steps !== undefined && options.steps !== layers.length) fail(fn, `steps = ${options.steps} but ${layers.length} layers were given`);
    steps = layers.slice();
  } else if (typeof layers === 'function') {
    const N = checkPositiveInt(fn, 'steps', options.steps);
    steps = [];
    for (let j = 0; j < N; j++) steps.push(layers(j));
  } else {
    return fail(fn, 'layers must be an array of models or a factory (j) => model');
  }
  steps.forEach((m, j) => checkModel(fn, `layer ${j}`, m));
  const N = steps.length;
  if (options.h !== undefined && options.T !== undefined) fail(fn, 'give h or T, not both');
  // A residual step Y + h F(Y) is forward Euler in time: h > 0 and T = N h > 0.
  const h = options.T !== undefined
    ? checkNumber(fn, 'T', options.T, { min: 0, exclusiveMin: true }) / N
    : checkNumber(fn, 'h', options.h ?? 1, { min: 0, exclusiveMin: true });
  const opening = options.opening === undefined ? null : checkModel(fn, 'opening', options.opening);
  const sOpen = options.openingScale === undefined || options.openingScale === 'h'
    ? (options.openingScale === 'h' ? h : 1)
    : checkNumber(fn, 'openingScale', options.openingScale);
  if (options.openingScale !== undefined && !opening) fail(fn, `openingScale = ${String(options.openingScale)} needs an opening model`);
  /** s·M as a new matrix (the opening's own buffers stay untouched); M itself when s = 1. */
  const scaleOpening = (M: Matrix): Matrix => {
    if (sOpen === 1) return M;
    const d = columnMajorData(M);
    const out = new Float64Array(d.length);
    for (let k = 0; k < d.length; k++) out[k] = sOpen * d[k];
    return matrix(M.shape[0], M.shape[1], out);
  };
  const width = steps[0].nIn;
  steps.forEach((m, j) => {
    if (m.nIn !== width || m.nOut !== width) fail(fn, `layer ${j} maps ${m.nIn} → ${m.nOut}, but a residual step must keep the width ${width} (use an opening layer to change it)`);
  });
  if (opening && opening.nOut !== width) fail(fn, `opening has nOut = ${opening.nOut}, expected the width ${width} of the steps`);

  const nOpen = opening ? opening.nParams : 0;
  const offsets: number[] = [];
  let nParams = nOpen;
  for (const m of steps) {
    offsets.push(nParams);
    nParams += m.nParams;
  }
  const nIn = opening ? opening.nIn : width;
  const nOut = width;
  const piece = (x: Float64Array, j: number) => x.subarray(offsets[j], offsets[j] + steps[j].nParams);
  const openPiece = (x: Float64Array) => x.subarray(0, nOpen);
  const bytes = steps.every((m) => typeof m.stateBytesPerExample === 'number') && (!opening || typeof opening.stateBytesPerExample === 'number')
    ? steps.reduce((s, m) => s + (m.stateBytesPerExample as number), opening ? (opening.stateBytesPerExample as number) : 0)
    : undefined;

  /** R ← D + h R in place on R's storage (R must be owned, contiguous, not aliasing D). */
  const eulerUpdate = (R: Matrix, D: Matrix | null): Matrix => {
    const r = R.data;
    if (D) {
      const d = columnMajorData(D);
      for (let k = 0; k < r.length; k++) r[k] = d[k] + h * r[k];
    } else {
      for (let k = 0; k < r.length; k++) r[k] *= h;
    }
    return R;
  };
  // Ping-pong buffers of the step-by-step recursions (jvp and vjp): steps
  // offering residualJvp / residualVjp write into them instead of allocating
  // one matrix per step. The buffer the last step writes is the fresh result;
  // the other one is this network's scratch, kept between calls up to
  // SCRATCH_MAX entries (it never leaves a call: no result aliases it).
  // With the WebAssembly kernels the scratch is resident (src/core/wasm/resident.ts),
  // so the fused dense steps read and write it in place; released with the network.
  let scratch: Matrix | null = null;
  const scratchToken = {};
  const scratchMatrix = (n: number): Matrix => {
    const len = width * n;
    if (len > SCRATCH_MAX) return matrix(width, n, new Float64Array(len));
    const wantResident = residentAvailable();
    if (!scratch || scratch.data.length < len || isResident(scratch) !== wantResident) {
      if (scratch) {
        scratchRegistry.unregister(scratchToken);
        releaseResident(scratch);
      }
      scratch = wantResident ? residentMatrix(width, n) : zeros(width, n);
      if (isResident(scratch)) scratchRegistry.register(network, scratch, scratchToken);
    }
    const d = scratch.data;
    return matrix(width, n, d.length === len ? d : d.subarray(0, len));
  };
  /** Destinations for steps first … last (in the order they run): the last one gets `result`. */
  const pingPong = (n: number) => {
    let result: Matrix | null = null, tmp: Matrix | null = null;
    return (stepsLeft: number): Matrix => {
      if (stepsLeft % 2 === 0) return (result ??= zeros(width, n));
      return (tmp ??= scratchMatrix(n));
    };
  };

  /** M as an owned, contiguous matrix not sharing storage with `other`. */
  const own = (M: Matrix, other: Matrix | null): Matrix => {
    const C = ensureColumnMajor(M);
    return other && C.data === other.data ? clone(C) : C;
  };

  function vjp(x: Float64Array, state: ResNetState, dZ: Matrix): { dx: Float64Array; dY: Matrix };
  function vjp(x: Float64Array, state: ResNetState, dZ: Matrix, opts?: VjpOptions): { dx: Float64Array; dY: Matrix | null };
  function vjp(x: Float64Array, state: ResNetState, dZ: Matrix, opts?: VjpOptions): { dx: Float64Array; dY: Matrix | null } {
    const n = checkState(`${fn}.vjp`, state, nOut);
    checkVjpArgs(`${fn}.vjp`, x, dZ, nParams, nOut, n);
    const skipInput = opts?.input === false;
    const dx = new Float64Array(nParams);
    let w = dZ;
    // The last residual step writes the fresh result (step 1 when step 0 only
    // takes its parameter gradient), the others alternate with the scratch.
    const jEnd = !opening && skipInput ? 1 : 0;
    const dest = pingPong(n);
    // Backward (adjoint) recursion over the stored states, j = N−1 … 0.
    for (let j = N - 1; j >= 0; j--) {
      // Without an opening, W_0 is the network's input gradient: not needed when skipped.
      const last = j === 0 && !opening && skipInput;
      const step = steps[j];
      if (!last && step.residualVjp) {
        // The step forms W_j = W_{j+1} + h J_Yᵀ W_{j+1} itself, in one pass.
        const r = step.residualVjp(piece(x, j), state.steps[j], w, h, dest(j - jEnd));
        const o = offsets[j], g = r.dx;
        for (let k = 0; k < g.length; k++) dx[o + k] = h * g[k];
        w = r.dY;
        continue;
      }
      const r = last ? steps[j].vjp(piece(x, j), state.steps[j], w, opts) : steps[j].vjp(piece(x, j), state.steps[j], w);
      const o = offsets[j], g = r.dx;
      for (let k = 0; k < g.length; k++) dx[o + k] = h * g[k];
      if (last) return { dx, dY: null };
      w = eulerUpdate(own(r.dY as Matrix, w), w);
    }
    if (opening) {
      // Y_0 = s·G: the adjoint of the scaling is the same scaling.
      w = scaleOpening(w);
      const r = skipInput ? opening.vjp(openPiece(x), state.openingState as ModelState, w, opts) : opening.vjp(openPiece(x), state.openingState as ModelState, w);
      dx.set(r.dx, 0);
      return { dx, dY: r.dY };
    }
    return { dx, dY: w === dZ ? matrix(nOut, n, Float64Array.from(columnMajorData(dZ))) : w };
  }

  const network: ResNetModel = {
    name: `resnet(N=${N}, h=${h}${opening ? `, opening=${sOpen !== 1 ? `${sOpen}·` : ''}${opening.name}` : ''}, step=${steps[0].name})`,
    opening,
    openingScale: sOpen,
    layers: steps,
    steps: N,
    h,
    width,
    nParams,
    nIn,
    nOut,
    stateBytesPerExample: bytes,

    forward(x: Float64Array, Y: Matrix): ResNetState {
      checkForwardArgs(`${fn}.forward`, x, Y, nParams, nIn);
      let openingState: ModelState | null = null;
      let cur = Y;
      if (opening) {
        openingState = opening.forward(openPiece(x), Y);
        cur = scaleOpening(openingState.output);
      }
      const states: ModelState[] = [];
      for (let j = 0; j < N; j++) {
        const step = steps[j];
        if (step.residualForward) {
          // The step forms Y_{j+1} = Y_j + h F_j(Y_j) itself, in one pass.
          const s = step.residualForward(piece(x, j), cur, h);
          cur = s.output;
          states.push(s);
          continue;
        }
        const s = step.forward(piece(x, j), cur);
        // Y_{j+1} = Y_j + h F_j(Y_j), written over F_j's output buffer.
        const out = own(s.output, cur);
        if (out !== s.output) s.output = out;
        cur = eulerUpdate(out, cur);
        states.push(s);
      }
      return { output: cur, openingState, steps: states };
    },

    jvp(x: Float64Array, state: ResNetState, dx: Float64Array | null, dY: Matrix | null): Matrix {
      const n = checkState(`${fn}.jvp`, state, nOut);
      checkJvpArgs(`${fn}.jvp`, x, dx, dY, nParams, nIn, n);
      let d: Matrix | null = dY;
      if (opening) {
        const dxo = dx ? openPiece(dx) : null;
        d = d || (dxo && dxo.length > 0) ? scaleOpening(opening.jvp(openPiece(x), state.openingState as ModelState, dxo, d)) : null;
      }
      // Forward-in-time linearised recursion dY_{j+1} = dY_j + h J_j [dx_j; dY_j].
      // Residual steps write into ping-pong buffers, the last one into the result.
      const dest = pingPong(n);
      for (let j = 0; j < N; j++) {
        const dxj = dx ? piece(dx, j) : null;
        if (!d && !(dxj && dxj.length > 0)) continue;
        const step = steps[j];
        if (step.residualJvp) {
          // The step forms dY_j + h J_j [dx_j; dY_j] itself, in one pass.
          d = step.residualJvp(piece(x, j), state.steps[j], dxj, d, h, dest(N - 1 - j));
        } else {
          d = eulerUpdate(own(step.jvp(piece(x, j), state.steps[j], dxj, d), d), d);
        }
      }
      return d && d !== dY ? d : zeros(nOut, n);
    },

    vjp,

    initialize(rng: Rng): Float64Array {
      const x = new Float64Array(nParams);
      if (opening) x.set(opening.initialize(rng), 0);
      for (let j = 0; j < N; j++) x.set(steps[j].initialize(rng), offsets[j]);
      return x;
    },

    paramBlocks(): ParamBlock[] {
      const blocks: ParamBlock[] = opening ? prefixBlocks('opening', 0, opening.paramBlocks()) : [];
      steps.forEach((m, j) => blocks.push(...prefixBlocks(`step${j}`, offsets[j], m.paramBlocks())));
      return blocks;
    },
  };
  return withSpec(network, 'resnet', [steps, options]);
}
