/**
 * M-matrix convolution: a discrete diffusion stencil with non-negative
 * weights. Off-centre stencil entries are −θ, the centre is their sum, so
 * `(K y)(p) = Σ_t θ_t (y(p) − y(p + d_t))`: each row sums to zero (periodic)
 * or to a non-negative number (zero boundary), and for θ ≥ 0 K is a
 * (weakly diagonally dominant) M-matrix — the lecture's "M-matrix for
 * convolution", like −Δ with learnable conductivities.
 */
import { fail } from '../core/errors.js';
import { checkChannels, checkConv2d, convOperator, type Conv2dOperator, type Conv2dOptions } from './convCommon.js';
import { depthwisePairs } from './conv2dEngine.js';
import { checkOptions } from '../core/options.js';
import { withSpec } from '../core/spec.js';

/** Options of {@link mMatrixConv}. */
export interface MMatrixConvOptions extends Conv2dOptions {
  /** Number of channels c (default 1); each channel is diffused on its own (cin = cout = c). */
  channels?: number;
}

/**
 * Channel-wise M-matrix convolution on nx×ny images. Parametrisation: per
 * channel the kx·ky − 1 off-centre stencil entries, in column-major stencil
 * order (a + kx·b) with the centre skipped, θ laid out `[kx·ky − 1, channels]`;
 * stencil entry (a, b) ≠ centre is −θ_t and couples pixel (ix, iy) to
 * (ix + hx − a, iy + hy − b) (the {@link conv2d} convention); the centre entry
 * is Σ_t θ_t. For 3×3 and θ = 1 this is the 8-neighbour graph Laplacian.
 * Linear in θ: W = E θ; `vjp` applies Eᵀ to the full-stencil gradient.
 * @param dims `[nx, ny]`
 * @param kdims `[kx, ky]`, odd, at least one of them > 1
 * @param opts `{ channels, boundary, stride, method }` (M-matrix property for stride 1)
 * @returns the operator, nTheta = (kx·ky − 1)·channels
 * @throws as {@link conv2d}, or for a 1×1 stencil
 * @example mMatrixConv([4, 4], [3, 3], { boundary: 'periodic' }).nTheta // 8
 */
export function mMatrixConv(dims: [number, number], kdims: [number, number], opts: MMatrixConvOptions = {}): Conv2dOperator {
  const fn = 'mMatrixConv';
  checkOptions(fn, opts, ['boundary', 'stride', 'method', 'channels']);
  const [kx, ky] = Array.isArray(kdims) ? kdims : [NaN, NaN];
  const ch = checkChannels(fn, 'channels', opts.channels ?? 1);
  const c = checkConv2d(fn, dims, [kx, ky], opts);
  const kk = kx * ky, m = kk - 1, centre = (kk - 1) >> 1;
  if (m === 0) fail(fn, 'stencil 1×1 has no off-centre entries, expected kx·ky > 1');
  const { pairIn, pairOut } = depthwisePairs(ch);
  const name = `mMatrixConv(${c.nx}×${c.ny}, ${kx}×${ky}, ${ch} ch, ${c.boundary}${c.stride > 1 ? `, stride ${c.stride}` : ''})`;
  return withSpec(convOperator(
    fn,
    name,
    { nx: c.nx, ny: c.ny, kx, ky, cin: ch, cout: ch, stride: c.stride, boundary: c.boundary, pairIn, pairOut },
    c.useFft,
    {
      nTheta: m * ch,
      expand: (theta, W) => {
        for (let q = 0; q < ch; q++) {
          let sum = 0;
          for (let t = 0; t < m; t++) {
            const w = theta[q * m + t];
            W[q * kk + (t < centre ? t : t + 1)] = -w;
            sum += w;
          }
          W[q * kk + centre] = sum;
        }
      },
      fold: (gW, g) => {
        for (let q = 0; q < ch; q++) {
          const gc = gW[q * kk + centre];
          for (let t = 0; t < m; t++) g[q * m + t] += gc - gW[q * kk + (t < centre ? t : t + 1)];
        }
      },
    },
    { boundary: c.boundary, stride: c.stride, method: c.method },
  ), 'mMatrixConv', [dims, kdims, opts]);
}
