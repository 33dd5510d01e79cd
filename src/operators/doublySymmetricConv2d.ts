/**
 * Doubly symmetric 2-D convolution: every stencil is symmetric in x and in y
 * (W[a, b] = W[kx−1−a, b] = W[a, ky−1−b]), so it is fixed by one quadrant and
 * needs (hx+1)(hy+1) parameters per channel pair instead of kx·ky (4 instead of
 * 9 for 3×3). Still linear in θ: W = E θ with a 0/1 expansion E.
 */
import { checkChannels, checkConv2d, convOperator, type Conv2dOperator, type Conv2dOptions } from './convCommon.js';
import { fullPairs } from './conv2dEngine.js';
import { checkOptions } from '../core/options.js';
import { withSpec } from '../core/spec.js';

/**
 * Multi-channel 2-D convolution (as {@link conv2d}) whose stencils are symmetric
 * in both directions. Parametrisation: per channel pair a quadrant
 * φ[i, j], i = 0..hx, j = 0..hy, indexed by the distance from the centre —
 * stencil entry (a, b) = φ[|a − hx|, |b − hy|], so φ[0, 0] is the centre;
 * θ is laid out `[hx+1, hy+1, cin, cout]` column-major. E.g. 3×3, one pair,
 * θ = [c, x, y, d] gives the stencil `[[d, x, d], [y, c, y], [d, x, d]]`
 * (rows a = x-offsets, columns b = y-offsets). Symmetric stencils make each
 * block K^{co,ci} symmetric for stride 1 (periodic boundary, or zero boundary: the
 * convolution with a point-symmetric stencil is a symmetric matrix).
 * `vjp` folds the full-stencil gradient back onto the quadrant (Eᵀ).
 * @param dims `[nx, ny]`
 * @param kernel `[kx, ky, cin, cout]`, kx, ky odd
 * @param opts as {@link conv2d}
 * @returns the operator, nTheta = (hx+1)(hy+1)·cin·cout
 * @throws as {@link conv2d}
 * @example doublySymmetricConv2d([8, 8], [3, 3, 1, 1]).nTheta // 4
 */
export function doublySymmetricConv2d(dims: [number, number], kernel: [number, number, number, number], opts: Conv2dOptions = {}): Conv2dOperator {
  const fn = 'doublySymmetricConv2d';
  checkOptions(fn, opts, ['boundary', 'stride', 'method']);
  const [kx, ky, cin, cout] = Array.isArray(kernel) ? kernel : [NaN, NaN, NaN, NaN];
  checkChannels(fn, 'cin', cin);
  checkChannels(fn, 'cout', cout);
  const c = checkConv2d(fn, dims, [kx, ky], opts);
  const hx = (kx - 1) >> 1, hy = (ky - 1) >> 1, qx = hx + 1, qy = hy + 1;
  const nPairs = cin * cout, kk = kx * ky, qq = qx * qy;
  // map[t] = quadrant index of stencil entry t = a + kx·b
  const map = new Int32Array(kk);
  for (let b = 0; b < ky; b++) for (let a = 0; a < kx; a++) map[a + kx * b] = Math.abs(a - hx) + qx * Math.abs(b - hy);
  const { pairIn, pairOut } = fullPairs(cin, cout);
  const name = `doublySymmetricConv2d(${c.nx}×${c.ny}, ${kx}×${ky}, ${cin}→${cout}, ${c.boundary}${c.stride > 1 ? `, stride ${c.stride}` : ''})`;
  return withSpec(convOperator(
    fn,
    name,
    { nx: c.nx, ny: c.ny, kx, ky, cin, cout, stride: c.stride, boundary: c.boundary, pairIn, pairOut },
    c.useFft,
    {
      nTheta: qq * nPairs,
      expand: (theta, W) => {
        for (let q = 0; q < nPairs; q++) for (let t = 0; t < kk; t++) W[q * kk + t] = theta[q * qq + map[t]];
      },
      fold: (gW, g) => {
        for (let q = 0; q < nPairs; q++) for (let t = 0; t < kk; t++) g[q * qq + map[t]] += gW[q * kk + t];
      },
    },
    { boundary: c.boundary, stride: c.stride, method: c.method },
  ), 'doublySymmetricConv2d', [dims, kernel, opts]);
}
