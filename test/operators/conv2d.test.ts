/**
 * Multi-channel 2-D convolution: the definition entry by entry on small grids
 * (zero/periodic, channels, stride, FFT/direct), 28×28 MNIST-sized instances
 * (1→8, 8→8, stride 2) against naive loops, FFT and direct paths agreeing,
 * the same convention as conv1d in each direction, 2-D circulant eigenvalues,
 * and validation messages.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng, eigvals, randn, zeros, type Matrix } from '../../src/core/index.js';
import { circulantEigenvalues, circulantEigenvalues2d, conv1d, conv2d, type Conv2dOptions } from '../../src/operators/index.js';
import { assertClose } from '../helpers/assertions.js';
import { operatorSuite, type OperatorCase } from '../helpers/operatorSuite.js';

interface Geo {
  nx: number; ny: number; kx: number; ky: number; cin: number; cout: number; s: number; periodic: boolean;
}

/**
 * Visit the definition: z(ox,oy,co) gets θ[a,b,ci,co]·y(ix,iy,ci) with
 * ix = s·ox + jx, a = hx − jx (1-based θ_{c−j}, j = −h..h), likewise in y.
 */
function visit(g: Geo, f: (row: number, col: number, t: number) => void) {
  const hx = (g.kx - 1) / 2, hy = (g.ky - 1) / 2, mx = g.nx / g.s, my = g.ny / g.s;
  for (let co = 0; co < g.cout; co++) for (let ci = 0; ci < g.cin; ci++)
    for (let oy = 0; oy < my; oy++) for (let ox = 0; ox < mx; ox++)
      for (let jy = -hy; jy <= hy; jy++) for (let jx = -hx; jx <= hx; jx++) {
        let ix = g.s * ox + jx, iy = g.s * oy + jy;
        if (ix < 0 || ix >= g.nx || iy < 0 || iy >= g.ny) {
          if (!g.periodic) continue;
          ix = (ix + g.nx) % g.nx;
          iy = (iy + g.ny) % g.ny;
        }
        const a = hx - jx, b = hy - jy;
        f(ox + mx * (oy + my * co), ix + g.nx * (iy + g.ny * ci), a + g.kx * (b + g.ky * (ci + g.cin * co)));
      }
}
function denseRef(g: Geo) {
  return (theta: Float64Array): Matrix => {
    const nOut = (g.nx / g.s) * (g.ny / g.s) * g.cout, nIn = g.nx * g.ny * g.cin;
    const K = zeros(nOut, nIn);
    visit(g, (r, c, t) => { K.data[r + c * nOut] += theta[t]; });
    return K;
  };
}
function applyRef(g: Geo) {
  return (theta: Float64Array, Y: Matrix): Matrix => {
    const nOut = (g.nx / g.s) * (g.ny / g.s) * g.cout, nIn = g.nx * g.ny * g.cin, n = Y.shape[1];
    const Z = zeros(nOut, n);
    for (let j = 0; j < n; j++) visit(g, (r, c, t) => { Z.data[r + j * nOut] += theta[t] * Y.data[c + j * nIn]; });
    return Z;
  };
}

function instance(g: Geo, method: Conv2dOptions['method'], big = false): OperatorCase {
  const op = conv2d([g.nx, g.ny], [g.kx, g.ky, g.cin, g.cout], { boundary: g.periodic ? 'periodic' : 'zero', stride: g.s, method });
  return big ? { op, referenceApply: applyRef(g), nExamples: 2, dense: false, tol: 1e-12 } : { op, reference: denseRef(g) };
}

const small: Geo[] = [
  { nx: 5, ny: 4, kx: 3, ky: 3, cin: 1, cout: 1, s: 1, periodic: false },
  { nx: 5, ny: 4, kx: 3, ky: 3, cin: 1, cout: 1, s: 1, periodic: true },
  { nx: 6, ny: 4, kx: 3, ky: 1, cin: 2, cout: 3, s: 2, periodic: false },
  { nx: 6, ny: 4, kx: 3, ky: 3, cin: 2, cout: 3, s: 2, periodic: true },
  { nx: 5, ny: 5, kx: 5, ky: 3, cin: 2, cout: 2, s: 1, periodic: false },
  { nx: 7, ny: 5, kx: 7, ky: 5, cin: 1, cout: 2, s: 1, periodic: true },
  { nx: 6, ny: 6, kx: 5, ky: 5, cin: 2, cout: 1, s: 3, periodic: false },
  { nx: 5, ny: 6, kx: 1, ky: 5, cin: 2, cout: 1, s: 1, periodic: false },
  { nx: 6, ny: 5, kx: 3, ky: 5, cin: 1, cout: 2, s: 1, periodic: true },
  { nx: 6, ny: 6, kx: 5, ky: 1, cin: 1, cout: 1, s: 2, periodic: true },
];
const cases: OperatorCase[] = [];
for (const g of small) {
  if (g.periodic) cases.push(instance(g, 'direct'), instance(g, 'fft'));
  else cases.push(instance(g, 'auto'));
}
// MNIST-sized: 28×28 is not a power of two (Bluestein FFT), 1→8, 8→8, stride 2.
const big: Geo[] = [
  { nx: 28, ny: 28, kx: 3, ky: 3, cin: 1, cout: 8, s: 1, periodic: false },
  { nx: 28, ny: 28, kx: 3, ky: 3, cin: 8, cout: 8, s: 1, periodic: false },
  { nx: 28, ny: 28, kx: 3, ky: 3, cin: 8, cout: 8, s: 2, periodic: false },
  { nx: 28, ny: 28, kx: 3, ky: 3, cin: 1, cout: 8, s: 1, periodic: true },
  { nx: 28, ny: 28, kx: 3, ky: 3, cin: 8, cout: 8, s: 2, periodic: true },
];
for (const g of big) {
  if (g.periodic) cases.push(instance(g, 'direct', true), instance(g, 'fft', true));
  else cases.push(instance(g, 'auto', true));
}
operatorSuite(cases);

describe('conv2d', () => {
  it('uses the conv1d convention in each direction (lecture 4-point examples)', () => {
    const t = Float64Array.of(1, 2, 3);
    for (const boundary of ['zero', 'periodic'] as const) {
      const ref = conv1d(4, 3, { boundary }).toDense(t);
      assertClose(conv2d([4, 1], [3, 1, 1, 1], { boundary }).toDense(t), ref, 0, `x direction, ${boundary}`);
      assertClose(conv2d([1, 4], [1, 3, 1, 1], { boundary }).toDense(t), ref, 0, `y direction, ${boundary}`);
    }
  });
  it('the 2-D stencil u vᵀ gives K = K_y(v) ⊗ K_x(u) (x fastest in the pixel order)', () => {
    const rng = createRng(21);
    const nx = 5, ny = 4, u = rng.normalArray(3), v = rng.normalArray(3);
    const theta = new Float64Array(9);
    for (let b = 0; b < 3; b++) for (let a = 0; a < 3; a++) theta[a + 3 * b] = u[a] * v[b];
    for (const boundary of ['zero', 'periodic'] as const) {
      const K = conv2d([nx, ny], [3, 3, 1, 1], { boundary }).toDense(theta);
      const Kx = conv1d(nx, 3, { boundary }).toDense(u), Ky = conv1d(ny, 3, { boundary }).toDense(v);
      const N = nx * ny, kron = zeros(N, N);
      for (let iy = 0; iy < ny; iy++) for (let jy = 0; jy < ny; jy++) for (let ix = 0; ix < nx; ix++) for (let jx = 0; jx < nx; jx++)
        kron.data[ix + nx * iy + N * (jx + nx * jy)] = Ky.get(iy, jy) * Kx.get(ix, jx);
      assertClose(K, kron, 1e-14, `Kronecker structure, ${boundary}`);
    }
  });
  it('periodic FFT and direct paths agree to rounding on 28×28, 8→8, stride 1 and 2', () => {
    const rng = createRng(22);
    for (const stride of [1, 2]) {
      for (const [kx, ky] of [[3, 3], [5, 3]]) {
        const a = conv2d([28, 28], [kx, ky, 8, 8], { boundary: 'periodic', stride, method: 'fft' });
        const b = conv2d([28, 28], [kx, ky, 8, 8], { boundary: 'periodic', stride, method: 'direct' });
        const t = rng.normalArray(a.nTheta), Y = randn(a.nIn, 3, rng), Z = randn(a.nOut, 3, rng);
        assertClose(a.apply(t, Y), b.apply(t, Y), 1e-12, `apply s=${stride}`);
        assertClose(a.applyTranspose(t, Z), b.applyTranspose(t, Z), 1e-12, `transpose s=${stride}`);
        assertClose(a.vjp(Z, Y), b.vjp(Z, Y), 1e-12, `vjp s=${stride}`);
      }
    }
  });
  it("'auto' takes the direct loops for small stencils and the FFT for large ones", () => {
    assert.match(conv2d([28, 28], [3, 3, 1, 1], { boundary: 'periodic' }).name, /direct/);
    assert.match(conv2d([28, 28], [9, 9, 1, 1], { boundary: 'periodic' }).name, /fft/);
  });
  it('vjp sums over examples: vjp([Z1 Z2], [Y1 Y2]) = vjp(Z1, Y1) + vjp(Z2, Y2)', () => {
    const rng = createRng(23);
    const op = conv2d([6, 6], [3, 3, 2, 2], { boundary: 'zero' });
    const Y = randn(op.nIn, 2, rng), Z = randn(op.nOut, 2, rng);
    const col = (M: Matrix, j: number) => { const r = M.shape[0], c = zeros(r, 1); c.data.set(M.data.subarray(j * r, (j + 1) * r)); return c; };
    const g = op.vjp(Z, Y), g1 = op.vjp(col(Z, 0), col(Y, 0)), g2 = op.vjp(col(Z, 1), col(Y, 1));
    assertClose(g, g1.map((x, i) => x + g2[i]), 1e-13, 'sum over examples');
  });
  it('stride keeps pixels 0, s, 2s, … (MATLAB 1, 1+s, …)', () => {
    const rng = createRng(24);
    const t = rng.normalArray(9), Y = randn(36, 1, rng);
    const full = conv2d([6, 6], [3, 3, 1, 1]).apply(t, Y), sub = conv2d([6, 6], [3, 3, 1, 1], { stride: 3 }).apply(t, Y);
    assert.deepEqual(Array.from(sub.data), [0, 3, 18, 21].map((i) => full.data[i]));
  });
  it('2-D circulant eigenvalues by FFT equal eigvals(toDense(θ)); 1-D variant as a special case', () => {
    const rng = createRng(25);
    for (const [nx, ny, kx, ky] of [[4, 3, 3, 3], [4, 4, 3, 1], [5, 3, 5, 3]]) {
      const t = rng.normalArray(kx * ky);
      const lam = circulantEigenvalues2d(t, [nx, ny], [kx, ky]);
      const ev = eigvals(conv2d([nx, ny], [kx, ky, 1, 1], { boundary: 'periodic' }).toDense(t));
      const used = new Array(ev.re.length).fill(false);
      for (let i = 0; i < lam.re.length; i++) {
        let best = Infinity, bj = -1;
        for (let j = 0; j < ev.re.length; j++) {
          const d = Math.hypot(lam.re[i] - ev.re[j], lam.im[i] - ev.im[j]);
          if (!used[j] && d < best) { best = d; bj = j; }
        }
        used[bj] = true;
        assert.ok(best < 1e-10, `${nx}×${ny}: eigenvalue ${lam.re[i]} + ${lam.im[i]}i unmatched (${best})`);
      }
    }
    const t = rng.normalArray(5);
    const a = circulantEigenvalues2d(t, [12, 1], [5, 1]), b = circulantEigenvalues(t, 12);
    assertClose(a.re, b.re, 1e-14, 're');
    assertClose(a.im, b.im, 1e-14, 'im');
  });
  it('rejects wrong θ, wrong rows, even or oversized stencils and strides that do not divide', () => {
    const op = conv2d([4, 4], [3, 3, 1, 2]);
    assert.throws(() => op.apply(new Float64Array(17), zeros(16, 1)), /^NumdlError: conv2d: theta has length 17, expected 18$/);
    assert.throws(() => op.apply(new Float64Array(18), zeros(15, 1)), /conv2d: Y has 15 rows, expected 16 \(nx\*ny\*cin = 4\*4\*1\)/);
    assert.throws(() => op.applyTranspose(new Float64Array(18), zeros(16, 1)), /conv2d: Z has 16 rows, expected 32/);
    assert.throws(() => conv2d([28, 28], [4, 3, 1, 1]), /conv2d: stencil size kx 4 is even, expected an odd size/);
    assert.throws(() => conv2d([28, 28], [3, 31, 1, 1]), /conv2d: stencil size ky 31 is larger than the grid \(ny = 28\)/);
    assert.throws(() => conv2d([28, 28], [3, 3, 1, 1], { stride: 3 }), /conv2d: stride 3 does not divide the 28×28 grid/);
    assert.throws(() => conv2d([28, 28], [3, 3, 0, 1]), /conv2d: cin must be a positive integer, got 0/);
    assert.throws(() => conv2d([28] as never, [3, 3, 1, 1]), /conv2d: dims must be \[nx, ny\]/);
    assert.throws(() => circulantEigenvalues2d(new Float64Array(8), [4, 4], [3, 3]), /stencil has length 8, expected kx\*ky = 3\*3 = 9/);
  });
});
