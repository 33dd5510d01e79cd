// Whole-network passes of a compiled plan (src/engine/): a chain of dense
// single layers, each plain  Y_{l+1} = σ(K_l Y_l + b_l)  or residual
// Y_{l+1} = Y_l + h_l·σ(K_l Y_l + b_l), followed by the softmax cross-entropy
// loss of the linear classifier S = W [Z; 1ᵀ] (Z = Y_L). One call walks all
// layers over one block ("chunk") of columns after the other, so a block's
// states stay in cache from the first layer to the loss and back:
//
//   forward  Y_{l+1}, A_l = σ'(K_l Y_l + b_l) for all l; loss value, P = softmax(S)
//   gradient G_l = A_l ∘ W_{l+1},  dK_l += G_l Y_lᵀ,  db_l += rowsums(G_l),
//            W_l = [W_{l+1}] + h_l K_lᵀ G_l,  from W_L = W_Zᵀ (P − C)/n
//   jvp      dY_{l+1} = [dY_l] + h_l A_l ∘ (dK_l Y_l + db_l + K_l dY_l),  dY_0 = 0
//   GN       t = ∇²_S E (W_Z dZ) = P ∘ (V − 1(pᵀV))/n per column, then the
//            gradient recursion from W_L = W_Zᵀ t (Jᵀ H J v), plus the W block
//
// ([·] present for residual layers; plain layers have h_l = 1.) Every column
// block accumulates its own partial sums (loss value, hit count, gradient or
// mat-vec) into its own region: the caller adds the partials in block order,
// so the result does not depend on which thread ran which block (threads
// claim whole blocks, src/core/wasm/threads.ts).
//
// Layout (byte offsets written by src/engine/workspace.ts into a descriptor of
// i32 words, see the H_* and L_* constants): rows of every layer and of the
// classifier are padded to a multiple of the vector lanes (2 in f64, 4 in
// f32; pad rows of K, b and W are zero, so pad rows of the states stay 0 and
// contribute nothing), so a column is a whole number of vectors. The kernels
// are generic in the element type (netChunks: f64, netChunks32: f32). Every
// multiply-add goes through madd64 / madd32 (FMA in the relaxed-SIMD builds).

import { madd32, madd64 } from './simd';

// tanh for the forward pass (its own copy, tuned for this loop): the formulas
// of assembly/activations.ts — tanh|x| = e/(e + 2), tanh' = (2/(e + 2))(1 + tanh|x|),
// e = expm1(2|x|) = 2^k p + (2^k − 1), 2|x| = k ln2 + r, p = expm1(r) by a
// polynomial of degree 11 (evaluated by Estrin's scheme) — with k rounded by the 1.5·2^52 shifter (k appears in
// the low mantissa bits, so 2^k comes from an integer add and shift), the
// pseudo-minimum (one instruction) for the clamp, and madd64 throughout.
const LN2_HI: f64 = 0.6931471803691238;
const LN2_LO: f64 = 1.9082149292705877e-10;
const INV_LN2: f64 = 1.4426950408889634;
const SHIFTER: f64 = 6755399441055744.0; // 1.5·2^52

/** tanh of the two lanes of x; tanh' stored at d. */
// @ts-ignore: decorator
@inline function tanhVec(x: v128, d: usize): v128 {
  const one = f64x2.splat(1.0), two = f64x2.splat(2.0);
  const t = f64x2.pmin(f64x2.abs(x), f64x2.splat(350.0));
  const w = f64x2.add(t, t);
  const kf = madd64(w, f64x2.splat(INV_LN2), f64x2.splat(SHIFTER));
  const k = f64x2.sub(kf, f64x2.splat(SHIFTER));
  const r = madd64(k, f64x2.splat(-LN2_LO), madd64(k, f64x2.splat(-LN2_HI), w));
  // expm1(r) = r + r² Q(r), Q of degree 9: the near-minimax (Chebyshev) fit of (expm1(r) − r)/r²
  // on |r| ≤ ln2/2 (error 1.1e−16 in Q, so < 4e−17 relative in expm1: below the rounding), in
  // place of its Taylor series to r^11 (degree 11 for the same accuracy). Evaluated by Estrin's
  // scheme, pairs b_i = q_{2i} + q_{2i+1} r, then q = (b0 + b1 r²) + r⁴((b2 + b3 r²) + r⁴ b4):
  // the forward pass waits on this chain.
  const r2 = f64x2.mul(r, r), r4 = f64x2.mul(r2, r2);
  const b0 = madd64(r, f64x2.splat(0.16666666666666669), f64x2.splat(0.5000000000000001));
  const b1 = madd64(r, f64x2.splat(0.008333333333330065), f64x2.splat(0.041666666666624164));
  const b2 = madd64(r, f64x2.splat(0.00019841269863040545), f64x2.splat(0.0013888888917196719));
  const b3 = madd64(r, f64x2.splat(2.7557268480310024e-06), f64x2.splat(2.4801521322368692e-05));
  const b4 = madd64(r, f64x2.splat(2.5100375832561234e-08), f64x2.splat(2.7620075879983367e-07));
  const c0 = madd64(b1, r2, b0), c1 = madd64(b3, r2, b2);
  const q = madd64(madd64(b4, r4, c1), r4, c0);
  const p = madd64(r2, q, r);                                       // expm1(r)
  // 2^k: the low 12 bits of kf's bit pattern minus the shifter's are k; plus 1023, shifted into the exponent.
  const s = i64x2.shl(i64x2.add(kf, i64x2.splat(1023 - 0x4338000000000000)), 52);
  const e = madd64(s, p, f64x2.sub(s, one));
  const iq = f64x2.div(one, f64x2.add(e, two));
  const th = f64x2.mul(e, iq);
  v128.store(d, f64x2.mul(f64x2.add(iq, iq), f64x2.add(one, th)));
  return v128.or(th, v128.and(x, i64x2.splat(0x8000000000000000)));
}

// Descriptor header (i32 words).
const H_L = 0, H_NIN = 1, H_NC = 2, H_BIAS = 3, H_N = 4, H_B = 5, H_Y = 6, H_C = 7, H_W = 8,
  H_STATES = 9, H_CHUNK = 10, H_PART = 11, H_PARTBYTES = 12, H_V = 13, H_IO = 14, H_SCR = 15,
  H_SCRBYTES = 16, H_MAXM = 17, H_POFF = 18, H_GW = 19;
/** Byte offset of the f64 1/n in the descriptor. */
const H_INVN = 96;
/** Byte offset of the first layer record, and the record size. */
const LAYERS = 128, LREC = 64;
// Layer record (i32 words, then h as f64 at byte 48): L_M, L_K are the rows and inner dimension as the
// kernel sees them (padded), L_MT, L_KT the layer's own m × k, L_TOFF where its [vec K; b] starts in θ,
// L_BK its bias (0 none, 1 scalar, 2 per row).
const L_M = 0, L_K = 1, L_ACT = 2, L_RES = 3, L_KP = 4, L_KT = 5, L_BP = 6, L_AOFF = 7, L_GOFF = 8, L_DBOFF = 9,
  L_TOFF = 10, L_MT = 11, L_KTRUE = 14, L_BK = 15;
const L_H = 48;
/** Partial sums: value at 0, hit count at 8, gradient from byte 32. */
const PART_GRAD = 32;

/** Pass bits of {@link netChunks}. */
const FWD = 1, LOSS = 2, GRAD = 4, JVP = 8, VJP = 16, GN = 32, FULL = 64;

// @ts-ignore: decorator
@inline function hdr(d: usize, i: i32): i32 { return load<i32>(d + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline function lrec(d: usize, l: i32, i: i32): i32 { return load<i32>(d + LAYERS + <usize>l * LREC + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline function lh(d: usize, l: i32): f64 { return load<f64>(d + LAYERS + <usize>l * LREC + L_H); }

// Element-type helpers: T is f64 (f64x2 lanes) or f32 (f32x4 lanes); every
// `sizeof<T>() == 8` below is a compile-time constant, so each instance of a
// generic kernel compiles to straight f64x2 or f32x4 code.

/** Bytes per element. */
// @ts-ignore: decorator
@inline export function SZ<T>(): usize { return sizeof<T>(); }
/** Elements per vector (2 or 4). */
// @ts-ignore: decorator
@inline export function LANES<T>(): i32 { return 16 / <i32>sizeof<T>(); }
// @ts-ignore: decorator
@inline export function vsplat<T>(x: f64): v128 { return sizeof<T>() == 8 ? f64x2.splat(x) : f32x4.splat(<f32>x); }
/** The element at p in every lane. */
// @ts-ignore: decorator
@inline export function vsplatAt<T>(p: usize): v128 { return sizeof<T>() == 8 ? v128.load64_splat(p) : v128.load32_splat(p); }
// @ts-ignore: decorator
@inline export function vmadd<T>(a: v128, b: v128, c: v128): v128 { return sizeof<T>() == 8 ? madd64(a, b, c) : madd32(a, b, c); }
// @ts-ignore: decorator
@inline export function vmul<T>(a: v128, b: v128): v128 { return sizeof<T>() == 8 ? f64x2.mul(a, b) : f32x4.mul(a, b); }
// @ts-ignore: decorator
@inline export function vadd<T>(a: v128, b: v128): v128 { return sizeof<T>() == 8 ? f64x2.add(a, b) : f32x4.add(a, b); }

/**
 * out_j = D_j + h·(M x_j + bias), j < cols (D = 0: no D term; bias = 0: none);
 * M rows×inner column-major, rows a multiple of the lanes; out may be D.
 */
function affineCols<T>(out: usize, M: usize, bias: usize, x: usize, D: usize, h: f64, rows: i32, inner: i32, cols: i32): void {
  const sz = SZ<T>(), V = LANES<T>();
  const ldr = <usize>rows * sz, ldi = <usize>inner * sz;
  const hv = vsplat<T>(h), zero = vsplat<T>(0);
  // Two columns per sweep when the rows are whole blocks of two vectors (in
  // blocks of four, then two): each loaded vector of M feeds two multiply-adds.
  const pairs = rows % (2 * V) == 0 ? cols & ~1 : 0;
  // Four columns per sweep when the rows are exactly two vectors (f32 width 8, f64 width 4): with
  // two columns there would be four accumulators, too few to cover the multiply-add latency.
  // Each column gets the same operations in the same order as in the other sweeps.
  const quads = rows == 2 * V ? cols & ~3 : 0;
  for (let j = 0; j < quads; j += 4) {
    const x0 = x + <usize>j * ldi, x1 = x0 + ldi, x2 = x1 + ldi, x3 = x2 + ldi;
    let a0 = zero, a1 = zero;
    if (bias != 0) {
      a0 = v128.load(bias); a1 = v128.load(bias, 16);
    }
    let b0 = a0, b1 = a1, c0 = a0, c1 = a1, e0 = a0, e1 = a1;
    let mp = M;
    for (let q = 0; q < inner; q++, mp += ldr) {
      const m0 = v128.load(mp), m1 = v128.load(mp, 16), qo = <usize>q * sz;
      const s = vsplatAt<T>(x0 + qo), t = vsplatAt<T>(x1 + qo);
      a0 = vmadd<T>(m0, s, a0); a1 = vmadd<T>(m1, s, a1);
      b0 = vmadd<T>(m0, t, b0); b1 = vmadd<T>(m1, t, b1);
      const u = vsplatAt<T>(x2 + qo), w = vsplatAt<T>(x3 + qo);
      c0 = vmadd<T>(m0, u, c0); c1 = vmadd<T>(m1, u, c1);
      e0 = vmadd<T>(m0, w, e0); e1 = vmadd<T>(m1, w, e1);
    }
    const o0 = out + <usize>j * ldr, o1 = o0 + ldr, o2 = o1 + ldr, o3 = o2 + ldr;
    if (D != 0) {
      const d0 = D + <usize>j * ldr, d1 = d0 + ldr, d2 = d1 + ldr, d3 = d2 + ldr;
      a0 = vmadd<T>(hv, a0, v128.load(d0)); a1 = vmadd<T>(hv, a1, v128.load(d0, 16));
      b0 = vmadd<T>(hv, b0, v128.load(d1)); b1 = vmadd<T>(hv, b1, v128.load(d1, 16));
      c0 = vmadd<T>(hv, c0, v128.load(d2)); c1 = vmadd<T>(hv, c1, v128.load(d2, 16));
      e0 = vmadd<T>(hv, e0, v128.load(d3)); e1 = vmadd<T>(hv, e1, v128.load(d3, 16));
    } else if (h != 1.0) {
      a0 = vmul<T>(hv, a0); a1 = vmul<T>(hv, a1); b0 = vmul<T>(hv, b0); b1 = vmul<T>(hv, b1);
      c0 = vmul<T>(hv, c0); c1 = vmul<T>(hv, c1); e0 = vmul<T>(hv, e0); e1 = vmul<T>(hv, e1);
    }
    v128.store(o0, a0); v128.store(o0, a1, 16); v128.store(o1, b0); v128.store(o1, b1, 16);
    v128.store(o2, c0); v128.store(o2, c1, 16); v128.store(o3, e0); v128.store(o3, e1, 16);
  }
  for (let j = quads; j < pairs; j += 2) {
    const xj = x + <usize>j * ldi, xk = xj + ldi, oj = out + <usize>j * ldr, dj = D + <usize>j * ldr;
    let r = 0;
    for (; r + 4 * V <= rows; r += 4 * V) {
      const ro = <usize>r * sz;
      let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
      if (bias != 0) {
        a0 = v128.load(bias + ro); a1 = v128.load(bias + ro, 16); a2 = v128.load(bias + ro, 32); a3 = v128.load(bias + ro, 48);
      }
      let b0 = a0, b1 = a1, b2 = a2, b3 = a3;
      let mp = M + ro;
      for (let q = 0; q < inner; q++, mp += ldr) {
        const s = vsplatAt<T>(xj + <usize>q * sz), t = vsplatAt<T>(xk + <usize>q * sz);
        const m0 = v128.load(mp), m1 = v128.load(mp, 16), m2 = v128.load(mp, 32), m3 = v128.load(mp, 48);
        a0 = vmadd<T>(m0, s, a0); a1 = vmadd<T>(m1, s, a1); a2 = vmadd<T>(m2, s, a2); a3 = vmadd<T>(m3, s, a3);
        b0 = vmadd<T>(m0, t, b0); b1 = vmadd<T>(m1, t, b1); b2 = vmadd<T>(m2, t, b2); b3 = vmadd<T>(m3, t, b3);
      }
      const dk = dj + ldr;
      if (D != 0) {
        a0 = vmadd<T>(hv, a0, v128.load(dj + ro)); a1 = vmadd<T>(hv, a1, v128.load(dj + ro, 16));
        a2 = vmadd<T>(hv, a2, v128.load(dj + ro, 32)); a3 = vmadd<T>(hv, a3, v128.load(dj + ro, 48));
        b0 = vmadd<T>(hv, b0, v128.load(dk + ro)); b1 = vmadd<T>(hv, b1, v128.load(dk + ro, 16));
        b2 = vmadd<T>(hv, b2, v128.load(dk + ro, 32)); b3 = vmadd<T>(hv, b3, v128.load(dk + ro, 48));
      } else if (h != 1.0) {
        a0 = vmul<T>(hv, a0); a1 = vmul<T>(hv, a1); a2 = vmul<T>(hv, a2); a3 = vmul<T>(hv, a3);
        b0 = vmul<T>(hv, b0); b1 = vmul<T>(hv, b1); b2 = vmul<T>(hv, b2); b3 = vmul<T>(hv, b3);
      }
      const ok = oj + ldr;
      v128.store(oj + ro, a0); v128.store(oj + ro, a1, 16); v128.store(oj + ro, a2, 32); v128.store(oj + ro, a3, 48);
      v128.store(ok + ro, b0); v128.store(ok + ro, b1, 16); v128.store(ok + ro, b2, 32); v128.store(ok + ro, b3, 48);
    }
    for (; r < rows; r += 2 * V) {
      const ro = <usize>r * sz;
      let a0 = zero, a1 = zero;
      if (bias != 0) {
        a0 = v128.load(bias + ro); a1 = v128.load(bias + ro, 16);
      }
      let b0 = a0, b1 = a1;
      let mp = M + ro;
      for (let q = 0; q < inner; q++, mp += ldr) {
        const s = vsplatAt<T>(xj + <usize>q * sz), t = vsplatAt<T>(xk + <usize>q * sz);
        const m0 = v128.load(mp), m1 = v128.load(mp, 16);
        a0 = vmadd<T>(m0, s, a0); a1 = vmadd<T>(m1, s, a1);
        b0 = vmadd<T>(m0, t, b0); b1 = vmadd<T>(m1, t, b1);
      }
      const dk = dj + ldr;
      if (D != 0) {
        a0 = vmadd<T>(hv, a0, v128.load(dj + ro)); a1 = vmadd<T>(hv, a1, v128.load(dj + ro, 16));
        b0 = vmadd<T>(hv, b0, v128.load(dk + ro)); b1 = vmadd<T>(hv, b1, v128.load(dk + ro, 16));
      } else if (h != 1.0) {
        a0 = vmul<T>(hv, a0); a1 = vmul<T>(hv, a1);
        b0 = vmul<T>(hv, b0); b1 = vmul<T>(hv, b1);
      }
      const ok = oj + ldr;
      v128.store(oj + ro, a0); v128.store(oj + ro, a1, 16);
      v128.store(ok + ro, b0); v128.store(ok + ro, b1, 16);
    }
  }
  for (let j = pairs; j < cols; j++) {
    const xj = x + <usize>j * ldi, oj = out + <usize>j * ldr, dj = D + <usize>j * ldr;
    let r = 0;
    for (; r + 4 * V <= rows; r += 4 * V) {
      const ro = <usize>r * sz;
      let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
      if (bias != 0) {
        a0 = v128.load(bias + ro); a1 = v128.load(bias + ro, 16); a2 = v128.load(bias + ro, 32); a3 = v128.load(bias + ro, 48);
      }
      let mp = M + ro;
      for (let q = 0; q < inner; q++, mp += ldr) {
        const s = vsplatAt<T>(xj + <usize>q * sz);
        a0 = vmadd<T>(v128.load(mp), s, a0);
        a1 = vmadd<T>(v128.load(mp, 16), s, a1);
        a2 = vmadd<T>(v128.load(mp, 32), s, a2);
        a3 = vmadd<T>(v128.load(mp, 48), s, a3);
      }
      if (D != 0) {
        a0 = vmadd<T>(hv, a0, v128.load(dj + ro)); a1 = vmadd<T>(hv, a1, v128.load(dj + ro, 16));
        a2 = vmadd<T>(hv, a2, v128.load(dj + ro, 32)); a3 = vmadd<T>(hv, a3, v128.load(dj + ro, 48));
      } else if (h != 1.0) {
        a0 = vmul<T>(hv, a0); a1 = vmul<T>(hv, a1); a2 = vmul<T>(hv, a2); a3 = vmul<T>(hv, a3);
      }
      v128.store(oj + ro, a0); v128.store(oj + ro, a1, 16); v128.store(oj + ro, a2, 32); v128.store(oj + ro, a3, 48);
    }
    for (; r + 2 * V <= rows; r += 2 * V) {
      const ro = <usize>r * sz;
      let a0 = zero, a1 = zero;
      if (bias != 0) {
        a0 = v128.load(bias + ro); a1 = v128.load(bias + ro, 16);
      }
      let mp = M + ro;
      for (let q = 0; q < inner; q++, mp += ldr) {
        const s = vsplatAt<T>(xj + <usize>q * sz);
        a0 = vmadd<T>(v128.load(mp), s, a0);
        a1 = vmadd<T>(v128.load(mp, 16), s, a1);
      }
      if (D != 0) {
        a0 = vmadd<T>(hv, a0, v128.load(dj + ro)); a1 = vmadd<T>(hv, a1, v128.load(dj + ro, 16));
      } else if (h != 1.0) {
        a0 = vmul<T>(hv, a0); a1 = vmul<T>(hv, a1);
      }
      v128.store(oj + ro, a0); v128.store(oj + ro, a1, 16);
    }
    for (; r < rows; r += V) {
      const ro = <usize>r * sz;
      let a = bias != 0 ? v128.load(bias + ro) : zero;
      let mp = M + ro;
      for (let q = 0; q < inner; q++, mp += ldr) a = vmadd<T>(v128.load(mp), vsplatAt<T>(xj + <usize>q * sz), a);
      if (D != 0) a = vmadd<T>(hv, a, v128.load(dj + ro));
      else if (h != 1.0) a = vmul<T>(hv, a);
      v128.store(oj + ro, a);
    }
  }
}

// f32 tanh: the same formulas in single precision — k by the 1.5·2^23
// shifter, expm1(r) by its Taylor series to r^7 (truncation < 1e-8 relative
// for |r| ≤ ln2/2), clamp at |x| = 40 (tanh = 1 in f32 long before; e stays finite).
const LN2_HI32: f32 = 0.693359375;
const LN2_LO32: f32 = -2.12194440e-4;
const INV_LN2_32: f32 = 1.44269504;
const SHIFTER32: f32 = 12582912.0; // 1.5·2^23

/** tanh of the four lanes of x; tanh' stored at d. */
// @ts-ignore: decorator
@inline export function tanhVec32(x: v128, d: usize): v128 {
  const one = f32x4.splat(1.0), two = f32x4.splat(2.0);
  const t = f32x4.pmin(f32x4.abs(x), f32x4.splat(40.0));
  const w = f32x4.add(t, t);
  const kf = madd32(w, f32x4.splat(INV_LN2_32), f32x4.splat(SHIFTER32));
  const k = f32x4.sub(kf, f32x4.splat(SHIFTER32));
  const r = madd32(k, f32x4.splat(-LN2_LO32), madd32(k, f32x4.splat(-LN2_HI32), w));
  let q = f32x4.splat(<f32>(1.0 / 5040.0));                 // 1/7!
  q = madd32(q, r, f32x4.splat(<f32>(1.0 / 720.0)));         // 1/6!
  q = madd32(q, r, f32x4.splat(<f32>(1.0 / 120.0)));         // 1/5!
  q = madd32(q, r, f32x4.splat(<f32>(1.0 / 24.0)));          // 1/4!
  q = madd32(q, r, f32x4.splat(<f32>(1.0 / 6.0)));           // 1/3!
  q = madd32(q, r, f32x4.splat(0.5));                        // 1/2!
  const p = madd32(f32x4.mul(r, r), q, r);                   // expm1(r)
  // 2^k: the low bits of kf's pattern minus the shifter's are k; plus 127, shifted into the exponent.
  const s = i32x4.shl(i32x4.add(kf, i32x4.splat(127 - 0x4B400000)), 23);
  const e = madd32(s, p, f32x4.sub(s, one));
  const iq = f32x4.div(one, f32x4.add(e, two));
  const th = f32x4.mul(e, iq);
  v128.store(d, f32x4.mul(f32x4.add(iq, iq), f32x4.add(one, th)));
  return v128.or(th, v128.and(x, i32x4.splat(0x80000000)));
}

/** σ of v (act 0 identity, 1 tanh, 2 ReLU), σ' stored at d. */
// @ts-ignore: decorator
@inline function actVec<T>(v: v128, d: usize, act: i32): v128 {
  const one = vsplat<T>(1.0);
  if (act == 1) return sizeof<T>() == 8 ? tanhVec(v, d) : tanhVec32(v, d);
  if (act == 2) {
    const pos = sizeof<T>() == 8 ? f64x2.gt(v, f64x2.splat(0.0)) : f32x4.gt(v, f32x4.splat(0.0));
    v128.store(d, v128.and(one, pos));
    return v128.and(v, pos);
  }
  v128.store(d, one);
  return v;
}

/**
 * σ over a layer's block, in place: z (n elements at y, a whole number of
 * vectors) ← σ(z), or yIn + h·σ(z) when residual (yIn ≠ 0), σ'(z) into A.
 * One tight loop per activation, two vectors per iteration: the two tanh
 * chains are independent, so their latencies overlap.
 */
function activate<T>(y: usize, A: usize, yIn: usize, h: f64, act: i32, n: i32): void {
  const bytes = <usize>n * SZ<T>();
  const hv = vsplat<T>(h);
  if (act == 1) {
    let o: usize = 0;
    for (; o + 32 <= bytes; o += 32) {
      let t0 = sizeof<T>() == 8 ? tanhVec(v128.load(y + o), A + o) : tanhVec32(v128.load(y + o), A + o);
      let t1 = sizeof<T>() == 8 ? tanhVec(v128.load(y + o, 16), A + o + 16) : tanhVec32(v128.load(y + o, 16), A + o + 16);
      if (yIn != 0) {
        t0 = vmadd<T>(hv, t0, v128.load(yIn + o));
        t1 = vmadd<T>(hv, t1, v128.load(yIn + o, 16));
      }
      v128.store(y + o, t0);
      v128.store(y + o, t1, 16);
    }
    if (o < bytes) {
      let t0 = sizeof<T>() == 8 ? tanhVec(v128.load(y + o), A + o) : tanhVec32(v128.load(y + o), A + o);
      if (yIn != 0) t0 = vmadd<T>(hv, t0, v128.load(yIn + o));
      v128.store(y + o, t0);
    }
    return;
  }
  for (let o: usize = 0; o < bytes; o += 16) {
    let t = actVec<T>(v128.load(y + o), A + o, act);
    if (yIn != 0) t = vmadd<T>(hv, t, v128.load(yIn + o));
    v128.store(y + o, t);
  }
}

/**
 * One layer's forward over `cols` columns: z = K y + b by the affine sweeps
 * (into yOut), then A = σ'(z) and yOut = σ(z) or yIn + h·σ(z) (residual) in
 * one activation sweep.
 */
function forwardLayer<T>(a: usize, yOut: usize, K: usize, bias: usize, y: usize, residual: bool, h: f64, act: i32, m: i32, k: i32, cols: i32): void {
  affineCols<T>(yOut, K, bias, y, 0, 1.0, m, k, cols);
  activate<T>(yOut, a, residual ? y : 0, h, act, m * cols);
}

/**
 * One layer's jvp over `cols` columns, the column in registers:
 * out = [D] + h·A ∘ (dK y + db + K dy) (dy = 0: no K dy term; D = 0: none).
 */
function jvpLayer<T>(out: usize, D: usize, A: usize, y: usize, dK: usize, db: usize, K: usize, dy: usize, h: f64, m: i32, k: i32, cols: i32): void {
  const sz = SZ<T>(), V = LANES<T>();
  const ldm = <usize>m * sz, ldk = <usize>k * sz;
  const hv = vsplat<T>(h);
  // One accumulator per vector of rows: db, then dK y, then K dy (the same
  // order in the paired and the single-column sweeps, so a column's numbers
  // do not depend on its position in the block). Two columns per sweep when
  // the rows are whole blocks of four vectors: each loaded vector of dK and K
  // feeds two multiply-adds.
  const pairs = m % (2 * V) == 0 ? cols & ~1 : 0;
  // Four columns per sweep when the rows are exactly two vectors (see affineCols).
  const quads = m == 2 * V ? cols & ~3 : 0;
  for (let j = 0; j < quads; j += 4) {
    const y0 = y + <usize>j * ldk, dy0 = dy + <usize>j * ldk;
    let a0 = v128.load(db), a1 = v128.load(db, 16);
    let b0 = a0, b1 = a1, c0 = a0, c1 = a1, e0 = a0, e1 = a1;
    let kp = dK;
    for (let q = 0; q < k; q++, kp += ldm) {
      const k0 = v128.load(kp), k1 = v128.load(kp, 16), yq = y0 + <usize>q * sz;
      const s = vsplatAt<T>(yq), t = vsplatAt<T>(yq + ldk);
      a0 = vmadd<T>(k0, s, a0); a1 = vmadd<T>(k1, s, a1);
      b0 = vmadd<T>(k0, t, b0); b1 = vmadd<T>(k1, t, b1);
      const u = vsplatAt<T>(yq + 2 * ldk), w = vsplatAt<T>(yq + 3 * ldk);
      c0 = vmadd<T>(k0, u, c0); c1 = vmadd<T>(k1, u, c1);
      e0 = vmadd<T>(k0, w, e0); e1 = vmadd<T>(k1, w, e1);
    }
    if (dy != 0) {
      kp = K;
      for (let q = 0; q < k; q++, kp += ldm) {
        const k0 = v128.load(kp), k1 = v128.load(kp, 16), yq = dy0 + <usize>q * sz;
        const s = vsplatAt<T>(yq), t = vsplatAt<T>(yq + ldk);
        a0 = vmadd<T>(k0, s, a0); a1 = vmadd<T>(k1, s, a1);
        b0 = vmadd<T>(k0, t, b0); b1 = vmadd<T>(k1, t, b1);
        const u = vsplatAt<T>(yq + 2 * ldk), w = vsplatAt<T>(yq + 3 * ldk);
        c0 = vmadd<T>(k0, u, c0); c1 = vmadd<T>(k1, u, c1);
        e0 = vmadd<T>(k0, w, e0); e1 = vmadd<T>(k1, w, e1);
      }
    }
    const c = <usize>j * ldm, a = A + c;
    a0 = vmul<T>(v128.load(a), a0); a1 = vmul<T>(v128.load(a, 16), a1);
    b0 = vmul<T>(v128.load(a + ldm), b0); b1 = vmul<T>(v128.load(a + ldm, 16), b1);
    c0 = vmul<T>(v128.load(a + 2 * ldm), c0); c1 = vmul<T>(v128.load(a + 2 * ldm, 16), c1);
    e0 = vmul<T>(v128.load(a + 3 * ldm), e0); e1 = vmul<T>(v128.load(a + 3 * ldm, 16), e1);
    if (D != 0) {
      const d = D + c;
      a0 = vmadd<T>(hv, a0, v128.load(d)); a1 = vmadd<T>(hv, a1, v128.load(d, 16));
      b0 = vmadd<T>(hv, b0, v128.load(d + ldm)); b1 = vmadd<T>(hv, b1, v128.load(d + ldm, 16));
      c0 = vmadd<T>(hv, c0, v128.load(d + 2 * ldm)); c1 = vmadd<T>(hv, c1, v128.load(d + 2 * ldm, 16));
      e0 = vmadd<T>(hv, e0, v128.load(d + 3 * ldm)); e1 = vmadd<T>(hv, e1, v128.load(d + 3 * ldm, 16));
    } else if (h != 1.0) {
      a0 = vmul<T>(hv, a0); a1 = vmul<T>(hv, a1); b0 = vmul<T>(hv, b0); b1 = vmul<T>(hv, b1);
      c0 = vmul<T>(hv, c0); c1 = vmul<T>(hv, c1); e0 = vmul<T>(hv, e0); e1 = vmul<T>(hv, e1);
    }
    const o = out + c;
    v128.store(o, a0); v128.store(o, a1, 16); v128.store(o + ldm, b0); v128.store(o + ldm, b1, 16);
    v128.store(o + 2 * ldm, c0); v128.store(o + 2 * ldm, c1, 16); v128.store(o + 3 * ldm, e0); v128.store(o + 3 * ldm, e1, 16);
  }
  for (let j = quads; j < pairs; j += 2) {
    const yj = y + <usize>j * ldk, yk = yj + ldk, dyj = dy + <usize>j * ldk, dyk = dyj + ldk;
    const cj = <usize>j * ldm, ck = cj + ldm;
    let r = 0;
    for (; r + 4 * V <= m; r += 4 * V) {
      const ro = <usize>r * sz;
      let a0 = v128.load(db + ro), a1 = v128.load(db + ro, 16), a2 = v128.load(db + ro, 32), a3 = v128.load(db + ro, 48);
      let b0 = a0, b1 = a1, b2 = a2, b3 = a3;
      let kp = dK + ro;
      for (let q = 0; q < k; q++, kp += ldm) {
        const s = vsplatAt<T>(yj + <usize>q * sz), t = vsplatAt<T>(yk + <usize>q * sz);
        const k0 = v128.load(kp), k1 = v128.load(kp, 16), k2 = v128.load(kp, 32), k3 = v128.load(kp, 48);
        a0 = vmadd<T>(k0, s, a0); a1 = vmadd<T>(k1, s, a1); a2 = vmadd<T>(k2, s, a2); a3 = vmadd<T>(k3, s, a3);
        b0 = vmadd<T>(k0, t, b0); b1 = vmadd<T>(k1, t, b1); b2 = vmadd<T>(k2, t, b2); b3 = vmadd<T>(k3, t, b3);
      }
      if (dy != 0) {
        kp = K + ro;
        for (let q = 0; q < k; q++, kp += ldm) {
          const s = vsplatAt<T>(dyj + <usize>q * sz), t = vsplatAt<T>(dyk + <usize>q * sz);
          const k0 = v128.load(kp), k1 = v128.load(kp, 16), k2 = v128.load(kp, 32), k3 = v128.load(kp, 48);
          a0 = vmadd<T>(k0, s, a0); a1 = vmadd<T>(k1, s, a1); a2 = vmadd<T>(k2, s, a2); a3 = vmadd<T>(k3, s, a3);
          b0 = vmadd<T>(k0, t, b0); b1 = vmadd<T>(k1, t, b1); b2 = vmadd<T>(k2, t, b2); b3 = vmadd<T>(k3, t, b3);
        }
      }
      const ap = A + cj + ro, aq = A + ck + ro;
      a0 = vmul<T>(v128.load(ap), a0); a1 = vmul<T>(v128.load(ap, 16), a1);
      a2 = vmul<T>(v128.load(ap, 32), a2); a3 = vmul<T>(v128.load(ap, 48), a3);
      b0 = vmul<T>(v128.load(aq), b0); b1 = vmul<T>(v128.load(aq, 16), b1);
      b2 = vmul<T>(v128.load(aq, 32), b2); b3 = vmul<T>(v128.load(aq, 48), b3);
      if (D != 0) {
        const dp = D + cj + ro, dq = D + ck + ro;
        a0 = vmadd<T>(hv, a0, v128.load(dp)); a1 = vmadd<T>(hv, a1, v128.load(dp, 16));
        a2 = vmadd<T>(hv, a2, v128.load(dp, 32)); a3 = vmadd<T>(hv, a3, v128.load(dp, 48));
        b0 = vmadd<T>(hv, b0, v128.load(dq)); b1 = vmadd<T>(hv, b1, v128.load(dq, 16));
        b2 = vmadd<T>(hv, b2, v128.load(dq, 32)); b3 = vmadd<T>(hv, b3, v128.load(dq, 48));
      } else if (h != 1.0) {
        a0 = vmul<T>(hv, a0); a1 = vmul<T>(hv, a1); a2 = vmul<T>(hv, a2); a3 = vmul<T>(hv, a3);
        b0 = vmul<T>(hv, b0); b1 = vmul<T>(hv, b1); b2 = vmul<T>(hv, b2); b3 = vmul<T>(hv, b3);
      }
      const op = out + cj + ro, oq = out + ck + ro;
      v128.store(op, a0); v128.store(op, a1, 16); v128.store(op, a2, 32); v128.store(op, a3, 48);
      v128.store(oq, b0); v128.store(oq, b1, 16); v128.store(oq, b2, 32); v128.store(oq, b3, 48);
    }
    for (; r < m; r += 2 * V) {
      const ro = <usize>r * sz;
      let a0 = v128.load(db + ro), a1 = v128.load(db + ro, 16);
      let b0 = a0, b1 = a1;
      let kp = dK + ro;
      for (let q = 0; q < k; q++, kp += ldm) {
        const s = vsplatAt<T>(yj + <usize>q * sz), t = vsplatAt<T>(yk + <usize>q * sz);
        const k0 = v128.load(kp), k1 = v128.load(kp, 16);
        a0 = vmadd<T>(k0, s, a0); a1 = vmadd<T>(k1, s, a1);
        b0 = vmadd<T>(k0, t, b0); b1 = vmadd<T>(k1, t, b1);
      }
      if (dy != 0) {
        kp = K + ro;
        for (let q = 0; q < k; q++, kp += ldm) {
          const s = vsplatAt<T>(dyj + <usize>q * sz), t = vsplatAt<T>(dyk + <usize>q * sz);
          const k0 = v128.load(kp), k1 = v128.load(kp, 16);
          a0 = vmadd<T>(k0, s, a0); a1 = vmadd<T>(k1, s, a1);
          b0 = vmadd<T>(k0, t, b0); b1 = vmadd<T>(k1, t, b1);
        }
      }
      const ap = A + cj + ro, aq = A + ck + ro;
      a0 = vmul<T>(v128.load(ap), a0); a1 = vmul<T>(v128.load(ap, 16), a1);
      b0 = vmul<T>(v128.load(aq), b0); b1 = vmul<T>(v128.load(aq, 16), b1);
      if (D != 0) {
        const dp = D + cj + ro, dq = D + ck + ro;
        a0 = vmadd<T>(hv, a0, v128.load(dp)); a1 = vmadd<T>(hv, a1, v128.load(dp, 16));
        b0 = vmadd<T>(hv, b0, v128.load(dq)); b1 = vmadd<T>(hv, b1, v128.load(dq, 16));
      } else if (h != 1.0) {
        a0 = vmul<T>(hv, a0); a1 = vmul<T>(hv, a1);
        b0 = vmul<T>(hv, b0); b1 = vmul<T>(hv, b1);
      }
      const op = out + cj + ro, oq = out + ck + ro;
      v128.store(op, a0); v128.store(op, a1, 16);
      v128.store(oq, b0); v128.store(oq, b1, 16);
    }
  }
  for (let j = pairs; j < cols; j++) {
    const yj = y + <usize>j * ldk, dyj = dy + <usize>j * ldk;
    const cj = <usize>j * ldm;
    for (let r = 0; r < m; r += V) {
      const ro = <usize>r * sz;
      let a = v128.load(db + ro);
      let kp = dK + ro;
      for (let q = 0; q < k; q++, kp += ldm) a = vmadd<T>(v128.load(kp), vsplatAt<T>(yj + <usize>q * sz), a);
      if (dy != 0) {
        kp = K + ro;
        for (let q = 0; q < k; q++, kp += ldm) a = vmadd<T>(v128.load(kp), vsplatAt<T>(dyj + <usize>q * sz), a);
      }
      a = vmul<T>(v128.load(A + cj + ro), a);
      if (D != 0) a = vmadd<T>(hv, a, v128.load(D + cj + ro));
      else if (h != 1.0) a = vmul<T>(hv, a);
      v128.store(out + cj + ro, a);
    }
  }
}

/**
 * G = A ∘ W and db += rowsums(G) in one sweep (m×cols, m a multiple of the
 * lanes): the row sums take each product while it is in a register instead
 * of a second sweep over G (the same additions in the same order).
 */
function hadamardRowSums<T>(G: usize, A: usize, W: usize, db: usize, m: i32, cols: i32): void {
  const sz = SZ<T>(), V = LANES<T>();
  const ldm = <usize>m * sz;
  let r = 0;
  for (; r + 4 * V <= m; r += 4 * V) {
    const ro = <usize>r * sz;
    let s0 = v128.load(db + ro), s1 = v128.load(db + ro, 16), s2 = v128.load(db + ro, 32), s3 = v128.load(db + ro, 48);
    for (let j = 0; j < cols; j++) {
      const o = <usize>j * ldm + ro;
      const g0 = vmul<T>(v128.load(A + o), v128.load(W + o)), g1 = vmul<T>(v128.load(A + o, 16), v128.load(W + o, 16));
      const g2 = vmul<T>(v128.load(A + o, 32), v128.load(W + o, 32)), g3 = vmul<T>(v128.load(A + o, 48), v128.load(W + o, 48));
      v128.store(G + o, g0); v128.store(G + o, g1, 16); v128.store(G + o, g2, 32); v128.store(G + o, g3, 48);
      s0 = vadd<T>(s0, g0); s1 = vadd<T>(s1, g1); s2 = vadd<T>(s2, g2); s3 = vadd<T>(s3, g3);
    }
    v128.store(db + ro, s0); v128.store(db + ro, s1, 16); v128.store(db + ro, s2, 32); v128.store(db + ro, s3, 48);
  }
  for (; r < m; r += V) {
    const ro = <usize>r * sz;
    let s0 = v128.load(db + ro);
    for (let j = 0; j < cols; j++) {
      const o = <usize>j * ldm + ro;
      const g0 = vmul<T>(v128.load(A + o), v128.load(W + o));
      v128.store(G + o, g0);
      s0 = vadd<T>(s0, g0);
    }
    v128.store(db + ro, s0);
  }
}

/**
 * dK += G Yᵀ (m×k), db += rowsums(G) (m; db = 0: not formed) over `cols` columns; G m×cols, Y k×cols.
 * Two columns q, q+1 of dK per sweep over the block (eight accumulators for
 * a block of four vectors): each loaded vector of G feeds two multiply-adds.
 */
function gradK<T>(dK: usize, db: usize, G: usize, Y: usize, m: i32, k: i32, cols: i32): void {
  const sz = SZ<T>(), V = LANES<T>();
  const ldm = <usize>m * sz, ldk = <usize>k * sz;
  let q = 0;
  // Four columns of dK per sweep when the rows are exactly two vectors (eight accumulators; see
  // affineCols); each entry sums over the block's columns in the same order as below.
  if (m == 2 * V) {
    for (; q + 4 <= k; q += 4) {
      const yq = Y + <usize>q * sz, kq = dK + <usize>q * ldm;
      let a0 = v128.load(kq), a1 = v128.load(kq, 16), b0 = v128.load(kq + ldm), b1 = v128.load(kq + ldm, 16);
      let c0 = v128.load(kq + 2 * ldm), c1 = v128.load(kq + 2 * ldm, 16), e0 = v128.load(kq + 3 * ldm), e1 = v128.load(kq + 3 * ldm, 16);
      let g = G, y = yq;
      for (let j = 0; j < cols; j++, g += ldm, y += ldk) {
        const g0 = v128.load(g), g1 = v128.load(g, 16);
        const s = vsplatAt<T>(y), t = vsplatAt<T>(y + sz);
        a0 = vmadd<T>(g0, s, a0); a1 = vmadd<T>(g1, s, a1);
        b0 = vmadd<T>(g0, t, b0); b1 = vmadd<T>(g1, t, b1);
        const u = vsplatAt<T>(y + 2 * sz), w = vsplatAt<T>(y + 3 * sz);
        c0 = vmadd<T>(g0, u, c0); c1 = vmadd<T>(g1, u, c1);
        e0 = vmadd<T>(g0, w, e0); e1 = vmadd<T>(g1, w, e1);
      }
      v128.store(kq, a0); v128.store(kq, a1, 16); v128.store(kq + ldm, b0); v128.store(kq + ldm, b1, 16);
      v128.store(kq + 2 * ldm, c0); v128.store(kq + 2 * ldm, c1, 16); v128.store(kq + 3 * ldm, e0); v128.store(kq + 3 * ldm, e1, 16);
    }
  }
  for (; q + 2 <= k; q += 2) {
    const yq = Y + <usize>q * sz, kq = dK + <usize>q * ldm, kq1 = kq + ldm;
    let r = 0;
    for (; r + 4 * V <= m; r += 4 * V) {
      const ro = <usize>r * sz;
      let a0 = v128.load(kq + ro), a1 = v128.load(kq + ro, 16), a2 = v128.load(kq + ro, 32), a3 = v128.load(kq + ro, 48);
      let b0 = v128.load(kq1 + ro), b1 = v128.load(kq1 + ro, 16), b2 = v128.load(kq1 + ro, 32), b3 = v128.load(kq1 + ro, 48);
      let g = G + ro, y = yq;
      for (let j = 0; j < cols; j++, g += ldm, y += ldk) {
        const s = vsplatAt<T>(y), t = vsplatAt<T>(y + sz);
        const g0 = v128.load(g), g1 = v128.load(g, 16), g2 = v128.load(g, 32), g3 = v128.load(g, 48);
        a0 = vmadd<T>(g0, s, a0); a1 = vmadd<T>(g1, s, a1); a2 = vmadd<T>(g2, s, a2); a3 = vmadd<T>(g3, s, a3);
        b0 = vmadd<T>(g0, t, b0); b1 = vmadd<T>(g1, t, b1); b2 = vmadd<T>(g2, t, b2); b3 = vmadd<T>(g3, t, b3);
      }
      v128.store(kq + ro, a0); v128.store(kq + ro, a1, 16); v128.store(kq + ro, a2, 32); v128.store(kq + ro, a3, 48);
      v128.store(kq1 + ro, b0); v128.store(kq1 + ro, b1, 16); v128.store(kq1 + ro, b2, 32); v128.store(kq1 + ro, b3, 48);
    }
    for (; r + 2 * V <= m; r += 2 * V) {
      const ro = <usize>r * sz;
      let a0 = v128.load(kq + ro), a1 = v128.load(kq + ro, 16);
      let b0 = v128.load(kq1 + ro), b1 = v128.load(kq1 + ro, 16);
      let g = G + ro, y = yq;
      for (let j = 0; j < cols; j++, g += ldm, y += ldk) {
        const s = vsplatAt<T>(y), t = vsplatAt<T>(y + sz);
        const g0 = v128.load(g), g1 = v128.load(g, 16);
        a0 = vmadd<T>(g0, s, a0); a1 = vmadd<T>(g1, s, a1);
        b0 = vmadd<T>(g0, t, b0); b1 = vmadd<T>(g1, t, b1);
      }
      v128.store(kq + ro, a0); v128.store(kq + ro, a1, 16);
      v128.store(kq1 + ro, b0); v128.store(kq1 + ro, b1, 16);
    }
    for (; r < m; r += V) {
      const ro = <usize>r * sz;
      let a = v128.load(kq + ro), b = v128.load(kq1 + ro);
      let g = G + ro, y = yq;
      for (let j = 0; j < cols; j++, g += ldm, y += ldk) {
        const gv = v128.load(g);
        a = vmadd<T>(gv, vsplatAt<T>(y), a);
        b = vmadd<T>(gv, vsplatAt<T>(y + sz), b);
      }
      v128.store(kq + ro, a);
      v128.store(kq1 + ro, b);
    }
  }
  for (; q < k; q++) {
    const yq = Y + <usize>q * sz, kq = dK + <usize>q * ldm;
    for (let r = 0; r < m; r += V) {
      const ro = <usize>r * sz;
      let a = v128.load(kq + ro);
      let g = G + ro, y = yq;
      for (let j = 0; j < cols; j++, g += ldm, y += ldk) a = vmadd<T>(v128.load(g), vsplatAt<T>(y), a);
      v128.store(kq + ro, a);
    }
  }
  if (db == 0) return;
  for (let r = 0; r < m; r += V) {
    const ro = <usize>r * sz;
    let a = v128.load(db + ro);
    let g = G + ro;
    for (let j = 0; j < cols; j++, g += ldm) a = vadd<T>(a, v128.load(g));
    v128.store(db + ro, a);
  }
}

/** Input of layer l for chunk `st` (layer 0 reads the data columns at y0). */
// @ts-ignore: decorator
@inline function layerInput<T>(d: usize, st: usize, y0: usize, l: i32, B: i32): usize {
  if (l == 0) return y0;
  return st + <usize>lrec(d, l - 1, L_AOFF) + <usize>lrec(d, l - 1, L_M) * <usize>B * SZ<T>();
}

/** Forward over all layers of one chunk: A_l and Y_{l+1} into the chunk's states. */
function forward<T>(d: usize, st: usize, y0: usize, cols: i32, B: i32): void {
  const L = hdr(d, H_L);
  for (let l = 0; l < L; l++) {
    const m = lrec(d, l, L_M), k = lrec(d, l, L_K);
    const a = st + <usize>lrec(d, l, L_AOFF), yOut = a + <usize>m * <usize>B * SZ<T>();
    const yIn = layerInput<T>(d, st, y0, l, B);
    forwardLayer<T>(a, yOut, <usize>lrec(d, l, L_KP), <usize>lrec(d, l, L_BP), yIn, lrec(d, l, L_RES) != 0, lh(d, l), lrec(d, l, L_ACT), m, k, cols);
  }
}

/**
 * Backward (transpose) recursion of one chunk from W_L in buffer `w` (m_L×cols):
 * the layers' gradients accumulate into the partial at `grad`; `w2` and `G`
 * are scratch of max m × cols. The input gradient of layer 0 is not formed.
 */
function backward<T>(d: usize, st: usize, y0: usize, cols: i32, B: i32, w: usize, w2: usize, G: usize, grad: usize): void {
  const L = hdr(d, H_L), sz = SZ<T>();
  for (let l = L - 1; l >= 0; l--) {
    const m = lrec(d, l, L_M), k = lrec(d, l, L_K);
    const a = st + <usize>lrec(d, l, L_AOFF);
    hadamardRowSums<T>(G, a, w, grad + <usize>lrec(d, l, L_DBOFF) * sz, m, cols);
    gradK<T>(grad + <usize>lrec(d, l, L_GOFF) * sz, 0, G, layerInput<T>(d, st, y0, l, B), m, k, cols);
    if (l == 0) break;
    // W_l = [W_{l+1}] + h_l K_lᵀ G_l (Kᵀ stored k×m).
    const res = lrec(d, l, L_RES) != 0;
    affineCols<T>(w2, <usize>lrec(d, l, L_KT), 0, G, res ? w : 0, res ? lh(d, l) : 1.0, k, m, cols);
    const t = w; w = w2; w2 = t;
  }
}

/**
 * Linearised forward of one chunk for the direction at v (same layout as the
 * gradient): returns the buffer (x1 or x2) holding dZ = dY_L.
 */
function jvp<T>(d: usize, st: usize, y0: usize, cols: i32, B: i32, v: usize, x1: usize, x2: usize): usize {
  const L = hdr(d, H_L), sz = SZ<T>();
  let dy: usize = 0, out = x1;
  for (let l = 0; l < L; l++) {
    const m = lrec(d, l, L_M), k = lrec(d, l, L_K);
    const a = st + <usize>lrec(d, l, L_AOFF);
    // dY_{l+1} = [dY_l] + h_l A_l ∘ (dK_l Y_l + db_l + K_l dY_l).
    const res = lrec(d, l, L_RES) != 0;
    jvpLayer<T>(out, res ? dy : 0, a, layerInput<T>(d, st, y0, l, B), v + <usize>lrec(d, l, L_GOFF) * sz, v + <usize>lrec(d, l, L_DBOFF) * sz,
      <usize>lrec(d, l, L_KP), dy, res ? lh(d, l) : 1.0, m, k, cols);
    dy = out;
    out = out == x1 ? x2 : x1;
  }
  return dy;
}

/** nc rounded up to a multiple of the lanes (the rows of W, S, P as the kernels see them). */
// @ts-ignore: decorator
@inline export function padClasses<T>(nc: i32): i32 {
  const V = LANES<T>();
  return (nc + V - 1) & ~(V - 1);
}

/**
 * Loss part of a forward over one block: S = W_Z Z + w_b (into P, rows padded
 * to ncp), then per column the value m_j + log Σ exp(S − m_j) − cᵀs and the
 * hit (argmax S = argmax C, first maximum) into the partial (in f64),
 * P = softmax(S) in place (pad rows 0). With `dz` ≠ 0 also T = (P − C)/n,
 * the W gradient gW += T Zᵀ, gw_b += rowsums(T), and dz = W_Zᵀ T.
 */
function lossForward<T>(d: usize, st: usize, c0: usize, cols: i32, B: i32, part: usize, dz: usize, T: usize): void {
  const sz = SZ<T>();
  const nc = hdr(d, H_NC), ncp = padClasses<T>(nc), bias = hdr(d, H_BIAS) != 0;
  const L = hdr(d, H_L);
  const m = lrec(d, L - 1, L_M);
  const Z = layerInput<T>(d, st, 0, L, B);
  const P = st + <usize>hdr(d, H_POFF), W = <usize>hdr(d, H_W);
  const wb = W + <usize>(ncp * m) * sz, Wt = wb + <usize>ncp * sz;
  const invN = load<f64>(d + H_INVN);
  affineCols<T>(P, W, bias ? wb : 0, Z, 0, 1.0, ncp, m, cols);
  let value = 0.0, hits = 0.0;
  for (let j = 0; j < cols; j++) {
    const pj = P + <usize>j * <usize>ncp * sz, cj = c0 + <usize>j * <usize>nc * sz;
    let mx = -Infinity;
    let bs = 0, bc = 0;
    for (let i = 0; i < nc; i++) {
      const si = <f64>load<T>(pj + <usize>i * sz);
      if (si > mx) mx = si;
      if (i > 0) {
        if (si > <f64>load<T>(pj + <usize>bs * sz)) bs = i;
        if (load<T>(cj + <usize>i * sz) > load<T>(cj + <usize>bc * sz)) bc = i;
      }
    }
    if (bs == bc) hits += 1.0;
    let zsum = 0.0, cs = 0.0;
    for (let i = 0; i < nc; i++) {
      const pi = pj + <usize>i * sz;
      const si = <f64>load<T>(pi);
      cs += <f64>load<T>(cj + <usize>i * sz) * si;
      const e = Math.exp(si - mx);
      store<T>(pi, <T>e);
      zsum += e;
    }
    const inv = 1.0 / zsum;
    for (let i = 0; i < nc; i++) {
      const pi = pj + <usize>i * sz;
      store<T>(pi, <T>(<f64>load<T>(pi) * inv));
    }
    for (let i = nc; i < ncp; i++) store<T>(pj + <usize>i * sz, <T>0);
    value += mx + Math.log(zsum) - cs;
    if (dz == 0) continue;
    const tj = T + <usize>j * <usize>ncp * sz;
    for (let i = 0; i < nc; i++) store<T>(tj + <usize>i * sz, <T>((<f64>load<T>(pj + <usize>i * sz) - <f64>load<T>(cj + <usize>i * sz)) * invN));
    for (let i = nc; i < ncp; i++) store<T>(tj + <usize>i * sz, <T>0);
  }
  store<f64>(part, load<f64>(part) + value);
  store<f64>(part, load<f64>(part, 8) + hits, 8);
  if (dz == 0) return;
  const gW = part + PART_GRAD + <usize>hdr(d, H_GW) * sz;
  gradK<T>(gW, gW + <usize>(ncp * m) * sz, T, Z, ncp, m, cols);
  affineCols<T>(dz, Wt, 0, T, 0, 1.0, m, ncp, cols);
}

/** T ← ∇²_S E T column by column: p ∘ (t − pᵀt)/n (pad rows stay 0). */
function softmaxHessCols<T>(T: usize, P: usize, nc: i32, ncp: i32, invN: f64, cols: i32): void {
  const sz = SZ<T>();
  for (let j = 0; j < cols; j++) {
    const tj = T + <usize>j * <usize>ncp * sz, pj = P + <usize>j * <usize>ncp * sz;
    let pv = 0.0;
    for (let i = 0; i < nc; i++) pv += <f64>load<T>(pj + <usize>i * sz) * <f64>load<T>(tj + <usize>i * sz);
    for (let i = 0; i < nc; i++) {
      const ti = tj + <usize>i * sz;
      store<T>(ti, <T>(<f64>load<T>(pj + <usize>i * sz) * (<f64>load<T>(ti) - pv) * invN));
    }
  }
}

/**
 * Loss part of a Gauss-Newton mat-vec over one block, in place on dz
 * (m_L×cols): T = W_Z dz (+ vW [Z; 1] when `full`), T ← ∇²_S E T,
 * dz ← W_Zᵀ T; the W block (T [Z; 1]ᵀ, with block-diagonal coupling from its
 * own T2 = ∇²_S E vW [Z; 1]) accumulates into the partial.
 */
function lossGN<T>(d: usize, st: usize, cols: i32, B: i32, part: usize, dz: usize, T: usize, T2: usize, full: bool): void {
  const sz = SZ<T>();
  const nc = hdr(d, H_NC), ncp = padClasses<T>(nc), bias = hdr(d, H_BIAS) != 0;
  const L = hdr(d, H_L);
  const m = lrec(d, L - 1, L_M);
  const Z = layerInput<T>(d, st, 0, L, B);
  const P = st + <usize>hdr(d, H_POFF), W = <usize>hdr(d, H_W);
  const Wt = W + <usize>(ncp * m + ncp) * sz;
  const off = <usize>hdr(d, H_GW) * sz;
  const gW = part + PART_GRAD + off, vW = <usize>hdr(d, H_V) + off;
  const gWb = gW + <usize>(ncp * m) * sz, vWb = vW + <usize>(ncp * m) * sz;
  const invN = load<f64>(d + H_INVN);
  affineCols<T>(T, W, 0, dz, 0, 1.0, ncp, m, cols);
  if (full) affineCols<T>(T, vW, bias ? vWb : 0, Z, T, 1.0, ncp, m, cols);
  softmaxHessCols<T>(T, P, nc, ncp, invN, cols);
  affineCols<T>(dz, Wt, 0, T, 0, 1.0, m, ncp, cols);
  if (full) {
    gradK<T>(gW, gWb, T, Z, ncp, m, cols);
    return;
  }
  affineCols<T>(T2, vW, bias ? vWb : 0, Z, 0, 1.0, ncp, m, cols);
  softmaxHessCols<T>(T2, P, nc, ncp, invN, cols);
  gradK<T>(gW, gWb, T2, Z, ncp, m, cols);
}

/** One column block c of a pass (see the file comment for the bits of `mode`). */
function runChunk<T>(d: usize, mode: i32, c: i32): void {
  const sz = SZ<T>();
  const n = hdr(d, H_N), B = hdr(d, H_B), nIn = hdr(d, H_NIN), nc = hdr(d, H_NC);
  const col0 = c * B;
  const cols = min(B, n - col0);
  if (cols <= 0) return;
  const st = <usize>hdr(d, H_STATES) + <usize>c * <usize>hdr(d, H_CHUNK);
  const part = <usize>hdr(d, H_PART) + <usize>c * <usize>hdr(d, H_PARTBYTES);
  const scr = <usize>hdr(d, H_SCR) + <usize>c * <usize>hdr(d, H_SCRBYTES);
  const buf = <usize>hdr(d, H_MAXM) * <usize>B * sz, sbuf = <usize>padClasses<T>(nc) * <usize>B * sz;
  const x1 = scr, x2 = scr + buf, G = x2 + buf, T = G + buf, T2 = T + sbuf;
  const y0 = <usize>hdr(d, H_Y) + <usize>col0 * <usize>nIn * sz;
  const L = hdr(d, H_L);
  const mL = lrec(d, L - 1, L_M);
  const io = <usize>hdr(d, H_IO) + <usize>col0 * <usize>mL * sz;
  if ((mode & (LOSS | GRAD | VJP | GN)) != 0) memory.fill(part, 0, <usize>hdr(d, H_PARTBYTES));
  if ((mode & FWD) != 0) forward<T>(d, st, y0, cols, B);
  if ((mode & LOSS) != 0) {
    const c0 = <usize>hdr(d, H_C) + <usize>col0 * <usize>nc * sz;
    lossForward<T>(d, st, c0, cols, B, part, (mode & GRAD) != 0 ? x1 : 0, T);
    if ((mode & GRAD) != 0) backward<T>(d, st, y0, cols, B, x1, x2, G, part + PART_GRAD);
  }
  if ((mode & (JVP | GN)) != 0) {
    const dz = jvp<T>(d, st, y0, cols, B, <usize>hdr(d, H_V), x1, x2);
    if ((mode & GN) != 0) {
      lossGN<T>(d, st, cols, B, part, dz, T, T2, (mode & FULL) != 0);
      backward<T>(d, st, y0, cols, B, dz, dz == x1 ? x2 : x1, G, part + PART_GRAD);
    } else {
      memory.copy(io, dz, <usize>mL * <usize>cols * sz);
    }
  }
  if ((mode & VJP) != 0) {
    memory.copy(x1, io, <usize>mL * <usize>cols * sz);
    backward<T>(d, st, y0, cols, B, x1, x2, G, part + PART_GRAD);
  }
}

/**
 * Run column blocks c0 … c0+count−1 of a whole-network pass described at
 * `desc` (src/engine/workspace.ts), in float64. `mode` bits: 1 forward,
 * 2 loss value (and P), 4 gradient, 8 jvp (dZ to the io buffer), 16 vjp (dZ
 * from the io buffer), 32 Gauss-Newton mat-vec, 64 full (θ, W) coupling in it.
 */
export function netChunks(desc: usize, mode: i32, c0: i32, count: i32): void {
  for (let c = c0; c < c0 + count; c++) runChunk<f64>(desc, mode, c);
}

/**
 * {@link netChunks} in float32: states, parameters as the kernel reads them,
 * products and per-block partial gradients in single precision (rows padded
 * to multiples of 4, f32x4 lanes); the loss value and hit count in double.
 */
export function netChunks32(desc: usize, mode: i32, c0: i32, count: i32): void {
  for (let c = c0; c < c0 + count; c++) runChunk<f32>(desc, mode, c);
}

/**
 * Sum the gradient parts of the per-block partial sums in block order, in
 * double: out[i] = part_0[i] + part_1[i] + … + part_{blocks−1}[i] (i < len),
 * the parts `stride` bytes apart from `part` (elements of T; f32 parts are
 * widened exactly before the additions). The order of the additions is fixed
 * by the block order alone, so the result does not depend on which thread
 * ran which block. Two vectors of out per sweep over the blocks.
 */
function reduceParts<T>(out: usize, part: usize, stride: usize, blocks: i32, len: i32): void {
  let i = 0;
  if (sizeof<T>() == 8) {
    for (; i + 4 <= len; i += 4) {
      const o = <usize>i << 3;
      let a = v128.load(part + o), b = v128.load(part + o, 16);
      for (let c = 1; c < blocks; c++) {
        const q = part + <usize>c * stride + o;
        a = f64x2.add(a, v128.load(q));
        b = f64x2.add(b, v128.load(q, 16));
      }
      v128.store(out + o, a);
      v128.store(out + o, b, 16);
    }
  } else {
    for (; i + 4 <= len; i += 4) {
      const o = <usize>i << 2;
      const v = v128.load(part + o);
      let a = f64x2.promote_low_f32x4(v), b = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
      for (let c = 1; c < blocks; c++) {
        const w = v128.load(part + <usize>c * stride + o);
        a = f64x2.add(a, f64x2.promote_low_f32x4(w));
        b = f64x2.add(b, f64x2.promote_low_f32x4(i32x4.shuffle(w, w, 2, 3, 0, 1)));
      }
      v128.store(out + (<usize>i << 3), a);
      v128.store(out + (<usize>i << 3), b, 16);
    }
  }
  for (; i < len; i++) {
    let a = <f64>load<T>(part + <usize>i * SZ<T>());
    for (let c = 1; c < blocks; c++) a += <f64>load<T>(part + <usize>c * stride + <usize>i * SZ<T>());
    store<f64>(out + (<usize>i << 3), a);
  }
}

/**
 * The sum over blocks 0 … blocks−1 of the partial gradients (or mat-vecs) of
 * the last pass, in block order, as float64 at `out` (the workspace's
 * gradLength entries): the reduction of src/engine/workspace.ts.
 */
export function netReduce(desc: usize, blocks: i32, out: usize, len: i32): void {
  reduceParts<f64>(out, <usize>hdr(desc, H_PART) + PART_GRAD, <usize>hdr(desc, H_PARTBYTES), blocks, len);
}

/** {@link netReduce} for float32 partial sums (summed in double). */
export function netReduce32(desc: usize, blocks: i32, out: usize, len: i32): void {
  reduceParts<f32>(out, <usize>hdr(desc, H_PART) + PART_GRAD, <usize>hdr(desc, H_PARTBYTES), blocks, len);
}

// Parameters in, gradients out: the maps between x = [θ; vec W] (float64, the
// optimizer's layout) and the kernels' layout (padded K, Kᵀ, b expanded per
// row, W_Z, w_b, W_Zᵀ, in the element type), so that JavaScript copies x in
// and the gradient out once per call instead of looping over every layer.

/** b_l expanded to one entry per row (rows < m; pad rows are never written and stay 0). */
// @ts-ignore: decorator
@inline function expandBias<T>(dst: usize, x: usize, o: i32, m: i32, kind: i32): void {
  for (let r = 0; r < m; r++) {
    const v = kind == 2 ? load<f64>(x + (<usize>(o + r) << 3)) : kind == 1 ? load<f64>(x + (<usize>o << 3)) : 0.0;
    store<T>(dst + <usize>r * SZ<T>(), <T>v);
  }
}

/**
 * W (nc × nW column-major in x from element `o`) into the padded layout at dst: W_Z (ncp × mp),
 * w_b (ncp; 0 without the bias column) and, when `wt` ≠ 0, W_Zᵀ (mp × ncp) there.
 */
function writeW<T>(d: usize, dst: usize, wt: usize, x: usize, o: i32): void {
  const nc = hdr(d, H_NC), ncp = padClasses<T>(nc), L = hdr(d, H_L);
  const m = lrec(d, L - 1, L_MT), mp = lrec(d, L - 1, L_M), sz = SZ<T>();
  for (let q = 0; q < m; q++) {
    for (let i = 0; i < nc; i++) {
      const w = <T>load<f64>(x + (<usize>(o + q * nc + i) << 3));
      store<T>(dst + <usize>(q * ncp + i) * sz, w);
      if (wt != 0) store<T>(wt + <usize>(i * mp + q) * sz, w);
    }
  }
  const bias = hdr(d, H_BIAS) != 0;
  for (let i = 0; i < nc; i++) store<T>(dst + <usize>(ncp * mp + i) * sz, <T>(bias ? load<f64>(x + (<usize>(o + m * nc + i) << 3)) : 0.0));
}

/**
 * The parameters x (float64: θ, then W from element nTheta when withW) into
 * the kernels' layout: K_l and K_lᵀ padded, b_l expanded, and W.
 */
function setParams<T>(d: usize, x: usize, nTheta: i32, withW: bool): void {
  const L = hdr(d, H_L), sz = SZ<T>();
  for (let l = 0; l < L; l++) {
    const m = lrec(d, l, L_MT), k = lrec(d, l, L_KTRUE), mp = lrec(d, l, L_M), kp = lrec(d, l, L_K), o = lrec(d, l, L_TOFF);
    const K = <usize>lrec(d, l, L_KP), Kt = <usize>lrec(d, l, L_KT);
    for (let q = 0; q < k; q++) {
      for (let r = 0; r < m; r++) {
        const v = <T>load<f64>(x + (<usize>(o + r + q * m) << 3));
        store<T>(K + <usize>(r + q * mp) * sz, v);
        store<T>(Kt + <usize>(q + r * kp) * sz, v);
      }
    }
    expandBias<T>(<usize>lrec(d, l, L_BP), x, o + m * k, m, lrec(d, l, L_BK));
  }
  if (!withW || hdr(d, H_NC) == 0) return;
  const W = <usize>hdr(d, H_W), ncp = padClasses<T>(hdr(d, H_NC)), mp = lrec(d, L - 1, L_M);
  writeW<T>(d, W, W + <usize>(ncp * mp + ncp) * sz, x, nTheta);
}

/** A direction v (float64, the layout of x) into the kernels' layout of the direction (dK, db per layer, then W). */
function setDirection<T>(d: usize, v: usize, nTheta: i32, withW: bool): void {
  const L = hdr(d, H_L), sz = SZ<T>(), V = <usize>hdr(d, H_V);
  for (let l = 0; l < L; l++) {
    const m = lrec(d, l, L_MT), k = lrec(d, l, L_KTRUE), mp = lrec(d, l, L_M), o = lrec(d, l, L_TOFF);
    const g = V + <usize>lrec(d, l, L_GOFF) * sz;
    for (let q = 0; q < k; q++) for (let r = 0; r < m; r++) store<T>(g + <usize>(r + q * mp) * sz, <T>load<f64>(v + (<usize>(o + r + q * m) << 3)));
    expandBias<T>(V + <usize>lrec(d, l, L_DBOFF) * sz, v, o + m * k, m, lrec(d, l, L_BK));
  }
  if (withW && hdr(d, H_NC) != 0) writeW<T>(d, V + <usize>hdr(d, H_GW) * sz, 0, v, nTheta);
}

/**
 * The summed gradient (or mat-vec) `sum` (float64, the kernels' layout, from
 * netReduce) into the layout of x at out (float64, nTheta + nc·nW entries,
 * zeroed first): residual layers' parts times h, a scalar bias's row entries
 * summed in row order, W unpadded.
 */
function gather(d: usize, sum: usize, out: usize, nTheta: i32, nOut: i32, ncp: i32): void {
  memory.fill(out, 0, <usize>nOut << 3);
  const L = hdr(d, H_L);
  for (let l = 0; l < L; l++) {
    const m = lrec(d, l, L_MT), k = lrec(d, l, L_KTRUE), mp = lrec(d, l, L_M), o = lrec(d, l, L_TOFF);
    const s = lrec(d, l, L_RES) != 0 ? lh(d, l) : 1.0;
    const g = sum + (<usize>lrec(d, l, L_GOFF) << 3), db = sum + (<usize>lrec(d, l, L_DBOFF) << 3);
    for (let q = 0; q < k; q++) for (let r = 0; r < m; r++) store<f64>(out + (<usize>(o + r + q * m) << 3), s * load<f64>(g + (<usize>(r + q * mp) << 3)));
    const bo = out + (<usize>(o + m * k) << 3), kind = lrec(d, l, L_BK);
    if (kind == 2) for (let r = 0; r < m; r++) store<f64>(bo + (<usize>r << 3), s * load<f64>(db + (<usize>r << 3)));
    else if (kind == 1) {
      let t = 0.0;
      for (let r = 0; r < m; r++) t += load<f64>(db + (<usize>r << 3));
      store<f64>(bo, s * t);
    }
  }
  const nc = hdr(d, H_NC);
  if (nc == 0) return;
  const m = lrec(d, L - 1, L_MT), mp = lrec(d, L - 1, L_M), gw = sum + (<usize>hdr(d, H_GW) << 3);
  for (let q = 0; q < m; q++) for (let i = 0; i < nc; i++) store<f64>(out + (<usize>(nTheta + q * nc + i) << 3), load<f64>(gw + (<usize>(q * ncp + i) << 3)));
  if (hdr(d, H_BIAS) != 0) for (let i = 0; i < nc; i++) store<f64>(out + (<usize>(nTheta + m * nc + i) << 3), load<f64>(gw + (<usize>(ncp * mp + i) << 3)));
}

/** x (float64 at `x`: θ, then W from element nTheta when withW ≠ 0) into the float64 kernels' layout. */
export function netParams(desc: usize, x: usize, nTheta: i32, withW: i32): void {
  setParams<f64>(desc, x, nTheta, withW != 0);
}

/** {@link netParams} for a float32 workspace. */
export function netParams32(desc: usize, x: usize, nTheta: i32, withW: i32): void {
  setParams<f32>(desc, x, nTheta, withW != 0);
}

/** A direction in x's layout (float64) into the float64 kernels' direction. */
export function netDirection(desc: usize, v: usize, nTheta: i32, withW: i32): void {
  setDirection<f64>(desc, v, nTheta, withW != 0);
}

/** {@link netDirection} for a float32 workspace. */
export function netDirection32(desc: usize, v: usize, nTheta: i32, withW: i32): void {
  setDirection<f32>(desc, v, nTheta, withW != 0);
}

/**
 * The sum over blocks (netReduce's float64 output at `sum`) mapped into x's
 * layout at `out` (nOut float64 entries); `f32` ≠ 0 for a float32 workspace
 * (only the padding of the classes differs).
 */
export function netGather(desc: usize, sum: usize, out: usize, nTheta: i32, nOut: i32, f32: i32): void {
  gather(desc, sum, out, nTheta, nOut, f32 != 0 ? padClasses<f32>(hdr(desc, H_NC)) : padClasses<f64>(hdr(desc, H_NC)));
}
