/**
 * Multi-channel 2-D convolution, the lecture's block matrix of 2-D
 * convolutions K^{co,ci}(θ^{ci,co}), as a parametric operator.
 */
import { checkConv2d, checkChannels, convOperator, type Conv2dOperator, type Conv2dOptions } from './convCommon.js';
import { fullPairs } from './conv2dEngine.js';
import { checkOptions } from '../core/options.js';
import { withSpec } from '../core/spec.js';

export type { Conv2dOptions, Conv2dOperator } from './convCommon.js';

/**
 * Multi-channel 2-D convolution `z^{co} = Σ_ci K(θ^{ci,co}) y^{ci}` on nx×ny
 * images, per pair the docs/conventions.md §2 convention in each direction:
 * `z(ix, iy) = Σ_{a,b} θ[a, b] y(ix + hx − a, iy + hy − b)`, hx = (kx−1)/2, hy = (ky−1)/2.
 *
 * Layouts: θ is `[kx, ky, cin, cout]` column-major (entry a + kx·(b + ky·(ci + cin·co)));
 * an image is one column, pixel (ix, iy) of channel c at row `ix + nx*(iy + ny*c)`;
 * a batch is the columns of Y (`nx·ny·cin × n`). With stride s the output keeps
 * pixels (s·ox, s·oy) — 0-based 0, s, 2s, …, MATLAB's 1, 1+s, … — and is
 * `(nx/s)·(ny/s)·cout × n`.
 *
 * Zero boundary: direct loops over a zero-padded copy of each image. Periodic:
 * the same loops over a wrapped copy ('direct') or batched 2-D FFTs ('fft',
 * λ = F₂(K e_1) per channel pair, the FFT of each input reused for all output
 * channels); 'auto' (default) takes the direct loops when kx ≤ 5 and kx·ky ≤ 25.
 * `jvp(dθ, Y) = K(dθ) Y`; `vjp(Z, Y)` is `Qᵀ` of the products summed over examples
 * (`real(Qᵀ F diag(conj(F y)) F* w)` on the FFT path).
 * @param dims `[nx, ny]` image size
 * @param kernel `[kx, ky, cin, cout]`, kx and ky odd and at most nx, ny
 * @param opts `{ boundary: 'zero' | 'periodic', stride, method }`
 * @returns the operator, nTheta = kx·ky·cin·cout; `name`, `boundary`, `stride`, `method`, `dims`, `kernel` describe it
 * @throws on even or oversized stencils, a stride that does not divide nx and ny,
 *   non-positive channel counts; at call time on a wrong θ length or Y row count
 * @example
 * const K = conv2d([28, 28], [3, 3, 1, 8], { boundary: 'zero', stride: 2 });
 * K.apply(theta, Y) // Y 784 × n → 14·14·8 = 1568 × n
 */
export function conv2d(dims: [number, number], kernel: [number, number, number, number], opts: Conv2dOptions = {}): Conv2dOperator {
  const fn = 'conv2d';
  checkOptions(fn, opts, ['boundary', 'stride', 'method']);
  const [kx, ky, cin, cout] = Array.isArray(kernel) ? kernel : [NaN, NaN, NaN, NaN];
  checkChannels(fn, 'cin', cin);
  checkChannels(fn, 'cout', cout);
  const c = checkConv2d(fn, dims, [kx, ky], opts);
  const { pairIn, pairOut } = fullPairs(cin, cout);
  const name = `conv2d(${c.nx}×${c.ny}, ${kx}×${ky}, ${cin}→${cout}, ${c.boundary}${c.stride > 1 ? `, stride ${c.stride}` : ''}${c.boundary === 'periodic' ? `, ${c.method}` : ''})`;
  return withSpec(convOperator(fn, name, { nx: c.nx, ny: c.ny, kx, ky, cin, cout, stride: c.stride, boundary: c.boundary, pairIn, pairOut }, c.useFft, null, {
    boundary: c.boundary,
    stride: c.stride,
    method: c.method,
    dims: [c.nx, c.ny],
    kernel: [kx, ky, cin, cout],
  }), 'conv2d', [dims, kernel, opts]);
}
