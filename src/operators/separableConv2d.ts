/**
 * Separable 2-D convolution: each stencil is the outer product of a column
 * stencil (x direction) and a row stencil (y direction), kx + ky parameters
 * per channel pair instead of kx·ky. K is bilinear — not linear — in θ, so
 * its Jacobian depends on θ and comes from the product rule.
 */
import { fail } from '../core/errors.js';
import { zeros, type Matrix } from '../core/matrix.js';
import { checkData, checkTheta } from './base.js';
import { checkChannels, checkConv2d, type Conv2dOperator, type Conv2dOptions } from './convCommon.js';
import { ConvEngine, fullPairs } from './conv2dEngine.js';
import { checkOptions } from '../core/options.js';
import { withSpec } from '../core/spec.js';

/**
 * Multi-channel 2-D convolution (as {@link conv2d}) with separable stencils
 * W^{ci,co}[a, b] = u^{ci,co}[a] · v^{ci,co}[b] (stencil matrix u vᵀ, kx × ky).
 * θ = [vec(U); vec(V)] with U laid out `[kx, cin, cout]` and V `[ky, cin, cout]`
 * column-major, nTheta = (kx + ky)·cin·cout. Not linear in θ (`linear: false`):
 * `jvpAt(θ, dθ, Y) = K(du vᵀ + u dvᵀ) Y` and
 * `vjpAt(θ, Z, Y) = [G v; Gᵀ u]` per pair with G the full-stencil gradient;
 * the θ-free `jvp`/`vjp` throw. The representation is not unique
 * ((αu)(v/α)ᵀ is the same stencil), a scaling invariance an optimiser sees.
 * @param dims `[nx, ny]`
 * @param kernel `[kx, ky, cin, cout]`, kx, ky odd
 * @param opts as {@link conv2d}
 * @returns the operator
 * @throws as {@link conv2d}
 * @example separableConv2d([8, 8], [3, 3, 1, 1]).nTheta // 6
 */
export function separableConv2d(dims: [number, number], kernel: [number, number, number, number], opts: Conv2dOptions = {}): Conv2dOperator {
  const fn = 'separableConv2d';
  checkOptions(fn, opts, ['boundary', 'stride', 'method']);
  const [kx, ky, cin, cout] = Array.isArray(kernel) ? kernel : [NaN, NaN, NaN, NaN];
  checkChannels(fn, 'cin', cin);
  checkChannels(fn, 'cout', cout);
  const c = checkConv2d(fn, dims, [kx, ky], opts);
  const { pairIn, pairOut } = fullPairs(cin, cout);
  const eng = new ConvEngine({ nx: c.nx, ny: c.ny, kx, ky, cin, cout, stride: c.stride, boundary: c.boundary, pairIn, pairOut }, c.useFft);
  const nPairs = cin * cout, kk = kx * ky, nU = kx * nPairs, nTheta = (kx + ky) * nPairs;
  const { nIn, nOut } = eng;
  const inDesc = `nx*ny*cin = ${c.nx}*${c.ny}*${cin}`;
  const outDesc = `(nx/s)*(ny/s)*cout = ${eng.mx}*${eng.my}*${cout}`;

  /** W = u vᵀ per pair (+ the product-rule term when dTheta is given). */
  const stencils = (theta: Float64Array, dTheta?: Float64Array): Float64Array => {
    const W = new Float64Array(eng.nW);
    for (let q = 0; q < nPairs; q++) {
      const u = q * kx, v = nU + q * ky;
      for (let b = 0; b < ky; b++) {
        for (let a = 0; a < kx; a++) {
          W[q * kk + a + kx * b] = dTheta
            ? dTheta[u + a] * theta[v + b] + theta[u + a] * dTheta[v + b]
            : theta[u + a] * theta[v + b];
        }
      }
    }
    return W;
  };
  const run = (W: Float64Array, X: Float64Array, n: number, rows: number, transpose: boolean): Matrix => {
    const out = zeros(rows, n);
    if (transpose) eng.transpose(W, X, n, out.data);
    else eng.forward(W, X, n, out.data);
    return out;
  };
  const notLinear = (): never => fail(fn, 'K is not linear in θ (separable stencils are products); use jvpAt(theta, dTheta, Y) / vjpAt(theta, Z, Y)');
  return withSpec({
    name: `separableConv2d(${c.nx}×${c.ny}, ${kx}×${ky}, ${cin}→${cout}, ${c.boundary}${c.stride > 1 ? `, stride ${c.stride}` : ''})`,
    nIn,
    nOut,
    nTheta,
    boundary: c.boundary,
    stride: c.stride,
    method: c.method,
    linear: false,
    apply(theta, Y) {
      checkTheta(fn, theta, nTheta);
      const y = checkData(fn, 'Y', Y, nIn, inDesc);
      return run(stencils(theta), y.data, y.n, nOut, false);
    },
    applyTranspose(theta, Z) {
      checkTheta(fn, theta, nTheta);
      const z = checkData(fn, 'Z', Z, nOut, outDesc);
      return run(stencils(theta), z.data, z.n, nIn, true);
    },
    jvp: notLinear,
    vjp: notLinear,
    jvpAt(theta, dTheta, Y) {
      checkTheta(fn, theta, nTheta);
      checkTheta(fn, dTheta, nTheta, 'dTheta');
      const y = checkData(fn, 'Y', Y, nIn, inDesc);
      return run(stencils(theta, dTheta), y.data, y.n, nOut, false);
    },
    vjpAt(theta, Z, Y) {
      checkTheta(fn, theta, nTheta);
      const z = checkData(fn, 'Z', Z, nOut, outDesc);
      const y = checkData(fn, 'Y', Y, nIn, inDesc);
      if (z.n !== y.n) fail(fn, `Z has ${z.n} columns but Y has ${y.n}`);
      const G = new Float64Array(eng.nW);
      eng.gradW(z.data, y.data, y.n, G);
      // Product rule: ∂/∂u[a] = Σ_b G[a,b] v[b], ∂/∂v[b] = Σ_a G[a,b] u[a].
      const g = new Float64Array(nTheta);
      for (let q = 0; q < nPairs; q++) {
        const u = q * kx, v = nU + q * ky;
        for (let b = 0; b < ky; b++) {
          for (let a = 0; a < kx; a++) {
            const gab = G[q * kk + a + kx * b];
            g[u + a] += gab * theta[v + b];
            g[v + b] += gab * theta[u + a];
          }
        }
      }
      return g;
    },
    toDense(theta) {
      checkTheta(fn, theta, nTheta);
      const D = zeros(nOut, nIn);
      eng.toDense(stencils(theta), D.data);
      return D;
    },
  }, 'separableConv2d', [dims, kernel, opts]);
}
