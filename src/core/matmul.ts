/**
 * General matrix product C ← alpha·op(A)·op(B) + beta·C on column-major storage.
 *
 * Kernel layout (the classic Goto/BLIS scheme, written for V8 scalar code):
 *
 * - op(A) and op(B) are read through (row stride, column stride) pairs, so the
 *   four transpose cases and any strided ndarray view (a `transpose(1, 0)`
 *   view, `lo(..).hi(..)` blocks, `step(..)`) are handled by the same code
 *   without first copying the operands to contiguous storage.
 * - The k dimension is cut into blocks of at most {@link GEMM_BLOCKS}.kc, the
 *   m dimension into blocks of at most mc, n into blocks of at most nc. For
 *   each (k, n) block a panel of op(B) is packed into a contiguous workspace
 *   as 4-column micro-panels (`pb[p*4 + j]`); for each (m, k) block a panel of
 *   op(A) as 4-row micro-panels (`pa[p*4 + i]`), zero-padded at the edges.
 *   After packing every case looks the same, so one micro-kernel serves all.
 * - The micro-kernel keeps a 4×4 tile of C in 16 local scalar accumulators
 *   and streams both micro-panels once (8 loads per 32 flops); the tile is
 *   then added, times alpha, into C (only its valid mr×nr part at the edges).
 * - Workspaces are module-level scratch that only grows: no allocation per
 *   call once warm, and no closures in the loops.
 * - Skinny products (matrix-vector: fewer than 4 columns, a single row, or a
 *   C of under 64 entries) skip packing and use plain loops in the
 *   cache-friendly order, unrolled by four.
 *
 * Float32 inputs are packed into the same double-precision workspaces, so the
 * sums are accumulated in double precision and rounded to single precision
 * when stored into C (once per k block of up to 256 terms); on the unpacked
 * matrix-vector path the partial sums (four terms at a time in axpy order, a
 * whole dot product otherwise) are rounded as they are added into C.
 */
import { checkMatrix, checkNumber, fail, shapeStr } from './errors.js';
import { matrix, type AnyMatrix, type Matrix, type Matrix32 } from './matrix.js';
import { getKernelBackend } from './wasm/backend.js';
import { wasmGemmStrided } from './wasm/gemm.js';
import { checkOptions } from './options.js';

/** Options of {@link matmul}. */
export interface MatmulOptions {
  /** Use Aᵀ instead of A (default false). */
  transA?: boolean;
  /** Use Bᵀ instead of B (default false). */
  transB?: boolean;
}

/** Options of {@link matmulInto}: C ← alpha·op(A)·op(B) + beta·C. */
export interface MatmulIntoOptions extends MatmulOptions {
  /** Factor of the product (default 1). */
  alpha?: number;
  /** Factor of the old C (default 0: C is overwritten, its old values — even NaN — are ignored). */
  beta?: number;
}

/** Register tile: rows of op(A) per micro-panel. */
const MR = 4;
/** Register tile: columns of op(B) per micro-panel. */
const NR = 4;
/** Largest k block: a 4×kc micro-panel of each operand (2 × 8 KiB) stays in L1. */
const KC = 256;
/** Largest m block: the packed mc×kc panel of op(A) (256 KiB) stays in L2. */
const MC = 128;
/** Largest n block: bounds the packed kc×nc panel of op(B) (4 MiB). */
const NC = 2048;

/**
 * Block sizes of the packed kernel (read-only, for documentation and tests):
 * the register tile is `mr × nr`, blocks are at most `mc × kc` of op(A) and
 * `kc × nc` of op(B).
 */
export const GEMM_BLOCKS: Readonly<{ mr: number; nr: number; kc: number; mc: number; nc: number }> = Object.freeze({ mr: MR, nr: NR, kc: KC, mc: MC, nc: NC });


type Data = Float64Array | Float32Array;

/**
 * C = op(A)·op(B) with op(X) = X or Xᵀ, as a new contiguous column-major matrix.
 *
 * Both operands must have the same precision: two Float64Array-backed
 * matrices give a double-precision result, two Float32Array-backed matrices a
 * single-precision one (accumulated in double, rounded on store). Strided
 * views (`A.transpose(1, 0)`, `A.lo(i, j).hi(r, c)`, negative steps) are read
 * in place through their strides; nothing is copied.
 *
 * @param A `m×k` matrix (or `k×m` with `transA`)
 * @param B `k×n` matrix (or `n×k` with `transB`)
 * @param opts `{ transA?, transB? }`
 * @returns a new `m×n` matrix of A's precision
 * @throws when an argument is not a 2-D float matrix, when the precisions
 *   differ, or when the inner dimensions disagree:
 *   `matmul: A is 3×4 but B is 5×2: inner dimensions 4 and 5 differ`
 * @example
 * const A = fromRows([[1, 2], [3, 4]]);
 * toRows(matmul(A, A, { transB: true })); // [[5, 11], [11, 25]]
 */
export function matmul(A: Matrix, B: Matrix, opts?: MatmulOptions): Matrix;
export function matmul(A: Matrix32, B: Matrix32, opts?: MatmulOptions): Matrix32;
export function matmul(A: AnyMatrix, B: AnyMatrix, opts?: MatmulOptions): AnyMatrix;
export function matmul(A: AnyMatrix, B: AnyMatrix, opts: MatmulOptions = {}): AnyMatrix {
  const { m, n, k, is32 } = checkProduct('matmul', A, B, opts);
  const C = is32 ? matrix(m, n, new Float32Array(m * n)) : matrix(m, n, new Float64Array(m * n));
  run(C.data, 0, m, m, n, k, 1, A, !!opts.transA, B, !!opts.transB, 0);
  return C;
}

/**
 * C ← alpha·op(A)·op(B) + beta·C, in place on C.
 *
 * C must have A's and B's precision and unit row stride (`C.stride[0] === 1`):
 * a contiguous matrix or a block `lo(..).hi(..)` of one. It must not overlap
 * A or B. With `beta = 0` (the default) the old contents of C are ignored.
 *
 * @param C `m×n` destination
 * @param A `m×k` (or `k×m` with `transA`)
 * @param B `k×n` (or `n×k` with `transB`)
 * @param opts `{ transA?, transB?, alpha? = 1, beta? = 0 }`
 * @returns C
 * @throws on shape or precision mismatch, a C that is not column-major
 *   (`matmulInto: C must have unit row stride ...`), C overlapping A or B,
 *   or a non-finite alpha/beta
 * @example
 * const C = fromRows([[1, 1], [1, 1]]);
 * matmulInto(C, eye(2), eye(2), { alpha: 2, beta: 1 }); // C = [[3, 1], [1, 3]]
 */
export function matmulInto<T extends AnyMatrix>(C: T, A: AnyMatrix, B: AnyMatrix, opts: MatmulIntoOptions = {}): T {
  const { m, n, k, is32 } = checkProduct('matmulInto', A, B, opts);
  checkMatrix('matmulInto', 'C', C);
  const alpha = opts.alpha === undefined ? 1 : checkNumber('matmulInto', 'alpha', opts.alpha);
  const beta = opts.beta === undefined ? 0 : checkNumber('matmulInto', 'beta', opts.beta);
  if ((C.data instanceof Float32Array) !== is32) {
    fail('matmulInto', `C is ${precisionStr(C)} but A and B are ${precisionStr(A)}; all three must have the same precision`);
  }
  if (C.shape[0] !== m || C.shape[1] !== n) fail('matmulInto', `C is ${shapeStr(C)}, expected ${m}×${n}`);
  if (m > 1 && n > 0 && C.stride[0] !== 1) {
    fail('matmulInto', `C must have unit row stride (column-major storage), got strides [${C.stride.join(', ')}]`);
  }
  const ldc = n > 1 ? C.stride[1] : Math.max(m, 1);
  if (n > 1 && ldc < m) fail('matmulInto', `C must have column stride >= ${m}, got strides [${C.stride.join(', ')}]`);
  if (overlaps(C, A)) fail('matmulInto', 'C overlaps A; write the product into a separate matrix');
  if (overlaps(C, B)) fail('matmulInto', 'C overlaps B; write the product into a separate matrix');
  run(C.data, C.offset, ldc, m, n, k, alpha, A, !!opts.transA, B, !!opts.transB, beta);
  return C;
}

/**
 * Raw double-precision kernel: `c[m×n] ← alpha·op(a)·op(b) + beta·c` on
 * column-major arrays, c contiguous (`c[i + j*m]`).
 *
 * Trusts its caller: no validation. With `beta = 0` the old c is ignored.
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
 * @example gemm(c, 2, 2, 2, a, 2, false, b, 2, false, 1, 0) // c = a·b
 */
export function gemm(
  c: Float64Array, m: number, n: number, k: number,
  a: Float64Array, lda: number, transA: boolean,
  b: Float64Array, ldb: number, transB: boolean,
  alpha: number, beta: number,
): void {
  checkGemmArgs('gemm', Float64Array, c, m, n, k, a, lda, transA, b, ldb, transB);
  gemmStrided(c, 0, m, m, n, k, alpha,
    a, 0, transA ? lda : 1, transA ? 1 : lda,
    b, 0, transB ? ldb : 1, transB ? 1 : ldb, beta);
}

/**
 * Raw single-precision kernel, the Float32Array twin of {@link gemm} (same
 * arguments and conventions). Sums are accumulated in double precision on
 * the packed path and rounded to single precision when stored.
 * @example gemm32(c, 2, 2, 2, a, 2, true, b, 2, false, 1, 0) // c = aᵀ·b
 */
export function gemm32(
  c: Float32Array, m: number, n: number, k: number,
  a: Float32Array, lda: number, transA: boolean,
  b: Float32Array, ldb: number, transB: boolean,
  alpha: number, beta: number,
): void {
  checkGemmArgs('gemm32', Float32Array, c, m, n, k, a, lda, transA, b, ldb, transB);
  gemmStrided(c, 0, m, m, n, k, alpha,
    a, 0, transA ? lda : 1, transA ? 1 : lda,
    b, 0, transB ? ldb : 1, transB ? 1 : ldb, beta);
}

// ---------------------------------------------------------------------------
// validation helpers (public entries only)

/**
 * Sizes of a raw gemm call against its buffers (O(1)): a buffer shorter than
 * its leading dimension and sizes imply would otherwise be read past its end
 * (undefined → NaN) or written past it (silently dropped).
 */
function checkGemmArgs(
  fn: string, type: typeof Float64Array | typeof Float32Array, c: unknown, m: number, n: number, k: number,
  a: unknown, lda: number, transA: boolean, b: unknown, ldb: number, transB: boolean,
): void {
  const want = type === Float64Array ? 'Float64Array' : 'Float32Array';
  for (const [name, v] of [['c', c], ['a', a], ['b', b]] as const) {
    if (!(v instanceof type)) fail(fn, `${name} must be a ${want}, got ${v === null ? 'null' : (v as object)?.constructor?.name ?? typeof v}`);
  }
  for (const [name, v] of [['m', m], ['n', n], ['k', k], ['lda', lda], ['ldb', ldb]] as const) {
    if (!Number.isInteger(v) || v < 0) fail(fn, `${name} must be a non-negative integer, got ${String(v)}`);
  }
  if (m === 0 || n === 0) return;
  const need = (rows: number, cols: number, ld: number) => (cols === 0 ? 0 : ld * (cols - 1) + rows);
  const [ar, ac] = transA ? [k, m] : [m, k];
  const [br, bc] = transB ? [n, k] : [k, n];
  if (k > 0 && lda < ar) fail(fn, `lda = ${lda} is smaller than the ${ar} rows of the stored A`, 'badShape');
  if (k > 0 && ldb < br) fail(fn, `ldb = ${ldb} is smaller than the ${br} rows of the stored B`, 'badShape');
  if ((c as ArrayLike<number>).length < m * n) fail(fn, `c has length ${(c as ArrayLike<number>).length}, expected at least m·n = ${m}·${n} = ${m * n}`, 'badShape');
  if ((a as ArrayLike<number>).length < need(ar, ac, lda)) fail(fn, `a has length ${(a as ArrayLike<number>).length}, expected at least ${need(ar, ac, lda)} for a ${ar}×${ac} matrix with lda = ${lda}`, 'badShape');
  if ((b as ArrayLike<number>).length < need(br, bc, ldb)) fail(fn, `b has length ${(b as ArrayLike<number>).length}, expected at least ${need(br, bc, ldb)} for a ${br}×${bc} matrix with ldb = ${ldb}`, 'badShape');
}

function precisionStr(M: AnyMatrix): string {
  return M.data instanceof Float32Array ? 'float32 (Float32Array)' : 'float64 (Float64Array)';
}

function checkProduct(fn: string, A: AnyMatrix, B: AnyMatrix, opts: MatmulOptions): { m: number; n: number; k: number; is32: boolean } {
  checkMatrix(fn, 'A', A);
  checkMatrix(fn, 'B', B);
  checkOptions(fn, opts, fn === 'matmulInto' ? ['transA', 'transB', 'alpha', 'beta'] : ['transA', 'transB']);
  const is32 = A.data instanceof Float32Array;
  if ((B.data instanceof Float32Array) !== is32) {
    fail(fn, `A is ${precisionStr(A)} but B is ${precisionStr(B)}; convert one with toFloat32/toFloat64 so both have the same precision`);
  }
  const m = opts.transA ? A.shape[1] : A.shape[0];
  const k = opts.transA ? A.shape[0] : A.shape[1];
  const kb = opts.transB ? B.shape[1] : B.shape[0];
  const n = opts.transB ? B.shape[0] : B.shape[1];
  if (k !== kb) {
    fail(fn, `A is ${shapeStr(A)}${opts.transA ? ' (transposed)' : ''} but B is ${shapeStr(B)}${opts.transB ? ' (transposed)' : ''}: inner dimensions ${k} and ${kb} differ`);
  }
  return { m, n, k, is32 };
}

/** Byte range [lo, hi) that a strided 2-D view touches in its buffer. */
function byteSpan(M: AnyMatrix): [number, number] {
  let lo = M.offset, hi = M.offset;
  for (let d = 0; d < 2; d++) {
    if (M.shape[d] === 0) return [0, 0];
    const ext = (M.shape[d] - 1) * M.stride[d];
    if (ext < 0) lo += ext; else hi += ext;
  }
  const bpe = M.data.BYTES_PER_ELEMENT, base = M.data.byteOffset;
  return [base + lo * bpe, base + (hi + 1) * bpe];
}

function overlaps(X: AnyMatrix, Y: AnyMatrix): boolean {
  if (X.data.buffer !== Y.data.buffer) return false;
  const [a0, a1] = byteSpan(X), [b0, b1] = byteSpan(Y);
  return a0 < b1 && b0 < a1;
}

/** Dispatch a validated product of two ndarray views to the strided kernel. */
function run(c: Data, cOff: number, ldc: number, m: number, n: number, k: number, alpha: number,
  A: AnyMatrix, transA: boolean, B: AnyMatrix, transB: boolean, beta: number): void {
  // op(X)(i, p) = X.data[X.offset + i*rs + p*cs]
  const aRs = transA ? A.stride[1] : A.stride[0], aCs = transA ? A.stride[0] : A.stride[1];
  const bRs = transB ? B.stride[1] : B.stride[0], bCs = transB ? B.stride[0] : B.stride[1];
  gemmStrided(c, cOff, ldc, m, n, k, alpha, A.data, A.offset, aRs, aCs, B.data, B.offset, bRs, bCs, beta);
}

// ---------------------------------------------------------------------------
// kernels (trust their callers)

/**
 * c[cOff + i + j*ldc] ← alpha·Σ_p opA(i,p)·opB(p,j) + beta·c[...], where
 * opA(i,p) = a[aOff + i*aRs + p*aCs] and opB(p,j) = b[bOff + p*bRs + j*bCs].
 */
function gemmStrided(
  c: Data, cOff: number, ldc: number, m: number, n: number, k: number, alpha: number,
  a: Data, aOff: number, aRs: number, aCs: number,
  b: Data, bOff: number, bRs: number, bCs: number,
  beta: number,
): void {
  if (m === 0 || n === 0) return;
  // The selected kernel family decides the arithmetic, whatever the shape: a
  // product with few columns (a short last mini-batch, a single example) sums
  // each entry exactly as a wide one does. (The WebAssembly kernel is slower
  // only where it matters little: tiny products, by a call's overhead, and
  // large matrix-vector products, by the copy of A; see preferWasmGemm.)
  if (getKernelBackend() === 'wasm') {
    wasmGemmStrided(c, cOff, ldc, m, n, k, alpha, a, aOff, aRs, aCs, b, bOff, bRs, bCs, beta);
    return;
  }
  // Scale C once up front; the kernels below only accumulate into it.
  if (beta === 0 && ldc === m) {
    c.fill(0, cOff, cOff + m * n); // contiguous C: one fill, not one per column
  } else if (beta !== 1) {
    for (let j = 0; j < n; j++) {
      const o = cOff + j * ldc;
      if (beta === 0) c.fill(0, o, o + m);
      else for (let i = o; i < o + m; i++) c[i] *= beta;
    }
  }
  if (k === 0 || alpha === 0) return;
  // Packing pays off unless the 4×4 tiles would be mostly padding: a few
  // columns (matrix-vector), a single row, or a tiny C. Measured in V8:
  // n = 1..3 or m = 1 run 1.5-4× faster unpacked; from 8×8×8 on, or with
  // k as small as 2, the packed kernel is as fast or faster.
  if (n < NR || m < 2 || m * n < 64) {
    smallGemm(c, cOff, ldc, m, n, k, alpha, a, aOff, aRs, aCs, b, bOff, bRs, bCs);
  } else {
    blockedGemm(c, cOff, ldc, m, n, k, alpha, a, aOff, aRs, aCs, b, bOff, bRs, bCs);
  }
}

/**
 * Unpacked loops for matrix-vector and skinny products (no padding waste).
 * Every entry is summed exactly as {@link blockedGemm} sums it — over the same
 * k blocks, each block's products added in order from 0, then alpha times the
 * block sum added to C — so an entry does not depend on which of the two
 * kernels the shape selects (a column of a product has the same bits in a
 * 1-column and in a 1000-column product).
 * When op(A) has unit row stride (a plain A) and more than a few rows, the
 * axpy order adds four columns of op(A) per pass to a column of block sums;
 * otherwise (a transposed A, m = 1, general strides) the dot-product order
 * forms four entries of C at a time, sharing each load of op(B).
 */
function smallGemm(
  c: Data, cOff: number, ldc: number, m: number, n: number, k: number, alpha: number,
  a: Data, aOff: number, aRs: number, aCs: number,
  b: Data, bOff: number, bRs: number, bCs: number,
): void {
  const kcMax = blockSize(k, KC, 1);
  if (aRs === 1 && m >= MR) {
    const s = new Float64Array(m);
    for (let j = 0; j < n; j++) {
      const cj = cOff + j * ldc;
      for (let pc = 0; pc < k; pc += kcMax) {
        const pEnd = Math.min(k, pc + kcMax);
        s.fill(0);
        let bp = bOff + j * bCs + pc * bRs, ap = aOff + pc * aCs;
        let p = pc;
        // s_i = (((s_i + a_i0 b_0) + a_i1 b_1) + a_i2 b_2) + a_i3 b_3: the sequential order.
        for (; p + 3 < pEnd; p += 4) {
          const t0 = b[bp], t1 = b[bp + bRs], t2 = b[bp + 2 * bRs], t3 = b[bp + 3 * bRs];
          const a1 = ap + aCs, a2 = a1 + aCs, a3 = a2 + aCs;
          for (let i = 0; i < m; i++) s[i] = s[i] + a[ap + i] * t0 + a[a1 + i] * t1 + a[a2 + i] * t2 + a[a3 + i] * t3;
          bp += 4 * bRs;
          ap += 4 * aCs;
        }
        for (; p < pEnd; p++) {
          const t0 = b[bp];
          for (let i = 0; i < m; i++) s[i] += a[ap + i] * t0;
          bp += bRs;
          ap += aCs;
        }
        for (let i = 0; i < m; i++) c[cj + i] += alpha * s[i];
      }
    }
    return;
  }
  for (let j = 0; j < n; j++) {
    const cj = cOff + j * ldc;
    for (let pc = 0; pc < k; pc += kcMax) {
      const kc = Math.min(kcMax, k - pc);
      const bj = bOff + j * bCs + pc * bRs, ao = aOff + pc * aCs;
      let i = 0;
      for (; i + 3 < m; i += 4) {
        let q0 = ao + i * aRs;
        const d1 = aRs, d2 = 2 * aRs, d3 = 3 * aRs;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let p = 0, r = bj; p < kc; p++, r += bRs, q0 += aCs) {
          const bv = b[r];
          s0 += a[q0] * bv;
          s1 += a[q0 + d1] * bv;
          s2 += a[q0 + d2] * bv;
          s3 += a[q0 + d3] * bv;
        }
        c[cj + i] += alpha * s0;
        c[cj + i + 1] += alpha * s1;
        c[cj + i + 2] += alpha * s2;
        c[cj + i + 3] += alpha * s3;
      }
      for (; i < m; i++) {
        let s = 0;
        for (let p = 0, r = bj, q = ao + i * aRs; p < kc; p++, r += bRs, q += aCs) s += a[q] * b[r];
        c[cj + i] += alpha * s;
      }
    }
  }
}

/** Split `total` into ⌈total/max⌉ nearly equal blocks; returns the block size (a multiple of `unit`). */
function blockSize(total: number, max: number, unit: number): number {
  const nb = Math.ceil(total / max);
  const size = Math.ceil(total / nb);
  return Math.min(max, Math.ceil(size / unit) * unit);
}

/** Packed, cache-blocked product; see the module comment for the layout. */
function blockedGemm(
  c: Data, cOff: number, ldc: number, m: number, n: number, k: number, alpha: number,
  a: Data, aOff: number, aRs: number, aCs: number,
  b: Data, bOff: number, bRs: number, bCs: number,
): void {
  // Even splits avoid a thin last block (k = 257 → 129 + 128, not 256 + 1).
  const kcMax = blockSize(k, KC, 1);
  const mcMax = blockSize(m, MC, MR);
  const ncMax = blockSize(n, NC, NR);
  // The packing panels belong to this call (no module-level scratch: a
  // product never shares buffers with another, and nothing stays allocated
  // after it). One allocation holds the 4×4 tile (at 0), the packed op(A)
  // block (at aBase) and op(B) panel (at bBase): at most kc·(mc + nc) + 16
  // numbers against m·n·k multiply-adds with m·n ≥ 64 here.
  const aBase = MR * NR;
  const bBase = aBase + kcMax * (Math.ceil(mcMax / MR) * MR);
  const buf = new Float64Array(bBase + kcMax * (Math.ceil(ncMax / NR) * NR));

  for (let jc = 0; jc < n; jc += ncMax) {
    const nc = Math.min(ncMax, n - jc);
    for (let pc = 0; pc < k; pc += kcMax) {
      const kc = Math.min(kcMax, k - pc);
      packPanelB(buf, bBase, b, bOff + pc * bRs + jc * bCs, bRs, bCs, kc, nc);
      for (let ic = 0; ic < m; ic += mcMax) {
        const mc = Math.min(mcMax, m - ic);
        packPanelA(buf, aBase, a, aOff + ic * aRs + pc * aCs, aRs, aCs, mc, kc);
        // jr outer: one 4×kc micro-panel of op(B) stays in L1 while the
        // packed op(A) block streams from L2.
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          const cCol = cOff + (jc + jr) * ldc + ic;
          for (let ir = 0; ir < mc; ir += MR) {
            micro4x4(buf, aBase + ir * kc, bBase + jr * kc, kc);
            addTile(c, cCol + ir, ldc, Math.min(MR, mc - ir), nr, alpha, buf);
          }
        }
      }
    }
  }
}

/**
 * Pack an mc×kc block of op(A) (element (i, p) at a[o + i*rs + p*cs]) into
 * 4-row micro-panels from pa[base]: panel q holds rows 4q..4q+3, entry (i, p)
 * at `base + q*4*kc + p*4 + (i mod 4)`; missing rows of the last panel are zero.
 */
function packPanelA(pa: Float64Array, base: number, a: Data, o: number, rs: number, cs: number, mc: number, kc: number): void {
  let q = base;
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const rows = Math.min(MR, mc - i0);
    const oi = o + i0 * rs;
    if (rows === MR) {
      for (let p = 0; p < kc; p++) {
        const s = oi + p * cs;
        pa[q] = a[s];
        pa[q + 1] = a[s + rs];
        pa[q + 2] = a[s + 2 * rs];
        pa[q + 3] = a[s + 3 * rs];
        q += MR;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const s = oi + p * cs;
        for (let i = 0; i < MR; i++) pa[q + i] = i < rows ? a[s + i * rs] : 0;
        q += MR;
      }
    }
  }
}

/**
 * Pack a kc×nc block of op(B) (element (p, j) at b[o + p*rs + j*cs]) into
 * 4-column micro-panels from pb[base]: panel q holds columns 4q..4q+3, entry
 * (p, j) at `base + q*4*kc + p*4 + (j mod 4)`; missing columns of the last panel are zero.
 */
function packPanelB(pb: Float64Array, base: number, b: Data, o: number, rs: number, cs: number, kc: number, nc: number): void {
  let q = base;
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const cols = Math.min(NR, nc - j0);
    const oj = o + j0 * cs;
    if (cols === NR) {
      for (let p = 0; p < kc; p++) {
        const s = oj + p * rs;
        pb[q] = b[s];
        pb[q + 1] = b[s + cs];
        pb[q + 2] = b[s + 2 * cs];
        pb[q + 3] = b[s + 3 * cs];
        q += NR;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const s = oj + p * rs;
        for (let j = 0; j < NR; j++) pb[q + j] = j < cols ? b[s + j * cs] : 0;
        q += NR;
      }
    }
  }
}

/**
 * 4×4 register tile: w[i + 4j] = Σ_{p<kc} w[ao + 4p + i]·w[bo + 4p + j] (the
 * packed panels and the tile share the call's one buffer w).
 * Sixteen scalar accumulators; each step loads 4 + 4 values for 32 flops.
 */
function micro4x4(w: Float64Array, ao: number, bo: number, kc: number): void {
  const pa = w, pb = w, t = w;
  let c00 = 0, c10 = 0, c20 = 0, c30 = 0;
  let c01 = 0, c11 = 0, c21 = 0, c31 = 0;
  let c02 = 0, c12 = 0, c22 = 0, c32 = 0;
  let c03 = 0, c13 = 0, c23 = 0, c33 = 0;
  const end = ao + 4 * kc;
  for (; ao < end; ao += 4, bo += 4) {
    const a0 = pa[ao], a1 = pa[ao + 1], a2 = pa[ao + 2], a3 = pa[ao + 3];
    let bj = pb[bo];
    c00 += a0 * bj; c10 += a1 * bj; c20 += a2 * bj; c30 += a3 * bj;
    bj = pb[bo + 1];
    c01 += a0 * bj; c11 += a1 * bj; c21 += a2 * bj; c31 += a3 * bj;
    bj = pb[bo + 2];
    c02 += a0 * bj; c12 += a1 * bj; c22 += a2 * bj; c32 += a3 * bj;
    bj = pb[bo + 3];
    c03 += a0 * bj; c13 += a1 * bj; c23 += a2 * bj; c33 += a3 * bj;
  }
  t[0] = c00; t[1] = c10; t[2] = c20; t[3] = c30;
  t[4] = c01; t[5] = c11; t[6] = c21; t[7] = c31;
  t[8] = c02; t[9] = c12; t[10] = c22; t[11] = c32;
  t[12] = c03; t[13] = c13; t[14] = c23; t[15] = c33;
}

/** c[o + i + j*ldc] += alpha·t[i + 4j] for the valid mr×nr part of the tile. */
function addTile(c: Data, o: number, ldc: number, mr: number, nr: number, alpha: number, t: Float64Array): void {
  if (mr === MR) {
    for (let j = 0; j < nr; j++, o += ldc) {
      const s = 4 * j;
      c[o] += alpha * t[s];
      c[o + 1] += alpha * t[s + 1];
      c[o + 2] += alpha * t[s + 2];
      c[o + 3] += alpha * t[s + 3];
    }
  } else {
    for (let j = 0; j < nr; j++, o += ldc) {
      for (let i = 0; i < mr; i++) c[o + i] += alpha * t[i + 4 * j];
    }
  }
}
