/**
 * Eigenvalues of periodic (circulant) convolutions without forming K: a
 * circulant matrix is diagonalised by the DFT, K = F⁻¹ diag(λ) F with
 * λ = F (K e_1), so λ is the FFT of K's first column, and that column is the
 * stencil placed around index 0 with wrap-around (MATLAB: circshift).
 */
import { checkVector, fail } from '../core/errors.js';
import { createFft2Plan, createFftPlan, type ComplexArray } from '../core/fft.js';
import { checkDim } from './base.js';

/**
 * The first column c = K e_1 of the periodic 1-D convolution with an odd
 * stencil θ of size 2k+1 (docs/conventions.md §2 convention `z_i = Σ_j θ_{c−j} y_{i+j}`):
 * c[(d − k) mod n] = θ[d] (0-based), e.g. `[θ2, θ3, 0, …, 0, θ1]` for k = 1.
 * Internal helper shared by conv1d and circulantEigenvalues.
 */
export function circulantFirstColumn(stencil: Float64Array, n: number): Float64Array {
  const p = stencil.length, k = (p - 1) >> 1;
  const c = new Float64Array(n);
  for (let d = 0; d < p; d++) c[(((d - k) % n) + n) % n] += stencil[d];
  return c;
}

/** 2-D analogue of {@link circulantFirstColumn}: the kernel image K e_1 on the nx×ny grid. */
export function circulantFirstColumn2d(stencil: Float64Array, nx: number, ny: number, kx: number, ky: number, offset = 0): Float64Array {
  const hx = (kx - 1) >> 1, hy = (ky - 1) >> 1;
  const c = new Float64Array(nx * ny);
  for (let b = 0; b < ky; b++) {
    const iy = (((b - hy) % ny) + ny) % ny;
    for (let a = 0; a < kx; a++) {
      const ix = (((a - hx) % nx) + nx) % nx;
      c[ix + nx * iy] += stencil[offset + a + kx * b];
    }
  }
  return c;
}

function checkOddStencil(fn: string, size: number, label: string, n: number): void {
  if (size % 2 === 0) fail(fn, `${label} ${size} is even, expected an odd size (a centred stencil 2k+1)`);
  if (size > n) fail(fn, `${label} ${size} is larger than the grid size ${n}`);
}

/**
 * Eigenvalues λ = F(K(θ) e_1) of the periodic 1-D convolution K(θ) on n points
 * (a circulant matrix), computed by one FFT of the circularly shifted stencil,
 * without building K: K = F⁻¹ diag(λ) F, so K y = real(ifft(λ ∘ fft(y))) and
 * Kᵀ y = real(ifft(conj(λ) ∘ fft(y))).
 * @param stencil θ, odd length 2k+1 ≤ n (centre θ[k])
 * @param n grid size
 * @returns `{ re, im }`, each of length n, in FFT order (frequency 0 first)
 * @throws if the stencil is even or longer than n
 * @example circulantEigenvalues(Float64Array.of(-1, 2, -1), 4).re // [0, 2, 4, 2] (= 2 − 2cos(2πm/4))
 */
export function circulantEigenvalues(stencil: Float64Array, n: number): ComplexArray {
  const fn = 'circulantEigenvalues';
  checkVector(fn, 'stencil', stencil);
  checkDim(fn, 'n', n);
  checkOddStencil(fn, stencil.length, 'stencil size', n);
  const re = circulantFirstColumn(stencil, n);
  const im = new Float64Array(n);
  createFftPlan(n).forward(re, im);
  return { re, im };
}

/**
 * Eigenvalues of the periodic 2-D convolution on an nx×ny grid with an odd
 * kx×ky stencil (column-major, index a + kx·b), λ = F₂(K e_1): one 2-D FFT of the
 * circularly shifted stencil image, K never formed.
 * @param stencil θ, length kx·ky
 * @param dims `[nx, ny]`, the grid
 * @param kdims `[kx, ky]`, the stencil size (odd, at most the grid)
 * @returns `{ re, im }` of length nx·ny, frequency (fx, fy) at `fx + nx·fy`
 * @throws if sizes disagree, a stencil side is even, or larger than the grid
 * @example circulantEigenvalues2d(Float64Array.of(1), [2, 2], [1, 1]).re // [1, 1, 1, 1]
 */
export function circulantEigenvalues2d(stencil: Float64Array, dims: [number, number], kdims: [number, number]): ComplexArray {
  const fn = 'circulantEigenvalues2d';
  checkVector(fn, 'stencil', stencil);
  if (!Array.isArray(dims) || dims.length !== 2) fail(fn, 'dims must be [nx, ny]');
  if (!Array.isArray(kdims) || kdims.length !== 2) fail(fn, 'kdims must be [kx, ky]');
  const [nx, ny] = dims, [kx, ky] = kdims;
  checkDim(fn, 'nx', nx);
  checkDim(fn, 'ny', ny);
  checkDim(fn, 'kx', kx);
  checkDim(fn, 'ky', ky);
  if (stencil.length !== kx * ky) fail(fn, `stencil has length ${stencil.length}, expected kx*ky = ${kx}*${ky} = ${kx * ky}`);
  if (kx % 2 === 0 || ky % 2 === 0) fail(fn, `stencil ${kx}×${ky} has an even side, expected odd sizes`);
  if (kx > nx || ky > ny) fail(fn, `stencil ${kx}×${ky} is larger than the ${nx}×${ny} grid`);
  const re = circulantFirstColumn2d(stencil, nx, ny, kx, ky);
  const im = new Float64Array(nx * ny);
  createFft2Plan(nx, ny).forward(re, im);
  return { re, im };
}
