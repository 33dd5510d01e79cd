/**
 * The conv2d operator's WebAssembly path against its TypeScript loops: the
 * same forward product, transpose (vjp in Y) and θ-gradient (vjp in θ) with
 * `setKernelBackend('wasm')` and `setKernelBackend('js')`, for strides 1, 2, 3
 * and 4, zero and periodic boundary, stencils from 1×1 to 7×7, channel counts
 * that do and do not fill the kernels' 4-channel tiles, and image widths that
 * do and do not fill their 2-vector tiles; float64 through the operator,
 * float32 through the raw kernels (against the float64 TypeScript result).
 * Plus adjoint identities on the WebAssembly path for stride 2.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng, randn, type Matrix } from '../../src/core/index.js';
import type { KernelBackend } from '../../src/core/wasm/backend.js';
import { wasmConv2d, wasmConv2dGradTheta, wasmConv2dTranspose } from '../../src/core/wasm/conv2d.js';
import { wasmAvailable } from '../../src/core/wasm/module.js';
import { conv2d } from '../../src/operators/index.js';
import { assertClose } from '../helpers/assertions.js';
import { withBackend } from '../helpers/backend.js';

/** [nx, ny, kx, ky, cin, cout, stride, n] */
type Case = [number, number, number, number, number, number, number, number];
const CASES: Case[] = [
  [28, 28, 3, 3, 8, 8, 1, 3], // the benchmark's layer
  [28, 28, 3, 3, 8, 8, 2, 3],
  [7, 7, 3, 3, 3, 6, 1, 2], // cout not a multiple of 4, odd width
  [12, 8, 5, 3, 3, 5, 2, 2], // rectangular image and stencil
  [9, 6, 3, 5, 2, 3, 3, 2], // stride 3
  [8, 8, 3, 3, 2, 2, 4, 2], // stride 4 > stencil half-width
  [8, 8, 1, 1, 2, 3, 2, 2], // 1×1: some transpose phases have no taps
  [6, 6, 5, 5, 1, 2, 2, 1], // stencil nearly the image
  [10, 10, 7, 7, 2, 2, 1, 2], // 7×7: several 3×3 gradient blocks
  [14, 10, 7, 5, 2, 4, 2, 2],
];

const skip = wasmAvailable() ? false : 'WebAssembly kernels not built';


function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function label([nx, ny, kx, ky, cin, cout, s, n]: Case, boundary: string): string {
  return `${nx}×${ny}, ${kx}×${ky}, ${cin}→${cout}, stride ${s}, ${boundary}, n = ${n}`;
}

describe('conv2d: WebAssembly kernels vs TypeScript loops', { skip }, () => {
  for (const boundary of ['zero', 'periodic'] as const) {
    for (const c of CASES) {
      const [nx, ny, kx, ky, cin, cout, stride, n] = c;
      it(`float64 forward, transpose, θ-gradient agree: ${label(c, boundary)}`, () => {
        const rng = createRng(nx * 1000 + kx * 100 + stride * 10 + cout);
        const op = conv2d([nx, ny], [kx, ky, cin, cout], { boundary, stride, method: 'direct' });
        const theta = rng.normalArray(op.nTheta);
        const Y = randn(op.nIn, n, rng), Z = randn(op.nOut, n, rng);
        const run = (b: KernelBackend) => withBackend(b, () => ({
          fwd: op.apply(theta, Y),
          tr: op.applyTranspose(theta, Z),
          grad: op.vjp(Z, Y),
        }));
        const js = run('js'), wa = run('wasm');
        // Sums of kx·ky·cin (or fewer) products in another order: agreement to a few ulps of the terms.
        const tol = 1e-14 * kx * ky * Math.max(cin, cout);
        assertClose(wa.fwd, js.fwd, tol, 'forward');
        assertClose(wa.tr, js.tr, tol, 'transpose');
        assertClose(wa.grad, js.grad, tol * Math.sqrt(nx * ny * n), 'θ-gradient');
      });

      it(`float32 kernels agree with the float64 loops: ${label(c, boundary)}`, () => {
        const rng = createRng(7 + nx * 100 + stride);
        const op = conv2d([nx, ny], [kx, ky, cin, cout], { boundary, stride, method: 'direct' });
        // Inputs representable in float32, so both sides see the same numbers.
        const theta = Float64Array.from(Float32Array.from(rng.normalArray(op.nTheta)));
        const Y = randn(op.nIn, n, rng), Z = randn(op.nOut, n, rng);
        Y.data.set(Float32Array.from(Y.data));
        Z.data.set(Float32Array.from(Z.data));
        const js = withBackend('js', () => ({ fwd: op.apply(theta, Y), tr: op.applyTranspose(theta, Z), grad: op.vjp(Z, Y) }));
        const g = { nx, ny, kx, ky, cin, cout, boundary, stride };
        const t32 = Float32Array.from(theta), y32 = Float32Array.from(Y.data), z32 = Float32Array.from(Z.data);
        const fwd = new Float32Array(op.nOut * n), tr = new Float32Array(op.nIn * n), grad = new Float32Array(op.nTheta);
        wasmConv2d(fwd, t32, y32, n, g);
        wasmConv2dTranspose(tr, t32, z32, n, g);
        wasmConv2dGradTheta(grad, z32, y32, n, g);
        const tol = 2e-7 * kx * ky * Math.max(cin, cout);
        assertClose(fwd, js.fwd.data, tol, 'f32 forward');
        assertClose(tr, js.tr.data, tol, 'f32 transpose');
        assertClose(grad, js.grad, tol * Math.sqrt(nx * ny * n), 'f32 θ-gradient');
      });
    }
  }

  it('beta: the kernels accumulate onto the old output (and ignore it, even NaN, for beta = 0)', () => {
    const rng = createRng(3);
    const g = { nx: 12, ny: 8, kx: 3, ky: 3, cin: 2, cout: 3, stride: 2, boundary: 'periodic' as const };
    const op = conv2d([12, 8], [3, 3, 2, 3], { boundary: 'periodic', stride: 2, method: 'direct' });
    const theta = rng.normalArray(op.nTheta), Y = randn(op.nIn, 2, rng), Z = randn(op.nOut, 2, rng);
    const old = rng.normalArray(op.nOut * 2), oldT = rng.normalArray(op.nIn * 2), oldG = rng.normalArray(op.nTheta);
    const ref = withBackend('js', () => ({ fwd: op.apply(theta, Y).data, tr: op.applyTranspose(theta, Z).data, grad: op.vjp(Z, Y) }));
    const z = Float64Array.from(old), y = Float64Array.from(oldT), gt = Float64Array.from(oldG);
    wasmConv2d(z, theta, Y.data, 2, g, { beta: 0.5 });
    wasmConv2dTranspose(y, theta, Z.data, 2, g, { beta: 0.5 });
    wasmConv2dGradTheta(gt, Z.data, Y.data, 2, g, { beta: 0.5 });
    assertClose(z, ref.fwd.map((v, i) => v + 0.5 * old[i]), 1e-14, 'forward, beta = 0.5');
    assertClose(y, ref.tr.map((v, i) => v + 0.5 * oldT[i]), 1e-14, 'transpose, beta = 0.5');
    assertClose(gt, ref.grad.map((v, i) => v + 0.5 * oldG[i]), 1e-13, 'θ-gradient, beta = 0.5');
    z.fill(NaN);
    wasmConv2d(z, theta, Y.data, 2, g);
    assertClose(z, ref.fwd, 1e-14, 'forward, beta = 0 over NaN');
  });

  it('a stride that does not divide the image is refused', () => {
    const z = new Float64Array(16);
    assert.throws(() => wasmConv2d(z, new Float64Array(9), new Float64Array(25), 1, { nx: 5, ny: 5, kx: 3, ky: 3, cin: 1, cout: 1, stride: 2 }),
      /wasmConv2d: stride 2 must be a positive integer dividing nx = 5 and ny = 5/);
  });
});

describe('conv2d stride 2 on the WebAssembly path: adjoint identities', { skip }, () => {
  for (const boundary of ['zero', 'periodic'] as const) {
    it(`⟨K y, z⟩ = ⟨y, Kᵀ z⟩ and ⟨K(dθ) y, z⟩ = ⟨dθ, J_θᵀ z⟩, ${boundary}`, () => {
      withBackend('wasm', () => {
        const rng = createRng(boundary === 'zero' ? 11 : 12);
        const op = conv2d([14, 10], [5, 3, 3, 5], { boundary, stride: 2, method: 'direct' });
        const n = 3;
        const theta = rng.normalArray(op.nTheta), dTheta = rng.normalArray(op.nTheta);
        const Y: Matrix = randn(op.nIn, n, rng), Z: Matrix = randn(op.nOut, n, rng);
        const lhs = dot(op.apply(theta, Y).data, Z.data), rhs = dot(Y.data, op.applyTranspose(theta, Z).data);
        assert.ok(Math.abs(lhs - rhs) <= 1e-12 * Math.abs(lhs), `⟨Ky, z⟩ = ${lhs}, ⟨y, Kᵀz⟩ = ${rhs}`);
        const lg = dot(op.jvp(dTheta, Y).data, Z.data), rg = dot(dTheta, op.vjp(Z, Y));
        assert.ok(Math.abs(lg - rg) <= 1e-12 * Math.abs(lg), `⟨K(dθ)y, z⟩ = ${lg}, ⟨dθ, J_θᵀz⟩ = ${rg}`);
      });
    });
  }
});
