/**
 * The wavelet-diagonalised model K(θ) = Wᵀ diag(θ) W, W an orthonormal
 * discrete Haar wavelet transform — the wavelet analogue of the periodic
 * convolution K = F* diag(λ) F: W is applied matrix-free in O(n), K is
 * symmetric and its eigenvalues are exactly θ (eigenvectors: the wavelets).
 *
 * One Haar level maps pairs to scaled sums and differences,
 *   a_k = (x_{2k} + x_{2k+1}) / √2,   d_k = (x_{2k} − x_{2k+1}) / √2,
 * an orthogonal 2×2 rotation per pair; the next level transforms the a's
 * again. Coefficients are stored in place, Mallat's layout
 * [a_L | d_L | d_{L−1} | … | d_1] (1-D). In 2-D each level transforms the
 * rows, then the columns of the current low-pass block (nx/2^l × ny/2^l) —
 * the separable (tensor-product) transform, applied to every channel.
 *
 * Derivatives (K linear in θ):
 *   J_θ(K(θ)Y) dθ = Wᵀ (dθ ∘ W Y),   J_θ(K(θ)Y)ᵀ Z = Σ_examples (W Z) ∘ (W Y).
 */
import { checkPositiveInt, fail } from '../core/errors.js';
import { zeros, type Matrix } from '../core/matrix.js';
import { checkData, linearParametric as fromKernels } from './base.js';
import { SparseBuilder } from './sparse.js';
import type { ParametricOperator } from './types.js';
import { checkOptions } from '../core/options.js';
import { withSpec } from '../core/spec.js';

const SQRT1_2 = Math.SQRT1_2;

/** Options of {@link waveletOperator}. */
export interface WaveletOptions {
  /**
   * Decomposition levels L ≥ 0 (default: as many as the size allows, i.e.
   * while every transformed length stays even). Each length must be divisible by 2^L.
   */
  levels?: number;
  /** The wavelet (only `'haar'`, the default). */
  wavelet?: 'haar';
  /** Channels of an image (2-D only; default 1): each is transformed separately. */
  channels?: number;
}

/** A wavelet-diagonalised operator: the {@link ParametricOperator} plus its transform. */
export interface WaveletOperator extends ParametricOperator {
  /** `[n]` (1-D) or `[nx, ny]` (2-D). */
  readonly dims: readonly number[];
  readonly levels: number;
  readonly channels: number;
  readonly wavelet: 'haar';
  /** W Y: the wavelet coefficients of each column of Y (nIn × n), a new matrix. */
  analysis(Y: Matrix): Matrix;
  /** Wᵀ C = W⁻¹ C: the signals with coefficients C (nIn × n), a new matrix. */
  synthesis(C: Matrix): Matrix;
}

/** Largest L with `n` divisible by 2^L. */
function maxLevels(n: number): number {
  let L = 0;
  while (n % 2 === 0 && n > 1) {
    n /= 2;
    L++;
  }
  return L;
}

/**
 * One forward Haar level on `len` entries x[o], x[o+s], …, x[o+(len−1)s]
 * (in place, `tmp` of length ≥ len as scratch): averages first, then details.
 */
function haarStep(x: Float64Array, o: number, s: number, len: number, tmp: Float64Array): void {
  const h = len >> 1;
  for (let k = 0; k < h; k++) {
    const a = x[o + 2 * k * s], b = x[o + (2 * k + 1) * s];
    tmp[k] = (a + b) * SQRT1_2;
    tmp[h + k] = (a - b) * SQRT1_2;
  }
  for (let k = 0; k < len; k++) x[o + k * s] = tmp[k];
}

/** The inverse (= transpose) of {@link haarStep}. */
function haarStepInverse(x: Float64Array, o: number, s: number, len: number, tmp: Float64Array): void {
  const h = len >> 1;
  for (let k = 0; k < h; k++) {
    const a = x[o + k * s], d = x[o + (h + k) * s];
    tmp[2 * k] = (a + d) * SQRT1_2;
    tmp[2 * k + 1] = (a - d) * SQRT1_2;
  }
  for (let k = 0; k < len; k++) x[o + k * s] = tmp[k];
}

/**
 * In-place transform of one column segment x[o … o+nx·ny) as an nx × ny image
 * (ny = 1 for 1-D): W (forward) or Wᵀ (inverse). Cost O(nx·ny): level l
 * touches nx·ny/4^l entries in 2-D (n/2^l in 1-D).
 */
function transformSegment(x: Float64Array, o: number, nx: number, ny: number, levels: number, inverse: boolean, tmp: Float64Array): void {
  const twoD = ny > 1;
  const level = (l: number) => {
    const lx = nx >> l, ly = twoD ? ny >> l : 1;
    if (!inverse) {
      for (let iy = 0; iy < ly; iy++) haarStep(x, o + nx * iy, 1, lx, tmp);
      if (twoD) for (let ix = 0; ix < lx; ix++) haarStep(x, o + ix, nx, ly, tmp);
    } else {
      // The x- and y-steps act on different indices and commute; undo in reverse anyway.
      if (twoD) for (let ix = 0; ix < lx; ix++) haarStepInverse(x, o + ix, nx, ly, tmp);
      for (let iy = 0; iy < ly; iy++) haarStepInverse(x, o + nx * iy, 1, lx, tmp);
    }
  };
  if (!inverse) for (let l = 0; l < levels; l++) level(l);
  else for (let l = levels - 1; l >= 0; l--) level(l);
}

/**
 * K(θ) = Wᵀ diag(θ) W with W the orthonormal discrete Haar wavelet transform
 * over `levels` levels, applied matrix-free in O(n) per example — for 1-D
 * signals of length n or for nx × ny images with `channels` channels (pixel
 * `ix + nx*(iy + ny*ic)`, each channel transformed separately). θ holds one
 * multiplier per wavelet coefficient, in the layout of W Y (Mallat's:
 * coarse averages first); K is symmetric and its eigenvalues are exactly θ.
 * @param n signal length n, or image size `[nx, ny]`
 * @param options `levels` (default: the most the size allows), `wavelet: 'haar'`, `channels` (2-D)
 * @returns the operator (nIn = nOut = nTheta = n or nx·ny·channels), with
 *   `analysis(Y)` = W Y and `synthesis(C)` = Wᵀ C
 * @throws if a size is not a positive integer, a length is not divisible by
 *   2^levels, the wavelet is not `'haar'`, or `channels` is given in 1-D
 * @example
 * const op = waveletOperator(4, { levels: 2 });
 * op.toDense(Float64Array.of(1, 1, 1, 1)) // the identity (W orthonormal)
 * op.analysis(fromRows([[1], [1], [1], [1]])) // [[2], [0], [0], [0]]
 */
export function waveletOperator(n: number | readonly [number, number], options: WaveletOptions = {}): WaveletOperator {
  const fn = 'waveletOperator';
  checkOptions(fn, options, ['levels', 'wavelet', 'channels']);
  const wavelet = options.wavelet ?? 'haar';
  if (wavelet !== 'haar') fail(fn, `wavelet must be 'haar', got ${String(wavelet)}`);
  let nx: number, ny: number;
  if (Array.isArray(n)) {
    if (n.length !== 2) fail(fn, `n must be a length or [nx, ny], got an array of length ${n.length}`);
    nx = checkPositiveInt(fn, 'nx', n[0]);
    ny = checkPositiveInt(fn, 'ny', n[1]);
  } else {
    nx = checkPositiveInt(fn, 'n', n);
    ny = 1;
    if (options.channels !== undefined) fail(fn, `channels is for images ([nx, ny]); got channels = ${String(options.channels)} with a 1-D length n = ${nx}`);
  }
  const twoD = Array.isArray(n);
  const channels = options.channels === undefined ? 1 : checkPositiveInt(fn, 'channels', options.channels);
  const most = twoD ? Math.min(maxLevels(nx), maxLevels(ny)) : maxLevels(nx);
  let levels: number;
  if (options.levels === undefined) levels = most;
  else {
    const L = options.levels;
    if (typeof L !== 'number' || !Number.isInteger(L) || L < 0) fail(fn, `levels must be a non-negative integer, got ${String(L)}`);
    if (L > most) {
      const what = twoD ? `nx = ${nx} and ny = ${ny} must be divisible by 2^${L} = ${2 ** L}` : `n = ${nx} must be divisible by 2^${L} = ${2 ** L}`;
      fail(fn, `levels = ${L} needs ${what} (at most ${most} levels here)`);
    }
    levels = L;
  }
  const seg = nx * ny;
  const N = seg * channels;
  const dims = twoD ? [nx, ny] : [nx];
  const desc = twoD ? `${nx}×${ny}×${channels}` : `${nx}`;

  /** In place on a column-major N × m array: every column, every channel. */
  const transformAll = (X: Float64Array, m: number, inverse: boolean) => {
    const tmp = new Float64Array(Math.max(nx, ny));
    for (let c = 0; c < m * channels; c++) transformSegment(X, c * seg, nx, ny, levels, inverse, tmp);
  };
  /** out ← Wᵀ diag(θ) W X (out zero-filled on entry, X untouched). */
  const applyK = (theta: Float64Array, X: Float64Array, m: number, out: Float64Array) => {
    out.set(X.subarray(0, N * m));
    transformAll(out, m, false);
    for (let c = 0; c < m; c++) {
      const o = c * N;
      for (let i = 0; i < N; i++) out[o + i] *= theta[i];
    }
    transformAll(out, m, true);
  };

  const op = fromKernels({
    fn,
    name: `waveletOperator(${desc}, haar, levels=${levels})`,
    nIn: N,
    nOut: N,
    nTheta: N,
    inDesc: twoD ? `${nx}×${ny}×${channels}` : undefined,
    outDesc: twoD ? `${nx}×${ny}×${channels}` : undefined,
    apply: applyK,
    // K(θ) is symmetric: Kᵀ = (Wᵀ diag(θ) W)ᵀ = K.
    applyTranspose: applyK,
    vjp: (Z, Y, m, out) => {
      const wz = Z.slice(0, N * m), wy = Y.slice(0, N * m);
      transformAll(wz, m, false);
      transformAll(wy, m, false);
      for (let c = 0; c < m; c++) {
        const o = c * N;
        for (let i = 0; i < N; i++) out[i] += wz[o + i] * wy[o + i];
      }
    },
    toDense: (theta, out) => {
      // K = Σ_t θ_t w_t w_tᵀ, w_t = Wᵀ e_t the t-th wavelet: K e_j column by column.
      const E = new Float64Array(N * N);
      for (let j = 0; j < N; j++) E[j + j * N] = 1;
      applyK(theta, E, N, out);
    },
    Q: () => {
      // Column t of Q is vec(w_t w_tᵀ) (inspection only: O(Σ_t |supp w_t|²) entries).
      const Wt = new Float64Array(N * N);
      for (let t = 0; t < N; t++) Wt[t + t * N] = 1;
      transformAll(Wt, N, true);
      const b = new SparseBuilder(N * N, N);
      for (let t = 0; t < N; t++) {
        const w = Wt.subarray(t * N, (t + 1) * N);
        for (let j = 0; j < N; j++) {
          if (w[j] === 0) continue;
          for (let i = 0; i < N; i++) b.push(i + j * N, t, w[i] * w[j]);
        }
      }
      return b.build();
    },
  });
  const transformMatrix = (label: string, X: Matrix, inverse: boolean): Matrix => {
    const { data, n: m } = checkData(`${fn}.${label}`, inverse ? 'C' : 'Y', X, N, twoD ? desc : undefined);
    const out = zeros(N, m);
    out.data.set(data.subarray(0, N * m));
    transformAll(out.data, m, inverse);
    return out;
  };
  return withSpec(Object.assign(op, {
    dims,
    levels,
    channels,
    wavelet: 'haar' as const,
    analysis: (Y: Matrix) => transformMatrix('analysis', Y, false),
    synthesis: (C: Matrix) => transformMatrix('synthesis', C, true),
  }), 'waveletOperator', [n, options]);
}
