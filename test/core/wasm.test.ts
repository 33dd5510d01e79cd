/**
 * The WebAssembly SIMD kernels against plain loops written here: wasmGemm /
 * wasmGemm32 / wasmGemmStrided on sizes around the register tile (4×6 f64,
 * 8×6 f32) and the blocks (kc 256, mc 192), all transpose cases, alpha/beta;
 * the direct conv2d kernels (forward, transpose, θ-gradient) against a naive
 * loop and against the TypeScript conv2d operator; the activation passes
 * against Math.tanh / Math.sin / Math.cos; memory growth between calls;
 * inputs left untouched; the backend switch.
 * Fails (does not skip) when the kernels were not built; skips only where the
 * runtime lacks WebAssembly SIMD.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, matrix, type Rng } from '../../src/core/index.js';
import {
  wasmAvailable, wasmUnavailableReason, wasmMemoryBytes, releaseWasmMemory, setKernelBackend, getKernelBackend,
  setWasmThreads, getWasmThreads, startWasmThreads, wasmThreadsReady, shutdownWasmThreads,
} from '../../src/core/wasm/index.js';
import {
  wasmGemm, wasmGemm32, wasmGemmStrided, wasmConv2d, wasmConv2dTranspose, wasmConv2dGradTheta, wasmTanh, wasmRelu, wasmSin,
} from '../../src/internals.js';
import { conv2d } from '../../src/operators/conv2d.js';

const noSimd = wasmUnavailableReason().includes('SIMD') || wasmUnavailableReason().includes('no WebAssembly');
const opts = { skip: noSimd ? 'this runtime has no WebAssembly SIMD' : false };

const TRANS: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];

function fill(len: number, rng: Rng): Float64Array {
  const x = new Float64Array(len);
  for (let i = 0; i < len; i++) x[i] = rng.normal();
  return x;
}

/** c ← alpha·op(a)·op(b) + beta·c by the textbook triple loop (double sums). */
function naiveGemm(c: Float64Array, m: number, n: number, k: number, a: ArrayLike<number>, lda: number, tA: boolean,
  b: ArrayLike<number>, ldb: number, tB: boolean, alpha: number, beta: number): void {
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (tA ? a[p + i * lda] : a[i + p * lda]) * (tB ? b[j + p * ldb] : b[p + j * ldb]);
      c[i + j * m] = alpha * s + (beta === 0 ? 0 : beta * c[i + j * m]);
    }
  }
}

/** max |x − y| / max(1e-300, max_ij Σ_p |op(a)(i,p)|·|op(b)(p,j)|-ish scale): the relative error in the norm. */
function relErr(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let d = 0, s = 0;
  for (let i = 0; i < y.length; i++) {
    d = Math.max(d, Math.abs(x[i] - y[i]));
    s = Math.max(s, Math.abs(y[i]));
  }
  return d / Math.max(s, 1e-300);
}

test('the WebAssembly kernels load (run `node scripts/build-wasm.mjs` if this fails)', opts, () => {
  assert.equal(wasmAvailable(), true, wasmUnavailableReason());
  assert.equal(wasmUnavailableReason(), '');
});

test('wasmGemm equals the naive triple loop on sizes around tile and block edges, all transpose cases', opts, () => {
  const rng = createRng(7);
  const sizes = [1, 2, 3, 5, 7, 17, 63, 64, 65, 129, 200];
  const mixed: [number, number, number][] = [
    [193, 7, 300], [4, 6, 257], [8, 12, 513], [385, 13, 9], [1, 200, 64], [200, 1, 64], [64, 300, 1], [9, 9, 0],
  ];
  const cases: [number, number, number][] = [...sizes.map((s): [number, number, number] => [s, s, s]), ...mixed];
  for (const [m, n, k] of cases) {
    for (const [tA, tB] of TRANS) {
      const lda = tA ? k : m, ldb = tB ? n : k;
      const a = fill(Math.max(1, lda) * (tA ? m : k), rng), b = fill(Math.max(1, ldb) * (tB ? k : n), rng);
      const c = new Float64Array(m * n).fill(NaN), ref = new Float64Array(m * n);
      wasmGemm(c, m, n, k, a, Math.max(1, lda), tA, b, Math.max(1, ldb), tB, 1, 0);
      naiveGemm(ref, m, n, k, a, Math.max(1, lda), tA, b, Math.max(1, ldb), tB, 1, 0);
      const e = relErr(c, ref);
      assert.ok(e <= 1e-14 * Math.max(8, k), `${m}×${k}·${k}×${n} trans ${tA}/${tB}: relative error ${e}`);
    }
  }
});

test('wasmGemm: alpha and beta, beta = 0 ignores NaN in c, alpha = 0 only scales', opts, () => {
  const rng = createRng(8);
  for (const [m, n, k] of [[17, 13, 29], [64, 65, 63], [5, 200, 3]] as [number, number, number][]) {
    for (const [tA, tB] of TRANS) {
      for (const [alpha, beta] of [[2.5, -0.5], [-1, 1], [0.75, 0], [0, 3]]) {
        const lda = tA ? k : m, ldb = tB ? n : k;
        const a = fill(lda * (tA ? m : k), rng), b = fill(ldb * (tB ? k : n), rng);
        const c0 = fill(m * n, rng);
        if (beta === 0) c0[3] = NaN;
        const c = Float64Array.from(c0), ref = Float64Array.from(c0);
        wasmGemm(c, m, n, k, a, lda, tA, b, ldb, tB, alpha, beta);
        naiveGemm(ref, m, n, k, a, lda, tA, b, ldb, tB, alpha, beta);
        assert.ok(relErr(c, ref) < 1e-13, `${m}×${k}·${k}×${n} ${tA}/${tB} alpha ${alpha} beta ${beta}: ${relErr(c, ref)}`);
        assert.ok(c.every(Number.isFinite), 'no NaN leaks from c when beta = 0');
      }
    }
  }
});

test('wasmGemm32 equals the double-precision loop to 1e-5 relative, all transpose cases', opts, () => {
  const rng = createRng(9);
  const sizes = [1, 2, 3, 5, 7, 17, 63, 64, 65, 129, 200];
  for (const s of sizes) {
    for (const [tA, tB] of TRANS) {
      const [m, n, k] = [s, s + (s % 3), s + 1];
      const lda = tA ? k : m, ldb = tB ? n : k;
      const a = Float32Array.from(fill(lda * (tA ? m : k), rng)), b = Float32Array.from(fill(ldb * (tB ? k : n), rng));
      const c0 = Float32Array.from(fill(m * n, rng));
      const c = Float32Array.from(c0), ref = Float64Array.from(c0);
      wasmGemm32(c, m, n, k, a, lda, tA, b, ldb, tB, 1.5, -0.25);
      naiveGemm(ref, m, n, k, a, lda, tA, b, ldb, tB, 1.5, -0.25);
      const e = relErr(c, ref);
      assert.ok(e < 1e-5, `float32 ${m}×${k}·${k}×${n} ${tA}/${tB}: relative error ${e}`);
    }
  }
});

test('wasmGemmStrided follows arbitrary (also negative) strides and a C block with ldc > m', opts, () => {
  const rng = createRng(10);
  const m = 19, n = 23, k = 31;
  // A stored as a 40×70 array; op(A)(i, p) = store[5 + 2i·1 + p·40] (every other row) ...
  const aStore = fill(40 * 70, rng), bStore = fill(50 * 50, rng);
  const aOff = 3 + 40 * 2, aRs = 2, aCs = 40;
  // ... and op(B) read backwards along p: opB(p, j) = b[bOff − p + 50 j].
  const bOff = 40, bRs = -1, bCs = 50;
  const ldc = 25, cOff = 7;
  const cStore = fill(cOff + ldc * n, rng);
  const c = Float64Array.from(cStore);
  wasmGemmStrided(c, cOff, ldc, m, n, k, 0.5, aStore, aOff, aRs, aCs, bStore, bOff, bRs, bCs, 2);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < ldc; i++) {
      const at = cOff + i + j * ldc;
      if (i >= m) {
        assert.equal(c[at], cStore[at], 'entries of the C block padding are untouched');
        continue;
      }
      let s = 0;
      for (let p = 0; p < k; p++) s += aStore[aOff + i * aRs + p * aCs] * bStore[bOff + p * bRs + j * bCs];
      const want = 0.5 * s + 2 * cStore[at];
      assert.ok(Math.abs(c[at] - want) < 1e-12 * (1 + Math.abs(want)), `C(${i}, ${j}) = ${c[at]}, expected ${want}`);
    }
  }
  assert.equal(c[0], cStore[0], 'entries before the C block are untouched');
});

test('wasmGemm: a large product after a small one grows the memory and stays right; inputs untouched', opts, () => {
  releaseWasmMemory();
  const before = wasmMemoryBytes();
  const rng = createRng(12);
  const small = 8, big = 300;
  const as = fill(small * small, rng), cs = new Float64Array(small * small), rs = new Float64Array(small * small);
  wasmGemm(cs, small, small, small, as, small, false, as, small, true, 1, 0);
  naiveGemm(rs, small, small, small, as, small, false, as, small, true, 1, 0);
  assert.ok(relErr(cs, rs) < 1e-14);
  const m = big, n = big + 50, k = big + 20;
  const a = fill(m * k, rng), b = fill(k * n, rng);
  const aCopy = Float64Array.from(a), bCopy = Float64Array.from(b);
  const c = new Float64Array(m * n), ref = new Float64Array(m * n);
  wasmGemm(c, m, n, k, a, m, false, b, k, false, 1, 0);
  assert.ok(wasmMemoryBytes() > before, `memory grew (${before} → ${wasmMemoryBytes()} bytes)`);
  naiveGemm(ref, m, n, k, a, m, false, b, k, false, 1, 0);
  assert.ok(relErr(c, ref) < 1e-13, `after growth: ${relErr(c, ref)}`);
  assert.deepEqual(a, aCopy, 'A untouched');
  assert.deepEqual(b, bCopy, 'B untouched');
  // And a small one again, on the grown memory, in single precision.
  const a32 = Float32Array.from(as), c32 = new Float32Array(small * small);
  wasmGemm32(c32, small, small, small, a32, small, false, a32, small, true, 1, 0);
  assert.ok(relErr(c32, rs) < 1e-6);
  releaseWasmMemory();
  assert.ok(wasmMemoryBytes() <= before, 'releaseWasmMemory gives the memory back');
});

test('setKernelBackend / getKernelBackend: default wasm when available, validated argument', opts, () => {
  const start = getKernelBackend();
  if (process.env.NUMDL_KERNELS === undefined) assert.equal(start, 'wasm');
  setKernelBackend('js');
  assert.equal(getKernelBackend(), 'js');
  setKernelBackend('wasm');
  assert.equal(getKernelBackend(), 'wasm');
  assert.throws(() => setKernelBackend('gpu' as 'js'), { message: `setKernelBackend: backend must be 'js' or 'wasm', got "gpu"` });
  setKernelBackend(start);
});

/** z(ix, iy, co) = Σ_ci Σ_{a,b} θ[a, b, ci, co] y(ix + hx − a, iy + hy − b, ci), zero outside: the textbook loop. */
function naiveConv(theta: ArrayLike<number>, y: ArrayLike<number>, n: number, nx: number, ny: number,
  kx: number, ky: number, cin: number, cout: number): Float64Array {
  const hx = (kx - 1) / 2, hy = (ky - 1) / 2, N = nx * ny;
  const z = new Float64Array(N * cout * n);
  for (let j = 0; j < n; j++) {
    for (let co = 0; co < cout; co++) {
      for (let iy = 0; iy < ny; iy++) {
        for (let ix = 0; ix < nx; ix++) {
          let s = 0;
          for (let ci = 0; ci < cin; ci++) {
            for (let b = 0; b < ky; b++) {
              for (let a = 0; a < kx; a++) {
                const px = ix + hx - a, py = iy + hy - b;
                if (px < 0 || px >= nx || py < 0 || py >= ny) continue;
                s += theta[a + kx * (b + ky * (ci + cin * co))] * y[j * N * cin + px + nx * (py + ny * ci)];
              }
            }
          }
          z[j * N * cout + ix + nx * (iy + ny * co)] = s;
        }
      }
    }
  }
  return z;
}

function dot(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

const CONV_CASES: [number, number, number, number, number, number, number][] = [
  // nx, ny, kx, ky, cin, cout, n
  [28, 28, 3, 3, 8, 8, 3], [5, 7, 3, 5, 3, 5, 2], [13, 9, 5, 3, 2, 7, 4], [1, 1, 1, 1, 1, 1, 1],
  [30, 4, 3, 3, 1, 9, 2], [9, 11, 7, 7, 2, 3, 3], [3, 3, 3, 3, 4, 1, 5], [17, 6, 1, 3, 6, 4, 2],
];

test('wasmConv2d equals the naive direct loop and the TypeScript conv2d operator (zero boundary), f64 and f32', opts, () => {
  const rng = createRng(21);
  for (const [nx, ny, kx, ky, cin, cout, n] of CONV_CASES) {
    const label = `${nx}×${ny}, ${kx}×${ky}, ${cin}→${cout}, n = ${n}`;
    const geo = { nx, ny, kx, ky, cin, cout };
    const theta = fill(kx * ky * cin * cout, rng), y = fill(nx * ny * cin * n, rng);
    const thetaCopy = Float64Array.from(theta), yCopy = Float64Array.from(y);
    const ref = naiveConv(theta, y, n, nx, ny, kx, ky, cin, cout);
    const z = new Float64Array(ref.length).fill(NaN);
    wasmConv2d(z, theta, y, n, geo);
    assert.ok(relErr(z, ref) < 1e-14, `${label}: wasm vs naive ${relErr(z, ref)}`);
    assert.deepEqual(theta, thetaCopy, 'theta untouched');
    assert.deepEqual(y, yCopy, 'y untouched');
    const op = conv2d([nx, ny], [kx, ky, cin, cout], { boundary: 'zero' });
    const Z = op.apply(theta, matrix(op.nIn, n, Float64Array.from(y)));
    assert.ok(relErr(z, Z.data) < 1e-14, `${label}: wasm vs conv2d operator ${relErr(z, Z.data)}`);
    // beta = 1 accumulates.
    const z2 = Float64Array.from(ref);
    wasmConv2d(z2, theta, y, n, geo, { beta: 1 });
    assert.ok(relErr(z2, ref.map((v) => 2 * v)) < 1e-14, `${label}: beta = 1`);
    // Single precision.
    const z32 = new Float32Array(ref.length);
    wasmConv2d(z32, Float32Array.from(theta), Float32Array.from(y), n, geo);
    assert.ok(relErr(z32, ref) < 1e-5, `${label}: float32 ${relErr(z32, ref)}`);
  }
});

test('wasmConv2dTranspose and wasmConv2dGradTheta are the adjoints of wasmConv2d and match the conv2d operator', opts, () => {
  const rng = createRng(22);
  for (const [nx, ny, kx, ky, cin, cout, n] of CONV_CASES) {
    const label = `${nx}×${ny}, ${kx}×${ky}, ${cin}→${cout}, n = ${n}`;
    const geo = { nx, ny, kx, ky, cin, cout };
    const theta = fill(kx * ky * cin * cout, rng), y = fill(nx * ny * cin * n, rng), w = fill(nx * ny * cout * n, rng);
    const z = new Float64Array(w.length), yt = new Float64Array(y.length), g = new Float64Array(theta.length);
    wasmConv2d(z, theta, y, n, geo);
    wasmConv2dTranspose(yt, theta, w, n, geo);
    wasmConv2dGradTheta(g, w, y, n, geo);
    const lhs = dot(z, w);
    assert.ok(Math.abs(lhs - dot(y, yt)) < 1e-12 * Math.abs(lhs), `${label}: <Ky, w> = ${lhs} vs <y, Kᵀw> = ${dot(y, yt)}`);
    assert.ok(Math.abs(lhs - dot(theta, g)) < 1e-12 * Math.abs(lhs), `${label}: <K(θ)y, w> = ${lhs} vs <θ, g> = ${dot(theta, g)}`);
    const op = conv2d([nx, ny], [kx, ky, cin, cout], { boundary: 'zero' });
    const Wm = matrix(op.nOut, n, Float64Array.from(w)), Ym = matrix(op.nIn, n, Float64Array.from(y));
    assert.ok(relErr(yt, op.applyTranspose(theta, Wm).data) < 1e-14, `${label}: transpose vs operator`);
    assert.ok(relErr(g, op.vjp(Wm, Ym)) < 1e-13, `${label}: gradient vs operator vjp`);
    const g32 = new Float32Array(theta.length);
    wasmConv2dGradTheta(g32, Float32Array.from(w), Float32Array.from(y), n, geo);
    assert.ok(relErr(g32, g) < 1e-5, `${label}: float32 gradient ${relErr(g32, g)}`);
    const yt32 = new Float32Array(y.length);
    wasmConv2dTranspose(yt32, Float32Array.from(theta), Float32Array.from(w), n, geo);
    assert.ok(relErr(yt32, yt) < 1e-5, `${label}: float32 transpose ${relErr(yt32, yt)}`);
    // beta = 1 accumulates into g.
    const g2 = Float64Array.from(g);
    wasmConv2dGradTheta(g2, w, y, n, geo, { beta: 1 });
    assert.ok(relErr(g2, g.map((v) => 2 * v)) < 1e-14, `${label}: gradient beta = 1`);
  }
});

test('wasmConv2d: a batch larger than one chunk of WebAssembly memory is processed in pieces', opts, () => {
  const rng = createRng(23);
  const [nx, ny, kx, ky, cin, cout] = [28, 28, 3, 3, 8, 8];
  const n = 400; // 400 · 784 · 16 · 8 bytes ≈ 40 MB > one 32 MiB chunk
  const geo = { nx, ny, kx, ky, cin, cout };
  const theta = fill(kx * ky * cin * cout, rng), y = fill(nx * ny * cin * n, rng);
  const z = new Float64Array(nx * ny * cout * n);
  wasmConv2d(z, theta, y, n, geo);
  const last = naiveConv(theta, y.subarray((n - 2) * nx * ny * cin), 2, nx, ny, kx, ky, cin, cout);
  assert.ok(relErr(z.subarray((n - 2) * nx * ny * cout), last) < 1e-14, 'last examples right');
  const first = naiveConv(theta, y.subarray(0, 2 * nx * ny * cin), 2, nx, ny, kx, ky, cin, cout);
  assert.ok(relErr(z.subarray(0, 2 * nx * ny * cout), first) < 1e-14, 'first examples right');
  releaseWasmMemory();
});

test('periodic boundary: wasmConv2d, its transpose and θ-gradient match the conv2d operator; stride > 1 is refused', opts, () => {
  const rng = createRng(25);
  for (const [nx, ny, kx, ky, cin, cout, n] of CONV_CASES) {
    const label = `periodic ${nx}×${ny}, ${kx}×${ky}, ${cin}→${cout}, n = ${n}`;
    const geo = { nx, ny, kx, ky, cin, cout, boundary: 'periodic' as const };
    const op = conv2d([nx, ny], [kx, ky, cin, cout], { boundary: 'periodic', method: 'direct' });
    const theta = fill(op.nTheta, rng), y = fill(op.nIn * n, rng), w = fill(op.nOut * n, rng);
    const Ym = matrix(op.nIn, n, Float64Array.from(y)), Wm = matrix(op.nOut, n, Float64Array.from(w));
    const z = new Float64Array(op.nOut * n), yt = new Float64Array(op.nIn * n), g = new Float64Array(op.nTheta);
    wasmConv2d(z, theta, y, n, geo);
    wasmConv2dTranspose(yt, theta, w, n, geo);
    wasmConv2dGradTheta(g, w, y, n, geo);
    assert.ok(relErr(z, op.apply(theta, Ym).data) < 1e-14, `${label}: forward vs operator ${relErr(z, op.apply(theta, Ym).data)}`);
    assert.ok(relErr(yt, op.applyTranspose(theta, Wm).data) < 1e-14, `${label}: transpose vs operator`);
    assert.ok(relErr(g, op.vjp(Wm, Ym)) < 1e-13, `${label}: gradient vs operator`);
  }
  const z = new Float64Array(4);
  assert.throws(() => wasmConv2d(z, new Float64Array(9), new Float64Array(25), 1, { nx: 5, ny: 5, kx: 3, ky: 3, cin: 1, cout: 1, stride: 2 }),
    { message: 'wasmConv2d: stride 2 must be a positive integer dividing nx = 5 and ny = 5' });
});

/** |a − b| ≤ ulps·eps·|b| + abs. */
function near(a: number, b: number, ulps: number, abs: number): boolean {
  if (Number.isNaN(b)) return Number.isNaN(a);
  return Math.abs(a - b) <= ulps * 2.220446049250313e-16 * Math.abs(b) + abs;
}

test('wasmTanh, wasmSin, wasmRelu agree with Math.tanh, Math.sin/cos and max(x, 0) (value and derivative)', opts, () => {
  const rng = createRng(24);
  const N = 20001; // odd: exercises the half-vector tail
  const x = new Float64Array(N);
  for (let i = 0; i < N; i++) x[i] = rng.normal() * [1e-3, 0.5, 3, 30, 300][i % 5];
  const special = [0, -0, 1e-300, -1e-310, 1e308, -1e308, Infinity, -Infinity, NaN, 5e5, 1e7, -3e6, Math.PI, 710, 19.1, -22.5];
  x.set(special);
  const xCopy = Float64Array.from(x);
  const v = new Float64Array(N), d = new Float64Array(N);

  wasmTanh(x, v, d);
  for (let i = 0; i < N; i++) {
    const t = Math.tanh(x[i]);
    assert.ok(near(v[i], t, 4, 0), `tanh(${x[i]}) = ${v[i]}, Math.tanh gives ${t}`);
    // The wasm derivative avoids the cancellation of 1 − t²: compare with absolute slack.
    assert.ok(near(d[i], 1 - t * t, 8, 4e-16), `tanh'(${x[i]}) = ${d[i]}, 1 − tanh² = ${1 - t * t}`);
  }
  assert.ok(Object.is(v[1], -0), 'tanh(−0) = −0');
  assert.deepEqual(x, xCopy, 'x untouched');

  wasmSin(x, v, d);
  for (let i = 0; i < N; i++) {
    const s = Math.sin(x[i]), c = Math.cos(x[i]);
    assert.ok(near(v[i], s, 4, 2.3e-16), `sin(${x[i]}) = ${v[i]}, Math.sin gives ${s}`);
    assert.ok(near(d[i], c, 4, 2.3e-16), `cos(${x[i]}) = ${d[i]}, Math.cos gives ${c}`);
  }
  assert.ok(Object.is(v[1], -0), 'sin(−0) = −0');

  wasmRelu(x, v, d);
  for (let i = 0; i < N; i++) {
    const pos = x[i] > 0;
    assert.equal(v[i], pos ? x[i] : 0, `relu(${x[i]})`);
    assert.equal(d[i], pos ? 1 : 0, `relu'(${x[i]})`);
  }

  // In place (value aliases x) and without derivative.
  const y = Float64Array.from(xCopy);
  wasmTanh(y, y, null);
  for (let i = 0; i < N; i++) assert.ok(near(y[i], Math.tanh(xCopy[i]), 4, 0), `in-place tanh(${xCopy[i]})`);
  wasmSin(new Float64Array(0), new Float64Array(0), null);
});

test('two threads give bit-identical results to one (gemm column and row chunks, conv2d, transpose, θ-gradient); workers shut down', opts, async () => {
  const before = getWasmThreads();
  setWasmThreads(2);
  assert.equal(startWasmThreads(), 1);
  for (let i = 0; i < 200 && wasmThreadsReady() < 1; i++) await new Promise((r) => setTimeout(r, 25));
  assert.equal(wasmThreadsReady(), 1, 'the worker booted within 5 s');
  const rng = createRng(31);
  const run = (threads: number, f: () => void) => {
    setWasmThreads(threads);
    f();
  };
  for (const [m, n, k] of [[160, 200, 150], [300, 130, 140], [64, 2048, 40]] as [number, number, number][]) {
    for (const [tA, tB] of TRANS) {
      const lda = tA ? k : m, ldb = tB ? n : k;
      const a = fill(lda * (tA ? m : k), rng), b = fill(ldb * (tB ? k : n), rng);
      const c0 = fill(m * n, rng);
      const c1 = Float64Array.from(c0), c2 = Float64Array.from(c0);
      run(1, () => wasmGemm(c1, m, n, k, a, lda, tA, b, ldb, tB, 0.5, 2));
      run(2, () => wasmGemm(c2, m, n, k, a, lda, tA, b, ldb, tB, 0.5, 2));
      assert.deepEqual(c2, c1, `${m}×${k}·${k}×${n} ${tA}/${tB}: 2 threads = 1 thread`);
      const a32 = Float32Array.from(a), b32 = Float32Array.from(b);
      const d1 = new Float32Array(m * n), d2 = new Float32Array(m * n);
      run(1, () => wasmGemm32(d1, m, n, k, a32, lda, tA, b32, ldb, tB, 1, 0));
      run(2, () => wasmGemm32(d2, m, n, k, a32, lda, tA, b32, ldb, tB, 1, 0));
      assert.deepEqual(d2, d1, `float32 ${m}×${k}·${k}×${n} ${tA}/${tB}: 2 threads = 1 thread`);
    }
  }
  const [nx, ny, kx, ky, cin, cout, n] = [28, 28, 3, 3, 8, 8, 37];
  const geo = { nx, ny, kx, ky, cin, cout, boundary: 'periodic' as const };
  const theta = fill(kx * ky * cin * cout, rng), y = fill(nx * ny * cin * n, rng), w = fill(nx * ny * cout * n, rng);
  const z1 = new Float64Array(w.length), z2 = new Float64Array(w.length);
  run(1, () => wasmConv2d(z1, theta, y, n, geo));
  run(2, () => wasmConv2d(z2, theta, y, n, geo));
  assert.deepEqual(z2, z1, 'conv2d: 2 threads = 1 thread');
  const t1 = new Float64Array(y.length), t2 = new Float64Array(y.length);
  run(1, () => wasmConv2dTranspose(t1, theta, w, n, geo));
  run(2, () => wasmConv2dTranspose(t2, theta, w, n, geo));
  assert.deepEqual(t2, t1, 'conv2d transpose: 2 threads = 1 thread');
  const g1 = new Float64Array(theta.length), g2 = new Float64Array(theta.length);
  run(1, () => wasmConv2dGradTheta(g1, w, y, n, geo));
  run(2, () => wasmConv2dGradTheta(g2, w, y, n, geo));
  assert.deepEqual(g2, g1, 'conv2d θ-gradient: 2 threads = 1 thread (partial sums in a fixed order)');
  shutdownWasmThreads();
  assert.equal(wasmThreadsReady(), 0);
  setWasmThreads(before);
});

test('setWasmThreads validates its argument', opts, () => {
  assert.throws(() => setWasmThreads(0), { message: 'setWasmThreads: n must be an integer from 1 to 16, got 0' });
  assert.throws(() => setWasmThreads(2.5), { message: 'setWasmThreads: n must be an integer from 1 to 16, got 2.5' });
});
