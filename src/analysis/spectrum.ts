/**
 * Spectra of the linearisation of a layer, the quantity behind the stability
 * of residual networks (Haber & Ruthotto 2017, "Stable architectures for deep
 * neural networks", §2.2): for dY/dt = σ(K Y + b) the Jacobian at an example y
 * is J = diag(σ'(K y + b)) K, and forward Euler is stable when every
 * eigenvalue λ of J has |1 + hλ| ≤ 1. Because σ' depends on the example, the
 * spectrum is taken per example (`at: 'each'`, the union over the columns of
 * Y) or at the mean example ȳ (`at: 'mean'`); for convolutions the FFT gives
 * the spectrum of K itself (σ' = 1, the linear part) without forming K.
 */
import { checkMatrix64, checkVector, fail, shapeStr } from '../core/errors.js';
import type { ComplexArray } from '../core/fft.js';
import { columnMajorData, matrix, zeros, type Matrix } from '../core/matrix.js';
import { eigSym, eigvals } from '../core/solvers/eigvals.js';
import { circulantEigenvalues, circulantEigenvalues2d } from '../operators/circulantEigenvalues.js';
import type { ParametricOperator } from '../operators/types.js';
import type { Model } from '../core/model.js';
import { checkOptions } from '../core/options.js';

/** Eigenvalues as parallel arrays of real and imaginary parts. */
export type Spectrum = ComplexArray;

/**
 * The dense Jacobian J = ∂F/∂y (nOut × nIn) of a model at one example y, from
 * nIn Jacobian-vector products in one batch: forward on nIn copies of y, jvp
 * with dY = I. Assumes the model treats examples (columns) independently, as
 * every numdl layer and network does.
 * @param model F
 * @param x its parameters (length nParams)
 * @param y one example, nIn × 1
 * @returns J, nOut × nIn
 * @throws if y is not nIn × 1 or x has the wrong length
 * @example layerJacobian(singleLayer(dense(3, 3), { activation: 'identity', bias: 'none' }), theta, y) // = K
 */
export function layerJacobian(model: Model, x: Float64Array, y: Matrix): Matrix {
  const fn = 'layerJacobian';
  checkVector(fn, 'x', x, model.nParams);
  const m = checkMatrix64(fn, 'y', y);
  if (m.shape[0] !== model.nIn || m.shape[1] !== 1) fail(fn, `y is ${shapeStr(m)}, expected ${model.nIn}×1 (one example)`);
  const nIn = model.nIn;
  const yd = columnMajorData(m);
  const rep = zeros(nIn, nIn);
  for (let c = 0; c < nIn; c++) rep.data.set(yd, c * nIn);
  const I = zeros(nIn, nIn);
  for (let i = 0; i < nIn; i++) I.data[i + i * nIn] = 1;
  const state = model.forward(x, rep);
  const J = model.jvp(x, state, null, I);
  return matrix(model.nOut, nIn, Float64Array.from(columnMajorData(J)));
}

/** Options of {@link linearizationSpectrum}. */
export interface LinearizationSpectrumOptions {
  /**
   * Where to linearise: `'each'` (default) every example (column) of Y, the
   * spectra concatenated; `'mean'` only the mean example ȳ = (1/n) Σ y_i.
   */
  at?: 'each' | 'mean';
}

/** Result of {@link linearizationSpectrum}. */
export interface LinearizationSpectrum extends Spectrum {
  /** Examples linearised at (n for 'each', 1 for 'mean'); eigenvalues of example i at i·m … (i+1)·m − 1. */
  examples: number;
  /** max Re λ (the spectral abscissa). */
  abscissa: number;
  /** max |λ| (the spectral radius). */
  radius: number;
}

/** Spectral abscissa and radius of a spectrum. */
export function spectrumBounds(s: Spectrum): { abscissa: number; radius: number } {
  if (s === null || typeof s !== 'object' || !(s.re instanceof Float64Array) || !(s.im instanceof Float64Array) || s.re.length !== s.im.length) {
    fail('spectrumBounds', 's must be a spectrum { re, im } of two Float64Arrays of equal length');
  }
  let abscissa = -Infinity, radius = 0;
  for (let i = 0; i < s.re.length; i++) {
    abscissa = Math.max(abscissa, s.re[i]);
    radius = Math.max(radius, Math.hypot(s.re[i], s.im[i]));
  }
  return { abscissa, radius };
}

/**
 * Eigenvalues of the linearisation J_y F of a width-preserving model F at the
 * examples of Y (each column, or the mean column) — for a single layer
 * σ(K y + b) that is diag(σ'(K y + b)) K, for the symmetric layer
 * −Kᵀ diag(σ') K, for a whole network the Jacobian of its end-to-end map.
 * Each Jacobian is formed densely by {@link layerJacobian} (m jvps), so keep m ≲ 200.
 * @param model F with nIn = nOut = m
 * @param x parameters
 * @param Y examples, m × n
 * @param options `{ at = 'each' | 'mean' }`
 * @returns `{ re, im, examples, abscissa, radius }` (n·m or m eigenvalues)
 * @throws if nIn ≠ nOut or Y has the wrong row count
 * @example linearizationSpectrum(antisymmetricLayer(4), x, Y, { at: 'mean' }).abscissa // ≈ 0 (purely imaginary)
 */
export function linearizationSpectrum(model: Model, x: Float64Array, Y: Matrix, options: LinearizationSpectrumOptions = {}): LinearizationSpectrum {
  const fn = 'linearizationSpectrum';
  checkOptions(fn, options, ['at']);
  if (model.nIn !== model.nOut) fail(fn, `model maps ${model.nIn} → ${model.nOut}; a spectrum needs a square Jacobian (nIn = nOut)`);
  const M = checkMatrix64(fn, 'Y', Y);
  const m = model.nIn;
  if (M.shape[0] !== m) fail(fn, `Y is ${shapeStr(M)}, expected ${m} rows`);
  const at = options.at ?? 'each';
  if (at !== 'each' && at !== 'mean') fail(fn, `at must be 'each' or 'mean', got ${String(at)}`);
  const n = M.shape[1];
  if (n === 0) fail(fn, 'Y has no examples');
  const d = columnMajorData(M);
  const cols: Float64Array[] = [];
  if (at === 'mean') {
    const mean = new Float64Array(m);
    for (let c = 0; c < n; c++) for (let i = 0; i < m; i++) mean[i] += d[i + c * m] / n;
    cols.push(mean);
  } else {
    for (let c = 0; c < n; c++) cols.push(d.slice(c * m, (c + 1) * m));
  }
  const re = new Float64Array(cols.length * m), im = new Float64Array(cols.length * m);
  cols.forEach((y, c) => {
    const ev = eigvals(layerJacobian(model, x, matrix(m, 1, y)));
    re.set(ev.re, c * m);
    im.set(ev.im, c * m);
  });
  return { re, im, examples: cols.length, ...spectrumBounds({ re, im }) };
}

/**
 * Eigenvalues of diag(a) K for a dense K (m × m) and the activation
 * derivatives a = σ'(K y + b) of one example (or a constant): the Jacobian of
 * the layer σ(K y + b) at y (Haber & Ruthotto 2017, §2.2).
 * @param K m × m
 * @param a σ' values, length m, or one number for all rows (default 1: the spectrum of K)
 * @returns `{ re, im }`, m eigenvalues (descending real part)
 * @throws if K is not square or a has the wrong length
 * @example denseLayerSpectrum(fromRows([[0, 1], [-1, 0]]), 0.5) // ±0.5i
 */
export function denseLayerSpectrum(K: Matrix, a: Float64Array | number = 1): Spectrum {
  const fn = 'denseLayerSpectrum';
  const M = checkMatrix64(fn, 'K', K);
  const [r, c] = M.shape;
  if (r !== c) fail(fn, `K is ${shapeStr(M)}, expected a square matrix`);
  if (typeof a !== 'number') checkVector(fn, 'a', a, r);
  const d = columnMajorData(M);
  const J = new Float64Array(r * r);
  for (let j = 0; j < r; j++) for (let i = 0; i < r; i++) J[i + j * r] = (typeof a === 'number' ? a : a[i]) * d[i + j * r];
  return eigvals(matrix(r, r, J));
}

/** Real eigenvalues as a {@link Spectrum}. */
function realSpectrum(values: Float64Array): Spectrum {
  return { re: Float64Array.from(values), im: new Float64Array(values.length) };
}

/** Options of {@link convolutionSpectrum}. */
export interface ConvolutionSpectrumOptions {
  /**
   * `'K'` (default): the eigenvalues of K(θ); `'symmetric'`: those of −K(θ)ᵀK(θ),
   * the linear part (σ' = 1) of the parabolic layer −Kᵀσ(KY + b) — real and ≤ 0.
   */
  form?: 'K' | 'symmetric';
}

interface ConvInfo {
  boundary?: string;
  stride?: number;
  dims?: [number, number];
  kernel?: [number, number, number, number];
}

/**
 * Eigenvalues of a periodic convolution K(θ) by the FFT, K never formed
 * (docs/conventions.md §2: K = F⁻¹ diag(λ) F, λ = F(K e_1)). One channel: λ itself
 * ({@link circulantEigenvalues} / {@link circulantEigenvalues2d}). c channels
 * (conv2d with cin = cout = c): K is block circulant, so with
 * λ^{co,ci} = F₂(K^{co,ci} e_1) it is unitarily similar to the block diagonal
 * of the c × c symbols M(f)_{co,ci} = λ^{co,ci}(f), one per frequency f; the
 * spectrum is the union of eig(M(f)). As K is real, M(−f) = conj M(f): each
 * pair {f, −f} is handled once through the real 2c × 2c matrix
 * [[Re M, −Im M], [Im M, Re M]], whose eigenvalues are eig M(f) ∪ eig M(−f).
 * With `form: 'symmetric'` M(f) is replaced by −M(f)ᴴM(f), whose (symmetric)
 * embedding goes to the symmetric eigensolver.
 * @param op a periodic `conv1d(n, p, { boundary: 'periodic' })` or stride-1
 *   `conv2d([nx, ny], [kx, ky, c, c], { boundary: 'periodic' })`
 * @param theta its parameters
 * @param options `{ form = 'K' | 'symmetric' }`
 * @returns `{ re, im }` with nIn eigenvalues (one channel: FFT order; c channels: grouped by frequency pair)
 * @throws for zero boundaries, strides, cin ≠ cout, or operators that are not conv1d/conv2d
 * @example convolutionSpectrum(conv1d(4, 3, { boundary: 'periodic' }), Float64Array.of(-1, 2, -1)).re // [0, 2, 4, 2]
 */
export function convolutionSpectrum(op: ParametricOperator, theta: Float64Array, options: ConvolutionSpectrumOptions = {}): Spectrum {
  const fn = 'convolutionSpectrum';
  checkOptions(fn, options, ['form']);
  checkVector(fn, 'theta', theta, op.nTheta);
  const form = options.form ?? 'K';
  if (form !== 'K' && form !== 'symmetric') fail(fn, `form must be 'K' or 'symmetric', got ${String(form)}`);
  const info = op as ParametricOperator & ConvInfo;
  if (info.boundary !== 'periodic') fail(fn, `op ${op.name} must be a periodic convolution (boundary 'periodic'); zero boundaries are not circulant`);
  if ((info.stride ?? 1) !== 1) fail(fn, `op ${op.name} has stride ${info.stride}; only stride 1 is circulant`);
  let nx: number, ny: number, kx: number, ky: number, c: number;
  if (Array.isArray(info.kernel) && Array.isArray(info.dims)) {
    [nx, ny] = info.dims;
    [kx, ky] = info.kernel;
    const [, , cin, cout] = info.kernel;
    if (cin !== cout) fail(fn, `op ${op.name} maps ${cin} → ${cout} channels; the spectrum needs cin = cout`);
    c = cin;
  } else if (op.name.startsWith('conv1d')) {
    // conv1d(n, p): θ is the stencil itself.
    nx = op.nIn;
    ny = 1;
    kx = op.nTheta;
    ky = 1;
    c = 1;
  } else {
    return fail(fn, `op ${op.name} is not a conv1d or conv2d operator`);
  }
  const P = nx * ny;
  const symbol = (ci: number, co: number): Spectrum => {
    const st = theta.subarray((ci + c * co) * kx * ky, (ci + c * co + 1) * kx * ky);
    return ny === 1 && ky === 1 && !Array.isArray(info.kernel) ? circulantEigenvalues(Float64Array.from(st), nx) : circulantEigenvalues2d(Float64Array.from(st), [nx, ny], [kx, ky]);
  };
  if (c === 1) {
    const s = symbol(0, 0);
    if (form === 'K') return s;
    const re = new Float64Array(P);
    for (let f = 0; f < P; f++) re[f] = -(s.re[f] * s.re[f] + s.im[f] * s.im[f]);
    return { re, im: new Float64Array(P) };
  }
  const sym: Spectrum[] = [];
  for (let co = 0; co < c; co++) for (let ci = 0; ci < c; ci++) sym.push(symbol(ci, co));
  // M(f) as c×c complex (row co, column ci), optionally −MᴴM.
  const Mat = (f: number): { re: Float64Array; im: Float64Array } => {
    const re = new Float64Array(c * c), im = new Float64Array(c * c);
    for (let co = 0; co < c; co++) {
      for (let ci = 0; ci < c; ci++) {
        const s = sym[ci + c * co];
        re[co + ci * c] = s.re[f];
        im[co + ci * c] = s.im[f];
      }
    }
    if (form === 'K') return { re, im };
    const r2 = new Float64Array(c * c), i2 = new Float64Array(c * c);
    for (let j = 0; j < c; j++) {
      for (let i = 0; i < c; i++) {
        // (MᴴM)_ij = Σ_k conj(M_ki) M_kj
        let sr = 0, si = 0;
        for (let k = 0; k < c; k++) {
          const ar = re[k + i * c], ai = -im[k + i * c], br = re[k + j * c], bi = im[k + j * c];
          sr += ar * br - ai * bi;
          si += ar * bi + ai * br;
        }
        r2[i + j * c] = -sr;
        i2[i + j * c] = -si;
      }
    }
    return { re: r2, im: i2 };
  };
  const negIndex = (f: number) => {
    const fx = f % nx, fy = (f - fx) / nx;
    return ((nx - fx) % nx) + nx * ((ny - fy) % ny);
  };
  const outRe = new Float64Array(P * c), outIm = new Float64Array(P * c);
  let w = 0;
  for (let f = 0; f < P; f++) {
    const g = negIndex(f);
    if (g < f) continue; // handled with its partner
    const M = Mat(f);
    let ev: Spectrum;
    if (g === f) {
      // Self-conjugate frequency: M(f) is real (symmetric for −MᴴM).
      ev = form === 'symmetric' ? realSpectrum(eigSym(matrix(c, c, M.re), { vectors: false }).values) : eigvals(matrix(c, c, M.re));
    } else {
      const E = new Float64Array(4 * c * c), c2 = 2 * c;
      for (let j = 0; j < c; j++) {
        for (let i = 0; i < c; i++) {
          E[i + j * c2] = M.re[i + j * c];
          E[i + (j + c) * c2] = -M.im[i + j * c];
          E[i + c + j * c2] = M.im[i + j * c];
          E[i + c + (j + c) * c2] = M.re[i + j * c];
        }
      }
      // For −MᴴM (Hermitian) the embedding is symmetric: the symmetric solver copes with its double eigenvalues.
      ev = form === 'symmetric' ? realSpectrum(eigSym(matrix(c2, c2, E), { vectors: false }).values) : eigvals(matrix(c2, c2, E));
    }
    outRe.set(ev.re, w);
    outIm.set(ev.im, w);
    w += ev.re.length;
  }
  return { re: outRe, im: outIm };
}
