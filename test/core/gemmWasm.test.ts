/**
 * The WebAssembly GEMM kernels (assembly/gemm.ts: 2-vector × 6-column
 * register tiles, balanced k blocks of ≤ 256, m blocks of ≤ 192, the
 * one-m-block path with per-sliver packing of op(B) and the general path with
 * a packed op(B) panel) through `wasmGemmStrided`, against a float64 reference
 * and against the TypeScript kernels: every transpose case, every edge size
 * 1..13 of m, n and k, sizes around the block boundaries, general strides,
 * alpha and beta, float64 and float32; and threaded against single-threaded
 * runs, which must agree bit for bit (every entry is summed in the same order
 * whatever the chunking).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  createRng, getKernelBackend, getWasmThreads, setKernelBackend, setWasmThreads, startWasmThreads,
  wasmAvailable, wasmThreadsReady, type Rng,
} from '../../src/index.js';
import { gemm, gemm32, wasmGemmStrided } from '../../src/internals.js';

type Data = Float64Array | Float32Array;

/** Uniform entries in [−1, 1) (float32 arrays round them once, so the reference sees the same inputs). */
function random(len: number, rng: Rng, is32: boolean): Data {
  const x = is32 ? new Float32Array(len) : new Float64Array(len);
  for (let i = 0; i < len; i++) x[i] = 2 * rng.uniform() - 1;
  return x;
}

/** A product case: op(A)(i, p) = a[aOff + i*aRs + p*aCs], op(B)(p, j) = b[bOff + p*bRs + j*bCs], C(i, j) = c[cOff + i + j*ldc]. */
interface Case {
  m: number; n: number; k: number;
  a: Data; aOff: number; aRs: number; aCs: number;
  b: Data; bOff: number; bRs: number; bCs: number;
  c: Data; cOff: number; ldc: number;
  alpha: number; beta: number;
}

/** A column-major case for a transpose pair (tA, tB), with lda/ldb/ldc padded by `pad`. */
function makeCase(m: number, n: number, k: number, tA: boolean, tB: boolean, is32: boolean, rng: Rng,
  alpha = 1, beta = 0, pad = 0): Case {
  const lda = (tA ? k : m) + pad, ldb = (tB ? n : k) + pad, ldc = m + pad;
  const a = random(lda * (tA ? m : k), rng, is32), b = random(ldb * (tB ? k : n), rng, is32);
  const c = random(ldc * n + 3, rng, is32);
  return {
    m, n, k, alpha, beta,
    a, aOff: 0, aRs: tA ? lda : 1, aCs: tA ? 1 : lda,
    b, bOff: 0, bRs: tB ? ldb : 1, bCs: tB ? 1 : ldb,
    c, cOff: 3, ldc,
  };
}

function runWasm(x: Case): Data {
  const c = x.c.slice();
  wasmGemmStrided(c, x.cOff, x.ldc, x.m, x.n, x.k, x.alpha, x.a, x.aOff, x.aRs, x.aCs, x.b, x.bOff, x.bRs, x.bCs, x.beta);
  return c;
}

/**
 * Check the wasm result entry by entry against a float64 reference with the
 * summation-order-independent bound (k + 2)·ε·(|α| Σ|a||b| + |β c|); entries
 * outside C must be untouched, and beta = 0 must ignore the old C.
 */
function check(x: Case, got: Data, label: string): void {
  const eps = got instanceof Float32Array ? 2 ** -24 : 2 ** -53;
  const { m, n, k } = x;
  const inC = new Uint8Array(got.length);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < m; i++) {
      let s = 0, t = 0;
      for (let p = 0; p < k; p++) {
        const u = x.a[x.aOff + i * x.aRs + p * x.aCs] * x.b[x.bOff + p * x.bRs + j * x.bCs];
        s += u;
        t += Math.abs(u);
      }
      const idx = x.cOff + i + j * x.ldc;
      inC[idx] = 1;
      const old = x.beta === 0 ? 0 : x.beta * x.c[idx];
      const want = x.alpha * s + old;
      const tol = (k + 3) * eps * (Math.abs(x.alpha) * t + Math.abs(old)) + 1e-300;
      if (!(Math.abs(got[idx] - want) <= tol)) {
        assert.fail(`${label}: C(${i}, ${j}) = ${got[idx]}, expected ${want} ± ${tol}`);
      }
    }
  }
  for (let i = 0; i < got.length; i++) {
    if (!inC[i] && !Object.is(got[i], x.c[i])) assert.fail(`${label}: entry ${i} outside C changed`);
  }
}

const TRANS: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];
const tName = (tA: boolean, tB: boolean) => `${tA ? 'T' : 'N'}${tB ? 'T' : 'N'}`;

test('wasm kernels are available', () => {
  assert.ok(wasmAvailable(), 'WebAssembly SIMD kernels did not load: run node scripts/build-wasm.mjs');
});

test('every edge size 1..13 of m and n (k = 1, 7, 13), every transpose case, float64 and float32', () => {
  const rng = createRng(101);
  for (const is32 of [false, true]) for (const [tA, tB] of TRANS) {
    for (let m = 1; m <= 13; m++) for (let n = 1; n <= 13; n++) for (const k of [1, 7, 13]) {
      const x = makeCase(m, n, k, tA, tB, is32, rng);
      check(x, runWasm(x), `${is32 ? 'f32' : 'f64'} ${tName(tA, tB)} ${m}×${n}×${k}`);
    }
  }
});

test('every edge size 1..13 of k, odd m and n, every transpose case, alpha and beta', () => {
  const rng = createRng(102);
  for (const is32 of [false, true]) for (const [tA, tB] of TRANS) {
    for (let k = 1; k <= 13; k++) for (const [m, n] of [[9, 11], [13, 5], [17, 16]]) {
      for (const [alpha, beta] of [[1, 0], [-1.5, 1], [0.75, -0.5]]) {
        const x = makeCase(m, n, k, tA, tB, is32, rng, alpha, beta, 2);
        check(x, runWasm(x), `${is32 ? 'f32' : 'f64'} ${tName(tA, tB)} ${m}×${n}×${k} α=${alpha} β=${beta}`);
      }
    }
  }
});

test('sizes around the block boundaries (k blocks of ≤ 256, the one-m-block path, the packed-panel path)', () => {
  const rng = createRng(103);
  const shapes: [number, number, number][] = [
    [31, 29, 255], [33, 21, 257], [20, 23, 513], [9, 7, 784], // k blocks: 1, 2 (129 + 128), 3, 4 × 196
    [191, 9, 40], [193, 11, 33], [385, 7, 19], [530, 12, 260], // m: one block (≤ 192), two, three (with a short last block)
  ];
  for (const is32 of [false, true]) for (const [tA, tB] of TRANS) {
    for (const [m, n, k] of shapes) {
      const x = makeCase(m, n, k, tA, tB, is32, rng, -0.5, 0.25, 1);
      check(x, runWasm(x), `${is32 ? 'f32' : 'f64'} ${tName(tA, tB)} ${m}×${n}×${k}`);
    }
  }
});

test('general strides: negative and non-unit element steps, offsets', () => {
  const rng = createRng(104);
  for (const is32 of [false, true]) {
    const [m, n, k] = [11, 13, 37];
    // op(A)(i, p) = a[off + i*(-3) + p*(2m·3)]: rows backwards, 3 apart.
    const a = random(3 * m * 2 * k + 3 * m, rng, is32), b = random(5 * k * n + 2 * n + 5 * k, rng, is32);
    const x: Case = {
      m, n, k, alpha: 2, beta: -1,
      a, aOff: 3 * (m - 1), aRs: -3, aCs: 3 * m * 2,
      b, bOff: (k - 1) * 5 + 1, bRs: -5, bCs: 5 * k + 2,
      c: random(m * n + 2 * n + 10, rng, is32), cOff: 7, ldc: m + 2,
    };
    check(x, runWasm(x), `${is32 ? 'f32' : 'f64'} strided`);
  }
});

test('beta = 0 ignores NaN in C; alpha = 0 and k = 0 only scale C', () => {
  const rng = createRng(105);
  for (const is32 of [false, true]) {
    const x = makeCase(21, 19, 33, false, true, is32, rng, 1, 0);
    for (let j = 0; j < x.n; j++) for (let i = 0; i < x.m; i++) x.c[x.cOff + i + j * x.ldc] = NaN;
    check(x, runWasm(x), `${is32 ? 'f32' : 'f64'} beta = 0 over NaN`);
    const y = makeCase(21, 19, 33, true, false, is32, rng, 0, 0.5);
    check(y, runWasm(y), `${is32 ? 'f32' : 'f64'} alpha = 0`);
    const z = makeCase(21, 19, 0, false, false, is32, rng, 1, -2);
    check(z, runWasm(z), `${is32 ? 'f32' : 'f64'} k = 0`);
  }
});

test('wasm and TypeScript kernels agree to rounding (gemm / gemm32 with the js backend)', () => {
  const rng = createRng(106);
  const old = getKernelBackend();
  try {
    for (const is32 of [false, true]) for (const [tA, tB] of TRANS) {
      for (const [m, n, k] of [[13, 12, 11], [64, 64, 64], [70, 129, 300], [300, 35, 17]]) {
        const lda = tA ? k : m, ldb = tB ? n : k;
        const a = random(m * k, rng, is32), b = random(k * n, rng, is32);
        const c0 = random(m * n, rng, is32);
        const run = (backend: 'js' | 'wasm') => {
          setKernelBackend(backend);
          const c = c0.slice();
          if (is32) gemm32(c as Float32Array, m, n, k, a as Float32Array, lda, tA, b as Float32Array, ldb, tB, 1.25, -0.5);
          else gemm(c as Float64Array, m, n, k, a as Float64Array, lda, tA, b as Float64Array, ldb, tB, 1.25, -0.5);
          return c;
        };
        const js = run('js'), wa = run('wasm');
        // float32: the TypeScript kernel sums in double, the wasm one in float32.
        const tol = is32 ? 4e-7 * Math.sqrt(k) : 4e-16 * k;
        let d = 0, s = 0;
        for (let i = 0; i < js.length; i++) {
          d = Math.max(d, Math.abs(js[i] - wa[i]));
          s = Math.max(s, Math.abs(js[i]));
        }
        assert.ok(d <= tol * s, `${is32 ? 'f32' : 'f64'} ${tName(tA, tB)} ${m}×${n}×${k}: max diff ${d} > ${tol * s}`);
      }
    }
  } finally {
    setKernelBackend(old);
  }
});

test('threaded and single-threaded products are bit-identical (column and row chunks)', async () => {
  const threads = getWasmThreads();
  after(() => setWasmThreads(threads));
  setWasmThreads(Math.max(2, threads));
  startWasmThreads();
  for (let i = 0; i < 400 && wasmThreadsReady() < 1; i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(wasmThreadsReady() >= 1, 'no worker thread became ready');
  const rng = createRng(107);
  // n ≥ m: column chunks; m > n: row chunks; both through one and several k blocks.
  const shapes: [number, number, number][] = [[200, 300, 150], [131, 517, 260], [700, 150, 130], [530, 333, 97]];
  for (const is32 of [false, true]) for (const [tA, tB] of TRANS) {
    for (const [m, n, k] of shapes) {
      const x = makeCase(m, n, k, tA, tB, is32, rng, 0.5, 1.5, 1);
      setWasmThreads(1);
      const one = runWasm(x);
      setWasmThreads(Math.max(2, threads));
      const many = runWasm(x);
      for (let i = 0; i < one.length; i++) {
        if (!Object.is(one[i], many[i])) assert.fail(`${is32 ? 'f32' : 'f64'} ${tName(tA, tB)} ${m}×${n}×${k}: entry ${i} differs (${one[i]} vs ${many[i]})`);
      }
      if (m === 200) check(x, many, `${is32 ? 'f32' : 'f64'} ${tName(tA, tB)} ${m}×${n}×${k} threaded`);
    }
  }
});
