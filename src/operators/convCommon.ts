/**
 * Shared validation and wrapping for the 2-D convolution factories (internal):
 * argument checks with messages naming the sizes, and the construction of a
 * validated ParametricOperator from a {@link ConvEngine} plus a linear map
 * θ ↦ W (the full kernel) — identity for conv2d, a symmetrising or
 * M-matrix expansion for the cheaper models.
 */
import { fail } from '../core/errors.js';
import { linearParametric } from './base.js';
import { checkBoundary, checkMethod, checkStencil, type Boundary, type ConvMethod } from './conv1d.js';
import { ConvEngine, type ConvGeometry } from './conv2dEngine.js';
import { SparseBuilder } from './sparse.js';
import type { ParametricOperator } from './types.js';

/** Options shared by the 2-D convolution factories. */
export interface Conv2dOptions {
  /** 'zero' (default) or 'periodic'. */
  boundary?: Boundary;
  /**
   * Stride s ≥ 1 (default 1): the output keeps the pixels ix = 0, s, 2s, …
   * (MATLAB 1, 1+s, …) in each direction; s must divide nx and ny.
   */
  stride?: number;
  /**
   * Periodic evaluation: 'fft', 'direct' or 'auto' (default: direct when
   * kx ≤ 5 and kx·ky ≤ {@link CONV2D_DIRECT_MAX}, where the unrolled loops beat
   * the FFT on 28×28 images; FFT otherwise).
   */
  method?: ConvMethod;
}

/** A 2-D convolution operator with its geometry (what {@link conv2d} and the cheaper models return). */
export interface Conv2dOperator extends ParametricOperator {
  readonly boundary: Boundary;
  readonly stride: number;
  /** How it is evaluated: 'direct' loops or 'fft' (periodic only). */
  readonly method: 'fft' | 'direct';
}

/** Largest kx·ky (with kx ≤ 5) for which `method: 'auto'` evaluates periodic 2-D convolutions directly rather than by FFT (measured on 28×28, 8→8). */
export const CONV2D_DIRECT_MAX = 25;

/** Checked geometry pieces (internal). */
export interface CheckedConv {
  nx: number;
  ny: number;
  kx: number;
  ky: number;
  boundary: Boundary;
  stride: number;
  useFft: boolean;
  method: 'fft' | 'direct';
}

/** Validate dims, stencil and options of a 2-D convolution. */
export function checkConv2d(fn: string, dims: unknown, kdims: [number, number], opts: Conv2dOptions): CheckedConv {
  if (!Array.isArray(dims) || dims.length !== 2) fail(fn, `dims must be [nx, ny], got ${JSON.stringify(dims)}`);
  const [nx, ny] = dims as number[];
  for (const [label, v] of [['nx', nx], ['ny', ny]] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) fail(fn, `${label} must be a positive integer, got ${String(v)}`);
  }
  const [kx, ky] = kdims;
  checkStencil(fn, kx, 'stencil size kx', 'nx', nx);
  checkStencil(fn, ky, 'stencil size ky', 'ny', ny);
  const boundary = checkBoundary(fn, opts.boundary ?? 'zero');
  const method = checkMethod(fn, opts.method ?? 'auto');
  const stride = opts.stride ?? 1;
  if (typeof stride !== 'number' || !Number.isInteger(stride) || stride <= 0) fail(fn, `stride must be a positive integer, got ${String(stride)}`);
  if (nx % stride !== 0 || ny % stride !== 0) fail(fn, `stride ${stride} does not divide the ${nx}×${ny} grid`);
  const useFft = boundary === 'periodic' && (method === 'fft' || (method === 'auto' && (kx > 5 || kx * ky > CONV2D_DIRECT_MAX)));
  return { nx, ny, kx, ky, boundary, stride, useFft, method: useFft ? 'fft' : 'direct' };
}

/** Check a channel count. */
export function checkChannels(fn: string, label: string, c: unknown): number {
  if (typeof c !== 'number' || !Number.isInteger(c) || c <= 0) fail(fn, `${label} must be a positive integer, got ${String(c)}`);
  return c;
}

/** A linear map θ ↦ W (full kernel) and its transpose (internal). */
export interface KernelExpansion {
  nTheta: number;
  /** W (zero-filled, length nW) ← E θ. */
  expand(theta: Float64Array, W: Float64Array): void;
  /** gθ (zero-filled) ← Eᵀ gW. */
  fold(gW: Float64Array, gTheta: Float64Array): void;
}

/** Build the validated linear operator of a conv engine with θ ↦ W = E θ (E = I when `expansion` is null). */
export function convOperator(
  fn: string,
  name: string,
  g: ConvGeometry,
  useFft: boolean,
  expansion: KernelExpansion | null,
  extra: { boundary: Boundary; stride: number; method: 'fft' | 'direct'; [k: string]: unknown },
): Conv2dOperator {
  const eng = new ConvEngine(g, useFft);
  const nTheta = expansion ? expansion.nTheta : eng.nW;
  const W = new Float64Array(eng.nW);
  const toW = (theta: Float64Array): Float64Array => {
    if (!expansion) return theta;
    W.fill(0);
    expansion.expand(theta, W);
    return W;
  };
  const inDesc = `nx*ny*cin = ${g.nx}*${g.ny}*${g.cin}`;
  const outDesc = `(nx/s)*(ny/s)*cout = ${eng.mx}*${eng.my}*${g.cout}`;
  const op = linearParametric(
    {
      fn,
      name,
      nIn: eng.nIn,
      nOut: eng.nOut,
      nTheta,
      inDesc,
      outDesc,
      apply: (theta, Y, n, out) => eng.forward(toW(theta), Y, n, out),
      applyTranspose: (theta, Z, n, out) => eng.transpose(toW(theta), Z, n, out),
      vjp: (Z, Y, n, out) => {
        if (!expansion) return eng.gradW(Z, Y, n, out);
        const gW = new Float64Array(eng.nW);
        eng.gradW(Z, Y, n, gW);
        expansion.fold(gW, out);
      },
      toDense: (theta, out) => eng.toDense(toW(theta), out),
      Q: () => {
        const nOut = eng.nOut;
        const b = new SparseBuilder(nOut * eng.nIn, nTheta);
        if (!expansion) {
          eng.entries((row, col, t) => b.push(row + col * nOut, t, 1));
          return b.build();
        }
        // Column u of E = expand(e_u); rows of E as lists for Q = Q_W E.
        const rowsOfE: { u: number; e: number }[][] = Array.from({ length: eng.nW }, () => []);
        const unit = new Float64Array(nTheta), col = new Float64Array(eng.nW);
        for (let u = 0; u < nTheta; u++) {
          unit[u] = 1;
          col.fill(0);
          expansion.expand(unit, col);
          unit[u] = 0;
          for (let t = 0; t < eng.nW; t++) if (col[t] !== 0) rowsOfE[t].push({ u, e: col[t] });
        }
        eng.entries((row, c, t) => {
          for (const { u, e } of rowsOfE[t]) b.push(row + c * nOut, u, e);
        });
        return b.build();
      },
    },
    extra,
  );
  return op as Conv2dOperator;
}
