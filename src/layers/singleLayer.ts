/**
 * The single layer Z = σ(K(θ) Y + b) for any parametric operator K(θ).
 */
import { checkNumber, fail } from '../core/errors.js';
import { columnMajorData, ensureColumnMajor, matrix, zeros, type Matrix } from '../core/matrix.js';
import type { Rng } from '../core/rng.js';
import type { Model, ModelState, ParamBlock } from '../networks/types.js';
import type { ParametricOperator } from '../operators/types.js';
import type { Activation } from './types.js';
import { resolveActivation, type ActivationName, type ActivationKernel } from './activations/index.js';
import { checkForwardArgs, checkJvpArgs, checkOperator, checkState, checkVjpArgs } from './checks.js';

/** How the bias b enters σ(K Y + b). */
export type BiasKind = 'scalar' | 'vector' | 'none';

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

/** What {@link singleLayer}'s forward keeps: the input (referenced) and A = σ'(K Y + b). */
export interface SingleLayerState extends ModelState {
  /** Z = σ(K Y + b), nOut × n. */
  output: Matrix;
  /** Y, nIn × n — the caller's matrix, referenced, not copied: do not modify it before the derivatives are taken. */
  input: Matrix;
  /** A = σ'(K Y + b), nOut × n. */
  derivative: Matrix;
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
}

/**
 * Operators may report their output channels (convolutions), used for
 * per-channel biases: an explicit `nChannelsOut`, or conv2d's
 * `kernel: [kx, ky, cin, cout]`.
 */
interface ChannelInfo {
  nChannelsOut?: number;
  kernel?: unknown;
}

/** Output channels reported by `op`, or undefined. */
function outputChannels(op: ParametricOperator & ChannelInfo): number | undefined {
  if (op.nChannelsOut !== undefined) return op.nChannelsOut;
  if (Array.isArray(op.kernel) && op.kernel.length === 4) return op.kernel[3] as number;
  return undefined;
}

/** M itself if it is contiguous column-major and shares no storage with `inputs`, else a copy (so in-place updates are safe). */
type JvpAt = NonNullable<ParametricOperator['jvpAt']>;
type VjpAt = NonNullable<ParametricOperator['vjpAt']>;

function owned(M: Matrix, ...inputs: (Matrix | null)[]): Matrix {
  const C = ensureColumnMajor(M);
  for (const I of inputs) if (I && C.data === I.data) return matrix(C.shape[0], C.shape[1], Float64Array.from(C.data));
  return C;
}

/**
 * Z = σ(K(θ) Y + b): a single layer over any {@link ParametricOperator}, with
 * parameters x = [θ; b] (θ first, DESIGN.md §1). With A = σ'(K Y + b) kept by
 * forward, the products are (DESIGN.md §2)
 *   J_θ dθ = A ∘ (K(dθ) Y),  J_θᵀ W = op.vjp(A ∘ W, Y)
 *     (for an operator nonlinear in θ, `op.linear === false`, its jvpAt/vjpAt at θ),
 *   J_b db = A ∘ (B db),      J_bᵀ W = Bᵀ(A ∘ W)  (sums of A ∘ W over each bias's rows and all columns),
 *   J_Y dY = A ∘ (K(θ) dY),   J_Yᵀ W = K(θ)ᵀ (A ∘ W),
 * where B spreads b over the rows (scalar: all rows; vector: per row or per channel).
 *
 * Memory: forward keeps Z and A (2·nOut doubles = 16·nOut bytes per example)
 * and a reference to Y.
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
  checkOperator(fn, op);
  const activation = resolveActivation(fn, options.activation);
  const biasKind: BiasKind = options.bias ?? 'scalar';
  if (biasKind !== 'scalar' && biasKind !== 'vector' && biasKind !== 'none') fail(fn, `bias must be 'scalar', 'vector' or 'none', got ${String(biasKind)}`);
  const gain = checkNumber(fn, 'initGain', options.initGain ?? 1, { min: 0 });
  const { nIn, nOut, nTheta } = op;
  // Rows i of K Y + b receive b[floor(i / groupSize)]: one group per bias entry.
  let nBias: number, groupSize: number;
  if (biasKind === 'none') {
    nBias = 0;
    groupSize = Math.max(nOut, 1);
  } else if (biasKind === 'scalar') {
    nBias = 1;
    groupSize = Math.max(nOut, 1);
  } else {
    const ch = outputChannels(op);
    if (ch !== undefined && ch !== nOut) {
      if (!Number.isInteger(ch) || ch <= 0 || nOut % ch !== 0) fail(fn, `op.nChannelsOut = ${ch} does not divide nOut = ${nOut}`);
      nBias = ch;
      groupSize = nOut / ch;
    } else {
      nBias = nOut;
      groupSize = 1;
    }
  }
  const nParams = nTheta + nBias;
  // Operators nonlinear in θ (e.g. separable convolutions) give their Jacobian at θ through jvpAt/vjpAt.
  const nonlinear = op.linear === false;
  if (nonlinear && (typeof op.jvpAt !== 'function' || typeof op.vjpAt !== 'function')) fail(fn, `op ${op.name} is nonlinear in θ but has no jvpAt/vjpAt`);
  const kernel: ActivationKernel | null = typeof activation.evaluateInto === 'function' ? activation.evaluateInto.bind(activation) : null;
  const name = `singleLayer(${op.name ?? 'op'}, ${activation.name}, bias=${biasKind}${nBias > 1 ? `[${nBias}]` : ''})`;

  const model: SingleLayerModel = {
    name,
    op,
    activation,
    biasKind,
    nBias,
    nParams,
    nIn,
    nOut,
    stateBytesPerExample: 16 * nOut,

    forward(x: Float64Array, Y: Matrix): SingleLayerState {
      checkForwardArgs(`${fn}.forward`, x, Y, nParams, nIn);
      const n = Y.shape[1];
      const theta = x.subarray(0, nTheta);
      // Pre-activation K Y + b, overwritten in place by σ (the kernel allows aliasing).
      const P = owned(op.apply(theta, Y), Y);
      const p = P.data;
      if (nBias > 0) {
        for (let j = 0; j < n; j++) {
          const base = j * nOut;
          for (let i = 0; i < nOut; i++) p[base + i] += x[nTheta + ((i / groupSize) | 0)];
        }
      }
      let derivative: Matrix;
      if (kernel) {
        derivative = zeros(nOut, n);
        kernel(p, p, derivative.data);
        return { output: P, input: Y, derivative };
      }
      const r = activation.evaluate(P);
      return { output: ensureColumnMajor(r.value), input: Y, derivative: ensureColumnMajor(r.derivative) };
    },

    jvp(x: Float64Array, state: SingleLayerState, dx: Float64Array | null, dY: Matrix | null): Matrix {
      const n = checkState(`${fn}.jvp`, state, nOut);
      checkJvpArgs(`${fn}.jvp`, x, dx, dY, nParams, nIn, n);
      const Y = state.input;
      let T: Matrix | null = null;
      // T = K(dθ) Y + B db + K(θ) dY, then J v = A ∘ T.
      if (dx) {
        const dTheta = dx.subarray(0, nTheta);
        T = owned(nonlinear ? (op.jvpAt as JvpAt)(x.subarray(0, nTheta), dTheta, Y) : op.jvp(dTheta, Y), Y);
        if (nBias > 0) {
          const t = T.data;
          for (let j = 0; j < n; j++) {
            const base = j * nOut;
            for (let i = 0; i < nOut; i++) t[base + i] += dx[nTheta + ((i / groupSize) | 0)];
          }
        }
      }
      if (dY) {
        const U = ensureColumnMajor(op.apply(x.subarray(0, nTheta), dY));
        if (T) {
          const t = T.data, u = U.data;
          for (let k = 0; k < t.length; k++) t[k] += u[k];
        } else {
          T = owned(U, dY);
        }
      }
      if (!T) return zeros(nOut, n);
      const t = T.data, a = columnMajorData(state.derivative);
      for (let k = 0; k < t.length; k++) t[k] *= a[k];
      return T;
    },

    vjp(x: Float64Array, state: SingleLayerState, dZ: Matrix): { dx: Float64Array; dY: Matrix } {
      const n = checkState(`${fn}.vjp`, state, nOut);
      checkVjpArgs(`${fn}.vjp`, x, dZ, nParams, nOut, n);
      // G = A ∘ dZ is shared by all three transposes.
      const w = columnMajorData(dZ), a = columnMajorData(state.derivative);
      const G = zeros(nOut, n);
      const g = G.data;
      for (let k = 0; k < g.length; k++) g[k] = a[k] * w[k];
      const dx = new Float64Array(nParams);
      if (nTheta > 0) dx.set(nonlinear ? (op.vjpAt as VjpAt)(x.subarray(0, nTheta), G, state.input) : op.vjp(G, state.input), 0);
      if (nBias > 0) {
        for (let j = 0; j < n; j++) {
          const base = j * nOut;
          for (let i = 0; i < nOut; i++) dx[nTheta + ((i / groupSize) | 0)] += g[base + i];
        }
      }
      const dY = ensureColumnMajor(op.applyTranspose(x.subarray(0, nTheta), G));
      return { dx, dY };
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
      if (nBias > 0) blocks.push({ name: 'bias', offset: nTheta, length: nBias });
      return blocks;
    },
  };
  return model;
}
