/**
 * The single layer Z = σ(K(θ) Y + b) for any parametric operator K(θ).
 */
import { checkNumber, fail } from '../core/errors.js';
import { columnMajorData, ensureColumnMajor, isColumnMajor, matrix, zeros, type Matrix } from '../core/matrix.js';
import type { Rng } from '../core/rng.js';
import type { Model, ModelState, ParamBlock, VjpOptions } from '../networks/types.js';
import type { ParametricOperator } from '../operators/types.js';
import type { Activation } from './types.js';
import { identityActivation, relu, resolveActivation, tanh, type ActivationName, type ActivationKernel } from './activations/index.js';
import { checkForwardArgs, checkJvpArgs, checkOperator, checkState, checkVjpArgs } from './checks.js';
import { getKernelBackend } from '../core/wasm/backend.js';
import { wasmAvailable } from '../core/wasm/module.js';
import { wasmDenseAffine, wasmDenseForward, wasmDenseJvp, wasmDenseVjp, type DenseActivationCode } from '../core/wasm/dense.js';
import { isResident, releaseResident, residentAvailable, residentMatrix } from '../core/wasm/resident.js';
import { checkOptions } from '../core/options.js';
import { withSpec } from '../core/spec.js';

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
  /** dY + h·(J_x dx + J_Y dY) in one pass (nIn = nOut only), see {@link Model.residualJvp}. */
  residualJvp(x: Float64Array, state: SingleLayerState, dx: Float64Array | null, dY: Matrix | null, h: number, out?: Matrix): Matrix;
  /** The state of forward with output Y + h·σ(K Y + b) (nIn = nOut only), see {@link Model.residualForward}. */
  residualForward(x: Float64Array, Y: Matrix, h: number): SingleLayerState;
  /** (J_xᵀ dZ, dZ + h·J_Yᵀ dZ) (nIn = nOut only), see {@link Model.residualVjp}. */
  residualVjp(x: Float64Array, state: SingleLayerState, dZ: Matrix, h: number, out?: Matrix): { dx: Float64Array; dY: Matrix };
  /** Whether this layer's products can take the fused WebAssembly dense-layer kernels (see {@link singleLayer}). */
  readonly fusedDense: boolean;
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

/** Largest scratch buffer (entries) kept between calls: 2^20 doubles = 8 MiB. */
const SCRATCH_MAX = 1 << 20;

// Scratch shared by every single layer (one buffer stays warm in cache across
// the layers of a network): G = A ∘ dZ of vjp, which only feeds op.vjp and
// op.applyTranspose and is dead when vjp returns (vjp is never re-entered from
// inside an operator product). Up to SCRATCH_MAX entries; larger products
// (e.g. a whole data set) allocate G per call instead of pinning that much memory.
let gBuf = new Float64Array(0);
/** A view of length `len` on the shared G scratch (a fresh array above SCRATCH_MAX). */
function scratchG(len: number): Float64Array {
  if (len > SCRATCH_MAX) return new Float64Array(len);
  if (gBuf.length < len) gBuf = new Float64Array(len);
  return gBuf.length === len ? gBuf : gBuf.subarray(0, len);
}
// Zeros standing in for a missing term of residualJvp (read only, never written).
let zeroBuf = new Float64Array(0);
function zeroScratch(len: number): Float64Array {
  if (len > SCRATCH_MAX) return new Float64Array(len);
  if (zeroBuf.length < len) zeroBuf = new Float64Array(len);
  return zeroBuf;
}

/**
 * Smallest nOut·n for which the fused dense-layer kernels are used: below it
 * the copies through WebAssembly memory cost more than they save.
 */
const FUSED_MIN_ENTRIES = 256;

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
 * Largest state matrix (entries) the fused path keeps a resident copy of:
 * 2^16 doubles = 512 KiB, so a layer holds at most 1 MiB of WebAssembly memory
 * between calls (the flagship's 17 layers hold 2.2 MB); larger states are copied per call.
 */
const CACHE_MAX = 1 << 16;

/** Release a layer's resident state copies. */
function releaseCache(c: Matrix[]): void {
  for (const M of c) releaseResident(M);
}
// Gives the resident copies of a collected layer back to the arena (the layer's
// cache array is the held value; the token unregisters a replaced cache).
const cacheRegistry = new FinalizationRegistry<Matrix[]>(releaseCache);

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
 * parameters x = [θ; b] (θ first, docs/conventions.md §1). With A = σ'(K Y + b) kept by
 * forward, the products are (docs/conventions.md §2)
 *   J_θ dθ = A ∘ (K(dθ) Y),  J_θᵀ W = op.vjp(A ∘ W, Y)
 *     (for an operator nonlinear in θ, `op.linear === false`, its jvpAt/vjpAt at θ),
 *   J_b db = A ∘ (B db),      J_bᵀ W = Bᵀ(A ∘ W)  (sums of A ∘ W over each bias's rows and all columns),
 *   J_Y dY = A ∘ (K(θ) dY),   J_Yᵀ W = K(θ)ᵀ (A ∘ W),
 * where B spreads b over the rows (scalar: all rows; vector: per row or per channel).
 *
 * Memory: forward keeps Z and A (2·nOut doubles = 16·nOut bytes per example)
 * and a reference to Y.
 *
 * Cost: the bias and σ' are applied in fused passes over the data (jvp: one
 * pass after the two operator products; vjp: G = A ∘ W and Bᵀ G in one pass);
 * G lives in a scratch buffer of the layer reused by every vjp (it is dead when
 * vjp returns; results never share it; kept up to 2^20 entries = 8 MiB, larger
 * products allocate per call). `vjp(x, state, W, { input: false })`
 * skips J_Yᵀ W = K(θ)ᵀ G and returns `dY: null` (the objectives do so for their
 * model, whose input is the data). `residualJvp(x, state, dx, dY, h)` returns
 * dY + h·J[dx; dY] in the jvp's pass (for ResNet steps); `residualVjp(x, state, W, h)`
 * returns (J_xᵀ W, W + h·J_Yᵀ W); both take an optional destination.
 *
 * Fused WebAssembly path ({@link SingleLayerModel.fusedDense}): for a `dense`
 * operator with an even nOut and a scalar, per-row or no bias, forward, jvp,
 * vjp and their residual forms run as single WebAssembly passes over the
 * columns (src/core/wasm/dense.ts) whenever the wasm kernels are selected and
 * nOut·n ≥ 256; results agree with the general path to rounding. The layer
 * then keeps resident copies of its last state's Y and A (up to 512 KiB each)
 * so that repeated products on one state (the mat-vecs of a Newton step) copy
 * neither.
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

  // Fused WebAssembly path (src/core/wasm/dense.ts): θ is K itself (dense), an
  // even number of rows (whole f64x2 vectors per column) and a bias that is
  // per row, scalar or absent. Chosen per call: WebAssembly kernels selected
  // and available, and enough entries to repay the copies.
  const fusedDense = op.denseMatrix === true && !nonlinear && nOut % 2 === 0 && (nBias <= 1 || groupSize === 1);
  const useFused = (n: number): boolean => fusedDense && nOut * n >= FUSED_MIN_ENTRIES && getKernelBackend() === 'wasm' && wasmAvailable();
  // B b expanded to one entry per row, in a buffer of this layer (read by the kernels only).
  const bRow = new Float64Array(nOut);
  const biasRow = (src: Float64Array | null): Float64Array => {
    if (!src || nBias === 0) bRow.fill(0);
    else if (nBias === 1) bRow.fill(src[nTheta]);
    else bRow.set(src.subarray(nTheta, nTheta + nOut));
    return bRow;
  };
  /** dx = [vec(dK); Bᵀ G] from the kernel's dK (written in place) and row sums. */
  const finishBias = (dx: Float64Array, rowSums: Float64Array): void => {
    if (nBias === 1) {
      let s = 0;
      for (let i = 0; i < nOut; i++) s += rowSums[i];
      dx[nTheta] = s;
    } else if (nBias > 1) {
      dx.set(rowSums, nTheta);
    }
  };
  const rowSums = new Float64Array(nOut);
  // σ computed inside the fused forward kernel (by object: a user's activation
  // named 'tanh' is not assumed to be numdl's): 0 identity, 1 tanh, 2 ReLU.
  const actCode: DenseActivationCode | null = activation === tanh ? 1 : activation === relu ? 2 : activation === identityActivation ? 0 : null;
  /** The fused forward (σ in the kernel): output σ(K Y + b), or Y + h·σ(K Y + b) when residual. */
  const fusedForward = (x: Float64Array, Y: Matrix, n: number, h: number, residual: boolean): SingleLayerState => {
    const output = matrix(nOut, n, new Float64Array(nOut * n));
    const derivative = matrix(nOut, n, new Float64Array(nOut * n));
    wasmDenseForward(output.data, derivative.data, x.subarray(0, nTheta), biasRow(x), columnMajorData(Y), nOut, nIn, n, h, actCode as DenseActivationCode, residual);
    return { output, input: Y, derivative };
  };
  // Resident copies (src/core/wasm/resident.ts) of the last state's Y and A:
  // the Gauss-Newton mat-vecs of one Newton iteration run ten or more jvps and
  // vjps on the same state, which then copy neither. Keyed by the state object
  // (states are not modified after forward, see SingleLayerState), released
  // with the layer; only for states up to CACHE_MAX entries per matrix.
  let cacheFor: WeakRef<SingleLayerState> | null = null;
  let cached: [Matrix, Matrix] | null = null;
  const stateData = (state: SingleLayerState, n: number): [Float64Array, Float64Array] => {
    if (cached && cacheFor?.deref() === state && isResident(cached[0]) && isResident(cached[1])) return [cached[0].data, cached[1].data];
    const y = columnMajorData(state.input), a = columnMajorData(state.derivative);
    if (Math.max(nIn, nOut) * n > CACHE_MAX || !residentAvailable()) return [y, a];
    if (!cached || cached[0].shape[1] !== n || !isResident(cached[0]) || !isResident(cached[1])) {
      if (cached) {
        cacheRegistry.unregister(cacheToken);
        releaseCache(cached);
      }
      cached = [residentMatrix(nIn, n), residentMatrix(nOut, n)];
      cacheRegistry.register(model, cached, cacheToken);
    }
    cached[0].data.set(y);
    cached[1].data.set(a);
    cacheFor = new WeakRef(state);
    return [cached[0].data, cached[1].data];
  };
  const cacheToken = {};
  /** The fused vjp: dx, and R + h·Kᵀ(A ∘ W) (R = W when residual) unless input gradients are skipped. */
  const fusedVjp = (x: Float64Array, state: SingleLayerState, dZ: Matrix, n: number, wantInput: boolean, h: number, residual: boolean, out?: Matrix) => {
    const dx = new Float64Array(nParams);
    const dY = wantInput ? (out ?? matrix(nIn, n, new Float64Array(nIn * n))) : null;
    const [y, a] = stateData(state, n);
    wasmDenseVjp(dY ? columnMajorData(dY) : null, dx.subarray(0, nTheta), rowSums, y, a,
      columnMajorData(dZ), x.subarray(0, nTheta), nOut, nIn, n, h, residual);
    finishBias(dx, rowSums);
    return { dx, dY };
  };
  /** The fused jvp: D + h·(A ∘ (K(dθ) Y + B db + K dY)), D = dY when residual. */
  const fusedJvp = (x: Float64Array, state: SingleLayerState, dx: Float64Array | null, dY: Matrix | null, n: number, h: number, residual: boolean, dest?: Matrix): Matrix => {
    const out = dest ?? matrix(nOut, n, new Float64Array(nOut * n));
    const [y, a] = stateData(state, n);
    wasmDenseJvp(columnMajorData(out), y, a, dY ? columnMajorData(dY) : null,
      x.subarray(0, nTheta), dx ? dx.subarray(0, nTheta) : null, dx ? biasRow(dx) : null, nOut, nIn, n, h, residual);
    return out;
  };

  // Bias b[g] is added to rows g·groupSize … (g+1)·groupSize − 1 of every column
  // (groupSize 1: one bias per row). Loops run per group, no index division per entry.
  /** p ← p + B b (b = src[bo … bo+nBias−1]) over n columns. */
  const addBias = (p: Float64Array, src: Float64Array, bo: number, n: number): void => {
    if (groupSize === 1) {
      for (let j = 0, base = 0; j < n; j++, base += nOut) for (let i = 0; i < nOut; i++) p[base + i] += src[bo + i];
      return;
    }
    for (let j = 0, base = 0; j < n; j++) {
      for (let g = 0; g < nBias; g++) {
        const c = src[bo + g];
        for (const end = base + groupSize; base < end; base++) p[base] += c;
      }
    }
  };

  // G = A ∘ dZ in vjp lives in the scratch shared by all layers (see scratchG).
  let gMat: Matrix | null = null;
  const layerG = (n: number): Matrix => {
    const len = nOut * n;
    if (gMat && gMat.shape[1] === n && gMat.data.buffer === gBuf.buffer) return gMat;
    const g = scratchG(len);
    return g.length === len && g.buffer === gBuf.buffer ? (gMat = matrix(nOut, n, g)) : matrix(nOut, n, g);
  };

  function vjp(x: Float64Array, state: SingleLayerState, dZ: Matrix): { dx: Float64Array; dY: Matrix };
  function vjp(x: Float64Array, state: SingleLayerState, dZ: Matrix, opts?: VjpOptions): { dx: Float64Array; dY: Matrix | null };
  function vjp(x: Float64Array, state: SingleLayerState, dZ: Matrix, opts?: VjpOptions): { dx: Float64Array; dY: Matrix | null } {
    const n = checkState(`${fn}.vjp`, state, nOut);
    checkVjpArgs(`${fn}.vjp`, x, dZ, nParams, nOut, n);
    const wantInput = opts?.input !== false;
    if (useFused(n)) return fusedVjp(x, state, dZ, n, wantInput, 1, false);
    // G = A ∘ dZ is shared by all three transposes; the bias part Bᵀ G is summed in the same pass
    // (per bias entry over columns j, then rows i, as a plain loop would).
    const w = columnMajorData(dZ), a = columnMajorData(state.derivative);
    const G = layerG(n);
    const g = G.data;
    const dx = new Float64Array(nParams);
    if (nBias === 0) {
      for (let k = 0; k < nOut * n; k++) g[k] = a[k] * w[k];
    } else if (groupSize === 1) {
      for (let j = 0, base = 0; j < n; j++, base += nOut) {
        for (let i = 0; i < nOut; i++) {
          const gk = a[base + i] * w[base + i];
          g[base + i] = gk;
          dx[nTheta + i] += gk;
        }
      }
    } else {
      for (let j = 0, k = 0; j < n; j++) {
        for (let b = 0; b < nBias; b++) {
          let s = dx[nTheta + b];
          for (const end = k + groupSize; k < end; k++) {
            const gk = a[k] * w[k];
            g[k] = gk;
            s += gk;
          }
          dx[nTheta + b] = s;
        }
      }
    }
    const theta = x.subarray(0, nTheta);
    if (nTheta > 0) dx.set(nonlinear ? (op.vjpAt as VjpAt)(theta, G, state.input) : op.vjp(G, state.input), 0);
    if (!wantInput) return { dx, dY: null };
    // An operator may hand its input back (e.g. an identity): never return the scratch.
    const R = op.applyTranspose(theta, G);
    return { dx, dY: R.data.buffer === gBuf.buffer ? matrix(nIn, n, Float64Array.from(columnMajorData(R))) : ensureColumnMajor(R) };
  }

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
      if (actCode !== null && useFused(n)) return fusedForward(x, Y, n, 1, false);
      const theta = x.subarray(0, nTheta);
      // Pre-activation K Y + b, overwritten in place by σ (the kernel allows aliasing).
      let P: Matrix;
      if (useFused(n)) {
        P = matrix(nOut, n, new Float64Array(nOut * n));
        wasmDenseAffine(P.data, theta, biasRow(x), columnMajorData(Y), nOut, nIn, n);
      } else {
        P = owned(op.apply(theta, Y), Y);
        if (nBias > 0) addBias(P.data, x, nTheta, n);
      }
      const p = P.data;
      if (kernel) {
        const derivative = matrix(nOut, n, new Float64Array(nOut * n));
        kernel(p, p, derivative.data);
        return { output: P, input: Y, derivative };
      }
      const r = activation.evaluate(P);
      return { output: ensureColumnMajor(r.value), input: Y, derivative: ensureColumnMajor(r.derivative) };
    },

    jvp(x: Float64Array, state: SingleLayerState, dx: Float64Array | null, dY: Matrix | null): Matrix {
      const n = checkState(`${fn}.jvp`, state, nOut);
      checkJvpArgs(`${fn}.jvp`, x, dx, dY, nParams, nIn, n);
      if ((dx || dY) && useFused(n)) return fusedJvp(x, state, dx, dY, n, 1, false);
      const Y = state.input;
      const a = columnMajorData(state.derivative);
      // J v = A ∘ T with T = K(dθ) Y + B db + K(θ) dY, formed in one pass over T
      // (in the order ((K(dθ)Y + B db) + K(θ)dY) ∘ A).
      if (dx) {
        const dTheta = dx.subarray(0, nTheta);
        const T = owned(nonlinear ? (op.jvpAt as JvpAt)(x.subarray(0, nTheta), dTheta, Y) : op.jvp(dTheta, Y), Y);
        const t = T.data;
        const u = dY ? columnMajorData(op.apply(x.subarray(0, nTheta), dY)) : null;
        if (nBias === 0) {
          if (u) for (let k = 0; k < nOut * n; k++) t[k] = (t[k] + u[k]) * a[k];
          else for (let k = 0; k < nOut * n; k++) t[k] *= a[k];
        } else if (groupSize === 1) {
          for (let j = 0, base = 0; j < n; j++, base += nOut) {
            if (u) for (let i = 0, k = base; i < nOut; i++, k++) t[k] = (t[k] + dx[nTheta + i] + u[k]) * a[k];
            else for (let i = 0, k = base; i < nOut; i++, k++) t[k] = (t[k] + dx[nTheta + i]) * a[k];
          }
        } else {
          for (let j = 0, k = 0; j < n; j++) {
            for (let b = 0; b < nBias; b++) {
              const c = dx[nTheta + b];
              const end = k + groupSize;
              if (u) for (; k < end; k++) t[k] = (t[k] + c + u[k]) * a[k];
              else for (; k < end; k++) t[k] = (t[k] + c) * a[k];
            }
          }
        }
        return T;
      }
      if (!dY) return zeros(nOut, n);
      const T = owned(op.apply(x.subarray(0, nTheta), dY), dY);
      const t = T.data;
      for (let k = 0; k < nOut * n; k++) t[k] *= a[k];
      return T;
    },

    residualJvp(x: Float64Array, state: SingleLayerState, dx: Float64Array | null, dY: Matrix | null, h: number, out?: Matrix): Matrix {
      const n = checkState(`${fn}.residualJvp`, state, nOut);
      checkJvpArgs(`${fn}.residualJvp`, x, dx, dY, nParams, nIn, n);
      if (nIn !== nOut) fail(`${fn}.residualJvp`, `a residual step needs nIn = nOut, got ${nIn} → ${nOut}`);
      checkNumber(`${fn}.residualJvp`, 'h', h);
      if (out !== undefined) checkDestination(`${fn}.residualJvp`, out, nOut, n, dY, state);
      if ((dx || dY) && useFused(n)) return fusedJvp(x, state, dx, dY, n, h, true, out);
      if (out !== undefined) {
        const r = columnMajorData(model.residualJvp(x, state, dx, dY, h));
        out.data.set(r, out.offset);
        return out;
      }
      const theta = x.subarray(0, nTheta);
      const a = columnMajorData(state.derivative);
      // dY + h·(A ∘ T), T = K(dθ) Y + B db + K(θ) dY, in one pass over T; the same
      // numbers as jvp followed by the update (signed zeros aside). A missing term reads zeros.
      let T: Matrix;
      let u: Float64Array;
      if (dx) {
        T = owned(nonlinear ? (op.jvpAt as JvpAt)(theta, dx.subarray(0, nTheta), state.input) : op.jvp(dx.subarray(0, nTheta), state.input), state.input, dY);
        u = dY ? columnMajorData(op.apply(theta, dY)) : zeroScratch(nOut * n);
      } else {
        if (!dY) return zeros(nOut, n);
        T = owned(op.apply(theta, dY), dY);
        u = zeroScratch(nOut * n);
      }
      const t = T.data;
      const d = dY ? columnMajorData(dY) : zeroScratch(nOut * n);
      if (dx && nBias > 0 && groupSize === 1) {
        for (let j = 0, base = 0; j < n; j++, base += nOut) {
          for (let i = 0, k = base; i < nOut; i++, k++) t[k] = d[k] + h * ((t[k] + dx[nTheta + i] + u[k]) * a[k]);
        }
      } else {
        const nb = dx && nBias > 0 ? nBias : 1, gs = dx && nBias > 0 ? groupSize : nOut;
        for (let j = 0, k = 0; j < n; j++) {
          for (let b = 0; b < nb; b++) {
            const c = dx && nBias > 0 ? dx[nTheta + b] : 0;
            for (const end = k + gs; k < end; k++) t[k] = d[k] + h * ((t[k] + c + u[k]) * a[k]);
          }
        }
      }
      return T;
    },

    vjp,

    residualForward(x: Float64Array, Y: Matrix, h: number): SingleLayerState {
      checkForwardArgs(`${fn}.residualForward`, x, Y, nParams, nIn);
      if (nIn !== nOut) fail(`${fn}.residualForward`, `a residual step needs nIn = nOut, got ${nIn} → ${nOut}`);
      checkNumber(`${fn}.residualForward`, 'h', h);
      const n = Y.shape[1];
      if (actCode !== null && useFused(n)) return fusedForward(x, Y, n, h, true);
      const s = model.forward(x, Y);
      // Y + h·σ(K Y + b) into a fresh array (σ's output may share storage with the operator's result).
      const z = columnMajorData(s.output), y = columnMajorData(Y);
      const out = new Float64Array(nOut * n);
      for (let k = 0; k < out.length; k++) out[k] = y[k] + h * z[k];
      return { output: matrix(nOut, n, out), input: Y, derivative: s.derivative };
    },

    residualVjp(x: Float64Array, state: SingleLayerState, dZ: Matrix, h: number, out?: Matrix): { dx: Float64Array; dY: Matrix } {
      const n = checkState(`${fn}.residualVjp`, state, nOut);
      checkVjpArgs(`${fn}.residualVjp`, x, dZ, nParams, nOut, n);
      if (nIn !== nOut) fail(`${fn}.residualVjp`, `a residual step needs nIn = nOut, got ${nIn} → ${nOut}`);
      checkNumber(`${fn}.residualVjp`, 'h', h);
      if (out !== undefined) checkDestination(`${fn}.residualVjp`, out, nIn, n, dZ, state);
      if (useFused(n)) return fusedVjp(x, state, dZ, n, true, h, true, out) as { dx: Float64Array; dY: Matrix };
      const r = vjp(x, state, dZ);
      const d = columnMajorData(r.dY), w = columnMajorData(dZ);
      const dest = out ?? matrix(nIn, n, new Float64Array(nIn * n));
      const o = dest.data, off = dest.offset;
      for (let k = 0; k < nIn * n; k++) o[off + k] = w[k] + h * d[k];
      return { dx: r.dx, dY: dest };
    },

    fusedDense,

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
  return withSpec(model, 'singleLayer', [op, options]);
}
