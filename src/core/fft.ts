/**
 * Discrete Fourier transforms of any length.
 *
 * Convention (MATLAB's, used everywhere in numdl):
 *
 *   forward   X_k = Σ_{j=0}^{n−1} x_j e^{−2πi jk/n}            (unnormalised)
 *   inverse   x_j = (1/n) Σ_{k=0}^{n−1} X_k e^{+2πi jk/n}
 *
 * so `ifft(fft(x)) = x`, `‖fft(x)‖² = n‖x‖²` (Parseval), and a periodic
 * convolution with first column c is `K y = ifft(fft(c) ∘ fft(y))`. The 2-D
 * transforms apply the 1-D ones along x and then along y, so the inverse
 * carries the factor 1/(nx·ny).
 *
 * Algorithms: lengths 0 and 1 are the identity; powers of two use the radix-4
 * transform of the `fft.js` package; every other length (28, 12, primes, …)
 * uses Bluestein's chirp-z transform, which rewrites the DFT as a circular
 * convolution of length m = 2^⌈log2(2n−1)⌉ evaluated with two `fft.js`
 * transforms of length m. Complex data is kept as separate real and imaginary
 * arrays; the plans gather into fft.js's interleaved layout internally.
 */
import FFT from 'fft.js';
import { checkMatrix, checkPositiveInt, checkSize, checkVector, fail, shapeStr } from './errors.js';
import { columnMajorData, matrix, type Matrix } from './matrix.js';

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
 * A reusable 1-D DFT of one length n, transforming in place.
 *
 * Everything that depends only on n (the fft.js instance and its twiddles, the
 * Bluestein chirp and its transform, the work arrays) is computed once when the
 * plan is created, so `forward`/`inverse` allocate nothing. A plan keeps no
 * state between calls: the same input always gives the same bits.
 */
export interface FftPlan {
  /** The transform length. */
  readonly n: number;
  /** How the plan computes the DFT: identity (n ≤ 1), fft.js (powers of two), or Bluestein. */
  readonly algorithm: 'identity' | 'radix4' | 'bluestein';
  /**
   * In-place forward DFT X_k = Σ_j x_j e^{−2πi jk/n} of the n complex entries
   * `x_j = re[offset + j*stride] + i·im[offset + j*stride]`, j = 0..n−1.
   * @param re real parts, overwritten with the real parts of X
   * @param im imaginary parts (same length as `re`), overwritten
   * @param offset index of x_0 (default 0)
   * @param stride distance between consecutive entries (default 1, positive integer)
   * @throws if the arrays differ in length, or offset/stride are not valid
   *   integers, or the last entry `offset + (n−1)*stride` is out of bounds
   */
  forward(re: Float64Array, im: Float64Array, offset?: number, stride?: number): void;
  /**
   * In-place inverse DFT x_j = (1/n) Σ_k X_k e^{+2πi jk/n}, same addressing and
   * errors as {@link FftPlan.forward}.
   */
  inverse(re: Float64Array, im: Float64Array, offset?: number, stride?: number): void;
}

/**
 * A reusable 2-D DFT of nx×ny images, transforming in place a batch of images
 * stored one after another (pixel (ix, iy) of image b at `ix + nx*(iy + ny*b)`,
 * docs/conventions.md §1 — channels and matrix columns are just more images).
 */
export interface Fft2Plan {
  readonly nx: number;
  readonly ny: number;
  /**
   * In-place forward 2-D DFT of every nx×ny block:
   * X_{kx,ky} = Σ_{ix,iy} x_{ix,iy} e^{−2πi (ix kx/nx + iy ky/ny)}.
   * @param re real parts, length nx*ny*count, overwritten
   * @param im imaginary parts, same length, overwritten
   * @throws if the lengths differ or are not a multiple of nx*ny
   */
  forward(re: Float64Array, im: Float64Array): void;
  /** In-place inverse 2-D DFT of every block (factor 1/(nx·ny)); same arguments and errors as `forward`. */
  inverse(re: Float64Array, im: Float64Array): void;
  /**
   * Forward 2-D DFT of real images, two at a time: images b and b+1 are
   * transformed together as z = x_b + i·x_{b+1} and separated with
   * X_b(k) = (Z(k) + conj Z(−k))/2, X_{b+1}(k) = (Z(k) − conj Z(−k))/(2i),
   * k and −k taken mod (nx, ny) — about half the work of `forward`. The
   * spectra come out exactly Hermitian, X(−k) = conj X(k).
   * @param x real images, length nx*ny*count (not modified unless it is `re` or `im`)
   * @param re receives the real parts of the spectra, same length
   * @param im receives the imaginary parts, same length
   * @throws if the lengths differ or are not a multiple of nx*ny, or `x`
   *   partly overlaps `re`/`im` (it may be one of them exactly)
   */
  forwardReal(x: Float64Array, re: Float64Array, im: Float64Array): void;
  /**
   * x = real(ifft2(re + i·im)) for every block, two blocks per complex
   * transform (the Hermitian part of each spectrum is taken first, so the
   * result is exactly the real part of the inverse for any input).
   * @param re real parts of the spectra, length nx*ny*count (not modified unless it is `x`)
   * @param im imaginary parts, same length (not modified unless it is `x`)
   * @param x receives the real images, same length; may be `re` or `im` itself
   * @throws as {@link Fft2Plan.forwardReal}
   */
  inverseReal(re: Float64Array, im: Float64Array, x: Float64Array): void;
}

// ---------------------------------------------------------------------------
// 1-D plans. `run` is the trusting kernel; the public methods validate first.

interface Kernel {
  run(re: Float64Array, im: Float64Array, offset: number, stride: number, inverse: boolean): void;
}

function isPowerOfTwo(n: number): boolean {
  return n >= 2 && (n & (n - 1)) === 0;
}

function nextPowerOfTwo(n: number): number {
  let m = 2;
  while (m < n) m *= 2;
  return m;
}

class IdentityKernel implements Kernel {
  // n = 0: nothing to do; n = 1: X_0 = x_0 and the inverse's 1/n is 1.
  run(): void {}
}

/** Powers of two: gather into fft.js's interleaved layout, transform, scatter. */
class Radix4Kernel implements Kernel {
  private readonly n: number;
  private readonly fft: FFT;
  private readonly a: Float64Array;
  private readonly b: Float64Array;

  constructor(n: number) {
    this.n = n;
    this.fft = new FFT(n);
    this.a = new Float64Array(2 * n);
    this.b = new Float64Array(2 * n);
  }

  run(re: Float64Array, im: Float64Array, offset: number, stride: number, inverse: boolean): void {
    const n = this.n, a = this.a, b = this.b;
    // The inverse is computed as conj(F conj(X)) / n rather than with fft.js's
    // inverseTransform: the conjugations and the 1/n fold into the gather and
    // scatter loops, saving a pass over the data.
    const sgn = inverse ? -1 : 1;
    for (let j = 0, p = offset; j < n; j++, p += stride) {
      a[2 * j] = re[p];
      a[2 * j + 1] = sgn * im[p];
    }
    this.fft.transform(b, a);
    if (inverse) {
      const s = 1 / n; // exact: n is a power of two
      for (let k = 0, p = offset; k < n; k++, p += stride) {
        re[p] = s * b[2 * k];
        im[p] = -s * b[2 * k + 1];
      }
    } else {
      for (let k = 0, p = offset; k < n; k++, p += stride) {
        re[p] = b[2 * k];
        im[p] = b[2 * k + 1];
      }
    }
  }
}

/**
 * Bluestein's chirp-z transform. With jk = (j² + k² − (k−j)²)/2 and the chirp
 * w_j = e^{−πi j²/n}:
 *
 *   X_k = w_k Σ_j (x_j w_j) conj(w_{k−j}),
 *
 * a linear convolution of a_j = x_j w_j (j < n) with b_l = conj(w_l)
 * (|l| < n). Zero-padding a to m ≥ 2n−1 and wrapping b (b[m−l] = b[l]) makes
 * it a circular convolution of length m, evaluated as F⁻¹(F a ∘ F b) with the
 * power-of-two fft.js transform. F b (already divided by m, the inverse's
 * factor) is precomputed; the inverse F⁻¹ is conj(F conj(·)).
 */
class BluesteinKernel implements Kernel {
  private readonly n: number;
  private readonly m: number;
  private readonly fft: FFT;
  private readonly wr: Float64Array; // chirp w_j, real parts
  private readonly wi: Float64Array; // chirp w_j, imaginary parts
  private readonly h: Float64Array; // F b / m, interleaved, length 2m
  private readonly a: Float64Array; // chirped input, zero beyond 2n (never written there)
  private readonly b: Float64Array; // fft.js output
  private readonly c: Float64Array; // conj(F a ∘ F b / m)

  constructor(n: number) {
    const m = nextPowerOfTwo(2 * n - 1);
    this.n = n;
    this.m = m;
    this.fft = new FFT(m);
    this.wr = new Float64Array(n);
    this.wi = new Float64Array(n);
    // The angle π j²/n is evaluated with j² reduced mod 2n (exact integer
    // arithmetic, (j+1)² = j² + 2j + 1), so it stays in [0, 2π) and the chirp
    // keeps full accuracy for large j.
    for (let j = 0, q = 0; j < n; j++) {
      const t = (Math.PI * q) / n;
      this.wr[j] = Math.cos(t);
      this.wi[j] = -Math.sin(t);
      q += 2 * j + 1;
      if (q >= 2 * n) q -= 2 * n;
      if (q >= 2 * n) q -= 2 * n;
    }
    const bb = new Float64Array(2 * m);
    for (let l = 0; l < n; l++) {
      bb[2 * l] = this.wr[l];
      bb[2 * l + 1] = -this.wi[l];
      if (l > 0) {
        bb[2 * (m - l)] = this.wr[l];
        bb[2 * (m - l) + 1] = -this.wi[l];
      }
    }
    this.h = new Float64Array(2 * m);
    this.fft.transform(this.h, bb);
    for (let k = 0; k < 2 * m; k++) this.h[k] /= m;
    this.a = new Float64Array(2 * m);
    this.b = new Float64Array(2 * m);
    this.c = new Float64Array(2 * m);
  }

  run(re: Float64Array, im: Float64Array, offset: number, stride: number, inverse: boolean): void {
    const n = this.n, m = this.m, wr = this.wr, wi = this.wi, h = this.h, a = this.a, b = this.b, c = this.c;
    // The inverse DFT is conj(F conj(X)) / n: conjugate on the way in and out.
    const sgn = inverse ? -1 : 1;
    for (let j = 0, p = offset; j < n; j++, p += stride) {
      const xr = re[p], xi = sgn * im[p];
      a[2 * j] = xr * wr[j] - xi * wi[j];
      a[2 * j + 1] = xr * wi[j] + xi * wr[j];
    }
    this.fft.transform(b, a);
    for (let k = 0; k < 2 * m; k += 2) {
      const br = b[k], bi = b[k + 1], hr = h[k], hi = h[k + 1];
      c[k] = br * hr - bi * hi;
      c[k + 1] = -(br * hi + bi * hr);
    }
    this.fft.transform(b, c);
    // convolution_k = conj(b_k); X_k = w_k · convolution_k
    const s = inverse ? 1 / n : 1;
    for (let k = 0, p = offset; k < n; k++, p += stride) {
      const cr = b[2 * k], ci = -b[2 * k + 1];
      re[p] = s * (wr[k] * cr - wi[k] * ci);
      im[p] = sgn * s * (wr[k] * ci + wi[k] * cr);
    }
  }
}

function makeKernel(n: number): Kernel {
  if (n <= 1) return new IdentityKernel();
  if (isPowerOfTwo(n)) return new Radix4Kernel(n);
  return new BluesteinKernel(n);
}

function checkPair(fn: string, re: unknown, im: unknown): void {
  checkVector(fn, 're', re);
  checkVector(fn, 'im', im);
  if ((im as Float64Array).length !== (re as Float64Array).length) {
    fail(fn, `im has length ${(im as Float64Array).length}, expected ${(re as Float64Array).length} (the length of re)`);
  }
}

/** True when a and b share memory but are not the very same view. */
function partlyOverlaps(a: Float64Array, b: Float64Array): boolean {
  if (a.buffer !== b.buffer) return false;
  if (a.byteOffset === b.byteOffset && a.length === b.length) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

class Plan1 implements FftPlan {
  readonly n: number;
  readonly algorithm: 'identity' | 'radix4' | 'bluestein';
  /** @internal trusting kernel, used by the 2-D plans and the convenience functions */
  readonly kernel: Kernel;

  constructor(n: number) {
    this.n = n;
    this.algorithm = n <= 1 ? 'identity' : isPowerOfTwo(n) ? 'radix4' : 'bluestein';
    this.kernel = makeKernel(n);
  }

  forward(re: Float64Array, im: Float64Array, offset = 0, stride = 1): void {
    this.check('forward', re, im, offset, stride);
    this.kernel.run(re, im, offset, stride, false);
  }

  inverse(re: Float64Array, im: Float64Array, offset = 0, stride = 1): void {
    this.check('inverse', re, im, offset, stride);
    this.kernel.run(re, im, offset, stride, true);
  }

  private check(method: string, re: Float64Array, im: Float64Array, offset: number, stride: number): void {
    // fast path first: plans run in hot loops, so build no message unless something is wrong
    if (
      re instanceof Float64Array && im instanceof Float64Array && im.length === re.length &&
      Number.isInteger(offset) && offset >= 0 && Number.isInteger(stride) && stride > 0 &&
      (this.n === 0 || offset + (this.n - 1) * stride < re.length)
    ) {
      return;
    }
    const fn = `FftPlan(${this.n}).${method}`;
    checkPair(fn, re, im);
    checkSize(fn, 'offset', offset);
    checkPositiveInt(fn, 'stride', stride);
    if (this.n > 0 && offset + (this.n - 1) * stride >= re.length) {
      fail(fn, `offset ${offset} + (n−1)*stride = ${offset} + ${this.n - 1}*${stride} = ${offset + (this.n - 1) * stride} is out of bounds for arrays of length ${re.length}`);
    }
  }
}

class Plan2 implements Fft2Plan {
  readonly nx: number;
  readonly ny: number;
  private readonly px: Kernel;
  private readonly py: Kernel;
  private readonly wr: Float64Array; // one block of work space for the real-input transforms
  private readonly wi: Float64Array;

  constructor(nx: number, ny: number) {
    this.nx = nx;
    this.ny = ny;
    this.px = makeKernel(nx);
    // one kernel serves both directions when nx = ny (calls are sequential)
    this.py = ny === nx ? this.px : makeKernel(ny);
    this.wr = new Float64Array(nx * ny);
    this.wi = new Float64Array(nx * ny);
  }

  forward(re: Float64Array, im: Float64Array): void {
    this.check('forward', re, im);
    this.run(re, im, false);
  }

  inverse(re: Float64Array, im: Float64Array): void {
    this.check('inverse', re, im);
    this.run(re, im, true);
  }

  private check(method: string, re: Float64Array, im: Float64Array): void {
    if (re instanceof Float64Array && im instanceof Float64Array && im.length === re.length && re.length % (this.nx * this.ny) === 0) return;
    const fn = `Fft2Plan(${this.nx}, ${this.ny}).${method}`;
    checkPair(fn, re, im);
    const blk = this.nx * this.ny;
    if (re.length % blk !== 0) {
      fail(fn, `re has length ${re.length}, not a multiple of nx*ny = ${this.nx}*${this.ny} = ${blk}`);
    }
  }

  forwardReal(x: Float64Array, re: Float64Array, im: Float64Array): void {
    this.checkReal('forwardReal', x, re, im);
    this.runForwardReal(x, re, im);
  }

  inverseReal(re: Float64Array, im: Float64Array, x: Float64Array): void {
    this.checkReal('inverseReal', x, re, im);
    this.runInverseReal(re, im, x);
  }

  private checkReal(method: string, x: Float64Array, re: Float64Array, im: Float64Array): void {
    const fn = `Fft2Plan(${this.nx}, ${this.ny}).${method}`; // once per batch, not per image
    checkVector(fn, 'x', x);
    checkPair(fn, re, im);
    if (x.length !== re.length) fail(fn, `x has length ${x.length}, expected ${re.length} (the length of re)`);
    this.check(method, re, im);
    if (partlyOverlaps(x, re) || partlyOverlaps(x, im)) {
      fail(fn, 'x partly overlaps re or im (it may only be one of them exactly)');
    }
  }

  /** @internal trusting kernel of {@link Fft2Plan.forwardReal}. */
  runForwardReal(x: Float64Array, re: Float64Array, im: Float64Array): void {
    const nx = this.nx, ny = this.ny, blk = nx * ny, wr = this.wr, wi = this.wi;
    for (let o1 = 0; o1 < x.length; o1 += 2 * blk) {
      const o2 = o1 + blk;
      const pair = o2 < x.length;
      // z = x_b + i x_{b+1}, read completely before anything is written, so x may be re or im
      for (let i = 0; i < blk; i++) {
        wr[i] = x[o1 + i];
        wi[i] = pair ? x[o2 + i] : 0;
      }
      this.run(wr, wi, false);
      // separate the two spectra, one conjugate pair {k, −k} at a time
      for (let ky = 0; ky < ny; ky++) {
        const kyc = ky === 0 ? 0 : ny - ky;
        for (let kx = 0; kx < nx; kx++) {
          const i = kx + nx * ky, ic = (kx === 0 ? 0 : nx - kx) + nx * kyc;
          if (ic < i) continue;
          const a = wr[i], b = wi[i], c = wr[ic], d = wi[ic];
          const x1r = 0.5 * (a + c), x1i = 0.5 * (b - d); // X_b(k)
          // −k first, so that a self-conjugate k (i = ic) ends with +0, not −0
          re[o1 + ic] = x1r;
          im[o1 + ic] = -x1i;
          re[o1 + i] = x1r;
          im[o1 + i] = x1i;
          if (pair) {
            const x2r = 0.5 * (b + d), x2i = 0.5 * (c - a); // X_{b+1}(k)
            re[o2 + ic] = x2r;
            im[o2 + ic] = -x2i;
            re[o2 + i] = x2r;
            im[o2 + i] = x2i;
          }
        }
      }
    }
  }

  /** @internal trusting kernel of {@link Fft2Plan.inverseReal}. */
  runInverseReal(re: Float64Array, im: Float64Array, x: Float64Array): void {
    const nx = this.nx, ny = this.ny, blk = nx * ny, wr = this.wr, wi = this.wi;
    for (let o1 = 0; o1 < x.length; o1 += 2 * blk) {
      const o2 = o1 + blk;
      const pair = o2 < x.length;
      // Z = H_b + i H_{b+1} with H(k) = (X(k) + conj X(−k))/2 the Hermitian part,
      // whose inverse is real(ifft2(X)); so ifft2(Z) = real(x_b) + i real(x_{b+1}).
      for (let ky = 0; ky < ny; ky++) {
        const kyc = ky === 0 ? 0 : ny - ky;
        for (let kx = 0; kx < nx; kx++) {
          const i = kx + nx * ky, ic = (kx === 0 ? 0 : nx - kx) + nx * kyc;
          if (ic < i) continue;
          const h1r = 0.5 * (re[o1 + i] + re[o1 + ic]), h1i = 0.5 * (im[o1 + i] - im[o1 + ic]);
          let h2r = 0, h2i = 0;
          if (pair) {
            h2r = 0.5 * (re[o2 + i] + re[o2 + ic]);
            h2i = 0.5 * (im[o2 + i] - im[o2 + ic]);
          }
          wr[i] = h1r - h2i; // Z(k) = H1(k) + i H2(k)
          wi[i] = h1i + h2r;
          wr[ic] = h1r + h2i; // Z(−k) = conj H1(k) + i conj H2(k)
          wi[ic] = h2r - h1i;
        }
      }
      this.run(wr, wi, true);
      for (let i = 0; i < blk; i++) x[o1 + i] = wr[i];
      if (pair) for (let i = 0; i < blk; i++) x[o2 + i] = wi[i];
    }
  }

  /** @internal trusting kernel: every nx×ny block of re/im, x first (contiguous), then y (stride nx). */
  run(re: Float64Array, im: Float64Array, inverse: boolean): void {
    const nx = this.nx, ny = this.ny, blk = nx * ny, px = this.px, py = this.py;
    // The inverse 1-D kernels each carry their own 1/nx and 1/ny.
    for (let base = 0; base < re.length; base += blk) {
      if (nx > 1) for (let iy = 0; iy < ny; iy++) px.run(re, im, base + nx * iy, 1, inverse);
      if (ny > 1) for (let ix = 0; ix < nx; ix++) py.run(re, im, base + ix, nx, inverse);
    }
  }
}

// ---------------------------------------------------------------------------
// Pure caches for the convenience functions: a plan's observable behaviour
// depends only on its length, so sharing one is invisible to callers. Bounded
// so that sweeping many lengths does not grow memory without limit.

const CACHE_LIMIT = 64;
const cache1 = new Map<number, Plan1>();
const cache2 = new Map<string, Plan2>();

function cached<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    if (map.size >= CACHE_LIMIT) map.delete(map.keys().next().value as K);
    v = make();
    map.set(key, v);
  }
  return v;
}

function plan1(n: number): Plan1 {
  return cached(cache1, n, () => new Plan1(n));
}

function plan2(nx: number, ny: number): Plan2 {
  return cached(cache2, `${nx}x${ny}`, () => new Plan2(nx, ny));
}

// ---------------------------------------------------------------------------
// Public API

/**
 * A reusable in-place 1-D DFT of length n: X_k = Σ_j x_j e^{−2πi jk/n}
 * (`forward`, unnormalised) and x_j = (1/n) Σ_k X_k e^{+2πi jk/n} (`inverse`).
 *
 * Precomputes everything that depends on n, so repeated transforms (e.g. the
 * rows of many images) allocate nothing. Powers of two use fft.js; other
 * lengths Bluestein's algorithm on an fft.js transform of length ≥ 2n−1.
 * @param n transform length, a non-negative integer (0 and 1 are the identity)
 * @returns a plan with in-place `forward(re, im, offset?, stride?)` and `inverse(...)`
 * @throws if n is not a non-negative integer
 * @example
 * const p = createFftPlan(3);
 * const re = new Float64Array([1, 2, 3]), im = new Float64Array(3);
 * p.forward(re, im); // re ≈ [6, -1.5, -1.5], im ≈ [0, 0.866, -0.866]
 * p.inverse(re, im); // back to [1, 2, 3] and [0, 0, 0]
 */
export function createFftPlan(n: number): FftPlan {
  checkSize('createFftPlan', 'n', n);
  return new Plan1(n);
}

/**
 * A reusable in-place 2-D DFT of nx×ny images stored back to back in raw
 * arrays (docs/conventions.md §1 pixel order `ix + nx*(iy + ny*b)`, b counting images,
 * channels and columns alike): forward
 * X_{kx,ky} = Σ_{ix,iy} x_{ix,iy} e^{−2πi (ix kx/nx + iy ky/ny)},
 * inverse with the factor 1/(nx·ny). Transforms along x (contiguous, length
 * nx), then along y (stride nx, length ny). Allocates nothing per call.
 * @param nx image width (positive integer; the fastest index)
 * @param ny image height (positive integer)
 * @returns a plan with in-place `forward(re, im)` / `inverse(re, im)` on arrays
 *   of length nx*ny*count, and `forwardReal(x, re, im)` / `inverseReal(re, im, x)`
 *   for real images (two images per complex transform, about twice as fast)
 * @throws if nx or ny is not a positive integer
 * @example
 * const p = createFft2Plan(2, 2);
 * const re = new Float64Array([1, 0, 0, 0]), im = new Float64Array(4);
 * p.forward(re, im); // re = [1, 1, 1, 1] (a spike at the origin), im = 0
 * p.inverseReal(re, im, re); // re = [1, 0, 0, 0] again
 */
export function createFft2Plan(nx: number, ny: number): Fft2Plan {
  checkPositiveInt('createFft2Plan', 'nx', nx);
  checkPositiveInt('createFft2Plan', 'ny', ny);
  return new Plan2(nx, ny);
}

function transform1(fn: string, re: Float64Array, im: Float64Array | undefined, inverse: boolean): ComplexArray {
  checkVector(fn, 're', re);
  if (im !== undefined) {
    checkVector(fn, 'im', im);
    if (im.length !== re.length) fail(fn, `im has length ${im.length}, expected ${re.length} (the length of re)`);
  }
  const out = { re: Float64Array.from(re), im: im === undefined ? new Float64Array(re.length) : Float64Array.from(im) };
  plan1(re.length).kernel.run(out.re, out.im, 0, 1, inverse);
  return out;
}

/**
 * Forward DFT of any length, unnormalised (MATLAB `fft`):
 * X_k = Σ_{j=0}^{n−1} x_j e^{−2πi jk/n}, k = 0..n−1.
 * @param re real parts of x, length n (any n ≥ 0)
 * @param im imaginary parts of x, length n; omitted for real input
 * @returns new arrays `{ re, im }` of length n; the input is not modified
 * @throws if `re`/`im` are not Float64Arrays or their lengths differ
 * @example fft(new Float64Array([1, 1, 1, 1])) // { re: [4, 0, 0, 0], im: [0, 0, 0, 0] }
 */
export function fft(re: Float64Array, im?: Float64Array): ComplexArray {
  return transform1('fft', re, im, false);
}

/**
 * Inverse DFT of any length, with the 1/n factor (MATLAB `ifft`):
 * x_j = (1/n) Σ_{k=0}^{n−1} X_k e^{+2πi jk/n}, so `ifft(fft(x)) = x`.
 * @param re real parts of X, length n
 * @param im imaginary parts of X, length n; omitted when X is real
 * @returns new arrays `{ re, im }` of length n; the input is not modified
 * @throws if `re`/`im` are not Float64Arrays or their lengths differ
 * @example ifft(new Float64Array([4, 0, 0, 0])) // { re: [1, 1, 1, 1], im: [0, 0, 0, 0] }
 */
export function ifft(re: Float64Array, im?: Float64Array): ComplexArray {
  return transform1('ifft', re, im, true);
}

function transform2(fn: string, re: Matrix, im: Matrix | null, dims: [number, number], inverse: boolean): ComplexMatrix {
  checkMatrix(fn, 're', re);
  if (im !== null && im !== undefined) {
    checkMatrix(fn, 'im', im);
    if (im.shape[0] !== re.shape[0] || im.shape[1] !== re.shape[1]) {
      fail(fn, `im is ${shapeStr(im)}, expected ${shapeStr(re)} (the shape of re)`);
    }
  }
  if (!Array.isArray(dims) || dims.length !== 2) {
    fail(fn, `dims must be [nx, ny], got ${Array.isArray(dims) ? `an array of length ${(dims as unknown[]).length}` : String(dims)}`);
  }
  const [nx, ny] = dims;
  checkPositiveInt(fn, 'nx', nx);
  checkPositiveInt(fn, 'ny', ny);
  const [rows, cols] = re.shape;
  if (rows % (nx * ny) !== 0) {
    fail(fn, `column length ${rows} is not a multiple of nx*ny = ${nx}*${ny} = ${nx * ny}`);
  }
  // Copy into fresh contiguous column-major storage (also converting a
  // Float32Array-backed input); the columns then are consecutive runs of
  // nx×ny blocks, so one pass over the whole buffer covers every channel of
  // every column.
  const outRe = Float64Array.from(columnMajorData(re));
  if ((im === null || im === undefined) && !inverse) {
    // real images: two per complex transform
    const outIm = new Float64Array(rows * cols);
    plan2(nx, ny).runForwardReal(outRe, outRe, outIm);
    return { re: matrix(rows, cols, outRe), im: matrix(rows, cols, outIm) };
  }
  const outIm = im === null || im === undefined ? new Float64Array(rows * cols) : Float64Array.from(columnMajorData(im));
  plan2(nx, ny).run(outRe, outIm, inverse);
  return { re: matrix(rows, cols, outRe), im: matrix(rows, cols, outIm) };
}

/**
 * 2-D DFT of images stored as matrix columns, unnormalised (MATLAB `fft2` on
 * each image): X_{kx,ky} = Σ_{ix,iy} x_{ix,iy} e^{−2πi (ix kx/nx + iy ky/ny)}.
 *
 * Layout (docs/conventions.md §1): pixel (ix, iy) of channel ic sits at row
 * `ix + nx*(iy + ny*ic)`. Every column's length must be a multiple of nx*ny;
 * each nx×ny block (channel) of each column is transformed on its own, and the
 * result keeps the layout (frequency kx, ky at row `kx + nx*(ky + ny*ic)`).
 * With `im = null` the images are real and are transformed two at a time
 * (see {@link Fft2Plan.forwardReal}); the spectra are then exactly Hermitian.
 * @param re real parts, `(nx*ny*c) × n` (c channels, n images)
 * @param im imaginary parts, same shape, or `null` for real images
 * @param dims `[nx, ny]`, the image size
 * @returns new matrices `{ re, im }` of the shape of `re`; the inputs are not modified
 * @throws if nx or ny is not a positive integer, `im`'s shape differs from
 *   `re`'s, or the column length is not a multiple of nx*ny
 * @example
 * const X = fft2(matrix(4, 1, new Float64Array([1, 2, 3, 4])), null, [2, 2]);
 * // X.re.data = [10, -2, -4, 0], X.im.data = [0, 0, 0, 0]
 */
export function fft2(re: Matrix, im: Matrix | null, dims: [number, number]): ComplexMatrix {
  return transform2('fft2', re, im, dims, false);
}

/**
 * Inverse of {@link fft2}, with the factor 1/(nx·ny):
 * x_{ix,iy} = (1/(nx ny)) Σ_{kx,ky} X_{kx,ky} e^{+2πi (ix kx/nx + iy ky/ny)},
 * applied to every nx×ny block of every column.
 * @param re real parts, `(nx*ny*c) × n`
 * @param im imaginary parts, same shape, or `null` when the spectrum is real
 * @param dims `[nx, ny]`, the image size
 * @returns new matrices `{ re, im }` of the shape of `re`; the inputs are not modified
 * @throws as {@link fft2}
 * @example
 * const x = ifft2(matrix(4, 1, new Float64Array([10, -2, -4, 0])), null, [2, 2]);
 * // x.re.data = [1, 2, 3, 4], x.im.data = [0, 0, 0, 0]
 */
export function ifft2(re: Matrix, im: Matrix | null, dims: [number, number]): ComplexMatrix {
  return transform2('ifft2', re, im, dims, true);
}
