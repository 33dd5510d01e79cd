/**
 * A single layer's products over a `dense` operator (θ = vec(K), K nOut×nIn,
 * nOut even, bias per row, scalar or absent) as single WebAssembly passes over
 * the columns (src/core/wasm/dense.ts): forward with σ inside (tanh, ReLU,
 * identity; others through the affine kernel and the activation's pass), jvp
 * and vjp, each in its residual form (./layerProducts.ts). Results agree with
 * ./genericProducts.ts to rounding; each column of a forward or jvp result,
 * and of a vjp's input gradient, is computed by the same arithmetic whatever
 * the number of columns.
 *
 * Memory: the Gauss-Newton mat-vecs of one Newton iteration run ten or more
 * jvps and vjps on the same state; a {@link DenseStateCopies} workspace, owned
 * by the layer, keeps resident copies (src/core/wasm/resident.ts) of the last
 * state's Y and A so that those products copy neither. It references that one
 * state strongly (no WeakRef: a WeakRef target stays alive until the current
 * job ends, so a synchronous optimizer would keep every state it ever saw) and
 * holds at most two blocks of {@link CACHE_MAX} entries; `dispose()` gives
 * them back, and a FinalizationRegistry does so when a layer is collected
 * without it.
 */
import { columnMajorData, matrix, type Matrix } from '../core/matrix.js';
import { wasmDenseAffine, wasmDenseForward, wasmDenseJvp, wasmDenseVjp, type DenseActivationCode } from '../core/wasm/dense.js';
import { isResident, releaseResident, residentAvailable, residentMatrix } from '../core/wasm/resident.js';
import { identityActivation, relu, tanh } from './activations/index.js';
import { expandBias, foldRowSums } from './bias.js';
import type { LayerProducts, LayerSpec, SingleLayerState } from './layerProducts.js';

/**
 * Largest state matrix (entries) kept as a resident copy: 2^16 doubles =
 * 512 KiB, so a layer holds at most 1 MiB of WebAssembly memory between calls;
 * larger states are copied in blocks per call.
 */
const CACHE_MAX = 1 << 16;

/** Whether a layer over `spec` can take the fused dense kernels. */
export function fusedDenseEligible(spec: LayerSpec): boolean {
  return spec.op.denseMatrix === true && spec.op.linear !== false && spec.nOut % 2 === 0 && (spec.bias.nBias <= 1 || spec.bias.groupSize === 1);
}

/** Resident blocks of a collected layer go back to the arena. */
const copiesRegistry = new FinalizationRegistry<Matrix[]>((blocks) => {
  for (const M of blocks) releaseResident(M);
});

/** Resident copies of one state's Y and A, owned by a layer (see the module comment). */
export class DenseStateCopies {
  private state: SingleLayerState | null = null;
  private blocks: Matrix[] = [];
  private readonly token = {};

  constructor(private readonly nIn: number, private readonly nOut: number) {}

  /** Y and A of `state` as arrays the kernels read in place when possible. */
  arrays(state: SingleLayerState, n: number): [Float64Array, Float64Array] {
    const [Yr, Ar] = this.blocks;
    if (this.state === state && Yr && isResident(Yr) && isResident(Ar)) return [Yr.data, Ar.data];
    const y = columnMajorData(state.input), a = columnMajorData(state.derivative);
    if (Math.max(this.nIn, this.nOut) * n > CACHE_MAX || !residentAvailable()) return [y, a];
    if (!Yr || Yr.shape[1] !== n || !isResident(Yr) || !isResident(Ar)) {
      this.dispose();
      this.blocks = [residentMatrix(this.nIn, n), residentMatrix(this.nOut, n)];
      if (!isResident(this.blocks[0])) {
        // js backend or no WebAssembly: nothing to keep.
        this.blocks = [];
        return [y, a];
      }
      copiesRegistry.register(this, this.blocks, this.token);
    }
    this.blocks[0].data.set(y);
    this.blocks[1].data.set(a);
    this.state = state;
    return [this.blocks[0].data, this.blocks[1].data];
  }

  /** Give the resident copies back and forget the state (the next product copies again). */
  dispose(): void {
    if (this.blocks.length > 0) {
      copiesRegistry.unregister(this.token);
      for (const M of this.blocks) releaseResident(M);
    }
    this.blocks = [];
    this.state = null;
  }
}

/**
 * The fused products of a dense layer (`fusedDenseEligible(spec)` must hold);
 * `copies` is the layer's workspace of resident state copies.
 */
export function fusedDenseProducts(spec: LayerSpec, copies: DenseStateCopies): LayerProducts {
  const { activation, bias, nIn, nOut, nTheta, nParams } = spec;
  // σ computed inside the forward kernel (by object: a user's activation named
  // 'tanh' is not assumed to be numdl's): 0 identity, 1 tanh, 2 ReLU.
  const actCode: DenseActivationCode | null = activation === tanh ? 1 : activation === relu ? 2 : activation === identityActivation ? 0 : null;
  const kernel = typeof activation.evaluateInto === 'function' ? activation.evaluateInto.bind(activation) : null;

  return {
    forward(x, Y, h, residual) {
      const n = Y.shape[1];
      const K = x.subarray(0, nTheta), b = expandBias(bias, new Float64Array(nOut), x, nTheta);
      const output = matrix(nOut, n, new Float64Array(nOut * n));
      const derivative = matrix(nOut, n, new Float64Array(nOut * n));
      if (actCode !== null) {
        wasmDenseForward(output.data, derivative.data, K, b, columnMajorData(Y), nOut, nIn, n, h, actCode, residual);
        return { output, input: Y, derivative };
      }
      // Any other σ: P = K Y + B b by the kernel, σ by the activation's own pass.
      const p = output.data;
      wasmDenseAffine(p, K, b, columnMajorData(Y), nOut, nIn, n);
      if (kernel) kernel(p, p, derivative.data);
      else {
        const r = activation.evaluate(output);
        p.set(columnMajorData(r.value));
        derivative.data.set(columnMajorData(r.derivative));
      }
      if (residual) {
        const y = columnMajorData(Y);
        for (let k = 0; k < p.length; k++) p[k] = y[k] + h * p[k];
      }
      return { output, input: Y, derivative };
    },

    jvp(x, state, dx, dY, h, residual, dest) {
      const n = state.output.shape[1];
      const out = dest ?? matrix(nOut, n, new Float64Array(nOut * n));
      const [y, a] = copies.arrays(state, n);
      const db = dx ? expandBias(bias, new Float64Array(nOut), dx, nTheta) : null;
      wasmDenseJvp(columnMajorData(out), y, a, dY ? columnMajorData(dY) : null,
        x.subarray(0, nTheta), dx ? dx.subarray(0, nTheta) : null, db, nOut, nIn, n, h, residual);
      return out;
    },

    vjp(x, state, W, wantInput, h, residual, dest) {
      const n = state.output.shape[1];
      const dx = new Float64Array(nParams);
      const dY = wantInput ? (dest ?? matrix(nIn, n, new Float64Array(nIn * n))) : null;
      const rowSums = new Float64Array(nOut);
      const [y, a] = copies.arrays(state, n);
      wasmDenseVjp(dY ? columnMajorData(dY) : null, dx.subarray(0, nTheta), rowSums, y, a,
        columnMajorData(W), x.subarray(0, nTheta), nOut, nIn, n, h, residual);
      foldRowSums(bias, dx, nTheta, rowSums);
      return { dx, dY };
    },
  };
}
