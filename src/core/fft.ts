/**
 * Discrete Fourier transforms of any length (STUB — being implemented).
 *
 * Convention (MATLAB's): forward X_k = Σ_j x_j e^{−2πi jk/n} (unnormalised),
 * inverse x_j = (1/n) Σ_k X_k e^{+2πi jk/n}, so ifft(fft(x)) = x.
 */
import { fail } from './errors.js';
import type { Matrix } from './matrix.js';

/** A complex vector stored as separate real and imaginary parts. */
export interface ComplexArray {
  re: Float64Array;
  im: Float64Array;
}

/** A complex matrix stored as separate real and imaginary parts (same shape). */
export interface ComplexMatrix {
  re: Matrix;
  im: Matrix;
}

/**
 * Forward DFT of a complex (or real, when `im` is omitted) vector of any length.
 * Returns new arrays; the input is not modified.
 */
export function fft(re: Float64Array, im?: Float64Array): ComplexArray {
  void re; void im;
  return fail('fft', 'not implemented yet');
}

/** Inverse DFT (with the 1/n factor). */
export function ifft(re: Float64Array, im?: Float64Array): ComplexArray {
  void re; void im;
  return fail('ifft', 'not implemented yet');
}

/**
 * 2-D DFT of images stored as matrix columns (DESIGN.md §1: pixel (ix, iy) of
 * channel ic at row ix + nx*(iy + ny*ic)). Every column's length must be a
 * multiple of nx*ny; each nx×ny block is transformed on its own.
 */
export function fft2(re: Matrix, im: Matrix | null, dims: [number, number]): ComplexMatrix {
  void re; void im; void dims;
  return fail('fft2', 'not implemented yet');
}

/** Inverse of {@link fft2} (with the 1/(nx·ny) factor). */
export function ifft2(re: Matrix, im: Matrix | null, dims: [number, number]): ComplexMatrix {
  void re; void im; void dims;
  return fail('ifft2', 'not implemented yet');
}
