/**
 * Resident matrices (src/core/wasm/resident.ts): matrices whose storage lives
 * in the kernels' WebAssembly memory and that the wasm gemm and activation
 * passes use in place. Checked against the copied path (bit for bit: same
 * kernel, same summation order) and the TypeScript kernels (to rounding), for
 * all transpose cases, one and two threads, strided and sub-views, resident C,
 * C overlapping a resident operand; the arena (zeroed blocks, reuse after
 * release, coalescing, shrinking); memory growth with live resident matrices;
 * releaseWasmMemory; the js-backend fallback; the Hessian mat-vec of a
 * classifier on resident features; error messages.
 * Fails (does not skip) when the kernels were not built; skips only where the
 * runtime lacks WebAssembly SIMD.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clone, createRng, matmulInto, matrix, randn, toFloat32, zeros, zeros32, type AnyMatrix, type Matrix, type Matrix32,
} from '../../src/core/index.js';
import {
  getKernelBackend, getWasmThreads, isResident, releaseResident, releaseWasmMemory, residentMatrix, residentMemoryStats,
  setKernelBackend, setWasmThreads, shutdownWasmThreads, startWasmThreads, toResident, wasmAvailable,
  wasmMemoryBytes, wasmThreadsReady, wasmUnavailableReason,
} from '../../src/core/wasm/index.js';
import { wasmGemmStrided, wasmTanh } from '../../src/internals.js';
import { classificationObjective } from '../../src/objectives/classificationObjective.js';
import { identityModel } from '../../examples/elm-mnist.js';

const noSimd = wasmUnavailableReason().includes('SIMD') || wasmUnavailableReason().includes('no WebAssembly');
const opts = { skip: noSimd ? 'this runtime has no WebAssembly SIMD' : false };

const TRANS: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];

/** Release every matrix given (resident or not), so each test leaves an empty arena. */
function releaseAll(...Ms: AnyMatrix[]): void {
  for (const M of Ms) releaseResident(M);
}

/** C = op(A)·op(B) (+ beta·C0) through matmulInto on copies, with the kernel backend given. */
function product(backend: 'js' | 'wasm', C0: AnyMatrix, A: AnyMatrix, B: AnyMatrix, tA: boolean, tB: boolean, beta: number): AnyMatrix {
  const before = getKernelBackend();
  setKernelBackend(backend);
  try {
    const C = C0.data instanceof Float32Array ? toFloat32Copy(C0 as Matrix32) : clone(C0 as Matrix);
    matmulInto(C, A, B, { transA: tA, transB: tB, alpha: 0.75, beta });
    return C;
  } finally {
    setKernelBackend(before);
  }
}

function toFloat32Copy(M: Matrix32): Matrix32 {
  return matrix(M.shape[0], M.shape[1], Float32Array.from(M.data.subarray(M.offset, M.offset + M.shape[0] * M.shape[1])));
}

/** Entries of a (possibly strided) matrix, column by column. */
function entries(M: AnyMatrix): number[] {
  const out: number[] = [];
  for (let j = 0; j < M.shape[1]; j++) for (let i = 0; i < M.shape[0]; i++) out.push(M.get(i, j));
  return out;
}

function assertClose(actual: AnyMatrix, expected: AnyMatrix, tol: number, what: string): void {
  const a = entries(actual), e = entries(expected);
  let scale = 0;
  for (const v of e) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < a.length; i++) {
    if (!(Math.abs(a[i] - e[i]) <= tol * (1 + scale))) assert.fail(`${what}: entry ${i} is ${a[i]}, expected ${e[i]}`);
  }
}

test('the kernels are built', () => {
  if (!noSimd) assert.ok(wasmAvailable(), wasmUnavailableReason());
});

test('residentMatrix: zero-filled, normal ndarray, resident; float32; stats; release', opts, () => {
  const start = residentMemoryStats();
  assert.deepEqual(start, { blocks: 0, liveBytes: 0, freeBytes: 0, arenaBytes: 0 });
  const M = residentMatrix(3, 5);
  assert.deepEqual(M.shape, [3, 5]);
  assert.deepEqual(M.stride, [1, 3]);
  assert.ok(M.data instanceof Float64Array);
  assert.ok(isResident(M));
  assert.ok(!isResident(zeros(3, 5)));
  assert.deepEqual(entries(M), new Array(15).fill(0));
  M.set(2, 4, 7);
  assert.equal(M.data[14], 7);
  const S = residentMatrix(4, 4, { dtype: 'float32' });
  assert.ok(S.data instanceof Float32Array);
  assert.ok(isResident(S));
  assert.deepEqual(residentMemoryStats(), { blocks: 2, liveBytes: 128 + 64, freeBytes: 0, arenaBytes: 192 });
  // An empty matrix is ordinary: nothing to keep resident.
  const E = residentMatrix(0, 4);
  assert.ok(!isResident(E));
  assert.equal(releaseResident(E), false);
  assert.equal(releaseResident(M), true);
  assert.equal(releaseResident(M), false, 'a second release does nothing');
  assert.ok(!isResident(M));
  assert.equal(releaseResident(S), true);
  assert.deepEqual(residentMemoryStats(), start, 'the arena shrinks back to nothing');
});

test('toResident copies any strided matrix (contiguous result, same precision, a new block)', opts, () => {
  const rng = createRng(3);
  const A = randn(7, 9, rng);
  const views: AnyMatrix[] = [A, A.transpose(1, 0), A.hi(5, 8).lo(1, 2), A.step(2, -1), toFloat32(A)];
  for (const V of views) {
    const R = toResident(V);
    assert.ok(isResident(R));
    assert.deepEqual(R.shape, V.shape);
    assert.deepEqual(R.stride, [1, V.shape[0]]);
    assert.equal(R.data instanceof Float32Array, V.data instanceof Float32Array);
    assert.deepEqual(entries(R), entries(V));
    const R2 = toResident(R);
    assert.notEqual(R2.data.byteOffset, R.data.byteOffset, 'a resident matrix is copied too');
    assert.deepEqual(entries(R2), entries(V));
    releaseAll(R, R2);
  }
  assert.equal(residentMemoryStats().blocks, 0);
});

test('resident gemm = copied gemm bit for bit, ≈ the js kernels: every transpose case, every operand resident or not, f64 and f32', opts, () => {
  const rng = createRng(11);
  for (const [m, n, k] of [[1, 7, 3], [13, 29, 17], [130, 70, 300], [200, 9, 64]] as [number, number, number][]) {
    for (const [tA, tB] of TRANS) {
      const A = randn(tA ? k : m, tA ? m : k, rng), B = randn(tB ? n : k, tB ? k : n, rng), C0 = randn(m, n, rng);
      for (const f32 of [false, true]) {
        const [a, b, c0] = f32 ? [toFloat32(A), toFloat32(B), toFloat32(C0)] : [A, B, C0];
        for (const beta of [0, 1.5]) {
          const copied = product('wasm', c0, a, b, tA, tB, beta);
          const js = product('js', c0, a, b, tA, tB, beta);
          assertClose(copied, js, f32 ? 1e-4 : 1e-12, `${m}×${n}×${k} ${tA}/${tB} f32=${f32}: wasm ≈ js`);
          // Every subset of {A, B, C} resident: the same bits as the copied path.
          for (let mask = 1; mask < 8; mask++) {
            const ra = mask & 1 ? toResident(a) : a, rb = mask & 2 ? toResident(b) : b, rc = mask & 4 ? toResident(c0) : null;
            const C = rc ?? (f32 ? toFloat32Copy(c0 as Matrix32) : clone(c0 as Matrix));
            matmulInto(C, ra, rb, { transA: tA, transB: tB, alpha: 0.75, beta });
            assert.deepEqual(Array.from(C.data), Array.from(copied.data), `${m}×${n}×${k} ${tA}/${tB} f32=${f32} beta=${beta} resident mask ${mask}`);
            releaseAll(ra, rb, ...(rc ? [rc] : []));
          }
        }
      }
    }
  }
  assert.equal(residentMemoryStats().blocks, 0);
});

test('resident sub-views: strided A and B views and a C window with ldc > m are used in place; C outside the window untouched', opts, () => {
  const rng = createRng(5);
  const bigA = toResident(randn(40, 50, rng)), bigB = toResident(randn(70, 45, rng));
  const bigC = toResident(randn(30, 40, rng));
  const before = Array.from(bigC.data);
  const A = bigA.hi(35, 33).lo(3, 2), B = bigB.step(2, 1).hi(33, 40).lo(0, 4); // 32×31 and 33×36 (row stride 2)
  const Bt = bigB.transpose(1, 0).hi(38, 31).lo(2, 0); // 36×31, row stride 70
  const C = bigC.hi(29, 38).lo(4, 2); // 25×36, ldc = 30
  const cases: [AnyMatrix, AnyMatrix, boolean, boolean][] = [
    [A.hi(25, 31), B.hi(31, 36), false, false],
    [A.transpose(1, 0).hi(25, 31), B.hi(31, 36), false, false],
    [A.hi(31, 25), Bt.hi(36, 31), true, true],
    [A.step(-1, 1).hi(25, 31), bigB.step(-1, -1).hi(31, 36), false, false],
  ];
  for (const [X, Y, tA, tB] of cases) {
    const expected = product('wasm', clone(C as Matrix), clone(X as Matrix), clone(Y as Matrix), tA, tB, 1);
    const js = product('js', clone(C as Matrix), X, Y, tA, tB, 1);
    assertClose(expected, js, 1e-12, 'copied ≈ js');
    matmulInto(C, X, Y, { transA: tA, transB: tB, alpha: 0.75, beta: 1 });
    assert.deepEqual(entries(C), entries(expected), `strides A [${X.stride}] B [${Y.stride}]`);
    // Undo into the reference state of the window for the next case.
    for (let j = 0; j < 36; j++) for (let i = 0; i < 25; i++) C.set(i, j, before[(i + 4) + (j + 2) * 30]);
  }
  const after = Array.from(bigC.data);
  for (let j = 0; j < 40; j++) {
    for (let i = 0; i < 30; i++) {
      const inside = i >= 4 && i < 29 && j >= 2 && j < 38;
      if (!inside) assert.equal(after[i + j * 30], before[i + j * 30], `C(${i}, ${j}) outside the window changed`);
    }
  }
  releaseAll(bigA, bigB, bigC);
});

test('C overlapping a resident operand goes through scratch: same result as ordinary arrays', opts, () => {
  const rng = createRng(8);
  const x = randn(20, 20, rng).data;
  const xr = toResident(matrix(20, 20, x)).data;
  // C = columns 10.. of x (10×... as 20×10), A = the first 20×15 of the same storage: they overlap.
  const run = (d: Float64Array) => wasmGemmStrided(d, 200, 20, 20, 10, 15, 1, d, 0, 1, 20, d, 0, 20, 1, 0);
  const plain = Float64Array.from(x);
  run(plain);
  run(xr);
  assert.deepEqual(Array.from(xr), Array.from(plain));
  releaseResident(matrix(20, 20, xr));
  assert.equal(residentMemoryStats().blocks, 0);
});

test('two threads: resident gemm = copied gemm bit for bit (column and row chunks, resident C)', opts, async () => {
  const before = getWasmThreads();
  setWasmThreads(2);
  startWasmThreads();
  for (let i = 0; i < 200 && wasmThreadsReady() < 1; i++) await new Promise((r) => setTimeout(r, 25));
  assert.equal(wasmThreadsReady(), 1, 'the worker booted within 5 s');
  const rng = createRng(21);
  try {
    for (const [m, n, k] of [[10, 3000, 400], [300, 130, 140], [160, 200, 150]] as [number, number, number][]) {
      for (const [tA, tB] of TRANS) {
        const A = randn(tA ? k : m, tA ? m : k, rng), B = randn(tB ? n : k, tB ? k : n, rng), C0 = randn(m, n, rng);
        const copied = product('wasm', C0, A, B, tA, tB, 1);
        const ra = toResident(A), rb = toResident(B), rc = toResident(C0);
        matmulInto(rc, ra, rb, { transA: tA, transB: tB, alpha: 0.75, beta: 1 });
        assert.deepEqual(Array.from(rc.data), Array.from(copied.data), `${m}×${n}×${k} ${tA}/${tB}`);
        releaseAll(ra, rb, rc);
        // C a window (ldc = m + 3) of a resident matrix: the chunks step by ldc.
        const big = toResident(randn(m + 3, n, rng)), W = big.hi(m + 1, n).lo(1, 0);
        for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) W.set(i, j, C0.get(i, j));
        const ra2 = toResident(A), rb2 = toResident(B);
        matmulInto(W, ra2, rb2, { transA: tA, transB: tB, alpha: 0.75, beta: 1 });
        assert.deepEqual(entries(W), entries(copied), `${m}×${n}×${k} ${tA}/${tB}, C with ldc = ${m + 3}`);
        releaseAll(ra2, rb2, big);
      }
    }
  } finally {
    shutdownWasmThreads();
    setWasmThreads(before);
  }
});

test('release and reuse: first fit, zeroed again, coalescing of neighbours, the arena shrinks from the top', opts, () => {
  const A = residentMatrix(8, 8), B = residentMatrix(8, 8), C = residentMatrix(8, 8); // 512 bytes each
  const a = A.data.byteOffset, b = B.data.byteOffset, c = C.data.byteOffset;
  assert.equal(b, a + 512);
  assert.equal(c, b + 512);
  A.data.fill(3);
  B.data.fill(4);
  releaseResident(A);
  const A2 = residentMatrix(4, 16);
  assert.equal(A2.data.byteOffset, a, 'the freed block is reused');
  assert.deepEqual(Array.from(A2.data), new Array(64).fill(0), 'and zeroed');
  releaseResident(A2);
  releaseResident(B);
  assert.deepEqual(residentMemoryStats(), { blocks: 1, liveBytes: 512, freeBytes: 1024, arenaBytes: 1536 });
  const D = residentMatrix(16, 16); // 2048 bytes: A's and B's merged range is too small, the arena grows
  assert.equal(D.data.byteOffset, c + 512);
  const E = residentMatrix(128, 1); // 1024 bytes: exactly the merged range
  assert.equal(E.data.byteOffset, a, 'neighbouring free blocks were merged');
  releaseAll(D, E, C);
  assert.deepEqual(residentMemoryStats(), { blocks: 0, liveBytes: 0, freeBytes: 0, arenaBytes: 0 });
  const F = residentMatrix(1, 1);
  assert.equal(F.data.byteOffset, a, 'the arena starts over from the bottom');
  assert.equal(releaseResident(matrix(1, 1, new Float64Array(1))), false, 'an ordinary matrix: nothing to release');
  assert.equal(residentMemoryStats().blocks, 1);
  releaseResident(F);
});

test('memory growth with live resident matrices: contents survive, they stay resident, products still match', opts, () => {
  // Start from a fresh memory so that the growth below really happens.
  releaseWasmMemory();
  const rng = createRng(13);
  const W = randn(10, 300, rng), Zd = randn(300, 500, rng);
  const Z = toResident(Zd);
  const snapshot = Array.from(Z.data);
  const bytes0 = wasmMemoryBytes();
  // A copied product needing far more scratch than the memory has: it grows.
  const big = randn(1200, 1200, rng);
  const out = zeros(1200, 1200);
  matmulInto(out, big, big);
  assert.ok(wasmMemoryBytes() > bytes0 + 8e6, `the memory grew (${bytes0} → ${wasmMemoryBytes()})`);
  assert.deepEqual(Array.from(Z.data), snapshot, 'contents survived the growth');
  assert.ok(isResident(Z));
  // A resident block allocated after the growth lives on a newer buffer object; both are recognised.
  const Y = residentMatrix(2000, 2000);
  assert.ok(wasmMemoryBytes() > 32e6);
  assert.ok(isResident(Y) && isResident(Z));
  const S = zeros(10, 500), S0 = zeros(10, 500);
  matmulInto(S, W, Z);
  matmulInto(S0, W, Zd);
  assert.deepEqual(Array.from(S.data), Array.from(S0.data));
  releaseAll(Y, Z);
  assert.equal(residentMemoryStats().blocks, 0);
});

test('resident operands and results are not copied: the scratch area stays small beside large resident matrices', opts, () => {
  releaseWasmMemory();
  const rng = createRng(23);
  const Z = toResident(randn(300, 20000, rng)); // 48 MB
  const O = residentMatrix(2000, 2000); // 32 MB, written by the kernel in place
  const live = residentMemoryStats().liveBytes;
  const W = randn(10, 300, rng), X = randn(2000, 5, rng), Y = randn(5, 2000, rng);
  const S = zeros(10, 20000), G = zeros(10, 300);
  matmulInto(S, W, Z);
  matmulInto(G, S, Z, { transB: true });
  matmulInto(O, X, Y);
  // A copy of Z (48 MB) or O (32 MB) would need that much scratch beyond the arena.
  assert.ok(wasmMemoryBytes() < live * 1.25, `memory ${wasmMemoryBytes()} bytes for ${live} resident bytes`);
  const O0 = zeros(2000, 2000);
  setKernelBackend('js');
  try {
    matmulInto(O0, X, Y);
  } finally {
    setKernelBackend('wasm');
  }
  assertClose(O, O0, 1e-12, 'resident C ≈ js');
  releaseAll(Z, O);
});

test('releaseWasmMemory: resident matrices keep their values but become ordinary; the arena starts empty', opts, () => {
  const rng = createRng(17);
  const Zd = randn(50, 40, rng), W = randn(6, 50, rng);
  const Z = toResident(Zd);
  releaseWasmMemory();
  assert.ok(!isResident(Z));
  assert.deepEqual(residentMemoryStats(), { blocks: 0, liveBytes: 0, freeBytes: 0, arenaBytes: 0 });
  assert.deepEqual(Array.from(Z.data), Array.from(Zd.data));
  assert.equal(releaseResident(Z), false);
  const S = zeros(6, 40), S0 = zeros(6, 40);
  matmulInto(S, W, Z); // copied like any other array
  matmulInto(S0, W, Zd);
  assert.deepEqual(Array.from(S.data), Array.from(S0.data));
  const R = residentMatrix(50, 40);
  assert.ok(isResident(R));
  assert.deepEqual(Array.from(R.data), new Array(2000).fill(0), 'a new block over the old bytes is not confused with Z');
  releaseResident(R);
});

test('activation passes run in place on resident arrays: same bits, odd tails do not write past the view', opts, () => {
  const rng = createRng(4);
  const N = 1001;
  const x = new Float64Array(N + 8);
  for (let i = 0; i < x.length; i++) x[i] = 3 * rng.normal();
  const X = toResident(matrix(1, N + 8, x)), V = residentMatrix(1, N + 8), D = residentMatrix(1, N + 8);
  V.data.fill(-7);
  D.data.fill(-9);
  const v0 = new Float64Array(N), d0 = new Float64Array(N);
  wasmTanh(x.subarray(0, N), v0, d0);
  wasmTanh(X.data.subarray(0, N), V.data.subarray(0, N), D.data.subarray(0, N));
  assert.deepEqual(Array.from(V.data.subarray(0, N)), Array.from(v0));
  assert.deepEqual(Array.from(D.data.subarray(0, N)), Array.from(d0));
  assert.equal(V.data[N], -7, 'value past an odd-length view untouched');
  assert.equal(D.data[N], -9, 'derivative past an odd-length view untouched');
  // In place (value aliases x), odd length.
  const Xi = toResident(matrix(1, N, x.slice(0, N)));
  wasmTanh(Xi.data, Xi.data, null);
  assert.deepEqual(Array.from(Xi.data), Array.from(v0));
  // Partial overlap (value = x shifted by one): not in place, same answer as ordinary arrays.
  const plain = x.slice(0, N + 1), res = toResident(matrix(1, N + 1, plain.slice()));
  wasmTanh(plain.subarray(0, N), plain.subarray(1, N + 1), null);
  wasmTanh(res.data.subarray(0, N), res.data.subarray(1, N + 1), null);
  assert.deepEqual(Array.from(res.data), Array.from(plain));
  releaseAll(X, V, D, Xi, res);
});

test('Hessian mat-vec of a classifier on resident features = on ordinary features, bit for bit', opts, () => {
  const rng = createRng(9);
  const m = 120, n = 700, nc = 10;
  const Zd = randn(m, n, rng);
  const C = zeros(nc, n);
  for (let j = 0; j < n; j++) C.set(j % nc, j, 1);
  const Z = toResident(Zd);
  const x = rng.normalArray(nc * (m + 1), 0.1), v = rng.normalArray(nc * (m + 1), 1);
  const run = (Y: Matrix) => {
    const ev = classificationObjective(identityModel(m), Y, C, { regularization: { W: 1e-8 } }).evaluate(x);
    return [ev.value, ...ev.gradient, ...ev.hessian!(v)];
  };
  assert.deepEqual(run(Z), run(Zd));
  releaseResident(Z);
});

test('js backend: the constructors return ordinary matrices, release does nothing', opts, () => {
  const before = getKernelBackend();
  setKernelBackend('js');
  try {
    const M = residentMatrix(3, 4), S = residentMatrix(2, 2, { dtype: 'float32' });
    assert.ok(!isResident(M) && !isResident(S));
    assert.ok(!(M.data.buffer instanceof SharedArrayBuffer));
    assert.ok(S.data instanceof Float32Array);
    const R = toResident(randn(3, 3, createRng(1)));
    assert.ok(!isResident(R));
    assert.equal(releaseResident(M), false);
    assert.equal(residentMemoryStats().blocks, 0);
  } finally {
    setKernelBackend(before);
  }
  // A resident matrix also works with the js kernels.
  const Z = toResident(randn(5, 6, createRng(2)));
  const W = randn(3, 5, createRng(3));
  setKernelBackend('js');
  try {
    const S = zeros(3, 6), S0 = zeros(3, 6);
    matmulInto(S, W, Z);
    matmulInto(S0, W, clone(Z));
    assert.deepEqual(Array.from(S.data), Array.from(S0.data));
  } finally {
    setKernelBackend(before);
    releaseResident(Z);
  }
});

test('errors name the argument and the sizes', opts, () => {
  assert.throws(() => residentMatrix(-1, 2), { message: 'residentMatrix: rows must be a non-negative integer, got -1' });
  assert.throws(() => residentMatrix(2, 1.5), { message: 'residentMatrix: cols must be a non-negative integer, got 1.5' });
  assert.throws(() => residentMatrix(2, 2, { dtype: 'int8' as 'float32' }), { message: 'residentMatrix: dtype must be \'float64\' or \'float32\', got "int8"' });
  assert.throws(() => residentMatrix(70000, 70000), (e: Error) => {
    assert.ok(e instanceof RangeError);
    assert.match(e.message, /^residentMatrix: the matrix, a 70000×70000 float64 matrix \(37384 MiB\), does not fit in WebAssembly memory/);
    return true;
  });
  assert.equal(residentMemoryStats().blocks, 0, 'a failed allocation leaves the arena as it was');
  assert.throws(() => toResident(3 as unknown as Matrix), /^NumdlError: toResident: M must be a 2-D ndarray matrix, got number$/);
  assert.throws(() => releaseResident(undefined as unknown as Matrix), /^NumdlError: releaseResident: M must be a 2-D ndarray matrix, got undefined$/);
  assert.throws(() => isResident(zeros32(2, 2).data as unknown as Matrix), /isResident: M must be a 2-D ndarray matrix/);
});
