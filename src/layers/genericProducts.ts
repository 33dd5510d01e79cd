/**
 * A single layer's products over any {@link ParametricOperator}: the operator's
 * own apply / applyTranspose / jvp / vjp, with the bias and σ' applied in
 * fused passes over the data (see ./layerProducts.ts for the formulas). This
 * is the reference every faster path is tested against.
 *
 * G = A ∘ W of a vjp lives in a buffer of this layer's products (reused from
 * call to call, up to {@link SCRATCH_MAX} entries, instead of allocating and
 * zeroing nOut·n doubles per call, 3 MB for a conv layer over 64 images). It
 * is dead when vjp returns, results never share it, and a vjp that runs while
 * the buffer is in use (an operator whose products call this very layer's vjp)
 * takes a fresh array: other layers' products cannot disturb it, nor can
 * re-entry. Results never share storage with the state.
 */
import { columnMajorData, ensureColumnMajor, matrix, type Matrix } from '../core/matrix.js';
import type { ParametricOperator } from '../operators/types.js';
import { addBias } from './bias.js';
import type { LayerProducts, LayerSpec, SingleLayerState } from './layerProducts.js';

/** Largest G buffer (entries) kept between calls: 2^20 doubles = 8 MiB; larger products allocate G per call. */
const SCRATCH_MAX = 1 << 20;

type JvpAt = NonNullable<ParametricOperator['jvpAt']>;
type VjpAt = NonNullable<ParametricOperator['vjpAt']>;

/** M itself if it is contiguous column-major and shares no storage with `inputs`, else a copy (so in-place updates are safe). */
function owned(M: Matrix, ...inputs: (Matrix | null)[]): Matrix {
  const C = ensureColumnMajor(M);
  for (const I of inputs) if (I && C.data === I.data) return matrix(C.shape[0], C.shape[1], Float64Array.from(C.data));
  return C;
}

/**
 * The generic products of the layer `spec`.
 * @example genericProducts(spec).forward(x, Y, 1, false).output // σ(K Y + b)
 */
export function genericProducts(spec: LayerSpec): LayerProducts {
  const { op, activation, bias, nIn, nOut, nTheta } = spec;
  const { nBias, groupSize } = bias;
  const nonlinear = op.linear === false;
  const kernel = typeof activation.evaluateInto === 'function' ? activation.evaluateInto.bind(activation) : null;
  /** K(dθ) Y, at θ for an operator nonlinear in θ. */
  const thetaJvp = (theta: Float64Array, dTheta: Float64Array, Y: Matrix): Matrix =>
    nonlinear ? (op.jvpAt as JvpAt)(theta, dTheta, Y) : op.jvp(dTheta, Y);
  // The G buffer of vjp, and whether a vjp is using it right now.
  let gBuf = new Float64Array(0);
  let gBusy = false;

  return {
    forward(x, Y, h, residual) {
      const n = Y.shape[1];
      // Pre-activation P = K Y + B b, overwritten in place by σ (the kernel allows aliasing).
      const P = owned(op.apply(x.subarray(0, nTheta), Y), Y);
      addBias(bias, P.data, x, nTheta, n);
      let state: SingleLayerState;
      if (kernel) {
        const derivative = matrix(nOut, n, new Float64Array(nOut * n));
        kernel(P.data, P.data, derivative.data);
        state = { output: P, input: Y, derivative };
      } else {
        const r = activation.evaluate(P);
        state = { output: ensureColumnMajor(r.value), input: Y, derivative: ensureColumnMajor(r.derivative) };
      }
      if (!residual) return state;
      // Y + h·σ(K Y + b) into a fresh array (σ's output may share storage with the operator's result).
      const z = columnMajorData(state.output), y = columnMajorData(Y);
      const out = new Float64Array(nOut * n);
      for (let k = 0; k < out.length; k++) out[k] = y[k] + h * z[k];
      return { output: matrix(nOut, n, out), input: Y, derivative: state.derivative };
    },

    jvp(x, state, dx, dY, h, residual, dest) {
      const n = state.output.shape[1];
      const theta = x.subarray(0, nTheta);
      const a = columnMajorData(state.derivative);
      // T = K(dθ) Y + B db + K(θ) dY, then T ∘ A, in one pass over T (in the order ((K(dθ)Y + B db) + K(θ)dY) ∘ A).
      let T: Matrix;
      if (dx) {
        T = owned(thetaJvp(theta, dx.subarray(0, nTheta), state.input), state.input, dY);
        const t = T.data;
        const u = dY ? columnMajorData(op.apply(theta, dY)) : null;
        if (nBias === 0) {
          if (u) for (let k = 0; k < nOut * n; k++) t[k] = (t[k] + u[k]) * a[k];
          else for (let k = 0; k < nOut * n; k++) t[k] *= a[k];
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
      } else {
        T = owned(op.apply(theta, dY as Matrix), dY);
        const t = T.data;
        for (let k = 0; k < nOut * n; k++) t[k] *= a[k];
      }
      // D + h·T (a plain layer has h = 1 and no D: T itself).
      const t = T.data;
      const d = residual && dY ? columnMajorData(dY) : null;
      const o = dest ? dest.data : t, off = dest ? dest.offset : 0;
      if (d) for (let k = 0; k < nOut * n; k++) o[off + k] = d[k] + h * t[k];
      else if (h !== 1 || dest) for (let k = 0; k < nOut * n; k++) o[off + k] = h * t[k];
      return dest ?? T;
    },

    vjp(x, state, W, wantInput, h, residual, dest) {
      const len = nOut * state.output.shape[1];
      if (gBusy || len > SCRATCH_MAX) return vjpWith(new Float64Array(len), x, state, W, wantInput, h, residual, dest);
      if (gBuf.length < len) gBuf = new Float64Array(len);
      gBusy = true;
      try {
        return vjpWith(gBuf.length === len ? gBuf : gBuf.subarray(0, len), x, state, W, wantInput, h, residual, dest);
      } finally {
        gBusy = false;
      }
    },
  };

  /** The vjp with G = A ∘ W written to g (nOut·n entries, all overwritten). */
  function vjpWith(g: Float64Array, x: Float64Array, state: SingleLayerState, W: Matrix, wantInput: boolean, h: number, residual: boolean, dest?: Matrix): { dx: Float64Array; dY: Matrix | null } {
    const n = state.output.shape[1];
    const w = columnMajorData(W), a = columnMajorData(state.derivative);
    // G = A ∘ W; the bias part Bᵀ G is summed in the same pass
    // (per bias entry over columns j, then rows i, as a plain loop would).
    const dx = new Float64Array(spec.nParams);
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
    const G = matrix(nOut, n, g);
    const theta = x.subarray(0, nTheta);
    if (nTheta > 0) dx.set(nonlinear ? (op.vjpAt as VjpAt)(theta, G, state.input) : op.vjp(G, state.input), 0);
    if (!wantInput) return { dx, dY: null };
    const R = op.applyTranspose(theta, G);
    // An operator may hand its input back (an identity): never return the G buffer.
    if (!residual) return { dx, dY: R.data.buffer === g.buffer ? matrix(nIn, n, Float64Array.from(columnMajorData(R))) : ensureColumnMajor(R) };
    // W + h·Kᵀ G, into the destination when given.
    const r = columnMajorData(R);
    const out = dest ?? matrix(nIn, n, new Float64Array(nIn * n));
    const o = out.data, off = out.offset;
    for (let k = 0; k < nIn * n; k++) o[off + k] = w[k] + h * r[k];
    return { dx, dY: out };
  }
}
