/**
 * WebAssembly SIMD GEMM with the raw signatures of `gemm` / `gemm32` in
 * `../matmul.ts`, plus a strided form matching its internal `gemmStrided`.
 *
 * The kernel (assembly/gemm.ts) is the Goto/BLIS scheme: op(B) packed in
 * 6-column micro-panels, op(A) in 2-vector-row micro-panels (4 rows of f64,
 * 8 of f32), a register tile of 12 SIMD accumulators (4×6 of f64x2 lanes,
 * 8×6 of f32x4), k blocks of ≤ 256, m blocks of ≤ 192. Packing reads the
 * operands through (row stride, column stride) pairs, so the four transpose
 * cases and strided views share one code path.
 *
 * Operands are copied into WebAssembly memory (the stored span only), C is
 * copied in only when beta ≠ 0, and out at the end: 1–4 % of a large product,
 * but most of a product with a large operand and a thin result (a 10 × 1530
 * W times a 1530 × 50 000 Z). Resident operands (./resident.ts: arrays that
 * already live in WebAssembly memory) are not copied: the kernel reads A and
 * B, and writes C, in place through their byte addresses and strides (C
 * still goes through scratch when it overlaps a resident A or B).
 * Products of at least {@link WASM_GEMM_PARALLEL_MIN} multiply-adds are cut
 * into column (or, for tall C, row) chunks that the worker threads of
 * ./threads.ts ({@link getWasmThreads} of them, the caller included) claim
 * dynamically. Every entry of C is summed in the same order whatever the
 * thread count, so results are bit-identical across thread counts.
 * Float32 sums are accumulated in float32 (unlike the TypeScript `gemm32`,
 * which accumulates in double): expect relative differences of about
 * √k · 6e-8.
 */
import { fail } from '../errors.js';
import { align64, wasmExports, wasmF32, wasmF64, wasmReserve } from './module.js';
import { checkArray, checkCount, checkSamePrecision, checkStrided } from './bounds.js';
import { residentAddress } from './resident.js';
import { chunkLength, getWasmThreads, runChunked } from './threads.js';

type Data = Float64Array | Float32Array;

/** Slack after each operand: edge tiles may read a few lanes past a column. */
const SLACK = 64;

/**
 * Products with m·n·k below this stay on one thread: under about 128³ the
 * wake-up of a worker (tens of µs) eats what a second core would save.
 */
export const WASM_GEMM_PARALLEL_MIN = 128 * 128 * 128;

/** Elements in [lo, hi] touched by a strided rows×cols view starting at `off`: returns [lo, count]. */
function span(off: number, rows: number, cols: number, rs: number, cs: number): [number, number] {
  let lo = off, hi = off;
  const er = (rows - 1) * rs, ec = (cols - 1) * cs;
  if (er < 0) lo += er; else hi += er;
  if (ec < 0) lo += ec; else hi += ec;
  return [lo, hi - lo + 1];
}

/**
 * Whether {@link wasmGemm} is expected to beat the TypeScript `gemm` on this
 * shape (informative: `matmul` does not switch kernels by shape, so that a
 * product's entries do not depend on how many columns it has). Measured here: the WebAssembly
 * kernel wins from about 10³ multiply-adds on (≈ 1.6× at 12³, 3–4× from 32³,
 * 5–6× from 128³), but matrix–vector products (n = 1) are memory-bound and
 * lose the copy of A into WebAssembly memory (≈ 0.6× the TypeScript speed).
 * @param m rows of C
 * @param n columns of C
 * @param k inner dimension
 * @example preferWasmGemm(64, 64, 64) // true; preferWasmGemm(1000, 1, 1000) // false
 */
export function preferWasmGemm(m: number, n: number, k: number): boolean {
  return n > 1 && m * n * k >= 1000;
}

/**
 * Strided WebAssembly GEMM, the drop-in twin of matmul.ts's internal
 * `gemmStrided`: `c[cOff + i + j*ldc] ← alpha·Σ_p opA(i,p)·opB(p,j) + beta·c[…]`
 * with `opA(i,p) = a[aOff + i*aRs + p*aCs]`, `opB(p,j) = b[bOff + p*bRs + j*bCs]`
 * (strides may be negative). Float64Array operands use the f64x2 kernel,
 * Float32Array operands the f32x4 one (a, b and c must share one precision).
 * With beta = 0 the old c is ignored (even NaN); with alpha = 0 or k = 0 the
 * product is skipped. Checks that every operand lies inside its array (a
 * resident operand is addressed in place: a short one would let the kernel
 * write into the next block) and that all share one precision.
 * @param c destination (column stride ldc ≥ m)
 * @param cOff offset of C(0, 0) in c
 * @param ldc column stride of C
 * @param m rows of C
 * @param n columns of C
 * @param k inner dimension
 * @param alpha factor of the product
 * @param a storage of A
 * @param aOff offset of opA(0, 0)
 * @param aRs step between rows of op(A)
 * @param aCs step between columns of op(A)
 * @param b storage of B
 * @param bOff offset of opB(0, 0)
 * @param bRs step between rows of op(B)
 * @param bCs step between columns of op(B)
 * @param beta factor of the old C
 * @throws `wasmGemm: C (4×4 at offset 0, strides 1, 4) reaches entries 0 … 15, but the array has 9`
 *   and the like for short arrays or mixed precisions; RangeError when the
 *   operands need more than 4 GiB of WebAssembly memory; Error when the
 *   WebAssembly kernels are unavailable
 * @example
 * // C (2×2) = Aᵀ·B with A, B stored 2×2 column-major:
 * wasmGemmStrided(c, 0, 2, 2, 2, 2, 1, a, 0, 2, 1, b, 0, 1, 2, 0)
 */
export function wasmGemmStrided(
  c: Data, cOff: number, ldc: number, m: number, n: number, k: number, alpha: number,
  a: Data, aOff: number, aRs: number, aCs: number,
  b: Data, bOff: number, bRs: number, bCs: number,
  beta: number,
): void {
  const is32 = c instanceof Float32Array;
  const fn = is32 ? 'wasmGemm32' : 'wasmGemm';
  checkGemmArgs(fn, c, cOff, ldc, m, n, k, alpha, a, aOff, aRs, aCs, b, bOff, bRs, bCs);
  if (m <= 0 || n <= 0) return;
  const ex = wasmExports(fn);
  const sz = is32 ? 4 : 8;
  const product = k > 0 && alpha !== 0;
  const A = operand(product, a, aOff, m, k, aRs, aCs, sz);
  const B = operand(product, b, bOff, k, n, bRs, bCs, sz);
  const cLen = m * n;
  // C is written in place when resident, unless it overlaps a resident operand
  // the kernel is still reading (then it goes through scratch, as before).
  const cRes = residentAddress(c);
  const cStart = cRes + cOff * sz, cEnd = cStart + ((n - 1) * ldc + m) * sz;
  const cDirect = cRes >= 0 && !overlaps(A, cStart, cEnd) && !overlaps(B, cStart, cEnd);
  const cBytes = cDirect ? 0 : align64(cLen * sz + SLACK);
  // Threads: cut the larger of m and n into chunks of whole register tiles
  // (about two per thread) that the threads claim dynamically; each thread
  // packs into its own workspace.
  const threads = product && m * n * k >= WASM_GEMM_PARALLEL_MIN ? getWasmThreads() : 1;
  const byCols = n >= m;
  const total = byCols ? n : m;
  const chunk = threads > 1 ? Math.min(total, chunkLength(total, threads, 2, byCols ? 6 : 8, 48)) : total;
  const nThreads = Math.min(threads, Math.ceil(total / chunk));
  const wsBytes = product ? align64(byCols ? ex.gemmWorkspace(m, chunk, k, sz) : ex.gemmWorkspace(chunk, n, k, sz)) : 0;
  const base = wasmReserve(fn, A.scratch + B.scratch + cBytes + nThreads * wsBytes + 64);
  const aP = base, bP = aP + A.scratch, cScratch = bP + B.scratch, wP = cScratch + cBytes;
  const mem = is32 ? wasmF32() : wasmF64();
  const a0 = place(mem, a, A, aP, sz), b0 = place(mem, b, B, bP, sz);
  const cP = cDirect ? cStart : cScratch, ldk = cDirect ? ldc : m;
  const contiguous = ldc === m || n === 1;
  const ci = cScratch / sz;
  if (!cDirect && beta !== 0) {
    if (contiguous) mem.set(c.subarray(cOff, cOff + cLen), ci);
    else for (let j = 0; j < n; j++) mem.set(c.subarray(cOff + j * ldc, cOff + j * ldc + m), ci + j * m);
  }
  if (nThreads <= 1) {
    (is32 ? ex.sgemm : ex.dgemm)(m, n, k, a0, aRs, aCs, b0, bRs, bCs, cP, ldk, alpha, beta, wP);
  } else {
    // Column chunks move B and C; row chunks move A and C.
    runChunked(fn, {
      op: is32 ? 'sgemm' : 'dgemm',
      args: [m, n, k, a0, aRs, aCs, b0, bRs, bCs, cP, ldk, alpha, beta, wP],
      step: byCols
        ? [0, 0, 0, 0, 0, 0, chunk * bCs * sz, 0, 0, chunk * ldk * sz, 0, 0, 0, 0]
        : [0, 0, 0, chunk * aRs * sz, 0, 0, 0, 0, 0, chunk * sz, 0, 0, 0, 0],
      perThread: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, wsBytes],
      lenIdx: byCols ? 1 : 0,
      chunkLen: chunk,
      total,
    }, nThreads);
  }
  if (cDirect) return;
  if (contiguous) c.set(mem.subarray(ci, ci + cLen), cOff);
  else for (let j = 0; j < n; j++) c.set(mem.subarray(ci + j * m, ci + j * m + m), cOff + j * ldc);
}

/**
 * The operands of a strided product lie inside their arrays and share one
 * precision (the kernel would otherwise read or write past them, into
 * neighbouring resident matrices).
 */
function checkGemmArgs(
  fn: string, c: Data, cOff: number, ldc: number, m: number, n: number, k: number, alpha: number,
  a: Data, aOff: number, aRs: number, aCs: number,
  b: Data, bOff: number, bRs: number, bCs: number,
): void {
  checkArray(fn, 'c', c);
  checkCount(fn, 'm', m);
  checkCount(fn, 'n', n);
  checkCount(fn, 'k', k);
  if (m === 0 || n === 0) return;
  if (!Number.isInteger(ldc) || (n > 1 && ldc < m)) fail(fn, `ldc = ${ldc} must be an integer ≥ m = ${m}`);
  checkStrided(fn, `C`, c, cOff, m, n, 1, ldc);
  if (k === 0 || alpha === 0) return;
  checkArray(fn, 'a', a);
  checkArray(fn, 'b', b);
  checkSamePrecision(fn, [['c', c], ['a', a], ['b', b]]);
  checkStrided(fn, 'op(A)', a, aOff, m, k, aRs, aCs);
  checkStrided(fn, 'op(B)', b, bOff, k, n, bRs, bCs);
}

/** Where an operand of {@link wasmGemmStrided} is read from. */
interface Operand {
  /** Offset of op(X)(0, 0) in the array. */
  off: number;
  /** First element touched and the count of the touched span. */
  lo: number;
  len: number;
  /** Byte address of the array when resident (read in place), else −1. */
  res: number;
  /** Scratch bytes for its copy (0 when resident or unused). */
  scratch: number;
  /** Bytes per element. */
  sz: number;
}

/** Span, residency and scratch need of a rows×cols strided operand (nothing when the product is skipped). */
function operand(used: boolean, x: Data, off: number, rows: number, cols: number, rs: number, cs: number, sz: number): Operand {
  if (!used) return { off, lo: 0, len: 0, res: -1, scratch: 0, sz };
  const [lo, len] = span(off, rows, cols, rs, cs);
  const res = residentAddress(x);
  return { off, lo, len, res, scratch: res >= 0 ? 0 : align64(len * sz + SLACK), sz };
}

/** Copy a non-resident operand's span to `p` (unless unused); returns the address of op(X)(0, 0) for the kernel. */
function place(mem: Data, x: Data, X: Operand, p: number, sz: number): number {
  if (X.res >= 0) return X.res + X.off * sz;
  if (X.len > 0) mem.set(x.subarray(X.lo, X.lo + X.len), p / sz);
  return p + (X.off - X.lo) * sz;
}

/** Whether a resident operand's touched bytes intersect [start, end). */
function overlaps(X: Operand, start: number, end: number): boolean {
  return X.res >= 0 && X.len > 0 && X.res + X.lo * X.sz < end && X.res + (X.lo + X.len) * X.sz > start;
}

/**
 * WebAssembly SIMD double-precision kernel with the raw signature of
 * matmul.ts's `gemm`: `c[m×n] ← alpha·op(a)·op(b) + beta·c` on column-major
 * arrays, c contiguous (`c[i + j*m]`). Checks the array sizes against the
 * shapes (see {@link wasmGemmStrided}).
 * With beta = 0 the old c is ignored (even NaN).
 * @param c destination, length ≥ m·n
 * @param m rows of op(a) and c
 * @param n columns of op(b) and c
 * @param k columns of op(a), rows of op(b)
 * @param a stored `m×k` (or `k×m` when `transA`), column-major
 * @param lda row count of the stored a (its column stride)
 * @param transA use aᵀ
 * @param b stored `k×n` (or `n×k` when `transB`), column-major
 * @param ldb row count of the stored b
 * @param transB use bᵀ
 * @param alpha factor of the product
 * @param beta factor of the old c
 * @throws when the WebAssembly kernels are unavailable (`wasmAvailable()`) or
 *   the operands need more than 4 GiB of WebAssembly memory
 * @example
 * const a = Float64Array.of(1, 3, 2, 4), c = new Float64Array(4); // a = [[1, 2], [3, 4]]
 * wasmGemm(c, 2, 2, 2, a, 2, false, a, 2, true, 1, 0); // c = a·aᵀ = [5, 11, 11, 25]
 */
export function wasmGemm(
  c: Float64Array, m: number, n: number, k: number,
  a: Float64Array, lda: number, transA: boolean,
  b: Float64Array, ldb: number, transB: boolean,
  alpha: number, beta: number,
): void {
  wasmGemmStrided(c, 0, m, m, n, k, alpha,
    a, 0, transA ? lda : 1, transA ? 1 : lda,
    b, 0, transB ? ldb : 1, transB ? 1 : ldb, beta);
}

/**
 * Single-precision twin of {@link wasmGemm} (same arguments and conventions,
 * the signature of matmul.ts's `gemm32`), f32x4 lanes; sums are accumulated in
 * float32, alpha and beta are rounded to float32.
 * @example
 * const a = Float32Array.of(1, 3, 2, 4), c = new Float32Array(4);
 * wasmGemm32(c, 2, 2, 2, a, 2, true, a, 2, false, 1, 0); // c = aᵀ·a = [10, 14, 14, 20]
 */
export function wasmGemm32(
  c: Float32Array, m: number, n: number, k: number,
  a: Float32Array, lda: number, transA: boolean,
  b: Float32Array, ldb: number, transB: boolean,
  alpha: number, beta: number,
): void {
  wasmGemmStrided(c, 0, m, m, n, k, alpha,
    a, 0, transA ? lda : 1, transA ? 1 : lda,
    b, 0, transB ? ldb : 1, transB ? 1 : ldb, beta);
}
