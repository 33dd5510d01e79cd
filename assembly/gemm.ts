// Packed, register-tiled GEMM for column-major operands, f64x2 and f32x4.
//
// C[m×n] ← alpha·op(A)·op(B) + beta·C, op(X)(i, p) = X[i*rs + p*cs] (element
// strides), so one code path serves the four transpose cases. Goto/BLIS loop
// order: n in blocks of NC, k in blocks of at most KC (a kc×NC panel of op(B)
// packed into NR-column micro-panels), m in blocks of MC (an MC×kc block of
// op(A) packed into MR-row micro-panels), then a register tile of MR×NR
// entries of C held in 12 SIMD accumulators (2 vectors × 6 columns: 4×6 in
// f64, 8×6 in f32). The k blocks are balanced (k = 784 runs as 4 × 196, not
// 3 × 256 + 16: a short tail block pays a full pass over C and the packing
// for little arithmetic).
//
// Measured on V8 11 (Node 20), Sapphire Rapids: the 8×6 f32 tile runs at
// 26–30 GFLOP/s, about 90 % of what mul + add (no FMA without relaxed SIMD:
// 2 instructions per 4 multiply-adds, 3 ports) allows. V8 keeps xmm15 as
// scratch, so 12 accumulators + 2 A vectors + 1 splat + 1 product temporary
// are one register too many and it spills one accumulator per k step; an
// 8×5 tile (no spill) and reading op(B) unpacked were tried and were not
// faster (f32 within ±5 %, f64 about 10 % slower), so the 6-column tile stays.
//
// All pointers are byte offsets into linear memory that the caller laid out;
// nothing here allocates. The workspace must hold gemmWorkspace(...) bytes.

import { madd } from './simd';

/** Columns of the register tile (both precisions). */
const NR: i32 = 6;
/** Largest k block: one MR×KC and one KC×NR micro-panel stay in L1. */
const KC: i32 = 256;
/** Largest m block: the packed MC×KC block of op(A) stays in L2. */
const MC: i32 = 192;
/** Largest n block of op(B) packed at once. */
const NC: i32 = 4080;

/** The k block length: ⌈k / ⌈k / KC⌉⌉, so all blocks are about equally long (no short tail block). */
// @ts-ignore: decorator
@inline function kcOf(k: i32): i32 {
  const blocks = (k + KC - 1) / KC;
  return (k + blocks - 1) / blocks;
}

/** Rows of the register tile: two vectors (4 for f64, 8 for f32). */
// @ts-ignore: decorator
@inline function mrOf<T>(): i32 { return <i32>(32 / sizeof<T>()); }

/** Bytes of workspace {@link gemm} needs for these sizes with element size `size`. */
export function gemmWorkspace(m: i32, n: i32, k: i32, size: i32): usize {
  const mr = 32 / size;
  const kc = min(KC, k);
  const mc = min(MC, m);
  const nc = min(NC, n);
  const a = <usize>((mc + mr - 1) / mr * mr) * <usize>kc * <usize>size;
  const b = <usize>((nc + NR - 1) / NR * NR) * <usize>kc * <usize>size;
  return a + b + 256 + 64;
}

/**
 * Pack an mc×kc block of op(A) (element (i, p) at a + (i*rs + p*cs)·size) into
 * MR-row micro-panels: panel q, entry (i, p) at q*MR*kc + p*MR + (i mod MR);
 * rows past mc are zero.
 */
function packA<T>(pa: usize, a: usize, rs: i32, cs: i32, mc: i32, kc: i32): void {
  const MR = mrOf<T>();
  const sz = sizeof<T>();
  let q = pa;
  const step = <usize>cs * sz;
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const rows = min(MR, mc - i0);
    let s = a + <usize>(i0 * rs) * sz;
    if (rows == MR && rs == 1) {
      for (let p = 0; p < kc; p++) {
        v128.store(q, v128.load(s));
        v128.store(q, v128.load(s, 16), 16);
        s += step;
        q += 32;
      }
    } else if (rows == MR) {
      const r = <usize>rs * sz;
      for (let p = 0; p < kc; p++) {
        let t = s;
        for (let i = 0; i < MR; i++) {
          store<T>(q + <usize>i * sz, load<T>(t));
          t += r;
        }
        s += step;
        q += 32;
      }
    } else {
      const r = <usize>rs * sz;
      for (let p = 0; p < kc; p++) {
        for (let i = 0; i < MR; i++) store<T>(q + <usize>i * sz, i < rows ? load<T>(s + <usize>i * r) : <T>0);
        s += step;
        q += 32;
      }
    }
  }
}

/**
 * Pack a kc×nc block of op(B) (element (p, j) at b + (p*rs + j*cs)·size) into
 * NR-column micro-panels: panel q, entry (p, j) at q*NR*kc + p*NR + (j mod NR);
 * columns past nc are zero.
 */
function packB<T>(pb: usize, b: usize, rs: i32, cs: i32, kc: i32, nc: i32): void {
  const sz = sizeof<T>();
  let q = pb;
  const c = <usize>cs * sz, r = <usize>rs * sz;
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const cols = min(NR, nc - j0);
    let s = b + <usize>(j0 * cs) * sz;
    if (cols == NR) {
      for (let p = 0; p < kc; p++) {
        store<T>(q, load<T>(s));
        store<T>(q + sz, load<T>(s + c));
        store<T>(q + 2 * sz, load<T>(s + 2 * c));
        store<T>(q + 3 * sz, load<T>(s + 3 * c));
        store<T>(q + 4 * sz, load<T>(s + 4 * c));
        store<T>(q + 5 * sz, load<T>(s + 5 * c));
        s += r;
        q += <usize>NR * sz;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let j = 0; j < NR; j++) store<T>(q + <usize>j * sz, j < cols ? load<T>(s + <usize>j * c) : <T>0);
        s += r;
        q += <usize>NR * sz;
      }
    }
  }
}

/**
 * Register tile: C[0..mr, 0..nr] += alpha · Σ_p A(:, p) B(p, :), with the
 * MR×kc micro-panel of A at pa (column p at pa + p*aStep) and the packed
 * kc×NR micro-panel of B at pb. Twelve vector accumulators.
 */
function tile<T>(pa: usize, aStep: usize, pb: usize, kc: i32, c: usize, ldc: i32, mr: i32, nr: i32, alpha: T, tmp: usize): void {
  const sz = sizeof<T>();
  const z = v128.splat<T>(<T>0);
  let c00 = z, c10 = z, c01 = z, c11 = z, c02 = z, c12 = z;
  let c03 = z, c13 = z, c04 = z, c14 = z, c05 = z, c15 = z;
  for (let p = 0; p < kc; p++) {
    const a0 = v128.load(pa), a1 = v128.load(pa, 16);
    let b = v128.load_splat<T>(pb);
    c00 = madd<T>(a0, b, c00); c10 = madd<T>(a1, b, c10);
    b = v128.load_splat<T>(pb, sz);
    c01 = madd<T>(a0, b, c01); c11 = madd<T>(a1, b, c11);
    b = v128.load_splat<T>(pb, 2 * sz);
    c02 = madd<T>(a0, b, c02); c12 = madd<T>(a1, b, c12);
    b = v128.load_splat<T>(pb, 3 * sz);
    c03 = madd<T>(a0, b, c03); c13 = madd<T>(a1, b, c13);
    b = v128.load_splat<T>(pb, 4 * sz);
    c04 = madd<T>(a0, b, c04); c14 = madd<T>(a1, b, c14);
    b = v128.load_splat<T>(pb, 5 * sz);
    c05 = madd<T>(a0, b, c05); c15 = madd<T>(a1, b, c15);
    pa += aStep;
    pb += <usize>NR * sz;
  }
  const MR = mrOf<T>();
  const al = v128.splat<T>(alpha);
  const ld = <usize>ldc * sz;
  if (mr == MR && nr == NR) {
    let o = c;
    v128.store(o, madd<T>(al, c00, v128.load(o))); v128.store(o, madd<T>(al, c10, v128.load(o, 16)), 16); o += ld;
    v128.store(o, madd<T>(al, c01, v128.load(o))); v128.store(o, madd<T>(al, c11, v128.load(o, 16)), 16); o += ld;
    v128.store(o, madd<T>(al, c02, v128.load(o))); v128.store(o, madd<T>(al, c12, v128.load(o, 16)), 16); o += ld;
    v128.store(o, madd<T>(al, c03, v128.load(o))); v128.store(o, madd<T>(al, c13, v128.load(o, 16)), 16); o += ld;
    v128.store(o, madd<T>(al, c04, v128.load(o))); v128.store(o, madd<T>(al, c14, v128.load(o, 16)), 16); o += ld;
    v128.store(o, madd<T>(al, c05, v128.load(o))); v128.store(o, madd<T>(al, c15, v128.load(o, 16)), 16);
    return;
  }
  // Edge tile: spill the accumulators and update only the valid mr×nr part of
  // C, in a function of its own (two call sites keep it out of this one, whose
  // hot loop must keep its accumulators in registers) that uses the full
  // tile's vector arithmetic, so that an entry of C has the same bits whether
  // or not its tile is whole — i.e. whatever the number of columns.
  v128.store(tmp, c00, 0); v128.store(tmp, c10, 16);
  v128.store(tmp, c01, 32); v128.store(tmp, c11, 48);
  v128.store(tmp, c02, 64); v128.store(tmp, c12, 80);
  v128.store(tmp, c03, 96); v128.store(tmp, c13, 112);
  v128.store(tmp, c04, 128); v128.store(tmp, c14, 144);
  v128.store(tmp, c05, 160); v128.store(tmp, c15, 176);
  if (mr == MR) edgeTile<T>(c, ld, MR, nr, al, tmp);
  else edgeTile<T>(c, ld, mr, nr, al, tmp);
}

/**
 * C[0..mr, 0..nr] += al·(the accumulators spilled at tmp, column j at tmp + 32j)
 * with the vector multiply-add of the full tile, column by column through the
 * 32-byte scratch at tmp + 192 (entries of C past mr are not touched).
 */
function edgeTile<T>(c: usize, ld: usize, mr: i32, nr: i32, al: v128, tmp: usize): void {
  const sz = sizeof<T>();
  const s = tmp + 192;
  for (let j = 0; j < nr; j++) {
    const o = c + <usize>j * ld, t = tmp + <usize>(j * 32);
    v128.store(s, v128.splat<T>(<T>0));
    v128.store(s, v128.splat<T>(<T>0), 16);
    for (let i = 0; i < mr; i++) store<T>(s + <usize>i * sz, load<T>(o + <usize>i * sz));
    v128.store(s, madd<T>(al, v128.load(t), v128.load(s)));
    v128.store(s, madd<T>(al, v128.load(t, 16), v128.load(s, 16)), 16);
    for (let i = 0; i < mr; i++) store<T>(o + <usize>i * sz, load<T>(s + <usize>i * sz));
  }
}

/**
 * All register tiles of one mc×nc block of C from a packed (or, with unit row
 * stride, direct) block of op(A) and a packed panel of op(B).
 */
function macro<T>(pa: usize, aStep: usize, aPanel: usize, pb: usize, kc: i32, c: usize, ldc: i32, mc: i32, nc: i32, alpha: T, tmp: usize): void {
  const MR = mrOf<T>();
  const sz = sizeof<T>();
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const pbj = pb + <usize>(jr * kc) * sz;
    const cj = c + <usize>(jr * ldc) * sz;
    for (let ir = 0; ir < mc; ir += MR) {
      const mr = min(MR, mc - ir);
      // Two call sites keep binaryen from inlining the tile (V8 then
      // optimizes it on its own and its 12 accumulators stay in registers).
      if (mr == MR && nr == NR) tile<T>(pa + <usize>(ir / MR) * aPanel, aStep, pbj, kc, cj + <usize>ir * sz, ldc, MR, NR, alpha, tmp);
      else tile<T>(pa + <usize>(ir / MR) * aPanel, aStep, pbj, kc, cj + <usize>ir * sz, ldc, mr, nr, alpha, tmp);
    }
  }
}

/** Scale the m×n matrix C (column stride ldc) by beta; beta = 0 writes zeros. */
function scaleC<T>(c: usize, ldc: i32, m: i32, n: i32, beta: T): void {
  const sz = sizeof<T>();
  for (let j = 0; j < n; j++) {
    const o = c + <usize>(j * ldc) * sz;
    if (beta == <T>0) memory.fill(o, 0, <usize>m * sz);
    else for (let i = 0; i < m; i++) store<T>(o + <usize>i * sz, beta * load<T>(o + <usize>i * sz));
  }
}

/** Generic driver behind {@link dgemm} and {@link sgemm}. */
function gemm<T>(m: i32, n: i32, k: i32, a: usize, aRs: i32, aCs: i32, b: usize, bRs: i32, bCs: i32,
  c: usize, ldc: i32, alpha: T, beta: T, ws: usize): void {
  if (m <= 0 || n <= 0) return;
  if (beta != <T>1) scaleC<T>(c, ldc, m, n, beta);
  if (k <= 0 || alpha == <T>0) return;
  const MR = mrOf<T>();
  const sz = sizeof<T>();
  const kcMax = kcOf(k);
  const tmp = (ws + 63) & ~(<usize>63);
  const wa = tmp + 256;
  const wb = wa + <usize>((min(MC, m) + MR - 1) / MR * MR) * <usize>kcMax * sz;
  if (m <= MC) {
    // One block of op(A): pack it once per k block, then pack each kc×NR
    // sliver of op(B) into a small L1-resident buffer right before its tiles
    // use it (no large B panel written to and re-read from memory).
    for (let pc = 0; pc < k; pc += kcMax) {
      const kc = min(kcMax, k - pc);
      packA<T>(wa, a + <usize>(pc * aCs) * sz, aRs, aCs, m, kc);
      for (let jr = 0; jr < n; jr += NR) {
        const nr = min(NR, n - jr);
        packB<T>(wb, b + <usize>(pc * bRs + jr * bCs) * sz, bRs, bCs, kc, nr);
        macro<T>(wa, 32, <usize>(MR * kc) * sz, wb, kc, c + <usize>(jr * ldc) * sz, ldc, m, nr, alpha, tmp);
      }
    }
    return;
  }
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += kcMax) {
      const kc = min(kcMax, k - pc);
      packB<T>(wb, b + <usize>(pc * bRs + jc * bCs) * sz, bRs, bCs, kc, nc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA<T>(wa, a + <usize>(ic * aRs + pc * aCs) * sz, aRs, aCs, mc, kc);
        macro<T>(wa, 32, <usize>(MR * kc) * sz, wb, kc, c + <usize>(jc * ldc + ic) * sz, ldc, mc, nc, alpha, tmp);
      }
    }
  }
}

/**
 * Double precision: C ← alpha·op(A)·op(B) + beta·C with op(A)(i, p) at
 * a + 8(i*aRs + p*aCs), op(B)(p, j) at b + 8(p*bRs + j*bCs), C(i, j) at
 * c + 8(i + j*ldc); ws points to gemmWorkspace(m, n, k, 8) bytes.
 */
export function dgemm(m: i32, n: i32, k: i32, a: usize, aRs: i32, aCs: i32, b: usize, bRs: i32, bCs: i32,
  c: usize, ldc: i32, alpha: f64, beta: f64, ws: usize): void {
  gemm<f64>(m, n, k, a, aRs, aCs, b, bRs, bCs, c, ldc, alpha, beta, ws);
}

/** Single precision twin of {@link dgemm} (sums accumulated in f32; ws from gemmWorkspace(m, n, k, 4)). */
export function sgemm(m: i32, n: i32, k: i32, a: usize, aRs: i32, aCs: i32, b: usize, bRs: i32, bCs: i32,
  c: usize, ldc: i32, alpha: f32, beta: f32, ws: usize): void {
  gemm<f32>(m, n, k, a, aRs, aCs, b, bRs, bCs, c, ldc, alpha, beta, ws);
}
