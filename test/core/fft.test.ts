import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fft, ifft, fft2, ifft2, createFftPlan, createFft2Plan, matrix, createRng, toFloat32, type Rng } from '../../src/index.js';
import { assertClose } from '../helpers/assertions.js';

// ---------------------------------------------------------------------------
// References, written independently of the library.

/** Direct O(n²) DFT; sign −1 forward (unnormalised), +1 backward (no 1/n). */
function dft(re: Float64Array, im: Float64Array, sign = -1): { re: Float64Array; im: Float64Array } {
  const n = re.length;
  const outRe = new Float64Array(n), outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let sr = 0, si = 0;
    for (let j = 0; j < n; j++) {
      // reduce jk mod n so the angle stays accurate
      const t = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      const c = Math.cos(t), s = Math.sin(t);
      sr += re[j] * c - im[j] * s;
      si += re[j] * s + im[j] * c;
    }
    outRe[k] = sr;
    outIm[k] = si;
  }
  return { re: outRe, im: outIm };
}

/** Direct 2-D DFT of every nx×ny block of a buffer (pixel ix + nx*iy within a block). */
function dft2(re: Float64Array, im: Float64Array, nx: number, ny: number): { re: Float64Array; im: Float64Array } {
  const blk = nx * ny;
  const outRe = new Float64Array(re.length), outIm = new Float64Array(re.length);
  for (let base = 0; base < re.length; base += blk) {
    for (let ky = 0; ky < ny; ky++) {
      for (let kx = 0; kx < nx; kx++) {
        let sr = 0, si = 0;
        for (let iy = 0; iy < ny; iy++) {
          for (let ix = 0; ix < nx; ix++) {
            const t = -2 * Math.PI * (((ix * kx) % nx) / nx + ((iy * ky) % ny) / ny);
            const c = Math.cos(t), s = Math.sin(t);
            const p = base + ix + nx * iy;
            sr += re[p] * c - im[p] * s;
            si += re[p] * s + im[p] * c;
          }
        }
        outRe[base + kx + nx * ky] = sr;
        outIm[base + kx + nx * ky] = si;
      }
    }
  }
  return { re: outRe, im: outIm };
}

function randomVector(rng: Rng, n: number): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = rng.normal();
  return x;
}

function norm(re: ArrayLike<number>, im: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < re.length; i++) s += re[i] * re[i] + im[i] * im[i];
  return Math.sqrt(s);
}

/** max_k |a_k − b_k| over complex entries. */
function maxDiff(a: { re: ArrayLike<number>; im: ArrayLike<number> }, b: { re: ArrayLike<number>; im: ArrayLike<number> }): number {
  assert.equal(a.re.length, b.re.length);
  assert.equal(a.im.length, b.im.length);
  let e = 0;
  for (let i = 0; i < a.re.length; i++) e = Math.max(e, Math.hypot(a.re[i] - b.re[i], a.im[i] - b.im[i]));
  return e;
}

function bitsEqual(a: Float64Array, b: Float64Array, label: string) {
  assert.equal(a.length, b.length, `${label}: lengths differ`);
  assert.ok(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength)), `${label}: bits differ`);
}

// ---------------------------------------------------------------------------
// 1-D

test('fft and ifft match a direct O(n²) DFT for every n from 1 to 70', () => {
  const rng = createRng(1);
  for (let n = 1; n <= 70; n++) {
    const re = randomVector(rng, n), im = randomVector(rng, n);
    const scale = norm(re, im) * Math.sqrt(n);
    const X = fft(re, im);
    const e = maxDiff(X, dft(re, im, -1));
    assert.ok(e <= 1e-14 * scale, `fft n = ${n}: error ${e.toExponential(2)} > 1e-14 × ${scale.toFixed(2)}`);
    const x = ifft(re, im);
    const D = dft(re, im, +1);
    const e2 = maxDiff(x, { re: D.re.map((v) => v / n), im: D.im.map((v) => v / n) });
    assert.ok(e2 <= (1e-14 * scale) / n, `ifft n = ${n}: error ${e2.toExponential(2)}`);
    // real input (im omitted) is the same as a zero imaginary part
    const R = fft(re);
    const e3 = maxDiff(R, dft(re, new Float64Array(n), -1));
    assert.ok(e3 <= 1e-14 * scale, `fft real n = ${n}: error ${e3.toExponential(2)}`);
  }
});

test('ifft(fft(x)) = x and fft(ifft(x)) = x for powers of two, Bluestein lengths and primes', () => {
  const rng = createRng(2);
  for (const n of [1, 2, 3, 4, 5, 12, 28, 31, 64, 97, 100, 127, 128, 784, 1000, 1024, 4099]) {
    const re = randomVector(rng, n), im = randomVector(rng, n);
    const X = fft(re, im);
    const y = ifft(X.re, X.im);
    assertClose(y.re, re, 1e-13, `n = ${n}, re`);
    assertClose(y.im, im, 1e-13, `n = ${n}, im`);
    const Y = ifft(re, im);
    const z = fft(Y.re, Y.im);
    assertClose(z.re, re, 1e-13, `n = ${n}, re (fft∘ifft)`);
    assertClose(z.im, im, 1e-13, `n = ${n}, im (fft∘ifft)`);
  }
});

test('powers of two up to 65536 (and large Bluestein lengths): spikes, pure exponentials, Parseval, spot entries', () => {
  const rng = createRng(3);
  const sizes = [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 10007, 65535];
  for (const n of sizes) {
    const plan = createFftPlan(n);
    // a spike at position p: X_k = e^{−2πi kp/n}
    const p = (n * 7) >> 4 || 1;
    const re = new Float64Array(n), im = new Float64Array(n);
    re[p % n] = 1;
    plan.forward(re, im);
    let e = 0;
    for (let k = 0; k < n; k++) {
      const t = (-2 * Math.PI * ((k * (p % n)) % n)) / n;
      e = Math.max(e, Math.hypot(re[k] - Math.cos(t), im[k] - Math.sin(t)));
    }
    assert.ok(e < 1e-12, `spike n = ${n}: error ${e.toExponential(2)}`);

    // a pure complex exponential x_j = e^{2πi jq/n}: X = n e_q
    const q = (n * 3) >> 3 || 1;
    for (let j = 0; j < n; j++) {
      const t = (2 * Math.PI * ((j * q) % n)) / n;
      re[j] = Math.cos(t);
      im[j] = Math.sin(t);
    }
    plan.forward(re, im);
    e = 0;
    for (let k = 0; k < n; k++) e = Math.max(e, Math.hypot(re[k] - (k === q % n ? n : 0), im[k]));
    assert.ok(e < 1e-12 * n, `exponential n = ${n}: error ${e.toExponential(2)}`);

    // random input: Parseval ‖X‖² = n‖x‖², and a few entries against the definition
    const xr = randomVector(rng, n), xi = randomVector(rng, n);
    const X = fft(xr, xi);
    const nx2 = norm(xr, xi) ** 2, nX2 = norm(X.re, X.im) ** 2;
    assert.ok(Math.abs(nX2 - n * nx2) <= 1e-12 * n * nx2, `Parseval n = ${n}: ${nX2} vs ${n * nx2}`);
    for (const k of [0, 1, n >> 1, n - 1, Math.floor(rng.uniform() * n)]) {
      let sr = 0, si = 0;
      for (let j = 0; j < n; j++) {
        const t = (-2 * Math.PI * ((j * k) % n)) / n;
        const c = Math.cos(t), s = Math.sin(t);
        sr += xr[j] * c - xi[j] * s;
        si += xr[j] * s + xi[j] * c;
      }
      const err = Math.hypot(X.re[k] - sr, X.im[k] - si);
      assert.ok(err <= 1e-13 * Math.sqrt(n * nx2) * Math.log2(n + 1), `entry ${k} of n = ${n}: error ${err.toExponential(2)}`);
    }
  }
});

test('lengths 0 and 1', () => {
  const X0 = fft(new Float64Array(0));
  assert.equal(X0.re.length, 0);
  assert.equal(X0.im.length, 0);
  assert.equal(ifft(new Float64Array(0), new Float64Array(0)).re.length, 0);
  const X1 = fft(new Float64Array([2.5]), new Float64Array([-1]));
  assert.deepEqual([...X1.re, ...X1.im], [2.5, -1]);
  const x1 = ifft(new Float64Array([2.5]));
  assert.deepEqual([...x1.re, ...x1.im], [2.5, 0]);
  const p0 = createFftPlan(0);
  p0.forward(new Float64Array(0), new Float64Array(0));
  assert.equal(p0.algorithm, 'identity');
});

test('plans: the algorithm chosen by length, in-place strided transforms, identical bits on reuse', () => {
  assert.equal(createFftPlan(1).algorithm, 'identity');
  assert.equal(createFftPlan(2).algorithm, 'radix4');
  assert.equal(createFftPlan(1024).algorithm, 'radix4');
  assert.equal(createFftPlan(28).algorithm, 'bluestein');
  assert.equal(createFftPlan(3).algorithm, 'bluestein');

  const rng = createRng(4);
  for (const n of [7, 16, 28]) {
    const plan = createFftPlan(n);
    // entries n at offset 3, stride 5 inside a longer buffer; the rest must stay untouched
    const len = 3 + 5 * (n - 1) + 4;
    const re = randomVector(rng, len), im = randomVector(rng, len);
    const re0 = re.slice(), im0 = im.slice();
    const xr = new Float64Array(n), xi = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      xr[j] = re[3 + 5 * j];
      xi[j] = im[3 + 5 * j];
    }
    const X = fft(xr, xi);
    plan.forward(re, im, 3, 5);
    for (let i = 0; i < len; i++) {
      if (i >= 3 && (i - 3) % 5 === 0 && (i - 3) / 5 < n) continue;
      assert.equal(re[i], re0[i], `n = ${n}: entry ${i} outside the stride was modified`);
      assert.equal(im[i], im0[i]);
    }
    const got = { re: new Float64Array(n), im: new Float64Array(n) };
    for (let j = 0; j < n; j++) {
      got.re[j] = re[3 + 5 * j];
      got.im[j] = im[3 + 5 * j];
    }
    bitsEqual(got.re, X.re, `n = ${n} strided plan vs fft (re)`);
    bitsEqual(got.im, X.im, `n = ${n} strided plan vs fft (im)`);
    plan.inverse(re, im, 3, 5);
    assertClose(re, re0, 1e-13, `n = ${n} strided inverse`);
    assertClose(im, im0, 1e-13, `n = ${n} strided inverse`);

    // reuse: a plan keeps no state between calls
    const a = randomVector(rng, n), b = randomVector(rng, n);
    const r1 = a.slice(), i1 = b.slice(), r2 = a.slice(), i2 = b.slice();
    plan.forward(r1, i1);
    plan.forward(randomVector(rng, n), randomVector(rng, n)); // something else in between
    plan.forward(r2, i2);
    bitsEqual(r1, r2, `n = ${n} reuse (re)`);
    bitsEqual(i1, i2, `n = ${n} reuse (im)`);
    const fresh = createFftPlan(n);
    const r3 = a.slice(), i3 = b.slice();
    fresh.forward(r3, i3);
    bitsEqual(r1, r3, `n = ${n} fresh plan (re)`);
  }
});

test('fft and ifft do not modify their input', () => {
  const rng = createRng(5);
  for (const n of [8, 28]) {
    const re = randomVector(rng, n), im = randomVector(rng, n);
    const re0 = re.slice(), im0 = im.slice();
    fft(re, im);
    ifft(re, im);
    fft(re);
    bitsEqual(re, re0, 're');
    bitsEqual(im, im0, 'im');
  }
});

// ---------------------------------------------------------------------------
// 2-D

test('fft2 on a 28×28 image matches a direct 2-D DFT, and ifft2 inverts it', () => {
  const rng = createRng(6);
  const nx = 28, ny = 28;
  const re = randomVector(rng, nx * ny), im = randomVector(rng, nx * ny);
  const X = fft2(matrix(nx * ny, 1, re.slice()), matrix(nx * ny, 1, im.slice()), [nx, ny]);
  const D = dft2(re, im, nx, ny);
  const scale = norm(re, im) * Math.sqrt(nx * ny);
  const e = maxDiff({ re: X.re.data, im: X.im.data }, D);
  assert.ok(e <= 1e-14 * scale, `fft2 28×28: error ${e.toExponential(2)}`);
  assert.deepEqual(X.re.shape, [784, 1]);
  const x = ifft2(X.re, X.im, [nx, ny]);
  assertClose(x.re, re, 1e-13, 'ifft2∘fft2 re');
  assertClose(x.im, im, 1e-13, 'ifft2∘fft2 im');
  // a real image: fft2 with im = null is the same as a zero imaginary part
  const R = fft2(matrix(nx * ny, 1, re.slice()), null, [nx, ny]);
  const DR = dft2(re, new Float64Array(nx * ny), nx, ny);
  assert.ok(maxDiff({ re: R.re.data, im: R.im.data }, DR) <= 1e-14 * scale);
});

test('fft2 on multi-channel columns (2 channels of 6×5, 3 columns) transforms each block on its own', () => {
  const rng = createRng(7);
  const nx = 6, ny = 5, c = 2, n = 3;
  const rows = nx * ny * c;
  const re = randomVector(rng, rows * n), im = randomVector(rng, rows * n);
  const Re = matrix(rows, n, re.slice()), Im = matrix(rows, n, im.slice());
  const X = fft2(Re, Im, [nx, ny]);
  const D = dft2(re, im, nx, ny);
  assert.ok(maxDiff({ re: X.re.data, im: X.im.data }, D) <= 1e-13 * norm(re, im));
  // inputs untouched
  bitsEqual(Re.data, re, 'fft2 re input');
  bitsEqual(Im.data, im, 'fft2 im input');
  // the inverse: a direct backward DFT / (nx ny)
  const x = ifft2(X.re, X.im, [nx, ny]);
  assertClose(x.re, re, 1e-13, 'ifft2 re');
  assertClose(x.im, im, 1e-13, 'ifft2 im');
  // non-square, power-of-two and length-1 dimensions
  for (const [ax, ay] of [[8, 4], [1, 6], [6, 1], [1, 1], [3, 7]] as const) {
    const m = ax * ay * 2;
    const a = randomVector(rng, m), b = randomVector(rng, m);
    const Y = fft2(matrix(m, 1, a), matrix(m, 1, b), [ax, ay]);
    assert.ok(maxDiff({ re: Y.re.data, im: Y.im.data }, dft2(a, b, ax, ay)) <= 1e-13 * norm(a, b), `${ax}×${ay}`);
  }
});

test('fft2 reads strided views and Float32 matrices, and matches the raw-array Fft2Plan bit for bit', () => {
  const rng = createRng(8);
  const nx = 6, ny = 5, rows = nx * ny;
  const data = randomVector(rng, rows * 4);
  // a transposed view of a row-major copy: same entries, different strides
  const M = matrix(rows, 4, data.slice());
  const T = matrix(4, rows, new Float64Array(rows * 4));
  for (let i = 0; i < rows; i++) for (let j = 0; j < 4; j++) T.set(j, i, M.get(i, j));
  const view = T.transpose(1, 0);
  const A = fft2(M, null, [nx, ny]);
  const B = fft2(view, null, [nx, ny]);
  bitsEqual(A.re.data, B.re.data, 'strided view (re)');
  bitsEqual(A.im.data, B.im.data, 'strided view (im)');
  const C = fft2(toFloat32(M) as unknown as typeof M, null, [nx, ny]);
  assertClose(C.re, A.re, 1e-6, 'Float32 input');

  const plan = createFft2Plan(nx, ny);
  const xr = data.slice(), xre = new Float64Array(data.length), xim = new Float64Array(data.length);
  plan.forwardReal(xr, xre, xim);
  bitsEqual(xre, A.re.data, 'Fft2Plan.forwardReal vs fft2 (re)');
  bitsEqual(xim, A.im.data, 'Fft2Plan.forwardReal vs fft2 (im)');
  const re = data.slice(), im = new Float64Array(data.length);
  plan.forward(re, im);
  const Z = fft2(M, matrix(rows, 4), [nx, ny]);
  bitsEqual(re, Z.re.data, 'Fft2Plan vs fft2 (re)');
  bitsEqual(im, Z.im.data, 'Fft2Plan vs fft2 (im)');
  assertClose(re, A.re.data, 1e-13, 'complex and real-input paths agree');
  plan.forward(re, im);
  plan.inverse(re, im);
  const again = data.slice(), againIm = new Float64Array(data.length);
  plan.forward(again, againIm);
  assertClose(re, again, 1e-13, 'Fft2Plan inverse∘forward');
  assertClose(im, againIm, 1e-13, 'Fft2Plan inverse∘forward');
});

test('Fft2Plan real-input transforms: even and odd image counts, aliasing, exact Hermitian symmetry, real part of the inverse', () => {
  const rng = createRng(9);
  for (const [nx, ny] of [[28, 28], [6, 5], [4, 8], [1, 3], [5, 1]] as const) {
    const blk = nx * ny;
    const plan = createFft2Plan(nx, ny);
    for (const count of [1, 2, 3, 4]) {
      const x = randomVector(rng, blk * count);
      const x0 = x.slice();
      const re = new Float64Array(x.length), im = new Float64Array(x.length);
      plan.forwardReal(x, re, im);
      bitsEqual(x, x0, `${nx}×${ny}×${count}: x not modified`);
      const D = dft2(x, new Float64Array(x.length), nx, ny);
      const e = maxDiff({ re, im }, D);
      assert.ok(e <= 1e-14 * norm(x, new Float64Array(x.length)) * Math.sqrt(blk), `forwardReal ${nx}×${ny}×${count}: error ${e.toExponential(2)}`);
      plan.forwardReal(x, re, im);
      // X(−k) = conj X(k) exactly
      for (let b = 0; b < count; b++) {
        for (let ky = 0; ky < ny; ky++) {
          for (let kx = 0; kx < nx; kx++) {
            const i = b * blk + kx + nx * ky, ic = b * blk + ((nx - kx) % nx) + nx * ((ny - ky) % ny);
            assert.ok(re[i] === re[ic] && im[i] === -im[ic], `not Hermitian at ${i}`);
            if (i === ic) assert.ok(Object.is(im[i], 0), `self-conjugate entry ${i} has im ${im[i]}`);
          }
        }
      }
      // in place: x may be re itself
      const y = x.slice(), yim = new Float64Array(x.length);
      plan.forwardReal(y, y, yim);
      bitsEqual(y, re, `${nx}×${ny}×${count}: forwardReal with x = re`);
      bitsEqual(yim, im, `${nx}×${ny}×${count}: forwardReal with x = re (im)`);
      // x may be im itself
      const w = x.slice(), wre = new Float64Array(x.length);
      plan.forwardReal(w, wre, w);
      bitsEqual(wre, re, `${nx}×${ny}×${count}: forwardReal with x = im`);
      bitsEqual(w, im, `${nx}×${ny}×${count}: forwardReal with x = im (im)`);

      // inverseReal of the spectra gives the images back, also in place
      const back = new Float64Array(x.length);
      const re0 = re.slice(), im0 = im.slice();
      plan.inverseReal(re, im, back);
      bitsEqual(re, re0, 'inverseReal does not modify re');
      bitsEqual(im, im0, 'inverseReal does not modify im');
      assertClose(back, x, 1e-13, `inverseReal∘forwardReal ${nx}×${ny}×${count}`);
      plan.inverseReal(re, im, im);
      bitsEqual(im, back, 'inverseReal with x = im');
      plan.inverseReal(re, im0.slice(), re);
      bitsEqual(re, back, 'inverseReal with x = re');

      // on a spectrum that is not Hermitian it returns the real part of the inverse
      const sr = randomVector(rng, x.length), si = randomVector(rng, x.length);
      const full = ifft2(matrix(x.length, 1, sr), matrix(x.length, 1, si), [nx, ny]);
      const out = new Float64Array(x.length);
      plan.inverseReal(sr, si, out);
      assertClose(out, full.re.data, 1e-13, `inverseReal = real(ifft2) ${nx}×${ny}×${count}`);
    }
  }
});

// ---------------------------------------------------------------------------
// Errors

test('bad input: clear messages naming the function, the argument and the sizes', () => {
  const v4 = new Float64Array(4), v5 = new Float64Array(5);
  assert.throws(() => fft(v4, v5), /^NumdlError: fft: im has length 5, expected 4/);
  assert.throws(() => ifft(v5, v4), /^NumdlError: ifft: im has length 4, expected 5/);
  assert.throws(() => fft(new Float32Array(4) as unknown as Float64Array), /fft: re must be a Float64Array, got a Float32Array/);
  assert.throws(() => fft([1, 2] as unknown as Float64Array), /fft: re must be a Float64Array/);

  const M = matrix(785, 2);
  assert.throws(() => fft2(M, null, [28, 28]), /^NumdlError: fft2: column length 785 is not a multiple of nx\*ny = 28\*28 = 784$/);
  assert.throws(() => ifft2(matrix(30, 1), null, [4, 4]), /ifft2: column length 30 is not a multiple of nx\*ny = 4\*4 = 16/);
  assert.throws(() => fft2(matrix(784, 2), matrix(784, 3), [28, 28]), /fft2: im is 784×3, expected 784×2/);
  assert.throws(() => fft2(matrix(784, 1), null, [28, 0]), /fft2: ny must be a positive integer, got 0/);
  assert.throws(() => fft2(matrix(784, 1), null, [2.5, 28]), /fft2: nx must be a positive integer, got 2.5/);
  assert.throws(() => fft2(matrix(784, 1), null, [28] as unknown as [number, number]), /fft2: dims must be \[nx, ny\]/);

  assert.throws(() => createFftPlan(-1), /createFftPlan: n must be a non-negative integer, got -1/);
  assert.throws(() => createFftPlan(3.5), /createFftPlan: n must be a non-negative integer, got 3.5/);
  assert.throws(() => createFft2Plan(28, 0), /createFft2Plan: ny must be a positive integer, got 0/);
  const p = createFftPlan(8);
  assert.throws(() => p.forward(v4, v4), /FftPlan\(8\)\.forward: offset 0 \+ \(n−1\)\*stride = 0 \+ 7\*1 = 7 is out of bounds for arrays of length 4/);
  assert.throws(() => p.inverse(new Float64Array(16), new Float64Array(16), 2, 3), /FftPlan\(8\)\.inverse: .* = 23 is out of bounds for arrays of length 16/);
  assert.throws(() => p.forward(new Float64Array(8), v4), /FftPlan\(8\)\.forward: im has length 4, expected 8/);
  assert.throws(() => p.forward(new Float64Array(16), new Float64Array(16), 0, 0), /FftPlan\(8\)\.forward: stride must be a positive integer, got 0/);
  const p2 = createFft2Plan(28, 28);
  assert.throws(() => p2.forward(new Float64Array(785), new Float64Array(785)), /Fft2Plan\(28, 28\)\.forward: re has length 785, not a multiple of nx\*ny = 28\*28 = 784/);
  assert.throws(() => p2.inverse(new Float64Array(784), new Float64Array(1568)), /Fft2Plan\(28, 28\)\.inverse: im has length 1568, expected 784/);
  const buf = new Float64Array(784 * 3);
  assert.throws(() => p2.forwardReal(buf.subarray(0, 1568), buf.subarray(784, 2352), new Float64Array(1568)), /Fft2Plan\(28, 28\)\.forwardReal: x partly overlaps re or im/);
  assert.throws(() => p2.inverseReal(new Float64Array(784), new Float64Array(784), new Float64Array(1568)), /Fft2Plan\(28, 28\)\.inverseReal: x has length 1568, expected 784/);
  assert.throws(() => p2.forwardReal(new Float64Array(10), new Float64Array(10), new Float64Array(10)), /forwardReal: re has length 10, not a multiple of nx\*ny = 28\*28 = 784/);
});
