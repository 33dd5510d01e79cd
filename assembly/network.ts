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
// i32 words, see the H_* and L_* constants): rows of every layer are padded to
// an even count (pad rows of K, b and W are zero, so pad rows of the states
// stay 0 and contribute nothing), so a column of m rows is m/2 whole f64x2
// vectors. Every multiply-add goes through madd64 (FMA in the relaxed-SIMD build).

import { madd64 } from './simd';
import { tanhParts } from './activations';

// Descriptor header (i32 words).
const H_L = 0, H_NIN = 1, H_NC = 2, H_BIAS = 3, H_N = 4, H_B = 5, H_Y = 6, H_C = 7, H_W = 8,
  H_STATES = 9, H_CHUNK = 10, H_PART = 11, H_PARTBYTES = 12, H_V = 13, H_IO = 14, H_SCR = 15,
  H_SCRBYTES = 16, H_MAXM = 17, H_POFF = 18, H_GW = 19, H_WLD = 20;
/** Byte offset of the f64 1/n in the descriptor. */
const H_INVN = 96;
/** Byte offset of the first layer record, and the record size. */
const LAYERS = 128, LREC = 64;
// Layer record (i32 words, then h as f64 at byte 48).
const L_M = 0, L_K = 1, L_ACT = 2, L_RES = 3, L_KP = 4, L_KT = 5, L_BP = 6, L_AOFF = 7, L_GOFF = 8, L_DBOFF = 9;
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

/**
 * out_j = D_j + h·(M x_j + bias), j < cols (D = 0: no D term; bias = 0: none);
 * M rows×inner column-major, rows even; out may be D.
 */
function affineCols(out: usize, M: usize, bias: usize, x: usize, D: usize, h: f64, rows: i32, inner: i32, cols: i32): void {
  const ldr = <usize>rows << 3, ldi = <usize>inner << 3;
  const hv = f64x2.splat(h), zero = f64x2.splat(0);
  for (let j = 0; j < cols; j++) {
    const xj = x + <usize>j * ldi, oj = out + <usize>j * ldr, dj = D + <usize>j * ldr;
    let r = 0;
    for (; r + 8 <= rows; r += 8) {
      const ro = <usize>r << 3;
      let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
      if (bias != 0) {
        a0 = v128.load(bias + ro); a1 = v128.load(bias + ro, 16); a2 = v128.load(bias + ro, 32); a3 = v128.load(bias + ro, 48);
      }
      let mp = M + ro;
      for (let q = 0; q < inner; q++, mp += ldr) {
        const s = f64x2.splat(load<f64>(xj + (<usize>q << 3)));
        a0 = madd64(v128.load(mp), s, a0);
        a1 = madd64(v128.load(mp, 16), s, a1);
        a2 = madd64(v128.load(mp, 32), s, a2);
        a3 = madd64(v128.load(mp, 48), s, a3);
      }
      if (D != 0) {
        a0 = madd64(hv, a0, v128.load(dj + ro)); a1 = madd64(hv, a1, v128.load(dj + ro, 16));
        a2 = madd64(hv, a2, v128.load(dj + ro, 32)); a3 = madd64(hv, a3, v128.load(dj + ro, 48));
      } else if (h != 1.0) {
        a0 = f64x2.mul(hv, a0); a1 = f64x2.mul(hv, a1); a2 = f64x2.mul(hv, a2); a3 = f64x2.mul(hv, a3);
      }
      v128.store(oj + ro, a0); v128.store(oj + ro, a1, 16); v128.store(oj + ro, a2, 32); v128.store(oj + ro, a3, 48);
    }
    for (; r < rows; r += 2) {
      const ro = <usize>r << 3;
      let a = bias != 0 ? v128.load(bias + ro) : zero;
      let mp = M + ro;
      for (let q = 0; q < inner; q++, mp += ldr) a = madd64(v128.load(mp), f64x2.splat(load<f64>(xj + (<usize>q << 3))), a);
      if (D != 0) a = madd64(hv, a, v128.load(dj + ro));
      else if (h != 1.0) a = f64x2.mul(hv, a);
      v128.store(oj + ro, a);
    }
  }
}

/**
 * The activation over `count` entries (even): z (in place) becomes σ'(z), and
 * yOut = σ(z), or yIn + h·σ(z) when yIn ≠ 0. act: 0 identity, 1 tanh, 2 ReLU.
 */
function activate(z: usize, yOut: usize, yIn: usize, h: f64, act: i32, count: i32): void {
  const hv = f64x2.splat(h), one = f64x2.splat(1.0), zero = f64x2.splat(0.0);
  const end = z + (<usize>count << 3);
  let p = z, o = yOut, y = yIn;
  if (act == 1) {
    // Four independent tanh vectors per iteration (their polynomial chains overlap).
    for (; p + 64 <= end; p += 64, o += 64, y += 64) {
      const v0 = tanhParts(v128.load(p), p, true);
      const v1 = tanhParts(v128.load(p, 16), p + 16, true);
      const v2 = tanhParts(v128.load(p, 32), p + 32, true);
      const v3 = tanhParts(v128.load(p, 48), p + 48, true);
      if (yIn != 0) {
        v128.store(o, madd64(hv, v0, v128.load(y))); v128.store(o, madd64(hv, v1, v128.load(y, 16)), 16);
        v128.store(o, madd64(hv, v2, v128.load(y, 32)), 32); v128.store(o, madd64(hv, v3, v128.load(y, 48)), 48);
      } else {
        v128.store(o, v0); v128.store(o, v1, 16); v128.store(o, v2, 32); v128.store(o, v3, 48);
      }
    }
  }
  for (; p < end; p += 16, o += 16, y += 16) {
    const x = v128.load(p);
    let v = x;
    if (act == 1) {
      v = tanhParts(x, p, true);
    } else if (act == 2) {
      const pos = f64x2.gt(x, zero);
      v = v128.and(x, pos);
      v128.store(p, v128.and(one, pos));
    } else {
      v128.store(p, one);
    }
    v128.store(o, yIn != 0 ? madd64(hv, v, v128.load(y)) : v);
  }
}

/** out = a ∘ w over `count` entries (even). */
function hadamard(out: usize, a: usize, w: usize, count: i32): void {
  const end = <usize>count << 3;
  for (let o: usize = 0; o < end; o += 16) v128.store(out + o, f64x2.mul(v128.load(a + o), v128.load(w + o)));
}

/** out = D + h·(A ∘ T) (D = 0: h·(A ∘ T)) over `count` entries (even); out may be D or T. */
function jvpUpdate(out: usize, D: usize, A: usize, T: usize, h: f64, count: i32): void {
  const end = <usize>count << 3;
  const hv = f64x2.splat(h);
  for (let o: usize = 0; o < end; o += 16) {
    const t = f64x2.mul(v128.load(A + o), v128.load(T + o));
    v128.store(out + o, D != 0 ? madd64(hv, t, v128.load(D + o)) : f64x2.mul(hv, t));
  }
}

/** dK += G Yᵀ (m×k), db += rowsums(G) (m) over `cols` columns; G m×cols, Y k×cols. */
function gradK(dK: usize, db: usize, G: usize, Y: usize, m: i32, k: i32, cols: i32): void {
  const ldm = <usize>m << 3, ldk = <usize>k << 3;
  for (let q = 0; q < k; q++) {
    const yq = Y + (<usize>q << 3), kq = dK + <usize>q * ldm;
    let r = 0;
    for (; r + 8 <= m; r += 8) {
      const ro = <usize>r << 3;
      let a0 = v128.load(kq + ro), a1 = v128.load(kq + ro, 16), a2 = v128.load(kq + ro, 32), a3 = v128.load(kq + ro, 48);
      let g = G + ro, y = yq;
      for (let j = 0; j < cols; j++, g += ldm, y += ldk) {
        const s = f64x2.splat(load<f64>(y));
        a0 = madd64(v128.load(g), s, a0);
        a1 = madd64(v128.load(g, 16), s, a1);
        a2 = madd64(v128.load(g, 32), s, a2);
        a3 = madd64(v128.load(g, 48), s, a3);
      }
      v128.store(kq + ro, a0); v128.store(kq + ro, a1, 16); v128.store(kq + ro, a2, 32); v128.store(kq + ro, a3, 48);
    }
    for (; r < m; r += 2) {
      const ro = <usize>r << 3;
      let a = v128.load(kq + ro);
      let g = G + ro, y = yq;
      for (let j = 0; j < cols; j++, g += ldm, y += ldk) a = madd64(v128.load(g), f64x2.splat(load<f64>(y)), a);
      v128.store(kq + ro, a);
    }
  }
  for (let r = 0; r < m; r += 2) {
    const ro = <usize>r << 3;
    let a = v128.load(db + ro);
    let g = G + ro;
    for (let j = 0; j < cols; j++, g += ldm) a = f64x2.add(a, v128.load(g));
    v128.store(db + ro, a);
  }
}

/** Input of layer l for chunk `st` (layer 0 reads the data columns at y0). */
// @ts-ignore: decorator
@inline function layerInput(d: usize, st: usize, y0: usize, l: i32, B: i32): usize {
  if (l == 0) return y0;
  return st + <usize>lrec(d, l - 1, L_AOFF) + <usize>lrec(d, l - 1, L_M) * <usize>B * 8;
}

/** Forward over all layers of one chunk: A_l and Y_{l+1} into the chunk's states. */
function forward(d: usize, st: usize, y0: usize, cols: i32, B: i32): void {
  const L = hdr(d, H_L);
  for (let l = 0; l < L; l++) {
    const m = lrec(d, l, L_M), k = lrec(d, l, L_K);
    const a = st + <usize>lrec(d, l, L_AOFF), yOut = a + <usize>m * <usize>B * 8;
    const yIn = layerInput(d, st, y0, l, B);
    affineCols(a, <usize>lrec(d, l, L_KP), <usize>lrec(d, l, L_BP), yIn, 0, 1.0, m, k, cols);
    activate(a, yOut, lrec(d, l, L_RES) != 0 ? yIn : 0, lh(d, l), lrec(d, l, L_ACT), m * cols);
  }
}

/**
 * Backward (transpose) recursion of one chunk from W_L in buffer `w` (m_L×cols):
 * the layers' gradients accumulate into the partial at `grad`; `w2` and `G`
 * are scratch of max m × cols. The input gradient of layer 0 is not formed.
 */
function backward(d: usize, st: usize, y0: usize, cols: i32, B: i32, w: usize, w2: usize, G: usize, grad: usize): void {
  const L = hdr(d, H_L);
  for (let l = L - 1; l >= 0; l--) {
    const m = lrec(d, l, L_M), k = lrec(d, l, L_K);
    const a = st + <usize>lrec(d, l, L_AOFF);
    hadamard(G, a, w, m * cols);
    gradK(grad + (<usize>lrec(d, l, L_GOFF) << 3), grad + (<usize>lrec(d, l, L_DBOFF) << 3), G, layerInput(d, st, y0, l, B), m, k, cols);
    if (l == 0) break;
    // W_l = [W_{l+1}] + h_l K_lᵀ G_l (Kᵀ stored k×m).
    const res = lrec(d, l, L_RES) != 0;
    affineCols(w2, <usize>lrec(d, l, L_KT), 0, G, res ? w : 0, res ? lh(d, l) : 1.0, k, m, cols);
    const t = w; w = w2; w2 = t;
  }
}

/**
 * Linearised forward of one chunk for the direction at v (same layout as the
 * gradient): returns the buffer (x1 or x2) holding dZ = dY_L; G is scratch.
 */
function jvp(d: usize, st: usize, y0: usize, cols: i32, B: i32, v: usize, x1: usize, x2: usize, G: usize): usize {
  const L = hdr(d, H_L);
  let dy: usize = 0, out = x1;
  for (let l = 0; l < L; l++) {
    const m = lrec(d, l, L_M), k = lrec(d, l, L_K);
    const a = st + <usize>lrec(d, l, L_AOFF);
    // T = dK_l Y_l + db_l + K_l dY_l.
    affineCols(G, v + (<usize>lrec(d, l, L_GOFF) << 3), v + (<usize>lrec(d, l, L_DBOFF) << 3), layerInput(d, st, y0, l, B), 0, 1.0, m, k, cols);
    if (dy != 0) affineCols(G, <usize>lrec(d, l, L_KP), 0, dy, G, 1.0, m, k, cols);
    const res = lrec(d, l, L_RES) != 0;
    jvpUpdate(out, res ? dy : 0, a, G, res ? lh(d, l) : 1.0, m * cols);
    dy = out;
    out = out == x1 ? x2 : x1;
  }
  return dy;
}

/**
 * Loss part of a forward: S = W [Z; 1], P = softmax(S) (stored), the value
 * m_j + log Σ exp(S − m_j) − cᵀs and the hit count (argmax S = argmax C, first
 * maximum) into part; with `dz` ≠ 0 also g = (p − c)/n: gW += g [z; 1]ᵀ and
 * dz = W_Zᵀ g.
 */
function lossForward(d: usize, st: usize, c0: usize, cols: i32, B: i32, part: usize, dz: usize, s: usize): void {
  const nc = hdr(d, H_NC), bias = hdr(d, H_BIAS) != 0, ld = hdr(d, H_WLD);
  const L = hdr(d, H_L);
  const m = lrec(d, L - 1, L_M);
  const Z = layerInput(d, st, 0, L, B);
  const P = st + <usize>hdr(d, H_POFF), W = <usize>hdr(d, H_W);
  const gW = part + PART_GRAD + (<usize>hdr(d, H_GW) << 3);
  const invN = load<f64>(d + H_INVN);
  const wb = W + <usize>m * <usize>ld * 8;
  let value = 0.0, hits = 0.0;
  for (let j = 0; j < cols; j++) {
    const zj = Z + <usize>j * <usize>m * 8, pj = P + <usize>j * <usize>nc * 8, cj = c0 + <usize>j * <usize>nc * 8;
    // s = W_Z z + w_b
    for (let i = 0; i < nc; i++) store<f64>(s + (<usize>i << 3), bias ? load<f64>(wb + (<usize>i << 3)) : 0.0);
    for (let q = 0; q < m; q++) {
      const zq = load<f64>(zj + (<usize>q << 3));
      const wq = W + <usize>q * <usize>ld * 8;
      for (let i = 0; i < nc; i++) {
        const si = s + (<usize>i << 3);
        store<f64>(si, load<f64>(si) + load<f64>(wq + (<usize>i << 3)) * zq);
      }
    }
    let mx = -Infinity;
    let bs = 0, bc = 0;
    for (let i = 0; i < nc; i++) {
      const si = load<f64>(s + (<usize>i << 3));
      if (si > mx) mx = si;
      if (i > 0) {
        if (si > load<f64>(s + (<usize>bs << 3))) bs = i;
        if (load<f64>(cj + (<usize>i << 3)) > load<f64>(cj + (<usize>bc << 3))) bc = i;
      }
    }
    if (bs == bc) hits += 1.0;
    let zsum = 0.0;
    for (let i = 0; i < nc; i++) {
      const e = Math.exp(load<f64>(s + (<usize>i << 3)) - mx);
      store<f64>(pj + (<usize>i << 3), e);
      zsum += e;
    }
    const inv = 1.0 / zsum;
    let cs = 0.0;
    for (let i = 0; i < nc; i++) {
      const pi = pj + (<usize>i << 3);
      store<f64>(pi, load<f64>(pi) * inv);
      cs += load<f64>(cj + (<usize>i << 3)) * load<f64>(s + (<usize>i << 3));
    }
    value += mx + Math.log(zsum) - cs;
    if (dz == 0) continue;
    // g = (p − c)/n (kept in s), gW += g [z; 1]ᵀ, dz = W_Zᵀ g.
    for (let i = 0; i < nc; i++) store<f64>(s + (<usize>i << 3), (load<f64>(pj + (<usize>i << 3)) - load<f64>(cj + (<usize>i << 3))) * invN);
    outerAndBack(W, gW, s, zj, dz + <usize>j * <usize>m * 8, nc, m, ld, bias);
  }
  store<f64>(part, load<f64>(part) + value);
  store<f64>(part, load<f64>(part, 8) + hits, 8);
}

/** gW += g [z; 1]ᵀ (when gW ≠ 0) and dz = W_Zᵀ g (when dz ≠ 0), one column; g at s (nc). */
function outerAndBack(W: usize, gW: usize, s: usize, zj: usize, dz: usize, nc: i32, m: i32, ld: i32, bias: bool): void {
  for (let q = 0; q < m; q++) {
    const zq = load<f64>(zj + (<usize>q << 3));
    const wq = W + <usize>q * <usize>ld * 8, gq = gW + <usize>q * <usize>ld * 8;
    let acc = 0.0;
    for (let i = 0; i < nc; i++) {
      const gi = load<f64>(s + (<usize>i << 3));
      if (gW != 0) store<f64>(gq + (<usize>i << 3), load<f64>(gq + (<usize>i << 3)) + gi * zq);
      acc += load<f64>(wq + (<usize>i << 3)) * gi;
    }
    if (dz != 0) store<f64>(dz + (<usize>q << 3), acc);
  }
  if (bias && gW != 0) {
    const gb = gW + <usize>m * <usize>ld * 8;
    for (let i = 0; i < nc; i++) store<f64>(gb + (<usize>i << 3), load<f64>(gb + (<usize>i << 3)) + load<f64>(s + (<usize>i << 3)));
  }
}

/** t ← ∇²_S E t for one column: p ∘ (t − pᵀt)/n. */
// @ts-ignore: decorator
@inline function softmaxHess(t: usize, pj: usize, nc: i32, invN: f64): void {
  let pv = 0.0;
  for (let i = 0; i < nc; i++) pv += load<f64>(pj + (<usize>i << 3)) * load<f64>(t + (<usize>i << 3));
  for (let i = 0; i < nc; i++) {
    const ti = t + (<usize>i << 3);
    store<f64>(ti, load<f64>(pj + (<usize>i << 3)) * (load<f64>(ti) - pv) * invN);
  }
}

/** dS = vW [z; 1] for one column into s (accumulated when `add`). */
function scoresOfW(s: usize, vW: usize, zj: usize, nc: i32, m: i32, ld: i32, bias: bool, add: bool): void {
  for (let i = 0; i < nc; i++) {
    const si = s + (<usize>i << 3);
    const b = bias ? load<f64>(vW + <usize>m * <usize>ld * 8 + (<usize>i << 3)) : 0.0;
    store<f64>(si, add ? load<f64>(si) + b : b);
  }
  for (let q = 0; q < m; q++) {
    const zq = load<f64>(zj + (<usize>q << 3)), wq = vW + <usize>q * <usize>ld * 8;
    for (let i = 0; i < nc; i++) {
      const si = s + (<usize>i << 3);
      store<f64>(si, load<f64>(si) + load<f64>(wq + (<usize>i << 3)) * zq);
    }
  }
}

/**
 * Loss part of a Gauss-Newton mat-vec, in place on dz (m_L×cols): dS = W_Z dz
 * (+ vW [z; 1] when `full`), t = ∇²_S E dS, dz ← W_Zᵀ t; the W block
 * (t [z; 1]ᵀ, with block-diagonal coupling from its own t = ∇²_S E vW [z; 1])
 * accumulates into the partial.
 */
function lossGN(d: usize, st: usize, cols: i32, B: i32, part: usize, dz: usize, s: usize, full: bool): void {
  const nc = hdr(d, H_NC), bias = hdr(d, H_BIAS) != 0, ld = hdr(d, H_WLD);
  const L = hdr(d, H_L);
  const m = lrec(d, L - 1, L_M);
  const Z = layerInput(d, st, 0, L, B);
  const P = st + <usize>hdr(d, H_POFF), W = <usize>hdr(d, H_W);
  const off = <usize>hdr(d, H_GW) << 3;
  const gW = part + PART_GRAD + off, vW = <usize>hdr(d, H_V) + off;
  const invN = load<f64>(d + H_INVN);
  const s2 = s + (<usize>nc << 3);
  for (let j = 0; j < cols; j++) {
    const zj = Z + <usize>j * <usize>m * 8, pj = P + <usize>j * <usize>nc * 8, dj = dz + <usize>j * <usize>m * 8;
    // dS = W_Z dz
    for (let i = 0; i < nc; i++) store<f64>(s + (<usize>i << 3), 0.0);
    for (let q = 0; q < m; q++) {
      const dq = load<f64>(dj + (<usize>q << 3)), wq = W + <usize>q * <usize>ld * 8;
      for (let i = 0; i < nc; i++) {
        const si = s + (<usize>i << 3);
        store<f64>(si, load<f64>(si) + load<f64>(wq + (<usize>i << 3)) * dq);
      }
    }
    if (full) scoresOfW(s, vW, zj, nc, m, ld, bias, true);
    softmaxHess(s, pj, nc, invN);
    outerAndBack(W, full ? gW : 0, s, zj, dj, nc, m, ld, bias);
    if (!full) {
      scoresOfW(s2, vW, zj, nc, m, ld, bias, false);
      softmaxHess(s2, pj, nc, invN);
      outerAndBack(W, gW, s2, zj, 0, nc, m, ld, bias);
    }
  }
}

/** One column block c of a pass (see the file comment for the bits of `mode`). */
function runChunk(d: usize, mode: i32, c: i32): void {
  const n = hdr(d, H_N), B = hdr(d, H_B), nIn = hdr(d, H_NIN), nc = hdr(d, H_NC);
  const col0 = c * B;
  const cols = min(B, n - col0);
  if (cols <= 0) return;
  const st = <usize>hdr(d, H_STATES) + <usize>c * <usize>hdr(d, H_CHUNK);
  const part = <usize>hdr(d, H_PART) + <usize>c * <usize>hdr(d, H_PARTBYTES);
  const scr = <usize>hdr(d, H_SCR) + <usize>c * <usize>hdr(d, H_SCRBYTES);
  const buf = <usize>hdr(d, H_MAXM) * <usize>B * 8;
  const x1 = scr, x2 = scr + buf, G = x2 + buf, s = G + buf;
  const y0 = <usize>hdr(d, H_Y) + <usize>col0 * <usize>nIn * 8;
  const L = hdr(d, H_L);
  const mL = lrec(d, L - 1, L_M);
  const io = <usize>hdr(d, H_IO) + <usize>col0 * <usize>mL * 8;
  if ((mode & (LOSS | GRAD | VJP | GN)) != 0) memory.fill(part, 0, <usize>hdr(d, H_PARTBYTES));
  if ((mode & FWD) != 0) forward(d, st, y0, cols, B);
  if ((mode & LOSS) != 0) {
    const c0 = <usize>hdr(d, H_C) + <usize>col0 * <usize>nc * 8;
    lossForward(d, st, c0, cols, B, part, (mode & GRAD) != 0 ? x1 : 0, s);
    if ((mode & GRAD) != 0) backward(d, st, y0, cols, B, x1, x2, G, part + PART_GRAD);
  }
  if ((mode & (JVP | GN)) != 0) {
    const dz = jvp(d, st, y0, cols, B, <usize>hdr(d, H_V), x1, x2, G);
    if ((mode & GN) != 0) {
      lossGN(d, st, cols, B, part, dz, s, (mode & FULL) != 0);
      backward(d, st, y0, cols, B, dz, dz == x1 ? x2 : x1, G, part + PART_GRAD);
    } else {
      memory.copy(io, dz, <usize>mL * <usize>cols * 8);
    }
  }
  if ((mode & VJP) != 0) {
    memory.copy(x1, io, <usize>mL * <usize>cols * 8);
    backward(d, st, y0, cols, B, x1, x2, G, part + PART_GRAD);
  }
}

/**
 * Run column blocks c0 … c0+count−1 of a whole-network pass described at
 * `desc` (src/engine/workspace.ts). `mode` bits: 1 forward, 2 loss value
 * (and P), 4 gradient, 8 jvp (dZ to the io buffer), 16 vjp (dZ from the io
 * buffer), 32 Gauss-Newton mat-vec, 64 full (θ, W) coupling in it.
 */
export function netChunks(desc: usize, mode: i32, c0: i32, count: i32): void {
  for (let c = c0; c < c0 + count; c++) runChunk(desc, mode, c);
}
