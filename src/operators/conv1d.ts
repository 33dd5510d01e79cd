/**
 * 1-D convolution with an odd stencil as a parametric model K(θ), applied to
 * many columns at once. Convention (docs/conventions.md §2, the lecture's): with θ of
 * size 2k+1 and centre c = k+1 (1-based),
 *
 *   z_i = Σ_{j=−k..k} θ_{c−j} y_{i+j},
 *
 * i.e. 0-based `z_i = Σ_d θ[d] y[i + k − d]` — a true convolution (correlation
 * with the flipped stencil). A 3-stencil gives the rows `[θ3 θ2 θ1]`:
 * zero boundary → Toeplitz matrix, periodic boundary → circulant matrix with
 * first column `[θ2, θ3, 0, …, 0, θ1]`.
 *
 * Periodic paths: 'fft' uses K = F⁻¹ diag(λ) F with λ = F(K e_1) (and conj(λ)
 * for Kᵀ), transforming two real columns per complex FFT; 'direct' loops over
 * the stencil with wrap-around. Both agree to rounding; 'auto' picks direct for
 * short stencils (measured crossover, see {@link Conv1dOptions.method}).
 */
import { fail } from '../core/errors.js';
import { createFftPlan, type FftPlan } from '../core/fft.js';
import { checkDim, linearParametric } from './base.js';
import { circulantFirstColumn } from './circulantEigenvalues.js';
import { SparseBuilder } from './sparse.js';
import type { ParametricOperator } from './types.js';
import { checkOptions } from '../core/options.js';
import { withSpec } from '../core/spec.js';

/** Boundary condition of a convolution: zero padding (Toeplitz) or periodic (circulant). */
export type Boundary = 'zero' | 'periodic';

/** How a periodic convolution is evaluated. */
export type ConvMethod = 'fft' | 'direct' | 'auto';

/** Options of {@link conv1d}. */
export interface Conv1dOptions {
  /** 'zero' (default): Toeplitz; 'periodic': circulant. */
  boundary?: Boundary;
  /**
   * Periodic evaluation: 'fft', 'direct' or 'auto' (default): direct for
   * stencils up to {@link CONV1D_DIRECT_MAX} when n is a power of two, up to
   * {@link CONV1D_DIRECT_MAX_BLUESTEIN} otherwise (the FFT of other lengths,
   * Bluestein's, costs about three power-of-two FFTs).
   */
  method?: ConvMethod;
}

/** A 1-D convolution operator with its boundary and evaluation method (what {@link conv1d} returns). */
export interface Conv1dOperator extends ParametricOperator {
  readonly boundary: Boundary;
  /** 'direct' loops or 'fft' (periodic only). */
  readonly method: 'fft' | 'direct';
}

/** Longest stencil for which `method: 'auto'` uses the direct periodic loops in conv1d when n is a power of two (measured crossover). */
export const CONV1D_DIRECT_MAX = 7;
/** The same for lengths that are not powers of two (measured crossover at n = 28). */
export const CONV1D_DIRECT_MAX_BLUESTEIN = 19;

/** Validate an odd stencil size against a grid size (shared by the conv factories). */
export function checkStencil(fn: string, size: number, label: string, gridLabel: string, gridSize: number): void {
  checkDim(fn, label, size);
  if (size % 2 === 0) fail(fn, `${label} ${size} is even, expected an odd size (a centred stencil 2k+1)`);
  if (size > gridSize) fail(fn, `${label} ${size} is larger than the grid (${gridLabel} = ${gridSize})`);
}

/** Validate a boundary option. */
export function checkBoundary(fn: string, b: unknown): Boundary {
  if (b !== 'zero' && b !== 'periodic') fail(fn, `boundary must be 'zero' or 'periodic', got ${String(b)}`);
  return b;
}

/** Validate a method option. */
export function checkMethod(fn: string, m: unknown): ConvMethod {
  if (m !== 'fft' && m !== 'direct' && m !== 'auto') fail(fn, `method must be 'fft', 'direct' or 'auto', got ${String(m)}`);
  return m;
}

/**
 * 1-D convolution K(θ) on n grid points with an odd stencil of size p = 2k+1,
 * `z_i = Σ_{j=−k..k} θ_{c−j} y_{i+j}` (c = k+1), applied to every column of Y.
 * θ ordering: θ[0] multiplies y_{i+k} (the right neighbour for k = 1), θ[k] is
 * the centre, θ[2k] multiplies y_{i−k}; so for n = 4, p = 3 (1-based θ):
 * zero boundary `[[θ2,θ1,0,0],[θ3,θ2,θ1,0],[0,θ3,θ2,θ1],[0,0,θ3,θ2]]`,
 * periodic `[[θ2,θ1,0,θ3],[θ3,θ2,θ1,0],[0,θ3,θ2,θ1],[θ1,0,θ3,θ2]]`.
 * @param n grid size (rows of Y)
 * @param stencilSize p, odd, at most n
 * @param opts `{ boundary: 'zero' | 'periodic', method: 'fft' | 'direct' | 'auto' }`
 * @returns the parametric operator (n × n, nTheta = p); `vjp(Z, Y)[d] = Σ_cols Σ_i Z_i Y_{i+k−d}`
 * @throws if sizes are not positive integers, the stencil is even or larger than n, or an option is unknown
 * @example conv1d(4, 3, { boundary: 'periodic' }).toDense(Float64Array.of(1, 2, 3)) // [[2,1,0,3],[3,2,1,0],[0,3,2,1],[1,0,3,2]]
 */
export function conv1d(n: number, stencilSize: number, opts: Conv1dOptions = {}): Conv1dOperator {
  const fn = 'conv1d';
  checkOptions(fn, opts, ['boundary', 'method']);
  checkDim(fn, 'n', n);
  checkStencil(fn, stencilSize, 'stencil size', 'n', n);
  const boundary = checkBoundary(fn, opts.boundary ?? 'zero');
  const method = checkMethod(fn, opts.method ?? 'auto');
  const p = stencilSize, k = (p - 1) >> 1;
  const pow2 = (n & (n - 1)) === 0;
  const useFft = boundary === 'periodic' && (method === 'fft' || (method === 'auto' && p > (pow2 ? CONV1D_DIRECT_MAX : CONV1D_DIRECT_MAX_BLUESTEIN)));

  // --- direct kernels: out_i += θ[d] y_{i+s}, s = k − d -------------------
  // Zero boundary: only 0 ≤ i+s < n contributes. Periodic: i+s wraps, done as
  // two contiguous segments so the inner loops carry no modulo.
  const directApply = (theta: Float64Array, Y: Float64Array, m: number, out: Float64Array, transpose: boolean) => {
    for (let c = 0; c < m; c++) {
      const o = c * n;
      for (let d = 0; d < p; d++) {
        const w = theta[d];
        if (w === 0) continue;
        // Kᵀ is the convolution with shift −s (the stencil reversed).
        const s = transpose ? d - k : k - d;
        const lo = Math.max(0, -s), hi = Math.min(n, n - s);
        for (let i = lo; i < hi; i++) out[o + i] += w * Y[o + i + s];
        if (boundary === 'periodic') {
          // i + s < 0 → i + s + n;  i + s ≥ n → i + s − n.
          for (let i = 0; i < lo; i++) out[o + i] += w * Y[o + i + s + n];
          for (let i = hi; i < n; i++) out[o + i] += w * Y[o + i + s - n];
        }
      }
    }
  };
  const directVjp = (Z: Float64Array, Y: Float64Array, m: number, out: Float64Array) => {
    for (let c = 0; c < m; c++) {
      const o = c * n;
      for (let d = 0; d < p; d++) {
        const s = k - d;
        const lo = Math.max(0, -s), hi = Math.min(n, n - s);
        let acc = 0;
        for (let i = lo; i < hi; i++) acc += Z[o + i] * Y[o + i + s];
        if (boundary === 'periodic') {
          for (let i = 0; i < lo; i++) acc += Z[o + i] * Y[o + i + s + n];
          for (let i = hi; i < n; i++) acc += Z[o + i] * Y[o + i + s - n];
        }
        out[d] += acc;
      }
    }
  };

  // --- FFT kernels ----------------------------------------------------------
  let plan: FftPlan | null = null;
  const getPlan = () => (plan ??= createFftPlan(n));
  /** λ = F(K e_1) for this θ. */
  const eigen = (theta: Float64Array) => {
    const re = circulantFirstColumn(theta, n);
    const im = new Float64Array(n);
    getPlan().forward(re, im);
    return { re, im };
  };
  // Two real columns a, b travel as one complex vector a + i·b: K is real, so
  // K(a + i b) = K a + i K b and the real/imaginary parts separate exactly.
  const fftApply = (theta: Float64Array, Y: Float64Array, m: number, out: Float64Array, conj: boolean) => {
    const P = getPlan();
    const lam = eigen(theta);
    const lr = lam.re, li = lam.im, sg = conj ? -1 : 1;
    const re = new Float64Array(n), im = new Float64Array(n);
    for (let c = 0; c < m; c += 2) {
      const two = c + 1 < m;
      re.set(Y.subarray(c * n, c * n + n));
      if (two) im.set(Y.subarray(c * n + n, c * n + 2 * n));
      else im.fill(0);
      P.forward(re, im);
      for (let i = 0; i < n; i++) {
        const a = re[i], b = im[i], x = lr[i], y = sg * li[i];
        re[i] = a * x - b * y;
        im[i] = a * y + b * x;
      }
      P.inverse(re, im);
      out.set(re, c * n);
      if (two) out.set(im, c * n + n);
    }
  };
  // vjp: g[d] = Σ_cols r[(d − k) mod n] with the circular cross-correlation
  // r[m] = Σ_i z_i y_{i−m} = ifft(Ẑ ∘ conj(Ŷ)). Summed over columns in Fourier
  // space; with pairs (z1 + i z2)(y1 − i y2) the real part is corr(z1,y1) + corr(z2,y2).
  const fftVjp = (Z: Float64Array, Y: Float64Array, m: number, out: Float64Array) => {
    const P = getPlan();
    const zr = new Float64Array(n), zi = new Float64Array(n), yr = new Float64Array(n), yi = new Float64Array(n);
    const accR = new Float64Array(n), accI = new Float64Array(n);
    for (let c = 0; c < m; c += 2) {
      const two = c + 1 < m;
      zr.set(Z.subarray(c * n, c * n + n));
      yr.set(Y.subarray(c * n, c * n + n));
      if (two) {
        zi.set(Z.subarray(c * n + n, c * n + 2 * n));
        yi.set(Y.subarray(c * n + n, c * n + 2 * n));
      } else {
        zi.fill(0);
        yi.fill(0);
      }
      P.forward(zr, zi);
      P.forward(yr, yi);
      for (let i = 0; i < n; i++) {
        accR[i] += zr[i] * yr[i] + zi[i] * yi[i];
        accI[i] += zi[i] * yr[i] - zr[i] * yi[i];
      }
    }
    P.inverse(accR, accI);
    for (let d = 0; d < p; d++) out[d] = accR[(((d - k) % n) + n) % n];
  };

  const toDense = (theta: Float64Array, out: Float64Array) => {
    for (let i = 0; i < n; i++) {
      for (let d = 0; d < p; d++) {
        let j = i + k - d;
        if (j < 0 || j >= n) {
          if (boundary === 'zero') continue;
          j = (j + n) % n;
        }
        out[i + j * n] += theta[d];
      }
    }
  };

  const op = linearParametric(
    {
      fn,
      name: `conv1d(${n}, ${p}, ${boundary}${boundary === 'periodic' ? `, ${useFft ? 'fft' : 'direct'}` : ''})`,
      nIn: n,
      nOut: n,
      nTheta: p,
      apply: (theta, Y, m, out) => (useFft ? fftApply(theta, Y, m, out, false) : directApply(theta, Y, m, out, false)),
      applyTranspose: (theta, Z, m, out) => (useFft ? fftApply(theta, Z, m, out, true) : directApply(theta, Z, m, out, true)),
      vjp: (Z, Y, m, out) => (useFft ? fftVjp(Z, Y, m, out) : directVjp(Z, Y, m, out)),
      toDense,
      Q: () => {
        const b = new SparseBuilder(n * n, p);
        for (let i = 0; i < n; i++) {
          for (let d = 0; d < p; d++) {
            let j = i + k - d;
            if (j < 0 || j >= n) {
              if (boundary === 'zero') continue;
              j = (j + n) % n;
            }
            b.push(i + j * n, d, 1);
          }
        }
        return b.build();
      },
    },
    { boundary, method: useFft ? 'fft' : 'direct' },
  );
  return withSpec(op as Conv1dOperator, 'conv1d', [n, stencilSize, opts]);
}
