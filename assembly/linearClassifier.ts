// Passes of the softmax cross-entropy of a linear classifier on fixed features
// (src/objectives/linearClassifierObjective.ts): with Z (m × n, the features,
// one column per example), W = [W_Z, w_b] (nc × (m + 1)) and S = W_Z Z + w_b 1ᵀ,
//
//   value     E = (1/n) Σ_j (max_k s_kj + log Σ_k exp(s_kj − max) − c_jᵀ s_j),  P = softmax(S)
//   gradient  ∇_W E = T [Z; 1ᵀ]ᵀ,                        T = (P − C)/n
//   GN        ∇²_W E vec(V) = T [Z; 1ᵀ]ᵀ,  dS = V_Z Z + v_b 1ᵀ,  t_j = p_j ∘ (d_j − p_jᵀ d_j)/n
//
// (the Hessian of the convex E in W is exact: ∇²_S E per column is
// diag(p) − p pᵀ). Both products with Z run over one block of columns after
// the other, so a block read from memory for S = A Z is still in cache (L2)
// when it is read again for T Zᵀ: one pass over Z per evaluation or mat-vec.
// That pass is what the time goes into (Z is 1530 × 50 000 for the lecture's
// extreme learning machine on MNIST), hence Z may be stored in float32 (half
// the traffic) with float64 parameters, scores and sums:
//
// - S = A Z: f32 products summed in f32 over at most SEG32 features (SEG32/4
//   per lane), then in f64;
// - T Zᵀ: t rounded to f32, summed in f32 over one block of columns (at most
//   B), then added to the f64 partial sums.
//
// In float64 everything is double. Columns are cut into fixed segments (the
// unit a thread claims), each with its own partial sums (value, hit count,
// gradient or mat-vec, f64), which the caller adds in segment order: results
// do not depend on the thread count. Register tiles: S = A Z takes two columns
// times five classes (ten vector accumulators), T Zᵀ two vectors of features
// times five classes (A stored in panels of five classes, see scores). Rows
// of A (and of the partial W sums) are padded to
// ncg = a multiple of 5 classes, features to mp = a multiple of 8 (pad
// entries zero, so they add nothing).

import { madd } from './simd';

// Descriptor (i32 words at desc; the f64 1/n at byte D_INVN), written by the objective.
const D_M = 0, D_N = 1, D_NC = 2, D_NCG = 3, D_Z = 4, D_A = 5, D_AB = 6, D_P = 7, D_C = 8,
  D_PART = 9, D_PARTBYTES = 10, D_SEG = 11, D_B = 12, D_SCR = 13, D_SCRBYTES = 14;
const D_INVN: usize = 64;
/** Bytes before a segment's gradient sums: value and hit count (f64), two spare. */
const PART_HEAD: usize = 32;
/** Features summed in f32 before the sum goes to f64 in S = A Z (float32 storage). */
const SEG32: i32 = 256;

/** Pass bits: 1 value (and P), 2 gradient (with 1), 4 Gauss-Newton mat-vec (A holds V, P from an earlier value pass). */
const VALUE = 1, GRAD = 2, GN = 4;

// @ts-ignore: decorator
@inline function hdr(d: usize, i: i32): i32 { return load<i32>(d + (<usize>i << 2)); }

/** Sum of the lanes of v in f64 (f32 lanes promoted first). */
// @ts-ignore: decorator
@inline function hsum<T>(v: v128): f64 {
  if (sizeof<T>() == 8) return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
  const s = f64x2.add(f64x2.promote_low_f32x4(v), f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/** The f64 sums at p (2 vectors of features: 4 doubles in f64, 8 in f32) += the lanes of c0, c1. */
// @ts-ignore: decorator
@inline function addTo64<T>(p: usize, c0: v128, c1: v128): void {
  if (sizeof<T>() == 8) {
    v128.store(p, f64x2.add(v128.load(p), c0));
    v128.store(p, f64x2.add(v128.load(p, 16), c1), 16);
    return;
  }
  v128.store(p, f64x2.add(v128.load(p), f64x2.promote_low_f32x4(c0)));
  v128.store(p, f64x2.add(v128.load(p, 16), f64x2.promote_low_f32x4(v128.shuffle<f32>(c0, c0, 2, 3, 0, 1))), 16);
  v128.store(p, f64x2.add(v128.load(p, 32), f64x2.promote_low_f32x4(c1)), 32);
  v128.store(p, f64x2.add(v128.load(p, 48), f64x2.promote_low_f32x4(v128.shuffle<f32>(c1, c1, 2, 3, 0, 1))), 48);
}

// @ts-ignore: decorator
@inline function splatAt<T>(p: usize): v128 { return sizeof<T>() == 8 ? v128.load64_splat(p) : v128.load32_splat(p); }

/**
 * S (f64, cols × ncg, column j at S + j·ncg) = A Z + ab for the block's
 * columns: A in panels (for each group of five classes, for each vector of
 * features, the five classes' vectors one after the other: element
 * (g + c, i) at g·mp + 5·(i − i mod V) + c·V + i mod V), so one pointer and
 * immediate offsets address a step's five loads; Z mp × cols column-major
 * (T); ab f64.
 */
function scores<T>(S: usize, Z: usize, A: usize, ab: usize, mp: i32, ncg: i32, cols: i32): void {
  const sz = sizeof<T>();
  const ld = <usize>mp * sz;
  const seg = sz == 4 ? SEG32 : mp;
  const zero = v128.splat<T>(<T>0);
  for (let j = 0; j < cols; j += 2) {
    const z0 = Z + <usize>j * ld;
    const two = j + 1 < cols;
    const d1 = two ? ld : 0; // a last odd column runs twice, its second result dropped
    for (let g = 0; g < ncg; g += 5) {
      const ag = A + <usize>g * ld;
      let s00 = 0.0, s01 = 0.0, s10 = 0.0, s11 = 0.0, s20 = 0.0, s21 = 0.0, s30 = 0.0, s31 = 0.0, s40 = 0.0, s41 = 0.0;
      for (let i0 = 0; i0 < mp; i0 += seg) {
        const i1 = min(mp, i0 + seg);
        let c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero, c30 = zero, c31 = zero, c40 = zero, c41 = zero;
        let zp = z0 + <usize>i0 * sz, ap = ag + <usize>i0 * 5 * sz;
        const end = z0 + <usize>i1 * sz;
        // Two steps per trip (mp is a multiple of 8, so of 2V; every accumulator sees the same sequence).
        for (; zp < end; zp += 32, ap += 160) {
          let x0 = v128.load(zp), x1 = v128.load(zp + d1);
          let a = v128.load(ap);
          c00 = madd<T>(a, x0, c00); c01 = madd<T>(a, x1, c01);
          a = v128.load(ap, 16);
          c10 = madd<T>(a, x0, c10); c11 = madd<T>(a, x1, c11);
          a = v128.load(ap, 32);
          c20 = madd<T>(a, x0, c20); c21 = madd<T>(a, x1, c21);
          a = v128.load(ap, 48);
          c30 = madd<T>(a, x0, c30); c31 = madd<T>(a, x1, c31);
          a = v128.load(ap, 64);
          c40 = madd<T>(a, x0, c40); c41 = madd<T>(a, x1, c41);
          x0 = v128.load(zp, 16); x1 = v128.load(zp + d1, 16);
          a = v128.load(ap, 80);
          c00 = madd<T>(a, x0, c00); c01 = madd<T>(a, x1, c01);
          a = v128.load(ap, 96);
          c10 = madd<T>(a, x0, c10); c11 = madd<T>(a, x1, c11);
          a = v128.load(ap, 112);
          c20 = madd<T>(a, x0, c20); c21 = madd<T>(a, x1, c21);
          a = v128.load(ap, 128);
          c30 = madd<T>(a, x0, c30); c31 = madd<T>(a, x1, c31);
          a = v128.load(ap, 144);
          c40 = madd<T>(a, x0, c40); c41 = madd<T>(a, x1, c41);
        }
        s00 += hsum<T>(c00); s01 += hsum<T>(c01); s10 += hsum<T>(c10); s11 += hsum<T>(c11);
        s20 += hsum<T>(c20); s21 += hsum<T>(c21); s30 += hsum<T>(c30); s31 += hsum<T>(c31);
        s40 += hsum<T>(c40); s41 += hsum<T>(c41);
      }
      const b = ab + (<usize>g << 3);
      const o0 = S + ((<usize>j * <usize>ncg + <usize>g) << 3);
      store<f64>(o0, s00 + load<f64>(b)); store<f64>(o0, s10 + load<f64>(b, 8), 8); store<f64>(o0, s20 + load<f64>(b, 16), 16);
      store<f64>(o0, s30 + load<f64>(b, 24), 24); store<f64>(o0, s40 + load<f64>(b, 32), 32);
      if (two) {
        const o1 = o0 + (<usize>ncg << 3);
        store<f64>(o1, s01 + load<f64>(b)); store<f64>(o1, s11 + load<f64>(b, 8), 8); store<f64>(o1, s21 + load<f64>(b, 16), 16);
        store<f64>(o1, s31 + load<f64>(b, 24), 24); store<f64>(o1, s41 + load<f64>(b, 32), 32);
      }
    }
  }
}

/** The splatted t of class g + c of one column (tp at class g), immediate offsets. */
// @ts-ignore: decorator
@inline function tSplat<T>(tp: usize, c: i32): v128 {
  if (sizeof<T>() == 8) {
    if (c == 0) return v128.load64_splat(tp);
    if (c == 1) return v128.load64_splat(tp, 8);
    if (c == 2) return v128.load64_splat(tp, 16);
    if (c == 3) return v128.load64_splat(tp, 24);
    return v128.load64_splat(tp, 32);
  }
  if (c == 0) return v128.load32_splat(tp);
  if (c == 1) return v128.load32_splat(tp, 4);
  if (c == 2) return v128.load32_splat(tp, 8);
  if (c == 3) return v128.load32_splat(tp, 12);
  return v128.load32_splat(tp, 16);
}

/**
 * G (f64, ncg × mp row-major) += Tt Zᵀ over the block's columns: Tt (T,
 * cols × ncg, column j at Tt + j·ncg), Z mp × cols column-major (T).
 */
function gradW<T>(G: usize, Tt: usize, Z: usize, mp: i32, ncg: i32, cols: i32): void {
  const sz = sizeof<T>(), V: i32 = sizeof<T>() == 8 ? 2 : 4;
  const ld = <usize>mp * sz, lt = <usize>ncg * sz;
  const zero = v128.splat<T>(<T>0);
  for (let g = 0; g < ncg; g += 5) {
    for (let i = 0; i < mp; i += 2 * V) {
      let c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero, c30 = zero, c31 = zero, c40 = zero, c41 = zero;
      let zp = Z + <usize>i * sz, tp = Tt + <usize>g * sz;
      const tEnd = tp + <usize>cols * lt;
      for (; tp < tEnd; zp += ld, tp += lt) {
        const x0 = v128.load(zp), x1 = v128.load(zp, 16);
        let t = tSplat<T>(tp, 0);
        c00 = madd<T>(t, x0, c00); c01 = madd<T>(t, x1, c01);
        t = tSplat<T>(tp, 1);
        c10 = madd<T>(t, x0, c10); c11 = madd<T>(t, x1, c11);
        t = tSplat<T>(tp, 2);
        c20 = madd<T>(t, x0, c20); c21 = madd<T>(t, x1, c21);
        t = tSplat<T>(tp, 3);
        c30 = madd<T>(t, x0, c30); c31 = madd<T>(t, x1, c31);
        t = tSplat<T>(tp, 4);
        c40 = madd<T>(t, x0, c40); c41 = madd<T>(t, x1, c41);
      }
      const row = <usize>mp << 3;
      const p0 = G + ((<usize>g * <usize>mp + <usize>i) << 3);
      addTo64<T>(p0, c00, c01);
      addTo64<T>(p0 + row, c10, c11);
      addTo64<T>(p0 + 2 * row, c20, c21);
      addTo64<T>(p0 + 3 * row, c30, c31);
      addTo64<T>(p0 + 4 * row, c40, c41);
    }
  }
}

/** Segment s of a pass (see the file comment; `mode` a sum of VALUE, GRAD, GN). */
function runSegment<T>(d: usize, mode: i32, s: i32): void {
  const sz = sizeof<T>();
  const mp = hdr(d, D_M), n = hdr(d, D_N), nc = hdr(d, D_NC), ncg = hdr(d, D_NCG);
  const segCols = hdr(d, D_SEG), B = hdr(d, D_B);
  const c0 = s * segCols, c1 = min(n, c0 + segCols);
  if (c1 <= c0) return;
  const part = <usize>hdr(d, D_PART) + <usize>s * <usize>hdr(d, D_PARTBYTES);
  const scr = <usize>hdr(d, D_SCR) + <usize>s * <usize>hdr(d, D_SCRBYTES);
  memory.fill(part, 0, <usize>hdr(d, D_PARTBYTES));
  const G = part + PART_HEAD, gb = G + ((<usize>ncg * <usize>mp) << 3);
  const S = scr, Tt = scr + ((<usize>B * <usize>ncg) << 3);
  const A = <usize>hdr(d, D_A), ab = <usize>hdr(d, D_AB), P = <usize>hdr(d, D_P), C = <usize>hdr(d, D_C);
  const invN = load<f64>(d + D_INVN);
  const withT = (mode & (GRAD | GN)) != 0;
  let value = 0.0, hits = 0.0;
  for (let jb = c0; jb < c1; jb += B) {
    const cols = min(B, c1 - jb);
    const Zb = <usize>hdr(d, D_Z) + <usize>jb * <usize>mp * sz;
    scores<T>(S, Zb, A, ab, mp, ncg, cols);
    for (let j = 0; j < cols; j++) {
      const sj = S + ((<usize>j * <usize>ncg) << 3), pj = P + ((<usize>(jb + j) * <usize>ncg) << 3);
      const tj = Tt + <usize>j * <usize>ncg * sz;
      if ((mode & VALUE) != 0) {
        // p = softmax(s), the value and the hit (first maxima of s and c), as assembly/network.ts.
        const cj = C + ((<usize>(jb + j) * <usize>nc) << 3);
        let mx = -Infinity, bs = 0, bc = 0;
        for (let k = 0; k < nc; k++) {
          const sk = load<f64>(sj + (<usize>k << 3));
          if (sk > mx) { mx = sk; bs = k; }
          if (k > 0 && load<f64>(cj + (<usize>k << 3)) > load<f64>(cj + (<usize>bc << 3))) bc = k;
        }
        if (bs == bc) hits += 1.0;
        let zsum = 0.0, cs = 0.0;
        for (let k = 0; k < nc; k++) {
          const sk = load<f64>(sj + (<usize>k << 3));
          cs += load<f64>(cj + (<usize>k << 3)) * sk;
          const e = Math.exp(sk - mx);
          store<f64>(pj + (<usize>k << 3), e);
          zsum += e;
        }
        value += mx + Math.log(zsum) - cs;
        const inv = 1.0 / zsum;
        for (let k = 0; k < nc; k++) store<f64>(pj + (<usize>k << 3), load<f64>(pj + (<usize>k << 3)) * inv);
        if ((mode & GRAD) != 0) {
          for (let k = 0; k < nc; k++) {
            const t = (load<f64>(pj + (<usize>k << 3)) - load<f64>(cj + (<usize>k << 3))) * invN;
            store<T>(tj + <usize>k * sz, <T>t);
            store<f64>(gb + (<usize>k << 3), load<f64>(gb + (<usize>k << 3)) + t);
          }
        }
      } else if ((mode & GN) != 0) {
        // t = p ∘ (d − pᵀd)/n with d = V_Z z + v_b (in S).
        let pd = 0.0;
        for (let k = 0; k < nc; k++) pd += load<f64>(pj + (<usize>k << 3)) * load<f64>(sj + (<usize>k << 3));
        for (let k = 0; k < nc; k++) {
          const t = load<f64>(pj + (<usize>k << 3)) * (load<f64>(sj + (<usize>k << 3)) - pd) * invN;
          store<T>(tj + <usize>k * sz, <T>t);
          store<f64>(gb + (<usize>k << 3), load<f64>(gb + (<usize>k << 3)) + t);
        }
      }
      if (withT) for (let k = nc; k < ncg; k++) store<T>(tj + <usize>k * sz, <T>0);
    }
    if (withT) gradW<T>(G, Tt, Zb, mp, ncg, cols);
  }
  store<f64>(part, value);
  store<f64>(part, hits, 8);
}

/**
 * Segments s0 … s0+count−1 of a pass of the linear classifier described at
 * `desc` (src/objectives/linearClassifierObjective.ts), features in float64.
 * `mode`: 1 value and P, 3 value, P and gradient, 4 Gauss-Newton mat-vec.
 */
export function lcSegments(desc: usize, mode: i32, s0: i32, count: i32): void {
  for (let s = s0; s < s0 + count; s++) runSegment<f64>(desc, mode, s);
}

/** {@link lcSegments} with the features (and A) in float32; scores, P and all sums in float64. */
export function lcSegments32(desc: usize, mode: i32, s0: i32, count: i32): void {
  for (let s = s0; s < s0 + count; s++) runSegment<f32>(desc, mode, s);
}
