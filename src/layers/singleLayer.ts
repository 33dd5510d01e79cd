/**
 * The single layer Z = σ(K(θ) Y + b) for any parametric operator K(θ): its
 * options, checks and initialisation, and the one place that chooses how its
 * products run (./genericProducts.ts for any operator, ./fusedDenseProducts.ts
 * for dense operators on the WebAssembly kernels). The formulas are in
 * ./layerProducts.ts.
 */
import { checkNumber, fail } from '../core/errors.js';
import { columnMajorData, isColumnMajor, zeros, type Matrix } from '../core/matrix.js';
import type { Model, ParamBlock, VjpOptions } from '../core/model.js';
import type { Rng } from '../core/rng.js';
import { getKernelBackend } from '../core/wasm/backend.js';
import { wasmAvailable } from '../core/wasm/module.js';
import type { ParametricOperator } from '../operators/types.js';
import { resolveActivation, type ActivationName } from './activations/index.js';
import { biasLayout, type BiasKind } from './bias.js';
import { checkForwardArgs, checkJvpArgs, checkOperator, checkState, checkVjpArgs } from './checks.js';
import { DenseStateCopies, fusedDenseEligible, fusedDenseProducts } from './fusedDenseProducts.js';
import { genericProducts } from './genericProducts.js';
import type { LayerProducts, LayerSpec, SingleLayerState } from './layerProducts.js';
import type { Activation } from './types.js';
import { checkOptions } from '../core/options.js';
import { withSpec } from '../core/spec.js';

export type { BiasKind } from './bias.js';
export type { SingleLayerState } from './layerProducts.js';

/** Options of {@link singleLayer}. */
export interface SingleLayerOptions {
  /** σ, by name or object (default `'tanh'`). */
  activation?: ActivationName | Activation;
  /**
   * `'scalar'` (default): one b added to every entry, as in the lecture;
   * `'vector'`: one b per output channel when the operator reports
   * `nChannelsOut` or a conv2d `kernel: [kx, ky, cin, cout]` (rows `ic·P … (ic+1)·P − 1` share b_ic,
   * P = nOut / nChannelsOut pixels), otherwise one per output row;
   * `'none'`: no bias.
   */
  bias?: BiasKind;
  /** Multiplies the initial weight scale of {@link SingleLayerModel.initialize} (default 1). */
  initGain?: number;
}

/** A single layer as a {@link Model}, x = [θ; b]. */
export interface SingleLayerModel extends Model<SingleLayerState> {
  readonly op: ParametricOperator;
  readonly activation: Activation;
  readonly biasKind: BiasKind;
  /** Length of b: 1, nOut, nChannelsOut or 0. */
  readonly nBias: number;
  /** Bytes kept per example: A and Z, 2·nOut doubles. */
  readonly stateBytesPerExample: number;
  /** dY + h·(J_x dx + J_Y dY) in one pass (nIn = nOut only), see {@link Model.residualJvp}. */
  residualJvp(x: Float64Array, state: SingleLayerState, dx: Float64Array | null, dY: Matrix | null, h: number, out?: Matrix): Matrix;
  /** The state of forward with output Y + h·σ(K Y + b) (nIn = nOut only), see {@link Model.residualForward}. */
  residualForward(x: Float64Array, Y: Matrix, h: number): SingleLayerState;
  /** (J_xᵀ dZ, dZ + h·J_Yᵀ dZ) (nIn = nOut only), see {@link Model.residualVjp}. */
  residualVjp(x: Float64Array, state: SingleLayerState, dZ: Matrix, h: number, out?: Matrix): { dx: Float64Array; dY: Matrix };
  /** Whether this layer's products take the fused WebAssembly dense-layer kernels when they are selected (see {@link singleLayer}). */
  readonly fusedDense: boolean;
  /**
   * Give back the WebAssembly memory the layer keeps between calls (resident
   * copies of its last state, at most 1 MiB); the layer stays usable and
   * allocates again when needed. Garbage collection does the same for a
   * dropped layer, later.
   */
  dispose(): void;
}

/** Whether two typed arrays overlap in memory. */
function sharesStorage(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/**
 * Check a destination `out` of residualJvp / residualVjp: rows × n,
 * contiguous column-major, and not sharing storage with the input or the state.
 */
function checkDestination(fn: string, out: Matrix, rows: number, n: number, input: Matrix | null, state: SingleLayerState): void {
  if (!out || !Array.isArray(out.shape) || !(out.data instanceof Float64Array)) fail(fn, 'out must be a float64 matrix');
  if (out.shape[0] !== rows || out.shape[1] !== n) fail(fn, `out is ${out.shape[0]}×${out.shape[1]} but the result is ${rows}×${n}`);
  if (!isColumnMajor(out)) fail(fn, 'out must be contiguous column-major');
  for (const M of [input, state.input, state.derivative]) {
    if (M && sharesStorage(M.data, out.data)) fail(fn, 'out shares storage with an input or the layer state');
  }
}

/**
 * Z = σ(K(θ) Y + b): a single layer over any {@link ParametricOperator}, with
 * parameters x = [θ; b] (θ first, docs/conventions.md §1). With A = σ'(K Y + b) kept by
 * forward, the products are (docs/conventions.md §2)
 *   J_θ dθ = A ∘ (K(dθ) Y),  J_θᵀ W = op.vjp(A ∘ W, Y)
 *     (for an operator nonlinear in θ, `op.linear === false`, its jvpAt/vjpAt at θ),
 *   J_b db = A ∘ (B db),      J_bᵀ W = Bᵀ(A ∘ W)  (sums of A ∘ W over each bias's rows and all columns),
 *   J_Y dY = A ∘ (K(θ) dY),   J_Yᵀ W = K(θ)ᵀ (A ∘ W),
 * where B spreads b over the rows (scalar: all rows; vector: per row or per channel).
 *
 * Memory: forward keeps Z and A (2·nOut doubles = 16·nOut bytes per example)
 * and a reference to Y. Nothing else is kept between calls, except on the
 * fused path below: resident copies of the last state's Y and A, owned by the
 * layer and given back by `dispose()`.
 *
 * Cost: the bias and σ' are applied in fused passes over the data (jvp: one
 * pass after the two operator products; vjp: G = A ∘ W and Bᵀ G in one pass,
 * G fresh per call). `vjp(x, state, W, { input: false })`
 * skips J_Yᵀ W = K(θ)ᵀ G and returns `dY: null` (the objectives do so for their
 * model, whose input is the data). `residualJvp(x, state, dx, dY, h)` returns
 * dY + h·J[dx; dY] in the jvp's pass (for ResNet steps); `residualVjp(x, state, W, h)`
 * returns (J_xᵀ W, W + h·J_Yᵀ W); both take an optional destination.
 *
 * Fused WebAssembly path ({@link SingleLayerModel.fusedDense}): for a `dense`
 * operator with an even nOut and a scalar, per-row or no bias, forward, jvp,
 * vjp and their residual forms run as single WebAssembly passes over the
 * columns (src/layers/fusedDenseProducts.ts) whenever the wasm kernels are
 * selected, for any number of columns (a short last mini-batch runs the same
 * arithmetic as the full ones); results agree with the general path to rounding.
 *
 * `initialize(rng)`: θ = s·θ₀ with θ₀ ~ N(0, 1), b = 0, and s chosen so that
 * ‖K(sθ₀)‖_F² = nOut (times `initGain`²), i.e. each output of K(θ)y has unit
 * variance on average for inputs with unit-variance independent entries
 * (LeCun scaling; for a dense K this is θ ~ N(0, 1/nIn); for an operator
 * homogeneous of degree d in θ, e.g. a separable stencil with d = 2, s is
 * the d-th root). ‖K(θ₀)‖_F is
 * computed exactly by applying K(θ₀) to I when nIn ≤ 16, otherwise estimated
 * from 16 Gaussian probe columns (E‖K g‖² = ‖K‖_F²).
 *
 * @param op the operator K(θ): nIn → nOut, nTheta parameters
 * @param options activation (default tanh), bias (default 'scalar'), initGain
 * @returns the model, nParams = nTheta + nBias, nIn = op.nIn, nOut = op.nOut
 * @throws if op is not a ParametricOperator, the bias kind or activation is unknown,
 *   or a channel count does not divide nOut
 * @example
 * const layer = singleLayer(dense(4, 2), { activation: 'tanh', bias: 'vector' });
 * layer.nParams // 8 + 4 = 12
 * const { output } = layer.forward(layer.initialize(createRng(1)), Y); // 4 × n
 */
export function singleLayer(op: ParametricOperator, options: SingleLayerOptions = {}): SingleLayerModel {
  const fn = 'singleLayer';
  checkOptions(fn, options, ['activation', 'bias', 'initGain']);
  checkOperator(fn, op);
  const activation = resolveActivation(fn, options.activation);
  const bias = biasLayout(fn, op, options.bias ?? 'scalar');
  const gain = checkNumber(fn, 'initGain', options.initGain ?? 1, { min: 0 });
  const { nIn, nOut, nTheta } = op;
  const nParams = nTheta + bias.nBias;
  // Operators nonlinear in θ (e.g. separable convolutions) give their Jacobian at θ through jvpAt/vjpAt.
  const nonlinear = op.linear === false;
  if (nonlinear && (typeof op.jvpAt !== 'function' || typeof op.vjpAt !== 'function')) fail(fn, `op ${op.name} is nonlinear in θ but has no jvpAt/vjpAt`);
  const spec: LayerSpec = { op, activation, bias, nIn, nOut, nTheta, nParams };
  const name = `singleLayer(${op.name ?? 'op'}, ${activation.name}, bias=${bias.kind}${bias.nBias > 1 ? `[${bias.nBias}]` : ''})`;

  // Kernel dispatch, in one place: the fused WebAssembly products whenever the
  // layer qualifies and the wasm kernels are selected — for every number of
  // columns, so a short last mini-batch runs the same arithmetic as the full ones.
  const generic = genericProducts(spec);
  const fusedDense = fusedDenseEligible(spec);
  const copies = new DenseStateCopies(nIn, nOut);
  const fused = fusedDense ? fusedDenseProducts(spec, copies) : null;
  const products = (): LayerProducts => (fused && getKernelBackend() === 'wasm' && wasmAvailable() ? fused : generic);
  const needSquare = (f: string): void => {
    if (nIn !== nOut) fail(f, `a residual step needs nIn = nOut, got ${nIn} → ${nOut}`);
  };

  function vjp(x: Float64Array, state: SingleLayerState, dZ: Matrix): { dx: Float64Array; dY: Matrix };
  function vjp(x: Float64Array, state: SingleLayerState, dZ: Matrix, opts?: VjpOptions): { dx: Float64Array; dY: Matrix | null };
  function vjp(x: Float64Array, state: SingleLayerState, dZ: Matrix, opts?: VjpOptions): { dx: Float64Array; dY: Matrix | null } {
    const n = checkState(`${fn}.vjp`, state, nOut);
    checkVjpArgs(`${fn}.vjp`, x, dZ, nParams, nOut, n);
    return products().vjp(x, state, dZ, opts?.input !== false, 1, false);
  }

  const model: SingleLayerModel = {
    name,
    op,
    activation,
    biasKind: bias.kind,
    nBias: bias.nBias,
    nParams,
    nIn,
    nOut,
    stateBytesPerExample: 16 * nOut,
    fusedDense,

    forward(x: Float64Array, Y: Matrix): SingleLayerState {
      checkForwardArgs(`${fn}.forward`, x, Y, nParams, nIn);
      return products().forward(x, Y, 1, false);
    },

    jvp(x: Float64Array, state: SingleLayerState, dx: Float64Array | null, dY: Matrix | null): Matrix {
      const n = checkState(`${fn}.jvp`, state, nOut);
      checkJvpArgs(`${fn}.jvp`, x, dx, dY, nParams, nIn, n);
      if (!dx && !dY) return zeros(nOut, n);
      return products().jvp(x, state, dx, dY, 1, false);
    },

    vjp,

    residualForward(x: Float64Array, Y: Matrix, h: number): SingleLayerState {
      const f = `${fn}.residualForward`;
      checkForwardArgs(f, x, Y, nParams, nIn);
      needSquare(f);
      checkNumber(f, 'h', h);
      return products().forward(x, Y, h, true);
    },

    residualJvp(x: Float64Array, state: SingleLayerState, dx: Float64Array | null, dY: Matrix | null, h: number, out?: Matrix): Matrix {
      const f = `${fn}.residualJvp`;
      const n = checkState(f, state, nOut);
      checkJvpArgs(f, x, dx, dY, nParams, nIn, n);
      needSquare(f);
      checkNumber(f, 'h', h);
      if (out !== undefined) checkDestination(f, out, nOut, n, dY, state);
      if (!dx && !dY) {
        if (out === undefined) return zeros(nOut, n);
        columnMajorData(out).fill(0);
        return out;
      }
      return products().jvp(x, state, dx, dY, h, true, out);
    },

    residualVjp(x: Float64Array, state: SingleLayerState, dZ: Matrix, h: number, out?: Matrix): { dx: Float64Array; dY: Matrix } {
      const f = `${fn}.residualVjp`;
      const n = checkState(f, state, nOut);
      checkVjpArgs(f, x, dZ, nParams, nOut, n);
      needSquare(f);
      checkNumber(f, 'h', h);
      if (out !== undefined) checkDestination(f, out, nIn, n, dZ, state);
      return products().vjp(x, state, dZ, true, h, true, out) as { dx: Float64Array; dY: Matrix };
    },

    dispose(): void {
      copies.dispose();
    },

    initialize(rng: Rng): Float64Array {
      if (!rng || typeof rng.normalArray !== 'function') fail(`${fn}.initialize`, 'rng must be a generator from createRng(seed)');
      const x = new Float64Array(nParams);
      if (nTheta === 0) return x;
      const theta0 = rng.normalArray(nTheta);
      // ‖K(θ₀)‖_F²: exactly through K(θ₀) I for small nIn, else by Gaussian probes.
      const nProbe = nIn <= 16 ? nIn : 16;
      const probe = zeros(nIn, nProbe);
      if (nIn <= 16) for (let i = 0; i < nIn; i++) probe.data[i + i * nIn] = 1;
      else probe.data.set(rng.normalArray(nIn * nProbe));
      const fro2Of = (th: Float64Array) => {
        const KP = columnMajorData(op.apply(th, probe));
        let f = 0;
        for (let k = 0; k < KP.length; k++) f += KP[k] * KP[k];
        return nIn > 16 ? f / nProbe : f;
      };
      const fro2 = fro2Of(theta0);
      // K homogeneous of degree d in θ (d = 1 when linear): ‖K(sθ₀)‖_F = s^d ‖K(θ₀)‖_F.
      let degree = 1;
      if (nonlinear && fro2 > 0) {
        const d = 0.5 * Math.log2(fro2Of(Float64Array.from(theta0, (t) => 2 * t)) / fro2);
        if (Number.isFinite(d) && d > 0.25) degree = d;
      }
      const s = fro2 > 0 ? Math.pow((gain * gain * nOut) / fro2, 1 / (2 * degree)) : gain;
      for (let k = 0; k < nTheta; k++) x[k] = s * theta0[k];
      return x;
    },

    paramBlocks(): ParamBlock[] {
      const blocks: ParamBlock[] = [{ name: 'theta', offset: 0, length: nTheta }];
      if (bias.nBias > 0) blocks.push({ name: 'bias', offset: nTheta, length: bias.nBias });
      return blocks;
    },
  };
  return withSpec(model, 'singleLayer', [op, options]);
}
